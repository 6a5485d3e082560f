#include "scenario/outcome.h"

#include <fmt/format.h>

#include <unordered_map>

namespace tcpsim::scenario {

namespace {

constexpr std::string_view kNames[kOutcomeKindCount] = {
    "connect-failed",      "timed-out",         "reset", "half-open", "stuck",
    "gave-up-after-close", "reset-after-close", "clean"};

bool synchronized(model::State s) {
  switch (s) {
    case model::State::Established:
    case model::State::FinWait1:
    case model::State::FinWait2:
    case model::State::CloseWait:
    case model::State::Closing:
    case model::State::LastAck: return true;
    default: return false;
  }
}

const sim::Host* host_with_ip(const sim::Network& net, std::uint32_t ip) {
  for (std::size_t i = 0; i < net.host_count(); ++i) {
    if (net.host(i).ip() == ip) return &net.host(i);
  }
  return nullptr;
}

// The peer's end of connection c, if the peer still has one.
const sim::Conn* peer_of(const sim::Network& net, const sim::Conn& c) {
  const sim::Host* h = host_with_ip(net, c.remote.ip);
  if (!h) return nullptr;
  const sim::Conn* found = nullptr;
  h->for_each_conn([&](const sim::Conn& p) {
    if (!p.listening && p.local == c.remote && p.remote == c.local) found = &p;
  });
  return found;
}

}  // namespace

std::string_view outcome_name(OutcomeKind k) { return kNames[static_cast<int>(k)]; }

std::optional<OutcomeKind> outcome_named(std::string_view name) {
  for (int i = 0; i < kOutcomeKindCount; ++i) {
    if (kNames[i] == name) return static_cast<OutcomeKind>(i);
  }
  return std::nullopt;
}

std::string Outcome::label() const {
  std::string s(outcome_name(kind));
  if (!detail.empty()) s += ": " + detail;
  if (unread_bytes > 0) s += fmt::format(" ({} bytes written never read)", unread_bytes);
  return s;
}

Outcome classify(const RunResult& run) {
  Outcome o;
  o.assertions_failed = run.failed();
  const sim::Network& net = *run.net;

  // What the trace says happened to each connection: (host, conn) keys.
  struct Seen {
    model::State now = model::State::Closed;
    model::State before_closed = model::State::Closed;
  };
  std::unordered_map<std::uint64_t, Seen> seen;
  std::string connect_failed, timed_out, reset, gave_up_after_close, reset_after_close;
  std::optional<Time> last_close;
  auto where = [&net](const sim::TraceRecord& r) { return net.host(r.host).name(); };
  for (const sim::TraceRecord& r : net.trace().records()) {
    const std::uint64_t key = (std::uint64_t{r.host} << 32) | r.conn;
    switch (r.kind) {
      case sim::TraceKind::Sent: {
        ++o.segments;
        if (net.trace().packet(r.ref).packet.retransmission) ++o.retransmissions;
        break;
      }
      case sim::TraceKind::State: {
        Seen& s = seen[key];
        s.now = r.to;
        if (r.to == model::State::Closed) s.before_closed = r.from;
        const bool closing = r.to == model::State::Closed || r.to == model::State::TimeWait;
        const bool was_open = r.from != model::State::Listen && r.from != model::State::TimeWait &&
                              r.from != model::State::Closed;
        if (closing && was_open) last_close = r.t;
        break;
      }
      case sim::TraceKind::App: {
        const Seen& s = seen[key];
        // The state change and the notification come from one input in
        // either order: the state before CLOSED says which phase it was.
        const model::State st = s.now == model::State::Closed ? s.before_closed : s.now;
        const bool opening = st == model::State::SynSent || st == model::State::SynReceived;
        if (r.app == model::AppEvent::Refused || (r.app == model::AppEvent::TimedOut && opening)) {
          if (connect_failed.empty())
            connect_failed =
                fmt::format("{} {}", where(r), r.app == model::AppEvent::Refused ? "refused" : "timed out");
        } else if (r.app == model::AppEvent::TimedOut || r.app == model::AppEvent::Reset) {
          // An orphan's (r.orphan: its program had closed it) goes to a class
          // of its own: no program saw it.
          const bool gave_up = r.app == model::AppEvent::TimedOut;
          std::string& first =
              gave_up ? (r.orphan ? gave_up_after_close : timed_out) : (r.orphan ? reset_after_close : reset);
          if (first.empty()) first = fmt::format("{} in {}", where(r), model::state_name(st));
        }
        break;
      }
      default: break;
    }
  }

  // What is left at the end.
  std::string half_open, stuck;
  for (std::size_t i = 0; i < net.host_count(); ++i) {
    const sim::Host& h = net.host(i);
    h.for_each_conn([&](const sim::Conn& c) {
      const model::State st = c.state();
      if (c.listening || st == model::State::Closed || st == model::State::TimeWait) return;
      const sim::Conn* peer = synchronized(st) ? peer_of(net, c) : nullptr;
      if (synchronized(st) && (!peer || peer->state() == model::State::Closed)) {
        half_open += fmt::format("{}{} {}, peer {}", half_open.empty() ? "" : "; ", h.name(),
                                 model::state_name(st), peer ? "CLOSED" : "gone");
      } else {
        stuck += fmt::format("{}{} {}", stuck.empty() ? "" : ", ", h.name(), model::state_name(st));
      }
    });
    for (const auto& [tuple, mine] : h.ledger()) {
      const sim::Host* p = host_with_ip(net, tuple.remote.ip);
      std::uint64_t read = 0;
      if (p) {
        auto it = p->ledger().find(sim::FourTuple{tuple.remote, tuple.local});
        if (it != p->ledger().end()) read = it->second.read;
      }
      if (mine.written > read) o.unread_bytes += mine.written - read;
    }
  }

  if (!connect_failed.empty()) {
    o.kind = OutcomeKind::ConnectFailed;
    o.detail = connect_failed;
  } else if (!timed_out.empty()) {
    o.kind = OutcomeKind::TimedOut;
    o.detail = timed_out;
  } else if (!reset.empty()) {
    o.kind = OutcomeKind::Reset;
    o.detail = reset;
  } else if (!half_open.empty()) {
    o.kind = OutcomeKind::HalfOpen;
    o.detail = half_open;
  } else if (!stuck.empty()) {
    o.kind = OutcomeKind::Stuck;
    o.detail = stuck;
  } else if (!gave_up_after_close.empty()) {
    o.kind = OutcomeKind::GaveUpAfterClose;
    o.detail = gave_up_after_close;
  } else if (!reset_after_close.empty()) {
    o.kind = OutcomeKind::ResetAfterClose;
    o.detail = reset_after_close;
  }
  if (half_open.empty() && stuck.empty()) o.closed_at = last_close;
  return o;
}

}  // namespace tcpsim::scenario
