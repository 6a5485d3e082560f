// model_bench's three bodies (bench/model_bench.cc) run a fixed number of
// times, for callgrind (bench/layering/callgrind.sh): Google Benchmark picks
// its iteration counts by time, so its binaries do not count instructions
// per iteration reproducibly.
//   model_driver data|dupack|exchange N
#include <cstdlib>
#include <string>

#include "model/endpoint.h"
using namespace tcpsim;
using namespace tcpsim::model;
static void data_segment(long n) {
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
  for (long i = 0; i < n; ++i) {
    out.clear();
    ep.segment_arrives(data, 1, out);
    data.seq += 100;
    sink.clear();
    ep.receive(4096, sink, 1, out);
  }
}
static void dup_ack(long n) {
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
  for (long i = 0; i < n; ++i) {
    out.clear();
    ep.segment_arrives(ack, 1, out);
  }
}
static void exchange(long n) {
  Outbox oa, ob, na, nb;
  const std::string payload(100, 'x');
  std::string sink;
  for (long i = 0; i < n; ++i) {
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
  }
}
int main(int argc, char** argv) {
  const std::string which = argv[1];
  const long n = std::atol(argv[2]);
  if (which == "data") data_segment(n);
  if (which == "dupack") dup_ack(n);
  if (which == "exchange") exchange(n);
  return 0;
}
