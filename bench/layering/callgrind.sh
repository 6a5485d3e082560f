#!/usr/bin/env bash
# Instructions (valgrind --tool=callgrind) per unit of work, per build:
#   data, dupack, exchange: model_bench's bodies run N times by
#     model_driver.cc, linked against the build's libtcpsim_model.a
#     (instructions of N runs minus those of 0 runs, over N);
#   short_conns: BM_ShortConns/k:1/loss_permille:0 (10,000 connections),
#     per connection;
#   bulk: BM_Bulk/loss_permille:10 (100 MB at 1 % loss), per data segment.
# The last two are one iteration of the benchmark (under callgrind one
# takes longer than its minimum time), so whole-process counts; they are
# given with and without malloc/free, whose counts move by a few per cent
# with the heap's layout alone.
#
#   bench/layering/callgrind.sh LABEL=BUILD_DIR [LABEL=BUILD_DIR ...]
# where BUILD_DIR holds short_conns_bench and bulk_bench (-DTCPSIM_BENCH=ON)
# and libtcpsim_model.a, its source tree being BUILD_DIR/..
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ir() { valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'; }
printf '%-8s %9s %9s %9s %25s %23s\n' build data dupack exchange 'short_conns (no malloc)' 'bulk (no malloc)'
for spec in "$@"; do
  label=${spec%%=*} dir=$(cd "${spec#*=}" && pwd)
  g++ -O3 -DNDEBUG -std=c++17 -I"$dir/.." -I"$dir" -I"$here/../.." "$here/model_driver.cc" -o "$tmp/driver" "$dir/libtcpsim_model.a"
  row=()
  for body in "data 20000" "dupack 20000" "exchange 2000"; do
    # shellcheck disable=SC2086  # the words of $body are the arguments
    set -- $body
    a=$(ir "$tmp/driver" "$1" 0) b=$(ir "$tmp/driver" "$1" "$2")
    row+=("$(awk -v a="$a" -v b="$b" -v n="$2" 'BEGIN{printf "%.1f", (b - a) / n}')")
  done
  for job in "short_conns_bench BM_ShortConns/k:1/loss_permille:0/ 10000" "bulk_bench BM_Bulk/loss_permille:10/ segs"; do
    # shellcheck disable=SC2086
    set -- $job
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$dir/$1" --benchmark_filter="$2" \
      --benchmark_repetitions=1 --benchmark_out_format=json --benchmark_out="$tmp/json" >/dev/null 2>&1
    units=$3
    [ "$units" = segs ] && units=$(python3 -c "import json;print(json.load(open('$tmp/json'))['benchmarks'][0]['data_segments'])")
    row+=("$(python3 "$here/callgrind_split.py" "$tmp/cg" "$units")")
  done
  printf '%-8s %9s %9s %9s %25s %23s\n' "$label" "${row[@]}"
done
