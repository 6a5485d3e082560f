// The endpoint model alone, no simulator: one segment processed in
// ESTABLISHED, and a whole open-data-close exchange between two endpoints
// wired by hand (segments handed straight across, timers fired by hand).
// Target (issue 2): under 100 ns per segment event.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/floor_benchmark.h"
#include "bench/model_workloads.h"

namespace {

using namespace tcpsim;
using namespace tcpsim::model;

void BM_EstablishedDataSegment(benchmark::State& state) {
  bench::DataSegmentWorkload w;
  for (auto _ : state) benchmark::DoNotOptimize(w.step().actions.data());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EstablishedDataSegment);

void BM_EstablishedDuplicateAck(benchmark::State& state) {
  bench::DuplicateAckWorkload w;
  for (auto _ : state) benchmark::DoNotOptimize(w.step().actions.data());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EstablishedDuplicateAck);

void BM_HandWiredExchange(benchmark::State& state) {
  std::int64_t segments = 0;
  bench::ExchangeWorkload w;
  for (auto _ : state) {
    segments += w.step();
    benchmark::DoNotOptimize(w.last_state());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["segments"] =
      benchmark::Counter(static_cast<double>(segments), benchmark::Counter::kAvgIterations);
  state.counters["per_segment"] = benchmark::Counter(
      static_cast<double>(segments), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_HandWiredExchange);

// The bare event loop (bench/floor.h) in the same run, so that each figure
// above can be read as a ratio to it (the machines are shared: absolute
// times drift with the load, ratios much less).
void BM_Floor(benchmark::State& state) { bench::floor_benchmark(state); }
BENCHMARK(BM_Floor)->Arg(16);

}  // namespace

BENCHMARK_MAIN();
