#!/usr/bin/env bash
# Builds tcpsim and runs every test (CTest). With --sanitize, the same tests
# built with AddressSanitizer and UndefinedBehaviorSanitizer in build-asan/.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DTCPSIM_SANITIZE=ON -DTCPSIM_BENCH=OFF > /dev/null
else
  # The benchmarks are not tests: build them with cmake --build build --target lifecycle_bench ...
  dir=build
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DTCPSIM_BENCH=OFF > /dev/null
fi
cmake --build "$dir" -j"$jobs"
# One `cpu` slot per core for the CPU-bound tests, two `realtime` slots for
# the kernel runs that wait on real timers: those run beside a full load
# instead of taking its turns (CMakeLists.txt, RESOURCE_GROUPS).
slots=$(( jobs > 2 ? jobs : 2 ))  # a test that takes 2 cores still fits on 1
printf '{"version":{"major":1,"minor":0},"local":[{"cpu":[{"id":"0","slots":%d}],"realtime":[{"id":"0","slots":2}]}]}\n' "$slots" > "$PWD/$dir/ctest-resources.json"
ctest --test-dir "$dir" --output-on-failure -j"$((jobs + 2))" --resource-spec-file "$PWD/$dir/ctest-resources.json"
