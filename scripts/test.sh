#!/usr/bin/env bash
# Builds tcpsim and runs every test (CTest). With --sanitize, the same tests
# built with AddressSanitizer and UndefinedBehaviorSanitizer in build-asan/.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
if [ "${1:-}" = "--sanitize" ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTCPSIM_SANITIZE=ON -DTCPSIM_BENCH=OFF > /dev/null
  cmake --build build-asan -j"$jobs"
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
else
  # The benchmarks are not tests: build them with cmake --build build --target lifecycle_bench ...
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTCPSIM_BENCH=OFF > /dev/null
  cmake --build build -j"$jobs"
  ctest --test-dir build --output-on-failure -j"$jobs"
fi
