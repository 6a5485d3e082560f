// The floor as a Google Benchmark body: the bare event loop (floor.h) with
// `range(0)` events queued, reported as time per event, so that each bench
// program can register it beside its own job and print ratios from one run.
#pragma once

#include <benchmark/benchmark.h>

#include "bench/floor.h"

namespace tcpsim::bench {

inline void floor_benchmark(benchmark::State& state) {
  FloorLoop loop(static_cast<std::uint32_t>(state.range(0)));
  loop.run(10 * state.range(0));  // warm up: past the initial burst of events
  for (auto _ : state) loop.run(kBatch);
  benchmark::DoNotOptimize(loop.hash());
  const double events = static_cast<double>(state.iterations() * kBatch);
  state.counters["per_event"] =
      benchmark::Counter(events, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

}  // namespace tcpsim::bench
