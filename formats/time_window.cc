#include "formats/time_window.h"

#include <algorithm>

namespace tcpsim::formats {

namespace {

// Each drawn packet's flight: sent .. its last arrival or its loss; -1 for
// a packet no figure draws.
struct Flights {
  std::vector<Time> sent, done;
};

Flights flights(const TraceView& view, const sim::Trace& tr) {
  Flights f{std::vector<Time>(tr.packets().size(), -1), std::vector<Time>(tr.packets().size(), -1)};
  for (const auto& r : tr.records()) {
    const bool sent = r.kind == sim::TraceKind::Sent;
    if ((!sent && r.kind != sim::TraceKind::Delivered && r.kind != sim::TraceKind::Dropped) ||
        r.ref >= f.sent.size())
      continue;
    if (sent && view.connection_of_packet(r.ref) >= 0) {
      f.sent[r.ref] = f.done[r.ref] = r.t;
    } else if (!sent && f.sent[r.ref] >= 0) {
      f.done[r.ref] = std::max(f.done[r.ref], r.t);
    }
  }
  return f;
}

bool touches(const Flights& f, std::size_t p, const TimeWindow& w) {
  return f.sent[p] >= 0 && f.done[p] >= w.from && f.sent[p] <= w.to;
}

}  // namespace

std::vector<bool> packets_in(const TimeWindow& w, const TraceView& view, const sim::Trace& tr) {
  const Flights f = flights(view, tr);
  std::vector<bool> in(f.sent.size());
  for (std::size_t p = 0; p < in.size(); ++p) in[p] = touches(f, p, w);
  return in;
}

TimeWindow widened(const TimeWindow& w, const TraceView& view, const sim::Trace& tr) {
  if (w.whole()) return w;
  const Flights f = flights(view, tr);
  TimeWindow out = w;
  for (std::size_t p = 0; p < f.sent.size(); ++p) {
    if (!touches(f, p, w)) continue;
    out.from = std::min(out.from, f.sent[p]);
    out.to = std::max(out.to, f.done[p]);
  }
  return out;
}

}  // namespace tcpsim::formats
