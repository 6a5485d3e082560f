// The job shared/bench/ns3/short_conns.cc does in ns-3, in tcpsim: N short
// connections between two hosts over one link (100 Mbit/s, 1 ms), each a
// handshake, 100 bytes, a close by the client, the server's close on end
// of stream, and the client's TIME-WAIT (2 MSL = 1 s, as the ns-3 program
// sets); K at a time, per-packet loss p both ways. A client's slot is freed
// when its socket reaches TIME-WAIT (the server's FIN arrived) or fails, as
// in the ns-3 program. Reports lifecycles per second; bench/compare-ns3.sh
// runs it alternately with the ns-3 program and prints the ratio.
//
// Run: short_conns_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <string>

#include "bench/floor_benchmark.h"
#include "sim/network.h"

namespace {

using namespace tcpsim;
using namespace tcpsim::sim;

class ShortConns {
 public:
  ShortConns(int k, Probability loss) : net_(1), k_(k) {
    net_.trace().set_enabled(false);
    Profile p = *profile_named("linux");
    p.tcp.time_wait = kSecond;
    a_ = &net_.add_host("client", ipv4(10, 0, 0, 1), p);
    b_ = &net_.add_host("server", ipv4(10, 0, 0, 2), p);
    LinkConfig lc;
    lc.delay = kMillisecond;
    lc.bandwidth_bps = 100'000'000;
    lc.loss = loss;
    net_.default_link = lc;
    listener_ = b_->listen(Addr{0, 80}, 1024);
    b_->on_app = [this](Conn& c, model::AppEvent e) {
      if (c.id == listener_) {
        while (b_->accept(listener_)) {
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
      if (e == model::AppEvent::Reset || e == model::AppEvent::TimedOut) b_->release(c.id);
    };
    a_->on_app = [this](Conn& c, model::AppEvent e) {
      switch (e) {
        case model::AppEvent::Connected:
          a_->send(c.id, payload_);
          a_->close(c.id);
          break;
        case model::AppEvent::EndOfStream:  // the server's FIN: TIME-WAIT
          a_->release(c.id);
          ++completed_;
          next();
          break;
        case model::AppEvent::Reset:
        case model::AppEvent::Refused:
        case model::AppEvent::TimedOut:
          a_->release(c.id);
          ++failed_;
          next();
          break;
        default: break;
      }
    };
  }
  // Runs n connections, k at a time, until nothing is left (the last
  // TIME-WAIT included); returns the events fired.
  std::uint64_t run(std::uint64_t n) {
    left_ = n;
    const std::uint64_t before = net_.scheduler().fired_total();
    for (int i = 0; i < k_; ++i) next();
    net_.run();
    return net_.scheduler().fired_total() - before;
  }
  std::uint64_t completed() const { return completed_; }
  std::uint64_t failed() const { return failed_; }

 private:
  void next() {
    if (left_ == 0) return;
    --left_;
    if (!a_->connect(Addr{0, 0}, Addr{b_->ip(), 80})) ++failed_;
  }
  Network net_;
  Host* a_;
  Host* b_;
  ConnId listener_;
  int k_;
  std::uint64_t left_ = 0, completed_ = 0, failed_ = 0;
  std::string buf_;
  std::string payload_ = std::string(100, 'x');
};

// Args: connections at once, loss in per mille.
void BM_ShortConns(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(2));
  std::uint64_t events = 0, done = 0, failed = 0;
  for (auto _ : state) {
    ShortConns s(static_cast<int>(state.range(0)),
                 *Probability::parse(std::to_string(state.range(1)) + "/1000"));
    events += s.run(n);
    done += s.completed();
    failed += s.failed();
  }
  const double conns = static_cast<double>(n) * static_cast<double>(state.iterations());
  state.counters["lifecycles_per_s"] = benchmark::Counter(conns, benchmark::Counter::kIsRate);
  state.counters["ns_per_event"] = benchmark::Counter(
      static_cast<double>(events), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["failed_share"] = static_cast<double>(failed) / conns;
  state.counters["completed_share"] = static_cast<double>(done) / conns;
}
BENCHMARK(BM_ShortConns)
    ->ArgNames({"k", "loss_permille", "n"})
    ->Args({1, 0, 10000})
    ->Args({1, 10, 10000})
    ->Args({100, 0, 10000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The bare event loop (bench/floor.h) in the same run, so that each figure
// above can be read as a ratio to it: 16 events queued as with k = 1, 256
// as with k = 100.
void BM_Floor(benchmark::State& state) { bench::floor_benchmark(state); }
BENCHMARK(BM_Floor)->Arg(16)->Arg(256);

}  // namespace

BENCHMARK_MAIN();
