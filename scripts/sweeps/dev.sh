#!/bin/bash
# Paper table 4: RAG and the closed-book models trained centralized, local and collaborative,
# each run's model chosen and scored on the clients' dev splits (eval.dev). --help for options.
EXPERIMENT=dev
SWEEP_TITLE="table 4: RAG and closed-book x centralized, local, collaborative, selected on dev"
source "$(dirname "$0")/sweep_lib.sh"
sweep_parse_options "$@"
sweep_run
sweep_report 4 table4
