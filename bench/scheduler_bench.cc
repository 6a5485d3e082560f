// Scheduler cost per event against the floor: a bare binary-heap event loop
// doing the same trivial work (the workload of shared/bench/limit/des_floor.cc).
//
// Workload: L connections (L = the benchmark argument), each with exactly one
// pending event, so the queue always holds L events. Each event advances a
// caricature of a short TCP connection's life and schedules the next one:
//   CLOSED -50us-> SYN-SENT -2ms-> ESTABLISHED -2ms-> FIN-WAIT-1 -1ms->
//   FIN-WAIT-2 -1ms-> TIME-WAIT -1s (2MSL)-> CLOSED ...
// with 0..1023 ns of xorshift jitter on every delay. Both loops hash the
// dispatch order; main() checks the hashes agree before benchmarking, so the
// two really do the same work in the same order.
//
// Run: scheduler_bench  (prints a ratio line per queue size after the table).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bench/floor.h"
#include "sim/scheduler.h"

namespace {

using tcpsim::Time;
using tcpsim::sim::EventId;
using tcpsim::sim::Scheduler;
using namespace tcpsim::bench;

// --- the same workload on sim::Scheduler ----------------------------------------

class SchedulerLoop {
 public:
  // rto: when non-zero, every event also cancels and re-arms its connection's
  // retransmission timer that far ahead, as TCP does on each ACK.
  SchedulerLoop(std::uint32_t live, Time rto = 0) : state_(live, kClosed), timers_(live), rto_(rto) {
    for (std::uint32_t c = 0; c < live; ++c) {
      sched_.schedule_at(static_cast<Time>(rng_.jitter() * kUs), ConnEvent{this, c, kTimer});
    }
  }
  void run(std::uint64_t n) { sched_.run(n); }
  std::uint64_t hash() const { return hash_; }

 private:
  struct ConnEvent {
    SchedulerLoop* loop;
    std::uint32_t conn, handler;
    void operator()() const { loop->on_event(conn, handler); }
  };
  struct Timeout {
    void operator()() const {}
  };
  void on_event(std::uint32_t conn, std::uint32_t handler) {
    const Time now = sched_.now();
    const Step s = advance(state_[conn]);
    hash_ = mix(hash_, static_cast<std::uint64_t>(now), conn, handler);
    sched_.schedule_at(now + static_cast<Time>(s.delay + rng_.jitter()), ConnEvent{this, conn, s.handler});
    if (rto_ != 0) {
      sched_.cancel(timers_[conn]);
      timers_[conn] = sched_.schedule_after(rto_, Timeout{});
    }
  }
  Scheduler sched_;
  std::vector<State> state_;
  std::vector<EventId> timers_;
  Xorshift rng_;
  Time rto_;
  std::uint64_t hash_ = 1469598103934665603ull;
};

void set_counters(benchmark::State& state) {
  const double events = static_cast<double>(state.iterations() * kBatch);
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  // Rate then inverted: seconds per event, printed with an SI prefix (e.g. "54n").
  state.counters["per_event"] =
      benchmark::Counter(events, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Floor(benchmark::State& state) {
  FloorLoop loop(static_cast<std::uint32_t>(state.range(0)));
  loop.run(10 * state.range(0));  // warm up: past the initial burst of events
  for (auto _ : state) loop.run(kBatch);
  benchmark::DoNotOptimize(loop.hash());
  set_counters(state);
}

void BM_Scheduler(benchmark::State& state) {
  SchedulerLoop loop(static_cast<std::uint32_t>(state.range(0)));
  loop.run(10 * state.range(0));
  for (auto _ : state) loop.run(kBatch);
  benchmark::DoNotOptimize(loop.hash());
  set_counters(state);
}

// Each event also cancels and re-arms a 3 s timer (which therefore never fires).
void BM_SchedulerWithTimerRearm(benchmark::State& state) {
  SchedulerLoop loop(static_cast<std::uint32_t>(state.range(0)), 3 * static_cast<Time>(kSec));
  loop.run(10 * state.range(0));
  for (auto _ : state) loop.run(kBatch);
  benchmark::DoNotOptimize(loop.hash());
  set_counters(state);
}

// cancel + schedule_after alone, round-robin over L armed timers.
void BM_CancelRearm(benchmark::State& state) {
  Scheduler s;
  const auto live = static_cast<std::size_t>(state.range(0));
  std::vector<EventId> timers(live);
  for (std::size_t i = 0; i < live; ++i) timers[i] = s.schedule_after(static_cast<Time>(i), [] {});
  std::size_t i = 0;
  for (auto _ : state) {
    s.cancel(timers[i]);
    timers[i] = s.schedule_after(static_cast<Time>(kSec + i), [] {});
    if (++i == live) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Floor)->Arg(1000)->Arg(100000);
BENCHMARK(BM_Scheduler)->Arg(1000)->Arg(100000);
BENCHMARK(BM_SchedulerWithTimerRearm)->Arg(1000)->Arg(100000);
BENCHMARK(BM_CancelRearm)->Arg(1000)->Arg(100000);

// Keeps ns/event per benchmark so main() can print scheduler / floor ratios.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      const auto it = r.counters.find("per_event");
      if (it == r.counters.end()) continue;
      // By now the counter holds seconds per event. With --benchmark_repetitions
      // the median is kept (the machines are shared: single runs drift).
      const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.run_type == Run::RT_Iteration || median) {
        ns_per_event[r.run_name.str()] = it->second.value * 1e9;
      }
    }
  }
  std::map<std::string, double> ns_per_event;
};

}  // namespace

int main(int argc, char** argv) {
  for (std::uint32_t live : {1000u, 100000u}) {
    FloorLoop f(live);
    SchedulerLoop s(live);
    f.run(1000000);
    s.run(1000000);
    if (f.hash() != s.hash()) {
      std::fprintf(stderr, "dispatch order differs from the floor's (live=%u)\n", live);
      return 1;
    }
  }
  std::printf("dispatch order check: scheduler == floor over 10^6 events (live 1000, 100000)\n");

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  for (const char* live : {"1000", "100000"}) {
    const std::string suffix = std::string("/") + live;
    const auto floor = reporter.ns_per_event.find("BM_Floor" + suffix);
    if (floor == reporter.ns_per_event.end()) continue;
    for (const char* name : {"BM_Scheduler", "BM_SchedulerWithTimerRearm"}) {
      const auto it = reporter.ns_per_event.find(name + suffix);
      if (it == reporter.ns_per_event.end()) continue;
      std::printf("live=%-6s %-28s %6.1f ns/event  floor %6.1f ns/event  ratio %.2fx\n", live, name,
                  it->second, floor->second, it->second / floor->second);
    }
  }
  return 0;
}
