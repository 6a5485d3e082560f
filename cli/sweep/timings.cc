#include "cli/sweep/timings.h"

#include <map>
#include <optional>

#include "sim/network.h"

namespace tcpsim::sweep {

namespace {

constexpr std::string_view kMetricNames[kMetricCount] = {
    "syn-sent",  "fin-wait-1", "fin-wait-2",         "close-wait", "last-ack",
    "time-wait", "connect",    "connect-unfinished", "first-byte", "request"};

// Per connection (host, host-local id): the state it is in and since when,
// and for one that connected, its attempt.
struct Track {
  model::State state = model::State::Closed;
  Time since = 0;
  std::optional<Time> syn_sent;  // when it entered SYN-SENT (an active open)
  bool established = false;
  bool ended = false;  // the attempt failed: counted
  std::optional<sim::Addr> local, remote;
  std::optional<Time> first_byte, last_data;
};

void add(RunTimings& out, Metric m, Time v) { out[static_cast<int>(m)].push_back(v); }

void state_change(RunTimings& out, Track& k, const sim::TraceRecord& r) {
  for (int m = 0; m < kMetricCount; ++m) {
    if (metric_state(static_cast<Metric>(m)) == r.from && k.state == r.from)
      add(out, Metric(m), r.t - k.since);
  }
  k.state = r.to;
  k.since = r.t;
  if (r.to == model::State::SynSent) {  // a (new) attempt
    k = Track{};
    k.state = r.to;
    k.since = r.t;
    k.syn_sent = r.t;
  }
  if (!k.syn_sent || k.established || k.ended) return;
  if (r.to == model::State::Established) {
    k.established = true;
    add(out, Metric::Connect, r.t - *k.syn_sent);
  } else if (r.to == model::State::Closed) {
    k.ended = true;
    add(out, Metric::ConnectNo, r.t - *k.syn_sent);
  }
}

}  // namespace

std::string_view metric_name(Metric m) { return kMetricNames[static_cast<int>(m)]; }

std::optional<model::State> metric_state(Metric m) {
  switch (m) {
    case Metric::SynSent: return model::State::SynSent;
    case Metric::FinWait1: return model::State::FinWait1;
    case Metric::FinWait2: return model::State::FinWait2;
    case Metric::CloseWait: return model::State::CloseWait;
    case Metric::LastAck: return model::State::LastAck;
    case Metric::TimeWait: return model::State::TimeWait;
    default: return std::nullopt;
  }
}

RunTimings timings_of(const scenario::RunResult& run) {
  RunTimings out;
  const sim::Network& net = *run.net;
  const sim::Trace& tr = net.trace();
  std::map<std::uint64_t, Track> conns;
  for (const sim::TraceRecord& r : tr.records()) {
    if (r.kind == sim::TraceKind::State) {
      state_change(out, conns[(std::uint64_t{r.host} << 32) | r.conn], r);
    } else if (r.kind == sim::TraceKind::Sent && r.conn != sim::kNone32) {
      // The connecting side's first segment names its connection's addresses.
      auto it = conns.find((std::uint64_t{r.host} << 32) | r.conn);
      if (it != conns.end() && it->second.syn_sent && !it->second.local) {
        const sim::Packet& p = tr.packet(r.ref).packet;
        it->second.local = p.src;
        it->second.remote = p.dst;
      }
    } else if (r.kind == sim::TraceKind::Delivered) {
      const sim::Packet& p = tr.packet(r.ref).packet;
      if (p.seg.payload.empty()) continue;
      for (auto& [key, k] : conns) {
        if (!k.established || !k.local) continue;
        const bool to_me = p.dst == *k.local && p.src == *k.remote;
        if (!to_me && !(p.src == *k.local && p.dst == *k.remote)) continue;
        if (to_me && !k.first_byte) k.first_byte = r.t;
        k.last_data = r.t;
      }
    }
  }
  for (const auto& [key, k] : conns) {
    if (!k.syn_sent) continue;
    // An attempt still in SYN-SENT when the run ended lasted at least this long.
    if (!k.established && !k.ended) add(out, Metric::ConnectNo, run.end_time - *k.syn_sent);
    if (k.first_byte) add(out, Metric::FirstByte, *k.first_byte - *k.syn_sent);
    if (k.last_data) add(out, Metric::Request, *k.last_data - *k.syn_sent);
  }
  return out;
}

}  // namespace tcpsim::sweep
