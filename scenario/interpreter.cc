#include "scenario/interpreter.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "scenario/assertions.h"
#include "sim/ss_table.h"
#include "sim/units.h"

namespace tcpsim::scenario {

std::string call_text(const Stmt& st) { return sim::call_text(st.fn, st.args); }

ParseError error_at(const Scenario& sc, const Loc& at, const std::string& msg) {
  return ParseError{fmt::format("{}:{}:{}: {}", sc.file, at.line, at.col, msg)};
}

std::size_t host_index(const Scenario& sc, const std::string& name) {
  for (std::size_t i = 0; i < sc.hosts.size(); ++i) {
    if (sc.hosts[i].name == name) return i;
  }
  return 0;
}

namespace {

using sim::CallResult;
using sim::Errno;
using sim::StepContext;
using sim::StepResult;

// Links nobody declared: loopback takes 10 us, a wire between hosts 1 ms.
constexpr Duration kLoopbackDelay = 10 * kMicrosecond;
constexpr Duration kWireDelay = 1 * kMillisecond;

// What one program keeps while it runs.
struct ProgState {
  std::map<std::string, int> vars;
  struct Held {
    sim::ConnId id = sim::kNoConn;
    std::uint32_t epoch = 0;
  };
  std::map<std::string, Held> conns;  // the connection each variable last named
  std::vector<long> loops;
  std::size_t index = 0;  // program number, for the trace
  std::string name;
  Time call_start = 0;  // when the call being made was first tried (it may block)
};

// Performs decoded calls on the simulated sockets: one method per call of
// the table (sim/socket_calls.h), reached through sim::perform.
struct SimCalls {
  ProgState& ps;
  StepContext& c;
  std::string data;                     // what a read returned
  std::vector<sim::EpollEvent> events;  // what epoll_wait reported

  using D = sim::DecodedCall;
  static int fd_of(const ProgState& ps, const sim::FdRef& r) {
    if (r.var.empty()) return r.number;
    auto it = ps.vars.find(r.var);
    return it == ps.vars.end() ? -1 : it->second;
  }
  int fd(const D& d) const { return fd_of(ps, d.fd); }
  sim::Sockets& k() { return c.sockets; }

  CallResult socket(const D& d) {
    const CallResult r = k().socket(c.pid);
    if (r.err == Errno::Ok && d.nonblocking) k().set_nonblocking(c.pid, static_cast<int>(r.value), true);
    return r;
  }
  CallResult setsockopt(const D& d) { return k().setsockopt(c.pid, fd(d), d.opt, d.value, d.value2); }
  CallResult getsockopt(const D& d) { return k().getsockopt(c.pid, fd(d), d.opt, d.value); }
  CallResult bind(const D& d) { return k().bind(c.pid, fd(d), d.addr); }
  CallResult listen(const D& d) { return k().listen(c.pid, fd(d), d.backlog); }
  CallResult accept(const D& d) {
    return timed(d, false, k().accept(c.pid, fd(d)), [] { return CallResult::fail(Errno::Again); });
  }
  // inet_stream_connect: a connect() that waited its SO_SNDTIMEO goes on in
  // the background and says EINPROGRESS.
  CallResult connect(const D& d) {
    return timed(d, true, k().connect(c.pid, fd(d), d.addr, c.resume),
                 [] { return CallResult::fail(Errno::InProgress); });
  }
  CallResult read(const D& d) { return recv(d); }
  CallResult recv(const D& d) {
    if (d.msg_flags & sim::kMsgWaitAll) {
      // tcp_recvmsg: at the timeout, what was copied, else EAGAIN.
      return timed(d, false, sim::read_all(c, fd(d), d.count, &data, d.msg_flags), [this] {
        const long n = static_cast<long>(c.program.buffer.size());
        data += c.program.buffer;
        return n > 0 ? CallResult::ok(n) : CallResult::fail(Errno::Again);
      });
    }
    return timed(d, false, k().read(c.pid, fd(d), static_cast<std::size_t>(d.count), &data, d.msg_flags),
                 [] { return CallResult::fail(Errno::Again); });
  }
  CallResult read_to_end(const D& d) { return sim::read_to_end(c, fd(d)); }
  CallResult write(const D& d) { return send(d); }
  CallResult send(const D& d) {
    // write(fd, N): N bytes of "0123456789" repeated, made as the send
    // buffer takes them (N may be 10^18).
    const CallResult r = d.has_text
                             ? sim::write_all(c, fd(d), std::string_view(d.text), d.msg_flags)
                             : sim::write_all(c, fd(d), model::WriteSource::filler(d.count), d.msg_flags);
    // tcp_sendmsg: at the timeout, what was queued, else EAGAIN.
    return timed(d, true, r, [this] {
      const long n = static_cast<long>(c.program.progress);
      return n > 0 ? CallResult::ok(n) : CallResult::fail(Errno::Again);
    });
  }
  // A call that would block waits at most the socket's SO_RCVTIMEO (or
  // SO_SNDTIMEO for `send_side`), then returns what `timed_out` gives.
  template <class F>
  CallResult timed(const D& d, bool send_side, const CallResult& r, F timed_out) {
    if (!r.blocked) return r;
    const sim::Socket* s = k().socket_of(c.pid, fd(d));
    const Duration t = !s ? 0 : send_side ? s->sndtimeo : s->rcvtimeo;
    if (t <= 0) return r;
    if (!c.resume) c.program.deadline = sat_add(c.net.now(), t);
    if (c.net.now() >= c.program.deadline) return timed_out();
    c.program.wake_at = c.program.deadline;
    return r;
  }
  CallResult shutdown(const D& d) { return k().shutdown(c.pid, fd(d), d.how); }
  CallResult close(const D& d) { return k().close(c.pid, fd(d)); }
  CallResult dup(const D& d) { return k().dup(c.pid, fd(d)); }
  CallResult fcntl(const D& d) {
    if (!d.getfl) return k().set_nonblocking(c.pid, fd(d), d.nonblocking);
    const sim::Socket* s = k().socket_of(c.pid, fd(d));
    if (!s) return CallResult::fail(Errno::BadF);
    return CallResult::ok(sim::kORdWr | (s->nonblocking ? sim::kONonblock : 0));
  }
  CallResult epoll_create1(const D&) { return k().epoll_create1(c.pid); }
  CallResult epoll_ctl(const D& d) {
    return k().epoll_ctl(c.pid, fd(d), d.op, fd_of(ps, d.target), d.events);
  }
  CallResult epoll_wait(const D& d) { return sim::epoll_wait_for(c, fd(d), d.maxevents, d.timeout, &events); }
  CallResult poll(const D& d) { return sim::poll_for(c, fd(d), d.events, d.timeout, &events); }
  CallResult ioctl(const D& d) { return k().ioctl(c.pid, fd(d), d.request); }
  // The socket's state read directly, as TCP_INFO's tcpi_state gives it.
  CallResult tcp_state(const D& d) {
    if (!k().socket_of(c.pid, fd(d))) return CallResult::fail(Errno::BadF);
    return CallResult::ok(sim::linux_tcp_state(sim::state_seen_by_descriptor(k().state_of(c.pid, fd(d)))));
  }
  // The port, which is what a scenario can compare.
  CallResult getsockname(const D& d) { return port(d, &sim::Sockets::getsockname); }
  CallResult getpeername(const D& d) { return port(d, &sim::Sockets::getpeername); }
  CallResult port(const D& d, CallResult (sim::Sockets::*get)(sim::ProcessId, int, sim::Addr*)) {
    sim::Addr addr;
    const CallResult r = (k().*get)(c.pid, fd(d), &addr);
    return r.err == Errno::Ok ? CallResult::ok(addr.port) : r;
  }
};

struct Shared {
  std::shared_ptr<const Scenario> sc;
  bool texts = true;  // RunOptions::texts
  std::vector<AssertionResult> results;
  std::vector<std::shared_ptr<ProgState>> progs;
  std::vector<bool> evaluated;  // per assertion at a time: whether its moment came
  // Failed state assertions whose report gets the socket's next state
  // changes once the run is over: result index, host, connection, time.
  struct Followup {
    std::size_t result;
    std::size_t host;
    std::uint32_t conn;
    Time at;
  };
  std::vector<Followup> followups;
};

// The expected results of calls no program reached (blocked, asleep or
// stopped when the run ended), in the bodies' order; `repeat 0` bodies never
// run by design and are left out.
void unreached_calls(const ProgramDecl& p, const std::vector<Stmt>& body,
                     const std::set<std::pair<int, int>>& seen, const std::string& end, bool texts,
                     std::vector<AssertionResult>& out) {
  for (const Stmt& st : body) {
    if (st.kind == Stmt::Repeat && st.count > 0) unreached_calls(p, st.body, seen, end, texts, out);
    if (st.kind != Stmt::Call || !st.expect.present || seen.count({st.expect.loc.line, st.expect.loc.col}))
      continue;
    AssertionResult ar;
    ar.loc = st.expect.loc;
    if (texts) {
      ar.what = fmt::format("{}: {}", p.name, call_text(st));
      ar.detail = fmt::format("not evaluated: the call was not reached before the run's end at {}", end);
    }
    out.push_back(std::move(ar));
  }
}

// An assertion the run never reached (at a time after --until, the time
// limit or where the run stopped; a call not made) cannot pass: it fails,
// saying so, rather than vanish from the report.
void report_unevaluated(const Shared& sh, const std::string& end, std::vector<AssertionResult>& out) {
  std::set<std::pair<int, int>> seen;
  for (const auto& r : out) seen.insert({r.loc.line, r.loc.col});
  for (const auto& p : sh.sc->programs) unreached_calls(p, p.body, seen, end, sh.texts, out);
  unevaluated_assertions(*sh.sc, sh.evaluated, end, sh.texts, out);
}

class Compiler {
 public:
  Compiler(std::shared_ptr<Shared> shared, sim::Network& net) : sh_(std::move(shared)), net_(net) {}

  // Static checks and translation of one program. Returns an error message.
  std::optional<ParseError> compile(const ProgramDecl& p, std::shared_ptr<ProgState> ps,
                                    std::vector<sim::Step>& out) {
    std::set<std::string_view> assigned;  // names in the scenario's statements
    if (auto e = check(p.body, assigned)) return e;
    emit(p.body, ps, out);
    return std::nullopt;
  }

 private:
  const Scenario& sc() const { return *sh_->sc; }

  std::optional<ParseError> check(const std::vector<Stmt>& body, std::set<std::string_view>& assigned) {
    // The parser decoded each call's arguments; what is left is whether
    // each descriptor variable was set before it is used.
    for (const Stmt& st : body) {
      if (st.kind == Stmt::Repeat) {
        if (auto e = check(st.body, assigned)) return e;
        continue;
      }
      if (st.kind != Stmt::Call) continue;
      const sim::CallSpec& spec = st.call.spec();
      for (std::size_t i = 0; i < st.args.size(); ++i) {
        const Arg& a = st.args[i];
        if (spec.is_fd_arg(i) && a.kind == Arg::Ident && !assigned.count(a.text)) {
          return error_at(sc(), a.loc,
                          fmt::format("'{}' is used before it is set (e.g. {} = socket())", a.text, a.text));
        }
      }
      for (const auto& ev : st.expect.events) {
        if (!assigned.count(ev.first))
          return error_at(sc(), st.expect.loc, fmt::format("'{}' is not a descriptor set before", ev.first));
      }
      if (!st.assign.empty()) assigned.insert(st.assign);
    }
    return std::nullopt;
  }

  void emit(const std::vector<Stmt>& body, const std::shared_ptr<ProgState>& ps,
            std::vector<sim::Step>& out) {
    for (const Stmt& st : body) {
      switch (st.kind) {
        case Stmt::Call: out.push_back(call_step(st, ps)); break;
        case Stmt::Sleep: {
          const Duration d = st.sleep;
          out.push_back([d](StepContext&) { return StepResult::sleep_for(d); });
          break;
        }
        case Stmt::Until: {
          const Time t = st.sleep;
          out.push_back([t](StepContext& c) {
            return t > c.net.now() ? StepResult::sleep_for(t - c.net.now()) : StepResult::next();
          });
          break;
        }
        case Stmt::Ss: {
          sim::Network* net = &net_;
          auto p = ps;
          out.push_back([net, p](StepContext& c) {
            const auto rows = sim::socket_rows(c.sockets.host(), c.net.now());
            if (net->trace().enabled()) {
              auto r = sim::TraceRecord::of(sim::TraceKind::Output, c.net.now(), c.sockets.host().index());
              r.program = static_cast<std::uint32_t>(p->index);
              r.ref = net->trace().add_text(sim::format_ss(rows, true));
              net->trace().add(r);
            }
            return StepResult::next();
          });
          break;
        }
        case Stmt::Exit: out.push_back([](StepContext&) { return StepResult::exit(); }); break;
        case Stmt::Repeat: {
          const std::size_t slot = ps->loops.size();
          ps->loops.push_back(0);
          const long count = st.count;
          auto after = std::make_shared<std::size_t>(0);
          out.push_back([ps, slot, count, after](StepContext&) {
            ps->loops[slot] = count;
            return count > 0 ? StepResult::next() : StepResult::jump(*after);
          });
          const std::size_t start = out.size();
          emit(st.body, ps, out);
          out.push_back([ps, slot, start](StepContext&) {
            return --ps->loops[slot] > 0 ? StepResult::jump(start) : StepResult::next();
          });
          *after = out.size();
          break;
        }
      }
    }
  }

  sim::Step call_step(const Stmt& st, const std::shared_ptr<ProgState>& ps) {
    std::shared_ptr<Shared> sh = sh_;
    const Stmt* s = &st;
    return [sh, s, ps](StepContext& c) -> StepResult {
      if (!c.resume) ps->call_start = c.net.now();
      SimCalls calls{*ps, c, {}, {}};
      const std::size_t mark = c.net.trace().records().size();
      const CallResult r = sim::perform(calls, s->call);
      if (r.blocked) {
        if (sh->texts)
          c.program.blocked_in =
              fmt::format("{} ({}:{}:{})", call_text(*s), sh->sc->file, s->loc.line, s->loc.col);
        remember_conns(*ps, c);  // a connect() in progress already names its connection
        return StepResult::block();
      }
      finish(*sh, *s, *ps, c, r, calls, mark);
      return StepResult::next();
    };
  }

  // Remember which connection each variable names, for `at T expect p.v STATE`.
  static void remember_conns(ProgState& ps, StepContext& c) {
    for (const auto& [v, fd] : ps.vars) {
      const sim::Socket* s = c.sockets.socket_of(c.pid, fd);
      if (!s || s->conn == sim::kNoConn) continue;
      const sim::Conn* conn = c.sockets.host().conn(s->conn);
      if (!conn) continue;
      ps.conns[v] = ProgState::Held{conn->id, conn->epoch};
    }
  }

  // The call as the trace shows it, tied to the connection it made
  // (accept), else the one its descriptor holds.
  static void trace_call(const Stmt& st, const ProgState& ps, StepContext& c, const CallResult& r,
                         const std::string& line, std::size_t mark) {
    auto rec = sim::TraceRecord::of(sim::TraceKind::Call, c.net.now(), c.sockets.host().index());
    rec.program = static_cast<std::uint32_t>(ps.index);
    const sim::Socket* s = nullptr;
    if (!st.assign.empty() && r.value >= 0) s = c.sockets.socket_of(c.pid, static_cast<int>(r.value));
    if ((!s || s->conn == sim::kNoConn) && st.call.spec().has(sim::kFdFirst)) {
      const int fd = SimCalls::fd_of(ps, st.call.fd);
      if (fd >= 0) s = c.sockets.socket_of(c.pid, fd);
    }
    if (s) rec.conn = s->conn;
    rec.ref = c.net.trace().add_text(line);
    sim::CallData d;
    d.fn = st.fn;
    for (const auto& a : st.args) d.args.push_back(sim::call_text("", {a}).substr(1, std::string::npos));
    for (auto& a : d.args) a.pop_back();  // call_text("", {a}) is "(a)"
    d.assign = st.assign;
    d.value = r.err == Errno::Ok ? r.value : -1;
    if (r.err != Errno::Ok) {
      d.err = std::string(sim::errno_name(r.err));
      d.err_number = sim::errno_number(r.err);
    }
    d.start = ps.call_start;
    d.conn = rec.conn;
    if (d.conn == sim::kNone32) {
      const auto it = ps.conns.find(st.call.fd.var.empty() ? st.assign : st.call.fd.var);
      if (it != ps.conns.end()) d.conn = it->second.id;
    }
    c.net.trace().set_call_data(rec.ref, std::move(d));
    c.net.trace().insert(mark, rec);
  }

  static void finish(Shared& sh, const Stmt& st, ProgState& ps, StepContext& c, const CallResult& r,
                     const SimCalls& calls, std::size_t mark) {
    if (!st.assign.empty() && r.value >= 0) ps.vars[st.assign] = static_cast<int>(r.value);
    remember_conns(ps, c);
    const sim::CallOutcome out{r.value, r.err == Errno::Ok ? std::string_view() : sim::errno_name(r.err),
                               calls.data, &calls.events};
    // The call as the trace shows it: made only for someone who will read it.
    auto call_line = [&] {
      return fmt::format("{}{} = {}", st.assign.empty() ? "" : st.assign + " = ", call_text(st),
                         sim::result_text(st.call, out, ps.vars));
    };
    if (c.net.trace().enabled() && sh.texts) trace_call(st, ps, c, r, call_line(), mark);
    if (!st.expect.present) return;
    AssertionResult ar;
    ar.loc = st.expect.loc;
    ar.pass = sim::expectation_met(st.expect, out, ps.vars);
    if (sh.texts) {
      ar.what = fmt::format("{}: {}", ps.name, call_text(st));
      ar.expected = sim::expectation_text(st.expect);
      ar.got = sim::result_text(st.call, out, ps.vars);
      if (!ar.pass)
        ar.detail = fmt::format("expected {} = {}\n     got {}", call_text(st),
                                sim::expectation_text(st.expect), call_line());
    }
    sh.results.push_back(std::move(ar));
  }

  std::shared_ptr<Shared> sh_;
  sim::Network& net_;
};

}  // namespace

bool RunResult::failed() const {
  for (const auto& r : results) {
    if (!r.pass) return true;
  }
  return false;
}

namespace {

// Values that do not go together: blamed on the last --set of one of them,
// else on the last `set` of one for this host, else on the host's profile.
ParseError profile_problem(const Scenario& sc, const RunOptions& opt, const HostDecl& h,
                           const sim::ProfileProblem& bad) {
  auto involved = [&bad](std::string_view k) {
    return std::find(bad.keys.begin(), bad.keys.end(), k) != bad.keys.end();
  };
  for (auto it = opt.sets.rbegin(); it != opt.sets.rend(); ++it) {
    if (involved(it->first))
      return ParseError{fmt::format("--set {}={}: {}", it->first, it->second, bad.message)};
  }
  for (auto it = sc.sets.rbegin(); it != sc.sets.rend(); ++it) {
    if ((it->host.empty() || it->host == h.name) && involved(it->key))
      return error_at(sc, it->loc, fmt::format("{} on host {}", bad.message, h.name));
  }
  return error_at(sc, h.loc, fmt::format("profile of host {}: {}", h.name, bad.message));
}

}  // namespace

std::variant<std::unique_ptr<sim::Network>, ParseError> build_network(const Scenario& sc,
                                                                      const RunOptions& opt) {
  auto net = std::make_unique<sim::Network>(opt.seed.value_or(sc.seed));
  net->trace().set_enabled(opt.trace);
  net->trace().set_limit(opt.trace_limit);
  for (const HostDecl& h : sc.hosts) {
    const std::string name = opt.profile.value_or(h.profile.empty() ? sc.profile : h.profile);
    std::optional<sim::Profile> p = sim::profile_named(name);
    if (!p) {
      return error_at(sc, h.loc,
                      fmt::format("unknown profile '{}': expected {}", name, sim::profile_choices()));
    }
    for (const SetDecl& s : sc.sets) {
      if (!s.host.empty() && s.host != h.name) continue;
      if (auto e = sim::set_profile_value(*p, s.key, s.value)) return error_at(sc, s.loc, *e);
    }
    for (const auto& [k, v] : opt.sets) {
      if (auto e = sim::set_profile_value(*p, k, v))
        return ParseError{fmt::format("--set {}={}: {}", k, v, *e)};
    }
    if (auto bad = sim::check_profile(*p)) return profile_problem(sc, opt, h, *bad);
    // The ledger is for outcome classification, which reads the trace too.
    net->add_host(h.name, h.ip, std::move(*p)).keep_ledger(opt.trace);
  }
  auto index_of = [&sc](const std::string& name) { return host_index(sc, name); };
  // Every direction between every pair of hosts, and each host's loopback.
  const std::size_t n = sc.hosts.size();
  std::vector<sim::LinkConfig> cfg(n * n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) cfg[i * n + j].delay = i == j ? kLoopbackDelay : kWireDelay;
  }
  for (const LinkDecl& l : sc.links) {
    const std::size_t f = index_of(l.from), t = index_of(l.to);
    cfg[f * n + t] = l.cfg;
    if (l.both) cfg[t * n + f] = l.cfg;
  }
  for (const DropDecl& d : sc.drops) {
    auto& c = cfg[index_of(d.from) * n + index_of(d.to)];
    if (d.window) {
      c.windows.push_back(d.span);
    } else {
      c.rules.push_back(d.rule);
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      sim::LinkConfig c = cfg[i * n + j];
      if (opt.loss) c.loss = *opt.loss;
      net->set_link(net->host(i), net->host(j), c);
    }
  }
  return net;
}

namespace {

void sort_by_line(std::vector<AssertionResult>& rs) {
  // In line order, ties kept in the order checked. A scenario has a few
  // dozen results: insertion sort then costs less than std::stable_sort's
  // buffer (a sweep pays this every run).
  if (rs.size() <= 64) {
    for (std::size_t i = 1; i < rs.size(); ++i) {
      AssertionResult x = std::move(rs[i]);
      std::size_t j = i;
      for (; j > 0 && rs[j - 1].loc.line > x.loc.line; --j) rs[j] = std::move(rs[j - 1]);
      rs[j] = std::move(x);
    }
  } else {
    std::stable_sort(rs.begin(), rs.end(), [](const AssertionResult& x, const AssertionResult& y) {
      return x.loc.line < y.loc.line;
    });
  }
}

// One line: how the run ended (a fault, a limit, every program done, or
// nothing left to happen while some wait).
// The programs still running, and in what: "'server' is blocked in read(4)".
std::string still_running(const sim::ProgramRunner& runner) {
  std::string blocked;
  for (const auto& p : runner.programs()) {
    if (p->status() == sim::Program::Status::Blocked) {
      blocked +=
          fmt::format("{}'{}' is blocked in {}", blocked.empty() ? "" : "; ", p->name(), p->blocked_in);
    } else if (p->status() == sim::Program::Status::Sleeping) {
      blocked += fmt::format("{}'{}' is asleep", blocked.empty() ? "" : "; ", p->name());
    } else if (p->status() != sim::Program::Status::Done) {
      blocked += fmt::format("{}'{}' has not ended", blocked.empty() ? "" : "; ", p->name());
    }
  }
  return blocked;
}

std::string ending_of(const RunResult& res, const sim::EventLoopResult& rr, Time limit) {
  const sim::Network& net = *res.net;
  const std::string blocked = still_running(*res.runner);
  if (!res.runner->fault.empty()) return res.runner->fault;
  if (rr.hit_event_limit())
    return fmt::format("stopped after {} events at {} s: the event limit", rr.events,
                       sim::format_seconds(net.now()));
  if (rr.status == sim::RunStatus::kPredicate)
    return fmt::format("time limit {} reached{}{}", sim::format_duration(limit), blocked.empty() ? "" : ": ",
                       blocked);
  if (res.finished)
    return fmt::format("all programs finished; nothing left to happen after {} s",
                       sim::format_seconds(net.now()));
  return fmt::format("nothing left to happen after {} s: {}", sim::format_seconds(net.now()), blocked);
}

// Each program compiled into steps for the runner, with its state.
std::optional<ParseError> add_programs(const std::shared_ptr<Shared>& shared, RunResult& res) {
  const std::shared_ptr<const Scenario>& sc = shared->sc;
  sim::Network& net = *res.net;
  Compiler compiler(shared, net);
  for (const ProgramDecl& p : sc->programs) {
    const std::size_t host = host_index(*sc, p.host);
    auto ps = std::make_shared<ProgState>();
    ps->index = shared->progs.size();
    ps->name = p.name;
    shared->progs.push_back(ps);
    res.programs.push_back(ProgramInfo{p.name, static_cast<std::uint8_t>(host)});
    std::vector<sim::Step> steps;
    if (auto e = compiler.compile(p, ps, steps)) return *e;
    res.runner->add(net.host(host), p.name, std::move(steps), p.start);
  }
  return std::nullopt;
}

// Finished by T: every program has ended when T comes, those that end at T
// included (the check goes behind what is already due at T).
void schedule_finished_by(const Assertion& a, std::size_t i, const std::shared_ptr<Shared>& shared,
                          sim::Network& net, sim::ProgramRunner& runner) {
  net.scheduler().schedule_at(a.at, [&a, i, shared, &net, r = &runner] {
    net.scheduler().schedule_at(net.now(), [&a, i, shared, r] {
      shared->evaluated[i] = true;
      const bool done = r->all_done();
      const std::string still =
          done ? std::string() : fmt::format("at {}: {}", sim::format_duration(a.at), still_running(*r));
      shared->results.push_back(check_finished(a, done, still));
    });
  });
}

std::variant<RunResult, ParseError> run_once(std::shared_ptr<const Scenario> sc, const RunOptions& opt) {
  auto built = build_network(*sc, opt);
  if (auto* e = std::get_if<ParseError>(&built)) return *e;
  RunResult res;
  res.scenario = sc;
  res.given = {opt.seed, opt.profile, opt.sets, opt.loss};
  res.net = std::move(std::get<std::unique_ptr<sim::Network>>(built));
  res.runner = std::make_unique<sim::ProgramRunner>(*res.net);
  sim::Network& net = *res.net;
  if (opt.on_network) opt.on_network(net);

  auto shared = std::make_shared<Shared>();
  shared->sc = sc;
  shared->texts = opt.texts;
  shared->results.reserve(sc->assertions.size());
  shared->evaluated.assign(sc->assertions.size(), false);
  if (auto e = add_programs(shared, res)) return *e;

  // Assertions at a time are events like any other.
  auto state_of = [&net, sc, shared](const Assertion& a) -> model::State {
    for (const auto& ps : shared->progs) {
      if (ps->name != a.program) continue;
      auto it = ps->conns.find(a.var);
      if (it == ps->conns.end()) return model::State::Closed;
      std::size_t host = 0;
      for (const auto& p : sc->programs) {
        if (p.name == a.program) host = host_index(*sc, p.host);
      }
      const sim::Conn* c = net.host(host).conn(it->second.id);
      if (!c || c->id != it->second.id || c->epoch != it->second.epoch) return model::State::Closed;
      return c->state();
    }
    return model::State::Closed;
  };
  auto check_ss = [&net, sc, shared](const Assertion& a) {
    shared->results.push_back(check_ss_at(a, *sc, net, shared->texts));
  };
  auto check_state = [&net, sc, shared, state_of](const Assertion& a) {
    AssertionResult ar = check_state_at(a, state_of(a), net.now(), shared->texts);
    // A failure shows the socket's last state changes: the reader need not rerun.
    if (!ar.pass && shared->texts) {
      for (const auto& ps : shared->progs) {
        const auto it = ps->conns.find(a.var);
        if (ps->name != a.program || it == ps->conns.end()) continue;
        for (const auto& p : sc->programs) {
          if (p.name != a.program) continue;
          ar.detail += state_timeline(net.trace(), host_index(*sc, p.host), it->second.id);
          shared->followups.push_back(
              {shared->results.size(), host_index(*sc, p.host), it->second.id, net.now()});
        }
      }
    }
    shared->results.push_back(std::move(ar));
  };
  for (std::size_t i = 0; i < sc->assertions.size(); ++i) {
    const Assertion& a = sc->assertions[i];
    if (a.at_end) continue;
    if (a.kind == Assertion::StateAt)
      net.scheduler().schedule_at(a.at, [&a, i, shared, check_state] {
        shared->evaluated[i] = true;
        check_state(a);
      });
    if (a.kind == Assertion::SsAt)
      net.scheduler().schedule_at(a.at, [&a, i, shared, check_ss] {
        shared->evaluated[i] = true;
        check_ss(a);
      });
    if (a.kind == Assertion::Finished && a.timed) schedule_finished_by(a, i, shared, net, *res.runner);
    // Sent by T: the run goes on to T, as for a state at T, and counts at its end.
    if (a.timed && is_segment_assertion(a))
      net.scheduler().schedule_at(a.at, [i, shared] { shared->evaluated[i] = true; });
  }

  const Time limit = opt.until.value_or(sc->until.value_or(kDefaultUntil));
  const sim::EventLoopResult rr =
      net.scheduler().run_while([&] { return !net.trace().full() && net.scheduler().next_time() <= limit; });
  if (net.trace().full()) {
    // A run past the limit is incomplete: no output is drawn from it.
    return ParseError{fmt::format(
        "{}: trace limit of {} records reached at {} s: the run stops; end it sooner with --until "
        "(or `until`)",
        sc->file, net.trace().limit(), sim::format_seconds(net.trace().full_at()))};
  }
  res.end_time = net.now();
  res.finished = res.runner->all_done();
  res.ending = ending_of(res, rr, limit);

  report_unevaluated(*shared,
                     rr.status == sim::RunStatus::kPredicate
                         ? fmt::format("{} (the time limit)", sim::format_duration(limit))
                         : fmt::format("{} s ({})", sim::format_seconds(net.now()), res.ending),
                     shared->results);
  // Assertions on the whole run.
  for (std::size_t i = 0; i < sc->assertions.size(); ++i) {
    const Assertion& a = sc->assertions[i];
    if (a.at_end && a.kind == Assertion::StateAt) check_state(a);
    if (a.at_end && a.kind == Assertion::SsAt) check_ss(a);
    // Segments are counted in the trace: an untraced run (tcpsim run -f
    // summary) cannot decide these, and says so instead of counting none.
    if (is_segment_assertion(a) && (!a.timed || shared->evaluated[i]) && net.trace().enabled())
      shared->results.push_back(check_sent(a, *sc, net, shared->texts));
    if (a.kind == Assertion::Finished && !a.timed)
      shared->results.push_back(check_finished(a, res.finished, res.ending));
  }
  for (const auto& f : shared->followups)
    shared->results[f.result].detail += next_states(net.trace(), f.host, f.conn, f.at);
  sort_by_line(shared->results);
  res.results = std::move(shared->results);
  return res;
}

}  // namespace

std::variant<RunResult, ParseError> run(std::shared_ptr<const Scenario> sc, const RunOptions& opt) {
  // A load has no programs to run: only `tcpsim run` draws its time series.
  if (!sc->loads.empty()) {
    return error_at(*sc, sc->loads.front().loc,
                    "a load scenario has a time series, not programs: run it with `tcpsim run`");
  }
  // "The last ACK from A": count in a first run without those rules, then
  // drop that one.
  bool any_last = false;
  for (const auto& d : sc->drops) any_last |= d.last;
  if (!any_last) return run_once(sc, opt);
  auto probe = std::make_shared<Scenario>(*sc);
  probe->drops.erase(
      std::remove_if(probe->drops.begin(), probe->drops.end(), [](const DropDecl& d) { return d.last; }),
      probe->drops.end());
  RunOptions popt = opt;
  popt.trace = true;
  popt.on_network = nullptr;  // the counting run is not the user's run
  auto first = run_once(probe, popt);
  if (auto* e = std::get_if<ParseError>(&first)) return *e;
  const auto& net = *std::get<RunResult>(first).net;
  auto fixed = std::make_shared<Scenario>(*sc);
  for (auto& d : fixed->drops) {
    if (!d.last) continue;
    std::uint64_t count = 0;
    const std::size_t from = host_index(*sc, d.from), to = host_index(*sc, d.to);
    for (const auto& p : net.trace().packets()) {
      if (p.from_host == from && p.to_host == to && d.rule.match.matches(p.packet.seg) &&
          (d.rule.include_retransmissions || !p.packet.retransmission)) {
        ++count;
      }
    }
    d.last = false;
    d.rule.nth = count == 0 ? 1 : count;
    d.rule.count = count == 0 ? 0 : 1;
  }
  return run_once(fixed, opt);
}

}  // namespace tcpsim::scenario
