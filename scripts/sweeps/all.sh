#!/bin/bash
# Every table and figure of the paper: each experiment's sweep in turn, with the same options
# and so into one tree (a cell two experiments share is trained once). --help lists the options.
set -euo pipefail
here=$(dirname "$0")
for experiment in store_variants shots store_composition dev; do
  "$here/$experiment.sh" "$@"
done
