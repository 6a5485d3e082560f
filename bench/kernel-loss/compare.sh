#!/bin/sh
# The 10 MB transfer at 1 % random loss (traces/data-10mb-random-loss.tcpsim),
# 20 seeds in the model against 20 runs of the real kernel through the delay
# line (each with its own seed for the line's random loss), measured alike by
# stats.py from each run's JSON: retransmissions per loss, share of losses
# repaired without a timeout, recovery episodes per loss.
# Usage (as root, for the kernel): bench/kernel-loss/compare.sh [BUILD_DIR] [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build}
runs=${2:-20}
tcpsim=$build/tcpsim
scenario=$src/traces/data-10mb-random-loss.tcpsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/model.jsonl"
: >"$work/kernel.jsonl"
i=1
while [ "$i" -le "$runs" ]; do
  sed "s/^seed 1$/seed $i/" "$scenario" >"$work/s.tcpsim"
  # The model as --diff runs it: mss 1448 (what a Linux segment carries with timestamps).
  "$tcpsim" run "$work/s.tcpsim" --set mss=1448 --format json >"$work/m.json" || true
  python3 "$here/stats.py" "$work/m.json" >>"$work/model.jsonl"
  "$tcpsim" kernel "$work/s.tcpsim" --max-time 60s --format json >"$work/k.json" || true
  python3 "$here/stats.py" "$work/k.json" >>"$work/kernel.jsonl"
  echo "run $i: model $(tail -1 "$work/model.jsonl")" >&2
  echo "run $i: kernel $(tail -1 "$work/kernel.jsonl")" >&2
  i=$((i + 1))
done
python3 "$here/summary.py" "$work/model.jsonl" "$work/kernel.jsonl"
