#include "kernel/to_trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>

#include "kernel/nft.h"
#include "kernel/programs.h"
#include "scenario/assertions.h"
#include "scenario/interpreter.h"
#include "scenario/segments.h"
#include "sim/profile.h"
#include "sim/socket_calls.h"
#include "sim/units.h"

namespace tcpsim::kernel {

using model::State;
using sim::TraceKind;
using sim::TraceRecord;

namespace {

constexpr Time kForever = std::numeric_limits<Time>::max();

// One socket's life as the snapshots saw it: created at its first sighting
// (or its first segment, when that came earlier), closed when it vanished.
struct Life {
  std::uint8_t host = 0;
  std::uint32_t conn = 0;
  sim::Addr local, peer;
  std::vector<std::pair<Time, State>> states;
  Time created = 0;
  Time closed = kForever;
};

using Key = std::pair<std::uint64_t, std::uint64_t>;
std::uint64_t pack(const sim::Addr& a) { return (std::uint64_t{a.ip} << 16) | a.port; }
Key key_of(const sim::Addr& local, const sim::Addr& peer) { return {pack(local), pack(peer)}; }

class Builder {
 public:
  Builder(const scenario::Scenario& sc, const Recording& rec, const Plan& plan)
      : sc_(sc), rec_(rec), plan_(plan) {}

  std::uint8_t host_of(std::uint32_t ip) const {
    for (std::size_t i = 0; i < plan_.host_ips.size(); ++i) {
      if (plan_.host_ips[i] == ip) return static_cast<std::uint8_t>(i);
    }
    return 0;
  }

  void lives() {
    std::map<Key, std::size_t> current;
    std::vector<std::uint32_t> next_conn(std::max<std::size_t>(1, plan_.host_ips.size()), 0);
    for (const Snapshot& s : rec_.snapshots) {
      std::map<Key, bool> present;
      for (const SocketSample& k : s.sockets) {
        const Key key = key_of(k.local, k.peer);
        present[key] = true;
        auto it = current.find(key);
        if (it == current.end()) {
          // A socket becoming a timewait socket can be missing from one dump
          // (the kernel swaps them in its hash table): the same socket.
          const int back = recent_life(key, s.t);
          if (back >= 0 && k.state != State::SynSent && k.state != State::Listen &&
              k.state != State::SynReceived) {
            Life& l = lives_[static_cast<std::size_t>(back)];
            l.closed = kForever;
            if (l.states.back().second != k.state) l.states.emplace_back(s.t, k.state);
            current[key] = static_cast<std::size_t>(back);
            continue;
          }
          Life l;
          l.host = host_of(k.local.ip == 0 ? (plan_.host_ips.empty() ? 0 : plan_.host_ips[0]) : k.local.ip);
          if (k.local.ip == 0 && k.state == State::Listen) l.host = listener_host(k.local.port);
          l.conn = next_conn[l.host]++;
          l.local = k.local;
          l.peer = k.peer;
          l.created = s.t;
          l.states.emplace_back(s.t, k.state);
          lives_.push_back(l);
          current[key] = lives_.size() - 1;
        } else if (lives_[it->second].states.back().second != k.state) {
          lives_[it->second].states.emplace_back(s.t, k.state);
        }
      }
      for (auto it = current.begin(); it != current.end();) {
        if (!present.count(it->first)) {
          lives_[it->second].closed = s.t;
          it = current.erase(it);
        } else {
          ++it;
        }
      }
    }
    // A socket that lived between two samples is known by its segments: a
    // SYN says it was in SYN-SENT, until its last segment.
    for (const CapturedSegment& c : rec_.segments) {
      if ((c.flags & (model::kSyn | model::kAck)) != model::kSyn) continue;
      bool known = false;
      for (const Life& l : lives_) known = known || (l.local == c.src && l.peer == c.dst);
      if (known) continue;
      Life l;
      l.host = host_of(c.src.ip);
      l.conn = next_conn[l.host]++;
      l.local = c.src;
      l.peer = c.dst;
      l.created = c.t;
      l.closed = c.t;
      for (const CapturedSegment& d : rec_.segments) {
        if ((d.src == c.src && d.dst == c.dst) || (d.src == c.dst && d.dst == c.src))
          l.closed = std::max(l.closed, d.t);
      }
      l.states.emplace_back(c.t, State::SynSent);
      lives_.push_back(l);
    }
    // A call that returned a socket's addresses proves it existed then.
    for (const CallRecord& c : rec_.calls) {
      if (!c.has_socket) continue;
      int first_after = -1;
      bool covered = false;
      for (std::size_t i = 0; i < lives_.size(); ++i) {
        const Life& l = lives_[i];
        if (l.local != c.local || l.peer != c.peer) continue;
        if (l.created <= c.end && c.end <= l.closed) covered = true;
        if (l.created > c.end &&
            (first_after < 0 || l.created < lives_[static_cast<std::size_t>(first_after)].created))
          first_after = static_cast<int>(i);
      }
      if (covered || first_after < 0) continue;
      Life& l = lives_[static_cast<std::size_t>(first_after)];
      if (previous_closed(l) > c.end) continue;
      l.created = c.end;
      l.states.front().first = c.end;
    }
    // A socket's first segment can precede its first sighting: it existed then.
    for (Life& l : lives_) {
      for (const CapturedSegment& c : rec_.segments) {
        if (c.src != l.local || c.dst != l.peer) continue;
        if (c.t >= l.created) break;
        if (previous_closed(l) > c.t) continue;
        const bool syn = (c.flags & model::kSyn) != 0, ack = (c.flags & model::kAck) != 0;
        const State implied = syn && !ack ? State::SynSent
                              : syn       ? State::SynReceived
                                          : l.states.front().second;
        if (implied != l.states.front().second)
          l.states.insert(l.states.begin(), {c.t, implied});
        else
          l.states.front().first = c.t;
        l.created = c.t;
        break;
      }
    }
  }

  // The end that held these addresses at time t, or -1.
  int life_at(const sim::Addr& local, const sim::Addr& peer, Time t, bool latest_before = false) const {
    int best = -1;
    for (std::size_t i = 0; i < lives_.size(); ++i) {
      const Life& l = lives_[i];
      if (l.local != local || l.peer != peer || l.created > t) continue;
      if (t <= l.closed || latest_before) best = static_cast<int>(i);
    }
    return best;
  }

  State state_at(int life, Time t) const {
    if (life < 0) return State::Closed;
    const Life& l = lives_[static_cast<std::size_t>(life)];
    if (t < l.created || t >= l.closed) return State::Closed;
    State s = State::Closed;
    for (const auto& [when, st] : l.states) {
      if (when <= t) s = st;
    }
    return s;
  }

  std::vector<Life> lives_;

 private:
  std::uint8_t listener_host(std::uint16_t port) const {
    // A wildcard listener belongs to the host of the program that bound it.
    for (const CallRecord& c : rec_.calls) {
      if (c.has_socket && c.local.port == port && c.peer.port == 0) {
        const auto& p = sc_.programs[c.program];
        for (std::size_t i = 0; i < sc_.hosts.size(); ++i) {
          if (sc_.hosts[i].name == p.host) return static_cast<std::uint8_t>(i);
        }
      }
    }
    return 0;
  }
  int recent_life(const Key& key, Time t) const {
    for (std::size_t i = lives_.size(); i-- > 0;) {
      const Life& l = lives_[i];
      if (key_of(l.local, l.peer) == key)
        return l.closed != kForever && t - l.closed < 10 * kMillisecond ? static_cast<int>(i) : -1;
    }
    return -1;
  }
  Time previous_closed(const Life& l) const {
    Time t = std::numeric_limits<Time>::min();
    for (const Life& o : lives_) {
      if (&o != &l && o.local == l.local && o.peer == l.peer && o.created < l.created && o.closed != kForever)
        t = std::max(t, o.closed);
    }
    return t;
  }

  const scenario::Scenario& sc_;
  const Recording& rec_;
  const Plan& plan_;
};

// "c = accept(s) = 4" -> whether accept() is a call that waits for the peer.
bool waits(const std::string& text) {
  const auto paren = text.find('(');
  if (paren == std::string::npos) return false;
  const auto space = text.rfind(' ', paren);
  const std::string fn = text.substr(space == std::string::npos ? 0 : space + 1,
                                     paren - (space == std::string::npos ? 0 : space + 1));
  const sim::CallSpec* spec = sim::find_call(fn);
  return spec && spec->has(sim::kShownAtReturn);
}

std::uint8_t program_host(const scenario::Scenario& sc, std::size_t p) {
  for (std::size_t i = 0; i < sc.hosts.size(); ++i) {
    if (sc.hosts[i].name == sc.programs[p].host) return static_cast<std::uint8_t>(i);
  }
  return 0;
}

}  // namespace

namespace {

// Each end's states as State records.
void add_states(const Builder& b, std::vector<TraceRecord>& out) {
  for (const Life& l : b.lives_) {
    State prev = State::Closed;
    for (const auto& [t, st] : l.states) {
      auto r = TraceRecord::of(TraceKind::State, t, l.host, l.conn);
      r.from = prev;
      r.to = st;
      out.push_back(r);
      prev = st;
    }
    if (l.closed != kForever) {
      auto r = TraceRecord::of(TraceKind::State, l.closed, l.host, l.conn);
      r.from = prev;
      r.to = State::Closed;
      out.push_back(r);
    }
  }
}

// Each captured segment: Sent, then Delivered (through the delay line, else
// at once) or Dropped where a rule or the line's loss took it.
void add_segments(const Recording& rec, const Plan& plan, const Builder& b, sim::Trace& tr,
                  std::vector<TraceRecord>& out) {
  const std::vector<bool> dropped = replay_drops(rec.segments, plan.rules, plan.windows);
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint32_t>
      sent_up_to;  // per direction: highest seq end
  for (std::size_t k = 0; k < rec.segments.size(); ++k) {
    const CapturedSegment& c = rec.segments[k];
    sim::PacketRecord p;
    p.packet.src = c.src;
    p.packet.dst = c.dst;
    p.packet.seg.seq = c.seq;
    p.packet.seg.ack = c.ack;
    p.packet.seg.flags = c.flags;
    p.packet.seg.window = c.window;
    p.packet.seg.payload = c.payload;
    p.packet.id = k;
    // A retransmission re-sends sequence space already sent.
    const std::uint32_t len = p.packet.seg.seg_len();
    const auto dir = std::make_pair(pack(c.src), pack(c.dst));
    auto it = sent_up_to.find(dir);
    if (len > 0 && it != sent_up_to.end() && static_cast<std::int32_t>(c.seq + len - it->second) <= 0)
      p.packet.retransmission = true;
    if (len > 0 && (it == sent_up_to.end() || static_cast<std::int32_t>(c.seq + len - it->second) > 0))
      sent_up_to[dir] = c.seq + len;
    p.sent = c.t;
    p.from_host = b.host_of(c.src.ip);
    p.to_host = b.host_of(c.dst.ip);
    const int from = b.life_at(c.src, c.dst, c.t);
    p.from_conn = from < 0 ? sim::kNone32 : b.lives_[static_cast<std::size_t>(from)].conn;
    const std::uint32_t ref = tr.add_packet(p);
    auto s = TraceRecord::of(TraceKind::Sent, c.t, p.from_host, p.from_conn);
    s.ref = ref;
    out.push_back(s);
    TraceRecord d = s;
    if (dropped[k] || c.lost) {
      d.kind = TraceKind::Dropped;
      d.drop = static_cast<std::uint8_t>(dropped[k] ? sim::DropReason::kRule : sim::DropReason::kLoss);
    } else {
      d.kind = TraceKind::Delivered;
      d.t = sat_add(c.t, c.transit);  // through the delay line, else at once
      d.host = p.to_host;
      const int to = b.life_at(c.dst, c.src, c.t);
      d.conn = to < 0 ? sim::kNone32 : b.lives_[static_cast<std::size_t>(to)].conn;
    }
    out.push_back(d);
  }
}

// The programs' calls and outputs.
void add_calls(const scenario::Scenario& sc, const Recording& rec, const Builder& b, sim::Trace& tr,
               std::vector<TraceRecord>& out) {
  for (const CallRecord& c : rec.calls) {
    // A call that waits for the peer (connect, accept, read, epoll_wait)
    // shows where it returned, after what it waited for; any other where it
    // began, before the segments it caused, as tcpsim shows them.
    auto r = TraceRecord::of(TraceKind::Call, waits(c.text) ? c.end : c.start, program_host(sc, c.program));
    r.program = c.program;
    if (c.has_socket) {
      const int l = b.life_at(c.local, c.peer, c.end, true);
      if (l >= 0) {
        const Life& life = b.lives_[static_cast<std::size_t>(l)];
        r.conn = life.conn;
        // Shown once its socket exists (the call made it), within the call.
        if (r.t < life.created) r.t = life.created;
      }
    }
    r.ref = tr.add_text(c.text);
    // The call as data: `-f json` gives it as the simulator's records do.
    sim::CallData d;
    d.fn = c.fn;
    d.args = c.args;
    d.assign = c.assign;
    d.value = c.value;
    d.err = c.err;
    d.err_number = c.err_number;
    d.start = c.start;
    d.conn = r.conn;
    tr.set_call_data(r.ref, std::move(d));
    out.push_back(r);
  }
  for (const OutputRecord& o : rec.outputs) {
    auto r = TraceRecord::of(TraceKind::Output, o.t, program_host(sc, o.program));
    r.program = o.program;
    r.ref = tr.add_text(o.text);
    out.push_back(r);
  }
}

// How it ended.
void set_ending(const scenario::Scenario& sc, const Recording& rec, scenario::RunResult& res) {
  res.end_time = rec.end_time;
  res.finished = !rec.programs.empty();
  std::string blocked;
  for (std::size_t i = 0; i < rec.programs.size(); ++i) {
    res.finished = res.finished && rec.programs[i].finished;
    if (!rec.programs[i].finished) {
      blocked += fmt::format("{}'{}' is {}", blocked.empty() ? "" : "; ", sc.programs[i].name,
                             rec.programs[i].blocked_in.empty() ? "running" : rec.programs[i].blocked_in);
    }
  }
  if (!rec.fault.empty()) {
    res.ending = rec.fault;  // as the simulator says it
  } else if (rec.capped) {
    res.ending =
        fmt::format("kernel run stopped at the cap, {} of real time{}{} (assertions see the run up to it)",
                    sim::format_duration(rec.end_time), blocked.empty() ? "" : ": ", blocked);
  } else {
    res.ending =
        fmt::format("all programs finished and no socket left after {} s", sim::format_seconds(rec.end_time));
  }
  if (!rec.error.empty()) res.ending += "\nwarning: " + rec.error;
}

// The scenario's assertions, against what the kernel did (up to the cap).
void check_assertions(const scenario::Scenario& sc, const Recording& rec, const Builder& b,
                      scenario::RunResult& res, Duration base_slack, double relative_slack) {
  const sim::Trace& tr = res.net->trace();
  res.results = rec.results;
  auto state_of = [&](const scenario::Assertion& a, Time t) {
    std::size_t prog = 0;
    for (std::size_t i = 0; i < sc.programs.size(); ++i) {
      if (sc.programs[i].name == a.program) prog = i;
    }
    const CallRecord* last = nullptr;
    for (const CallRecord& c : rec.calls) {
      if (c.program == prog && c.var == a.var && c.has_socket && c.start <= t) last = &c;
    }
    if (!last) return State::Closed;
    return b.state_at(b.life_at(last->local, last->peer, t, true), t);
  };
  // Whether the socket was in `want` at some moment of [t - slack, t + slack]:
  // at either end, or where one of its ends' states began or ended inside.
  auto held_near = [&](const scenario::Assertion& a, Time t, State want, Duration slack) {
    const Time lo = t > slack ? t - slack : 0, hi = sat_add(t, slack);
    std::vector<Time> moments{lo, hi};
    for (const auto& l : b.lives_) {
      for (const auto& [when, st] : l.states) moments.push_back(when);
      moments.push_back(l.created);
      if (l.closed != kForever) moments.push_back(l.closed);
    }
    for (const Time m : moments) {
      if (m >= lo && m <= hi && state_of(a, m) == want) return true;
    }
    return false;
  };
  for (const scenario::Assertion& a : sc.assertions) {
    scenario::AssertionResult ar;
    ar.loc = a.loc;
    const Time at = a.at_end ? rec.end_time : a.at;
    if ((a.kind == scenario::Assertion::StateAt || a.kind == scenario::Assertion::SsAt || a.timed) &&
        at > rec.end_time) {
      continue;  // past the cap: nothing was observed there
    }
    // Every timer that fired before T was armed for at most T, and the
    // kernel's timer wheel fires a timeout up to an eighth of it late (a 1 s
    // SYN retransmission came 17-30 ms late here): the slack grows with T.
    const Duration slack =
        base_slack > 0 ? sat_add(base_slack, static_cast<Duration>(relative_slack * static_cast<double>(at)))
                       : 0;
    if (a.kind == scenario::Assertion::StateAt) {
      const State st = state_of(a, at);
      ar.what =
          fmt::format("at {} expect {}.{} {}", a.at_end ? std::string("end") : sim::format_duration(a.at),
                      a.program, a.var, model::state_name(a.state));
      ar.pass = st == a.state || (slack > 0 && !a.at_end && held_near(a, at, a.state, slack));
      if (!ar.pass)
        ar.detail = fmt::format("expected {}, got {}{}", model::state_name(a.state), model::state_name(st),
                                slack > 0 && !a.at_end
                                    ? fmt::format(" (nor {} within {} of it)", model::state_name(a.state),
                                                  sim::format_duration(slack))
                                    : std::string());
    } else if (a.kind == scenario::Assertion::SsAt) {
      const Snapshot* snap = nullptr;
      for (const Snapshot& s : rec.snapshots) {
        if (s.t <= at) snap = &s;
      }
      std::uint32_t ip = 0;
      for (const auto& h : sc.hosts) {
        if (h.name == a.host) ip = h.ip;
      }
      const std::string text =
          ss_text(snap ? snap->sockets : std::vector<SocketSample>{}, ip, scenario::ss_wants_timers(a));
      const std::optional<std::string> mismatch = scenario::ss_mismatch(a, text);
      ar.what = fmt::format("at {} expect ss {}", sim::format_duration(at), a.host);
      ar.pass = !mismatch;
      if (mismatch) ar.detail = *mismatch;
    } else if (scenario::is_segment_assertion(a)) {
      std::uint32_t from = 0, to = 0;
      for (const auto& h : sc.hosts) {
        if (h.name == a.from) from = h.ip;
        if (h.name == a.to) to = h.ip;
      }
      ar = scenario::check_segments(a, scenario::segments_between(tr.packets(), from, to), true);
    } else {
      // Finished by T: every program ended, its last call by T (within the slack).
      Time last_end = 0;
      for (const CallRecord& c : rec.calls) last_end = std::max(last_end, c.end);
      const bool late = a.timed && last_end > sat_add(a.at, slack);
      ar.what =
          a.timed ? fmt::format("at {} expect finished", sim::format_duration(a.at)) : "expect finished";
      ar.pass = res.finished && !late;
      if (!ar.pass)
        ar.detail =
            res.finished ? fmt::format("a call ended at {} s", sim::format_seconds(last_end)) : res.ending;
    }
    res.results.push_back(ar);
  }
}

}  // namespace

scenario::RunResult to_run_result(std::shared_ptr<const scenario::Scenario> sc, const Recording& rec,
                                  const Plan& plan, const std::string& kernel_name, Duration slack,
                                  double relative_slack) {
  scenario::RunResult res;
  res.simulated = false;
  res.scenario = sc;
  res.net = std::make_unique<sim::Network>(sc->seed);
  for (const auto& h : sc->hosts) {
    sim::Profile p = *sim::profile_named(sim::kLinuxProfile);
    p.name = kernel_name;
    res.net->add_host(h.name, h.ip, p);
  }
  res.runner = std::make_unique<sim::ProgramRunner>(*res.net);
  for (std::size_t i = 0; i < sc->programs.size(); ++i)
    res.programs.push_back(scenario::ProgramInfo{sc->programs[i].name, program_host(*sc, i)});

  Builder b(*sc, rec, plan);
  b.lives();
  std::vector<TraceRecord> out;
  add_states(b, out);
  sim::Trace& tr = res.net->trace();
  add_segments(rec, plan, b, tr, out);
  add_calls(*sc, rec, b, tr, out);
  std::stable_sort(out.begin(), out.end(),
                   [](const TraceRecord& x, const TraceRecord& y) { return x.t < y.t; });
  for (const auto& r : out) tr.add(r);
  set_ending(*sc, rec, res);
  check_assertions(*sc, rec, b, res, slack, relative_slack);
  std::stable_sort(res.results.begin(), res.results.end(),
                   [](const scenario::AssertionResult& x, const scenario::AssertionResult& y) {
                     return x.loc.line < y.loc.line;
                   });
  return res;
}

}  // namespace tcpsim::kernel
