#!/usr/bin/env bash
# Runs the Google Benchmark programs of several builds alternately, in one
# sitting, and keeps each run's JSON: for each round and each program, every
# build's binary runs once (the order rotated each round so that none always
# runs first), with --benchmark_repetitions=5 and the aggregates only.
# The machines are shared: ratios to the bare event loop measured in the same
# binary run cancel most of the load, and alternation cancels its drift.
# To fit a sitting on a loaded machine each benchmark runs 0.1 s per
# repetition (bulk_bench keeps its own MinTime of 2 s), the scheduler at
# 1,000 live events only, and the bulk job at 1 % loss only.
#
#   bench/layering/run.sh OUT ROUNDS LABEL=BUILD_DIR [LABEL=BUILD_DIR ...]
#   bench/layering/ratios.py OUT    # the table
set -euo pipefail
out="$1" rounds="$2"
shift 2
mkdir -p "$out"
programs="model_bench lifecycle_bench scheduler_bench short_conns_bench bulk_bench"
builds=("$@")
for ((r = 1; r <= rounds; r++)); do
  for prog in $programs; do
    n=${#builds[@]}
    for ((i = 0; i < n; i++)); do
      spec=${builds[$(((i + r) % n))]}
      label=${spec%%=*} dir=${spec#*=}
      echo "round $r $prog $label" >&2
      filter=.
      case $prog in
        scheduler_bench) filter=/1000$ ;;
        bulk_bench) filter='loss_permille:10/|BM_Floor' ;;
      esac
      "$dir/$prog" --benchmark_filter="$filter" --benchmark_min_time=0.1 \
        --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
        --benchmark_out_format=json --benchmark_out="$out/$label.$prog.$r.json" >/dev/null 2>&1
    done
  done
done
