// Whole connection lifecycles in the simulator: handshake, 100 bytes, close
// by the client, close by the server, TIME-WAIT expiry. One connection at a
// time between two hosts 1 ms apart (linux profile), tracing off and on,
// and the bare event-loop floor (bench/floor.h) in the same run so the cost
// per event is reported as a ratio.
//
// Run: lifecycle_bench   (prints lifecycles/s and the per-event ratio last)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>

#include "bench/floor_benchmark.h"
#include "sim/network.h"

namespace {

using namespace tcpsim;
using namespace tcpsim::sim;

class Lifecycles {
 public:
  explicit Lifecycles(bool trace) : net_(7) {
    net_.trace().set_enabled(trace);
    const Profile p = *profile_named("linux");
    a_ = &net_.add_host("A", ipv4(10, 0, 0, 1), p);
    b_ = &net_.add_host("B", ipv4(10, 0, 0, 2), p);
    LinkConfig lc;
    lc.delay = 1 * kMillisecond;
    net_.default_link = lc;
    listener_ = b_->listen(Addr{0, 80}, 128);
    b_->on_app = [this](Conn& c, model::AppEvent e) {
      if (c.id == listener_) {
        while (auto s = b_->accept(listener_)) {
        }
        return;
      }
      if (e == model::AppEvent::Readable || e == model::AppEvent::EndOfStream) {
        buf_.clear();
        b_->receive(c.id, 4096, buf_);
      }
      if (e == model::AppEvent::EndOfStream) {
        b_->close(c.id);
        b_->release(c.id);
      }
    };
    a_->on_app = [this](Conn& c, model::AppEvent e) {
      if (e == model::AppEvent::Connected) {
        a_->send(c.id, payload_);
        a_->close(c.id);
        a_->release(c.id);
      }
    };
  }
  // Runs n lifecycles to completion; returns the events they took.
  std::uint64_t run(int n) {
    const std::uint64_t before = net_.scheduler().fired_total();
    for (int i = 0; i < n; ++i) {
      a_->connect(Addr{0, 0}, Addr{b_->ip(), 80});
      net_.run();
      // Each lifecycle is one run's worth of trace, as in a sweep.
      net_.trace().clear();
    }
    return net_.scheduler().fired_total() - before;
  }
  Network& net() { return net_; }

 private:
  Network net_;
  Host* a_;
  Host* b_;
  ConnId listener_;
  std::string buf_;
  std::string payload_ = std::string(100, 'x');
};

void BM_Lifecycle(benchmark::State& state) {
  Lifecycles l(state.range(0) != 0);
  std::uint64_t events = 0;
  for (auto _ : state) events += l.run(1);
  state.SetItemsProcessed(state.iterations());
  state.counters["events_per_lifecycle"] =
      static_cast<double>(events) / static_cast<double>(state.iterations());
  state.counters["per_event"] = benchmark::Counter(static_cast<double>(events),
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Lifecycle)->ArgName("trace")->Arg(0)->Arg(1);

void BM_Floor(benchmark::State& state) { bench::floor_benchmark(state); }
// A lifecycle one at a time keeps only a handful of events queued (16 is the
// fair comparison); 1,000 is the configuration shared/bench/README.md quotes.
BENCHMARK(BM_Floor)->Arg(16)->Arg(1000);

class Collect : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      const bool use = r.run_type == Run::RT_Iteration ||
                       (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median");
      if (!use) continue;
      if (auto it = r.counters.find("per_event"); it != r.counters.end())
        per_event[r.run_name.str()] = it->second.value * 1e9;
      if (r.run_name.str().rfind("BM_Lifecycle", 0) == 0)
        per_second[r.run_name.str()] =
            r.iterations / r.real_accumulated_time * (r.run_type == Run::RT_Aggregate ? 1 : 1);
    }
  }
  std::map<std::string, double> per_event, per_second;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Collect c;
  benchmark::RunSpecifiedBenchmarks(&c);
  benchmark::Shutdown();
  for (const char* floor_name : {"BM_Floor/16", "BM_Floor/1000"}) {
    const auto floor = c.per_event.find(floor_name);
    for (const char* name : {"BM_Lifecycle/trace:0", "BM_Lifecycle/trace:1"}) {
      auto it = c.per_event.find(name);
      if (it == c.per_event.end() || floor == c.per_event.end()) continue;
      std::printf("%-22s %8.0f lifecycles/s  %6.1f ns/event  %s %5.1f ns/event  ratio %.2fx\n", name,
                  c.per_second[name], it->second, floor_name, floor->second, it->second / floor->second);
    }
  }
  return 0;
}
