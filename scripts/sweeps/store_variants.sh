#!/bin/bash
# Paper table 1 (test EM by train store variant, local and collaborative RAG), table 6 and
# figure 2 (each client's gain from collaboration), at the highest shot level. --help for options.
EXPERIMENT=store_variants
SWEEP_TITLE="tables 1, 6 and figure 2: REL, IRR, REL-1, SPLIT x local, collaborative"
source "$(dirname "$0")/sweep_lib.sh"
sweep_parse_options "$@"
sweep_run
sweep_report 1 table1
sweep_report 6 table6
sweep_figure clients "$OUT/report/table6/report.json" figure2
sweep_run_figures "$(sweep_cell_matching 'REL-[0-9]+shot-collaborative')"
