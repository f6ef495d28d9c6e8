#!/bin/bash
# Paper tables 2 and 5: local RAG trained on REL and on each ablation store (relevant + X % of
# the rest, only relevant, only hard negatives + irrelevant, ...), scored on the test store alone
# and on test + train stores; table 2 is table 5's test-store rows of the five "only" stores.
# Builds the ablation stores first (crab-build-stores with the sweep config's sweep.crab, same
# splits). Also the store-composition curve (EM by X). --help for options.
EXPERIMENT=store_composition
SWEEP_TITLE="tables 2 and 5, the store-composition curve: REL and 11 ablation stores x test / test+train store"
source "$(dirname "$0")/sweep_lib.sh"
sweep_parse_options "$@"
sweep_run
sweep_report 5 table5
sweep_figure composition "$OUT/report/table5/report.json" store-composition
