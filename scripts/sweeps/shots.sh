#!/bin/bash
# Paper table 3 and figure 1: test EM by shot level for closed-book (each closed-book model of
# the sweep config), local, centralized and collaborative RAG on the REL store. --help for options.
EXPERIMENT=shots
SWEEP_TITLE="table 3 and figure 1: every shot level x closed-book, local, centralized, collaborative"
source "$(dirname "$0")/sweep_lib.sh"
sweep_parse_options "$@"
sweep_run
sweep_report 3 table3
sweep_figure shots "$OUT/report/table3/report.json" figure1
sweep_run_figures "$(sweep_cell_matching 'REL-[0-9]+shot-collaborative')"
