// The job bench/ns3/bulk.cc does in ns-3, in tcpsim: one bulk transfer of
// 100 MB over 100 Mbit/s with 10 ms one way, loss p on the data direction
// only, the linux profile (CUBIC with SACK, RACK, PRR), 4 MiB buffers and a
// 100-packet drop-tail queue at the sender, as the ns-3 program sets.
// Tracing off, as in a sweep. Reports data segments per wall second (every
// transmission on the data direction: retransmissions counted, and the
// handshake's and the FIN's three packets too) and the cost per event as a
// ratio to the bare event loop (bench/floor.h) in the same run.
// Rates are per CPU second of this thread (Google Benchmark's default), not
// per wall second: the machines are shared, and a loaded one stretches wall
// time several times over while the CPU time holds. bench/compare-ns3.sh
// bulk runs it beside the ns-3 program, whose CPU time it takes too.
//
// Run: bulk_bench   (prints the segments per second and the ratios last)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>

#include "bench/floor_benchmark.h"
#include "sim/network.h"

namespace {

using namespace tcpsim;
using namespace tcpsim::sim;

constexpr std::uint32_t kBuffer = 4u << 20;  // bulk.cc's SndBufSize / RcvBufSize

struct BulkResult {
  std::uint64_t data_segments = 0;  // packets offered to the A -> B link
  std::uint64_t events = 0;
  std::uint64_t received = 0;
  Time last_byte = 0;
};

class Bulk {
 public:
  Bulk(std::uint64_t bytes, Probability loss, std::uint64_t seed) : net_(seed), bytes_(bytes) {
    net_.trace().set_enabled(false);
    Profile p = *profile_named("linux");
    p.tcp.rcv_buffer = kBuffer;
    p.tcp.snd_buffer = kBuffer;
    a_ = &net_.add_host("A", ipv4(10, 0, 0, 1), p);
    b_ = &net_.add_host("B", ipv4(10, 0, 0, 2), p);
    LinkConfig lc;
    lc.delay = 10 * kMillisecond;
    lc.bandwidth_bps = 100'000'000;
    lc.queue = QueueLimit::packets(100);
    net_.set_link(*b_, *a_, lc);
    lc.loss = loss;
    net_.set_link(*a_, *b_, lc);
    chunk_.assign(64 * 1024, 'x');
    listener_ = b_->listen(Addr{0, 80}, 8);
    b_->on_app = [this](Conn& c, model::AppEvent e) {
      if (c.id == listener_) {
        while (b_->accept(listener_)) {
        }
        return;
      }
      if (e == model::AppEvent::Readable || e == model::AppEvent::EndOfStream) {
        do {  // read until the queue is empty; the bytes are dropped at once
          buf_.clear();
          b_->receive(c.id, 1 << 20, buf_);
          received_ += buf_.size();
        } while (!buf_.empty());
        if (received_ >= bytes_ && last_byte_ == 0) last_byte_ = net_.now();
      }
      if (e == model::AppEvent::EndOfStream) {
        b_->close(c.id);
        b_->release(c.id);
      }
    };
    a_->on_app = [this](Conn& c, model::AppEvent e) {
      if (e == model::AppEvent::Connected || e == model::AppEvent::Writable) fill(c.id);
    };
  }
  BulkResult run() {
    const std::uint64_t before = net_.scheduler().fired_total();
    a_->connect(Addr{0, 0}, Addr{b_->ip(), 80}, kBuffer, kBuffer);
    net_.run();
    BulkResult r;
    r.events = net_.scheduler().fired_total() - before;
    r.data_segments = net_.link(*a_, *b_).stats().offered;
    r.received = received_;
    r.last_byte = last_byte_;
    return r;
  }

 private:
  // Hands TCP as much as its send buffer takes, then the close.
  void fill(ConnId id) {
    while (written_ < bytes_) {
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(chunk_.size(), bytes_ - written_));
      std::size_t accepted = 0;
      a_->send(id, std::string_view(chunk_).substr(0, n), &accepted);
      written_ += accepted;
      if (accepted < n) return;
    }
    if (!closed_) {
      closed_ = true;
      a_->close(id);
      a_->release(id);
    }
  }
  Network net_;
  Host* a_;
  Host* b_;
  ConnId listener_;
  std::uint64_t bytes_, written_ = 0, received_ = 0;
  Time last_byte_ = 0;
  bool closed_ = false;
  std::string chunk_, buf_;
};

// Args: loss in per mille, megabytes.
void BM_Bulk(benchmark::State& state) {
  const auto bytes = static_cast<std::uint64_t>(state.range(1)) * 1'000'000;
  const Probability loss = *Probability::parse(std::to_string(state.range(0)) + "/1000");
  BulkResult total;
  std::uint64_t seed = 1;
  for (auto _ : state) {
    Bulk b(bytes, loss, seed++);
    const BulkResult r = b.run();
    if (r.received != bytes) state.SkipWithError("the transfer did not complete");
    total.data_segments += r.data_segments;
    total.events += r.events;
    total.last_byte += r.last_byte;
  }
  const double it = static_cast<double>(state.iterations());
  state.counters["segs_per_s"] =
      benchmark::Counter(static_cast<double>(total.data_segments), benchmark::Counter::kIsRate);
  state.counters["per_event"] = benchmark::Counter(static_cast<double>(total.events),
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["data_segments"] = static_cast<double>(total.data_segments) / it;
  state.counters["events_per_seg"] = static_cast<double>(total.events) /
                                     static_cast<double>(std::max<std::uint64_t>(1, total.data_segments));
  state.counters["sim_s"] = static_cast<double>(total.last_byte) / 1e9 / it;
}
BENCHMARK(BM_Bulk)
    ->ArgNames({"loss_permille", "MB"})
    ->Args({0, 100})
    ->Args({10, 100})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

void BM_Floor(benchmark::State& state) { bench::floor_benchmark(state); }
// A bulk transfer keeps a window's worth of packets queued: a few hundred.
BENCHMARK(BM_Floor)->Arg(256);

class Collect : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
      for (const char* k : {"per_event", "segs_per_s"}) {
        if (auto it = r.counters.find(k); it != r.counters.end())
          values[r.run_name.str()][k] = it->second.value;
      }
    }
  }
  std::map<std::string, std::map<std::string, double>> values;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Collect c;
  benchmark::RunSpecifiedBenchmarks(&c);
  benchmark::Shutdown();
  const auto floor = c.values.find("BM_Floor/256");
  for (const auto& [name, v] : c.values) {
    if (name.rfind("BM_Bulk", 0) != 0 || floor == c.values.end()) continue;
    const double ns = v.at("per_event") * 1e9, floor_ns = floor->second.at("per_event") * 1e9;
    std::printf("%-36s %10.0f data segments/s  %6.1f ns/event  floor %5.1f ns/event  ratio %.2fx\n",
                name.c_str(), v.at("segs_per_s"), ns, floor_ns, ns / floor_ns);
  }
  return 0;
}
