// The endpoint model alone, no simulator: one segment processed in
// ESTABLISHED, and a whole open-data-close exchange between two endpoints
// wired by hand (segments handed straight across, timers fired by hand).
// Target (issue 2): under 100 ns per segment event.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/floor_benchmark.h"
#include "model/endpoint.h"

namespace {

using namespace tcpsim;
using namespace tcpsim::model;

// A 100-byte data segment arriving in ESTABLISHED, acknowledged at once, and
// read by the application so the buffer never fills.
void BM_EstablishedDataSegment(benchmark::State& state) {
  Endpoint ep;
  Outbox out;
  ep.open_passive(1000, 0, out);
  Segment syn;
  syn.flags = kSyn;
  syn.seq = 5000;
  syn.window = 65535;
  out.clear();
  ep.segment_arrives(syn, 0, out);
  Segment ack;
  ack.flags = kAck;
  ack.seq = 5001;
  ack.ack = 1001;
  ack.window = 65535;
  out.clear();
  ep.segment_arrives(ack, 0, out);
  Segment data = ack;
  data.flags = kAck | kPsh;
  data.payload.assign(100, 'x');
  std::string sink;
  for (auto _ : state) {
    out.clear();
    ep.segment_arrives(data, 1, out);
    data.seq += 100;
    sink.clear();
    ep.receive(4096, sink, 1, out);
    benchmark::DoNotOptimize(out.actions.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EstablishedDataSegment);

// A pure ACK that acknowledges nothing new: the cheapest path through the table.
void BM_EstablishedDuplicateAck(benchmark::State& state) {
  Endpoint ep;
  Outbox out;
  ep.open_active(1000, 0, out);
  Segment synack;
  synack.flags = kSyn | kAck;
  synack.seq = 5000;
  synack.ack = 1001;
  synack.window = 65535;
  out.clear();
  ep.segment_arrives(synack, 0, out);
  Segment ack;
  ack.flags = kAck;
  ack.seq = 5001;
  ack.ack = 1001;
  ack.window = 65535;
  for (auto _ : state) {
    out.clear();
    ep.segment_arrives(ack, 1, out);
    benchmark::DoNotOptimize(out.actions.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EstablishedDuplicateAck);

// Two endpoints, open, 100 bytes, both close, TIME-WAIT expires.
void BM_HandWiredExchange(benchmark::State& state) {
  std::int64_t segments = 0;
  Outbox oa, ob, na, nb;
  const std::string payload(100, 'x');
  std::string sink;
  for (auto _ : state) {
    Endpoint a, b;
    oa.clear();
    ob.clear();
    b.open_passive(300, 0, ob);
    a.open_active(100, 0, oa);
    auto shuttle = [&] {
      while (!oa.segments.empty() || !ob.segments.empty()) {
        na.clear();
        nb.clear();
        for (const Segment& s : oa.segments) b.segment_arrives(s, 0, nb);
        for (const Segment& s : ob.segments) a.segment_arrives(s, 0, na);
        segments += static_cast<std::int64_t>(oa.segments.size() + ob.segments.size());
        std::swap(oa, na);
        std::swap(ob, nb);
      }
    };
    shuttle();
    a.send(payload, 0, oa);
    shuttle();
    sink.clear();
    b.receive(4096, sink, 0, ob);
    a.close(0, oa);
    shuttle();
    b.close(0, ob);
    shuttle();
    a.timeout(TimerKind::TimeWait, 0, oa);
    benchmark::DoNotOptimize(a.state());
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
