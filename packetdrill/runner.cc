// The event loop: script times to virtual times, events in file order,
// blocking calls beside the packets, outcomes.
#include "packetdrill/runner.h"

#include <fmt/format.h>

#include "packetdrill/run_state.h"
#include "sim/profile.h"

namespace tcpsim::packetdrill {

namespace {

// A `*` outbound packet is waited for at most this long (packetdrill on a
// kernel would wait for ever).
constexpr Duration kAnyWait = 600 * kSecond;

std::uint32_t parse_ipv4(const std::string& s) {
  unsigned a = 0, b = 0, c = 0, d = 0;
  char tail = 0;
  if (std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 || c > 255 ||
      d > 255) {
    return 0;
  }
  return sim::ipv4(a, b, c, d);
}

void set_up_host(Run& r) {
  auto profile = sim::profile_named(r.options.profile);
  if (!profile) throw Stop{Outcome::Kind::Fail, fmt::format("unknown profile '{}'", r.options.profile)};
  r.stack = r.options.profile == "bsd" ? Stack::FreeBsd : Stack::Linux;
  for (const auto& [k, v] : r.options.sets) {
    if (auto err = sim::set_profile_value(*profile, k, v)) throw Stop{Outcome::Kind::Fail, "--set: " + *err};
  }
  const Flags& f = r.script.flags;
  if (f.ip_version && *f.ip_version != "ipv4") {
    r.unsupported(f.all.empty() ? Location{} : f.all.front().where,
                  "IPv6 (--ip_version=" + *f.ip_version + ")");
  }
  std::uint32_t local_ip = sim::ipv4(192, 168, 0, 1), remote_ip = sim::ipv4(192, 0, 2, 1);
  if (f.local_ip) local_ip = parse_ipv4(*f.local_ip);
  if (f.remote_ip) remote_ip = parse_ipv4(*f.remote_ip);
  if (local_ip == 0 || remote_ip == 0) r.unsupported(Location{}, "a non-IPv4 --local_ip/--remote_ip");
  if (f.tolerance) r.tolerance = *f.tolerance;
  // RFC 7323 options as the stacks' defaults: Linux and FreeBSD offer both
  // (tcp_window_scaling, tcp_timestamps, rfc1323 are 1); Linux asks for
  // shift 7 (tcp_rmem's 6 MB), FreeBSD for 6 (sb_max's 2 MB); FreeBSD puts
  // no timestamps on a RST. RFC 9293 does not require them: off.
  if (r.options.profile != "rfc9293") {
    profile->wire.window_scaling = profile->wire.timestamps = true;
    profile->wire.wscale = r.stack == Stack::FreeBsd ? 6 : 7;
    profile->wire.ts_on_rst = r.stack == Stack::Linux;
    profile->buffers_round_to_mss = r.stack == Stack::FreeBsd;
  }
  r.host = &r.net.add_host("host", local_ip, *profile);
  // packetdrill's defaults: the script binds and connects to port 8080;
  // its own side of an accepted connection uses an ephemeral port.
  r.local = sim::Addr{local_ip, 8080};
  r.remote = sim::Addr{remote_ip, 48000};
  r.net.set_unrouted_hook([&r](const sim::Packet& p) {
    if (p.dst.ip == r.remote.ip) r.wire.push_back(Sent{p, r.net.now()});
  });
  r.sockets = std::make_unique<sim::Sockets>(*r.host);
  r.pid = r.sockets->add_process("packetdrill");
  r.sockets->on_change = [&r] {
    if (!r.pending || r.pending->done || r.pending->retry_scheduled) return;
    r.pending->retry_scheduled = true;
    r.net.scheduler().schedule_after(0, [&r] {
      if (!r.pending || r.pending->done) return;
      r.pending->retry_scheduled = false;
      try {
        if (retry_call(r, *r.pending->event, *r.pending->call)) {
          r.pending->done = true;
          r.pending->finished_at = r.net.now();
        }
      } catch (const Stop& s) {
        r.pending->done = true;
        r.pending->failure = s;
      }
    });
  };
  apply_flags(r);
}

// To the event's time, firing what is due by then, the host's reactions at
// this very instant included (a blocked call woken now returns now).
void advance(Run& r, Time t) { r.net.run_until(std::max(t, r.net.now())); }

// A blocking call that has returned: its result was checked when it
// returned; now its time.
void settle_pending(Run& r) {
  if (!r.pending || !r.pending->done) return;
  Run::Pending p = *r.pending;
  r.pending.reset();
  if (p.failure) throw *p.failure;
  const Time lo = p.expect_end - r.tolerance, hi = p.expect_end + r.tolerance;
  if (p.finished_at < lo || p.finished_at > hi) {
    r.fail(p.event->where,
           fmt::format("timing error: expected system call return at {:.6f} sec but happened at "
                       "{:.6f} sec; tolerance {:.6f} sec",
                       p.expect_end / 1e9, p.finished_at / 1e9, r.tolerance / 1e9));
  }
}

struct Times {
  Time lo = 0, hi = 0;  // when the event may happen (outbound packets: a window)
  Time at = 0;          // the script's time of the event
  std::optional<Time> end;
};

Times event_times(const Event& e, Time prev, Time now) {
  const EventTime& t = e.time;
  Times out;
  switch (t.kind) {
    case EventTime::Kind::Absolute: out.at = out.lo = out.hi = t.start; break;
    case EventTime::Kind::Relative: out.at = out.lo = out.hi = prev + t.start; break;
    case EventTime::Kind::Any:
      out.at = out.lo = now;
      out.hi = sat_add(now, kAnyWait);
      break;
    case EventTime::Kind::AbsoluteRange:
      out.lo = t.start;
      out.at = out.hi = t.end;
      break;
    case EventTime::Kind::RelativeRange:
      out.lo = prev + t.start;
      out.at = out.hi = prev + t.end;
      break;
  }
  if (const auto* c = std::get_if<Syscall>(&e.action); c && c->end) {
    out.end = t.kind == EventTime::Kind::Relative ? prev + *c->end : *c->end;
  }
  return out;
}

void run_event(Run& r, const Event& e, Time& prev) {
  const Times t = event_times(e, prev, r.net.now());
  if (const auto* p = std::get_if<Packet>(&e.action)) {
    check_packet_supported(r, e, *p);
    if (p->direction == Packet::Direction::Inbound) {
      advance(r, t.at);
      inject(r, e, *p);
      prev = t.at;
    } else {
      const bool exact = t.lo == t.hi && e.time.kind != EventTime::Kind::Any;
      expect(r, e, *p, exact ? t.lo - r.tolerance : t.lo, sat_add(t.hi, exact ? r.tolerance : 0));
      // packetdrill adds a relative time to the previous event's
      // time_usecs, which for a range (`+.3~+.4`) is its start
      // (adjust_relative_event_times): user_timeout.pkt's FIN retransmissions
      // at +.3~+.4 after a TLP at +.3~+.4 need that base.
      const bool range =
          e.time.kind == EventTime::Kind::RelativeRange || e.time.kind == EventTime::Kind::AbsoluteRange;
      prev = e.time.kind == EventTime::Kind::Any ? r.net.now() : range ? t.lo : t.at;
    }
  } else if (const auto* c = std::get_if<Syscall>(&e.action)) {
    advance(r, t.at);
    settle_pending(r);
    if (r.pending) r.fail(e.where, "a blocking system call is still in progress");
    if (!start_call(r, e, *c)) {
      Run::Pending p;
      p.event = &e;
      p.call = c;
      p.expect_end = t.end.value_or(t.at);
      r.pending = p;
    } else if (t.end && *t.end > t.at + r.tolerance) {
      r.fail(e.where, fmt::format("timing error: expected system call return at {:.6f} sec but happened at "
                                  "{:.6f} sec; tolerance {:.6f} sec",
                                  *t.end / 1e9, r.net.now() / 1e9, r.tolerance / 1e9));
    }
    // The next relative time counts from the call's start, as in
    // packetdrill (`+0...0.2 accept()` then `+.1 < S` injects at 0.1).
    prev = t.at;
  } else if (const auto* s = std::get_if<ShellCommand>(&e.action)) {
    advance(r, t.at);
    run_shell(r, *s, &e);
    prev = t.at;
  } else if (const auto* py = std::get_if<PythonBlock>(&e.action)) {
    advance(r, t.at);
    check_python(r, e, *py);
    prev = t.at;
  } else if (const auto* u = std::get_if<Unsupported>(&e.action)) {
    r.unsupported(e.where, u->what);
  }
  settle_pending(r);
}

}  // namespace

std::string Run::at(const Location& where) const { return fmt::format("{}:{}", script.file, where.line); }

void Run::fail(const Location& where, const std::string& what) const {
  throw Stop{Outcome::Kind::Fail, fmt::format("{}: error handling packet: {}", at(where), what)};
}

void Run::unsupported(const Location& where, const std::string& what) const {
  throw Stop{Outcome::Kind::Unsupported, fmt::format("unsupported: {}, {}", what, at(where))};
}

std::set<std::string> profile_defines(const std::string& profile) {
  if (profile == "rfc9293") return {"STANDARD"};
  if (profile == "bsd") return {"FreeBSD"};
  return {"Linux"};
}

const char* outcome_name(Outcome::Kind k) {
  switch (k) {
    case Outcome::Kind::Pass: return "pass";
    case Outcome::Kind::Fail: return "fail";
    case Outcome::Kind::Unsupported: return "unsupported";
  }
  return "?";
}

Outcome run_script(const Script& script, const RunOptions& options) {
  Run r(script, options);
  Outcome out;
  try {
    set_up_host(r);
    if (script.init_command) run_shell(r, *script.init_command, nullptr);
    std::set<std::string> defines = profile_defines(options.profile);
    for (const auto& [name, value] : script.flags.defines) defines.insert(name);
    Time prev = 0;
    for (const Event* e : active_events(script, defines)) run_event(r, *e, prev);
    if (r.pending) {
      advance(r, r.pending->expect_end + r.tolerance);
      settle_pending(r);
      if (r.pending) r.fail(r.pending->event->where, "the blocking system call never returned");
    }
    if (script.cleanup_command) run_shell(r, *script.cleanup_command, nullptr);
  } catch (const Stop& s) {
    out.kind = s.kind;
    out.message = s.message;
  }
  out.log = std::move(r.log);
  return out;
}

}  // namespace tcpsim::packetdrill
