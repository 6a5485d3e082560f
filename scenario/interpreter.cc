#include "scenario/interpreter.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "sim/socket_table.h"
#include "sim/units.h"

namespace tcpsim::scenario {

std::string quote(std::string_view s) {
  std::string out = "\"";
  std::size_t n = 0;
  for (char c : s) {
    if (++n > 24) {
      out += "...";
      break;
    }
    if (c == '\n')
      out += "\\n";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (static_cast<unsigned char>(c) < 32)
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    else
      out += c;
  }
  return out + "\"";
}

static std::string arg_text(const Arg& a) {
  switch (a.kind) {
    case Arg::Ident: return a.text;
    case Arg::Number: return std::to_string(a.number);
    case Arg::String: return quote(a.text);
    case Arg::Address: return a.addr.ip == 0 ? fmt::format("*:{}", a.addr.port) : sim::to_string(a.addr);
    case Arg::Duration: return sim::format_duration(a.duration);
    case Arg::Flags: {
      std::string s;
      for (const auto& f : a.flags) s += (s.empty() ? "" : "|") + f;
      return s;
    }
  }
  return "?";
}

std::string call_text(const Stmt& st) {
  std::string s = st.fn + "(";
  for (std::size_t i = 0; i < st.args.size(); ++i) s += (i ? ", " : "") + arg_text(st.args[i]);
  return s + ")";
}

ParseError error_at(const Scenario& sc, const Loc& at, const std::string& msg) {
  return ParseError{fmt::format("{}:{}:{}: {}", sc.file, at.line, at.col, msg)};
}

std::size_t host_index(const Scenario& sc, const std::string& name) {
  for (std::size_t i = 0; i < sc.hosts.size(); ++i) {
    if (sc.hosts[i].name == name) return i;
  }
  return 0;
}

bool ss_wants_timers(const Assertion& a) {
  bool timers = false;
  for (const auto& l : a.lines) timers |= l.find("timer:") != std::string::npos;
  return timers;
}

std::optional<std::string> ss_mismatch(const Assertion& a, const std::string& table) {
  auto trimmed = [](std::string l) {
    while (!l.empty() && l.back() == ' ') l.pop_back();
    return l;
  };
  std::vector<std::string> got;
  std::size_t pos = 0;
  while (pos < table.size()) {
    const auto end = table.find('\n', pos);
    got.push_back(trimmed(table.substr(pos, end - pos)));
    pos = end == std::string::npos ? table.size() : end + 1;
  }
  const bool header = !a.lines.empty() && a.lines[0].rfind("State", 0) == 0;
  if (!header && !got.empty()) got.erase(got.begin());
  std::vector<std::string> want;
  for (const auto& l : a.lines) want.push_back(trimmed(l));
  if (got == want) return std::nullopt;
  std::string d = "expected:\n";
  for (const auto& l : want) d += "       " + l + "\n";
  d += "     got:\n";
  for (const auto& l : got) d += "       " + l + "\n";
  while (!d.empty() && d.back() == '\n') d.pop_back();
  return d;
}

EpollWaitArgs epoll_wait_args(const std::vector<Arg>& a) {
  auto as_timeout = [](const Arg& x) {
    // Saturating: a timeout of 10^18 ms is for ever, not a wrapped negative.
    return x.kind == Arg::Duration ? x.duration
                                   : (x.number < 0 ? Duration{-1} : sat_mul(x.number, kMillisecond));
  };
  EpollWaitArgs r;
  if (a.size() == 2) r.timeout = as_timeout(a[1]);
  if (a.size() == 3) {
    r.max = static_cast<int>(a[1].number);
    r.timeout = as_timeout(a[2]);
  }
  return r;
}

namespace {

using sim::CallResult;
using sim::Errno;
using sim::StepContext;
using sim::StepResult;

// Links nobody declared: loopback takes 10 us, a wire between hosts 1 ms.
constexpr Duration kLoopbackDelay = 10 * kMicrosecond;
constexpr Duration kWireDelay = 1 * kMillisecond;

std::optional<std::uint32_t> epoll_bit(std::string_view n) {
  if (n == "EPOLLIN") return sim::kEpollIn;
  if (n == "EPOLLOUT") return sim::kEpollOut;
  if (n == "EPOLLRDHUP") return sim::kEpollRdHup;
  if (n == "EPOLLERR") return sim::kEpollErr;
  if (n == "EPOLLHUP") return sim::kEpollHup;
  if (n == "EPOLLPRI") return sim::kEpollPri;
  if (n == "EPOLLET") return sim::kEpollEt;
  if (n == "EPOLLONESHOT") return sim::kEpollOneShot;
  return std::nullopt;
}

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
};

struct Shared {
  std::shared_ptr<const Scenario> sc;
  bool texts = true;  // RunOptions::texts
  std::vector<AssertionResult> results;
  std::vector<std::shared_ptr<ProgState>> progs;
  std::vector<bool> evaluated;  // per assertion at a time: whether its moment came
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
  const auto& as = sh.sc->assertions;
  for (std::size_t i = 0; i < as.size(); ++i) {
    const Assertion& a = as[i];
    if (a.at_end || (a.kind != Assertion::StateAt && a.kind != Assertion::SsAt) || sh.evaluated[i]) continue;
    AssertionResult ar;
    ar.loc = a.loc;
    ar.pass = false;
    if (sh.texts) {
      const std::string at = sim::format_duration(a.at);
      ar.what = a.kind == Assertion::SsAt
                    ? fmt::format("at {} expect ss {}", at, a.host)
                    : fmt::format("at {} expect {}.{} {}", at, a.program, a.var, model::state_name(a.state));
      ar.detail = fmt::format("not evaluated: at {} is after the run's end at {}", at, end);
    }
    out.push_back(std::move(ar));
  }
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
    for (const Stmt& st : body) {
      if (st.kind == Stmt::Repeat) {
        if (auto e = check(st.body, assigned)) return e;
        continue;
      }
      if (st.kind != Stmt::Call) continue;
      const bool first_is_fd = st.fn != "socket" && st.fn != "epoll_create1";
      for (std::size_t i = 0; i < st.args.size(); ++i) {
        const Arg& a = st.args[i];
        const bool fd_pos = (i == 0 && first_is_fd) || (st.fn == "epoll_ctl" && i == 2);
        if (fd_pos) {
          if (a.kind != Arg::Ident && a.kind != Arg::Number) {
            return error_at(sc(), a.loc,
                            fmt::format("{}() needs a descriptor here, found {}", st.fn, arg_text(a)));
          }
          if (a.kind == Arg::Ident && !assigned.count(a.text)) {
            return error_at(
                sc(), a.loc,
                fmt::format("'{}' is used before it is set (e.g. {} = socket())", a.text, a.text));
          }
        }
      }
      if (auto e = check_args(st)) return e;
      if (st.expect.present && st.expect.value == -1 && !sim::errno_from_name(st.expect.err)) {
        return error_at(
            sc(), st.expect.loc,
            fmt::format("'{}' is not an errno tcpsim knows (EADDRINUSE, ECONNRESET ...)", st.expect.err));
      }
      for (const auto& [var, bits] : st.expect.events) {
        if (!assigned.count(var))
          return error_at(sc(), st.expect.loc, fmt::format("'{}' is not a descriptor set before", var));
        for (const auto& b : bits) {
          if (!epoll_bit(b))
            return error_at(sc(), st.expect.loc, fmt::format("'{}' is not an epoll event", b));
        }
      }
      if (!st.assign.empty()) assigned.insert(st.assign);
    }
    return std::nullopt;
  }

  std::optional<ParseError> check_args(const Stmt& st) {
    auto want = [&](std::size_t i, bool ok, const char* what) -> std::optional<ParseError> {
      if (i < st.args.size() && !ok) {
        return error_at(
            sc(), st.args[i].loc,
            fmt::format("{}() argument {}: expected {}, found {}", st.fn, i + 1, what, arg_text(st.args[i])));
      }
      return std::nullopt;
    };
    const auto& a = st.args;
    auto is_num = [&](std::size_t i) { return i < a.size() && a[i].kind == Arg::Number; };
    if (st.fn == "bind" || st.fn == "connect")
      return want(1, a[1].kind == Arg::Address, "an address such as 127.0.0.1:9090");
    if (st.fn == "listen" && a.size() > 1) return want(1, is_num(1), "a backlog");
    if (st.fn == "read" || st.fn == "recv") return want(1, is_num(1) && a[1].number > 0, "a byte count");
    if (st.fn == "write" || st.fn == "send") {
      return want(1, a[1].kind == Arg::String || (is_num(1) && a[1].number >= 0), "a string or a byte count");
    }
    if (st.fn == "shutdown") {
      const bool ok = (a[1].kind == Arg::Ident &&
                       (a[1].text == "SHUT_RD" || a[1].text == "SHUT_WR" || a[1].text == "SHUT_RDWR")) ||
                      (is_num(1) && a[1].number >= 0 && a[1].number <= 2);
      return want(1, ok, "SHUT_RD, SHUT_WR or SHUT_RDWR");
    }
    if (st.fn == "setsockopt" || st.fn == "getsockopt") {
      std::size_t k = 1;
      if (a[k].kind == Arg::Ident &&
          (a[k].text == "SOL_SOCKET" || a[k].text == "IPPROTO_TCP" || a[k].text == "SOL_TCP"))
        ++k;
      if (k >= a.size()) return error_at(sc(), st.loc, fmt::format("{}() needs an option name", st.fn));
      if (auto e = want(k, a[k].kind == Arg::Ident && sim::sockopt_from_name(a[k].text),
                        "an option (SO_REUSEADDR, SO_REUSEPORT, SO_LINGER, SO_RCVBUF, SO_SNDBUF, "
                        "TCP_NODELAY, TCP_CORK, SO_ERROR)"))
        return e;
      if (st.fn == "setsockopt") {
        if (k + 1 >= a.size()) return error_at(sc(), st.loc, "setsockopt() needs a value");
        for (std::size_t i = k + 1; i < a.size(); ++i) {
          if (auto e = want(i, is_num(i), "a number")) return e;
        }
      }
      return std::nullopt;
    }
    if (st.fn == "fcntl") {
      if (auto e = want(1, a[1].kind == Arg::Ident && a[1].text == "F_SETFL", "F_SETFL")) return e;
      return want(2,
                  (a[2].kind == Arg::Ident && a[2].text == "O_NONBLOCK") || (is_num(2) && a[2].number == 0),
                  "O_NONBLOCK or 0");
    }
    if (st.fn == "epoll_ctl") {
      const std::string op = a[1].kind == Arg::Ident ? a[1].text : "";
      if (auto e = want(1,
                        op == "EPOLL_CTL_ADD" || op == "EPOLL_CTL_MOD" || op == "EPOLL_CTL_DEL" ||
                            op == "ADD" || op == "MOD" || op == "DEL",
                        "EPOLL_CTL_ADD, EPOLL_CTL_MOD or EPOLL_CTL_DEL")) {
        return e;
      }
      bool ok = (is_num(3) && a[3].number == 0);
      if (a[3].kind == Arg::Ident || a[3].kind == Arg::Flags) {
        ok = true;
        const auto flags = a[3].kind == Arg::Flags ? a[3].flags : std::vector<std::string>{a[3].text};
        for (const auto& f : flags) ok &= epoll_bit(f).has_value();
      }
      return want(3, ok, "epoll events such as EPOLLIN|EPOLLRDHUP|EPOLLET");
    }
    if (st.fn == "epoll_wait") {
      for (std::size_t i = 1; i < a.size(); ++i) {
        if (auto e =
                want(i, is_num(i) || a[i].kind == Arg::Duration, "a number (timeout in ms, -1 for ever)"))
          return e;
      }
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
        case Stmt::Ss: {
          sim::Network* net = &net_;
          auto p = ps;
          out.push_back([net, p](StepContext& c) {
            const auto rows = sim::socket_rows(c.sockets.host(), c.net.now());
            if (net->trace().enabled()) {
              sim::TraceRecord r;
              r.t = c.net.now();
              r.kind = sim::TraceKind::Output;
              r.host = c.sockets.host().index();
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
      std::string data;
      std::vector<sim::EpollEvent> events;
      const std::size_t mark = c.net.trace().records().size();
      const CallResult r = invoke(*s, *ps, c, data, events);
      if (r.blocked) {
        if (sh->texts)
          c.program.blocked_in =
              fmt::format("{} ({}:{}:{})", call_text(*s), sh->sc->file, s->loc.line, s->loc.col);
        remember_conns(*ps, c);  // a connect() in progress already names its connection
        return StepResult::block();
      }
      finish(*sh, *s, *ps, c, r, data, events, mark);
      return StepResult::next();
    };
  }

  static int fd_of(const ProgState& ps, const Arg& a) {
    if (a.kind == Arg::Number) return static_cast<int>(a.number);
    auto it = ps.vars.find(a.text);
    return it == ps.vars.end() ? -1 : it->second;
  }

  static CallResult invoke(const Stmt& st, ProgState& ps, StepContext& c, std::string& data,
                           std::vector<sim::EpollEvent>& events) {
    sim::Sockets& k = c.sockets;
    const auto& a = st.args;
    const std::string& fn = st.fn;
    if (fn == "socket") return k.socket(c.pid);
    if (fn == "epoll_create1") return k.epoll_create1(c.pid);
    const int fd = fd_of(ps, a[0]);
    if (fn == "bind") return k.bind(c.pid, fd, a[1].addr);
    if (fn == "listen") return k.listen(c.pid, fd, a.size() > 1 ? static_cast<int>(a[1].number) : 128);
    if (fn == "accept") return k.accept(c.pid, fd);
    if (fn == "connect") return k.connect(c.pid, fd, a[1].addr, c.resume);
    if (fn == "read" || fn == "recv") return k.read(c.pid, fd, static_cast<std::size_t>(a[1].number), &data);
    if (fn == "write" || fn == "send") {
      // write(fd, N): N bytes of "0123456789" repeated, made as the send
      // buffer takes them (N may be 10^18).
      if (a[1].kind == Arg::String) return sim::write_all(c, fd, std::string_view(a[1].text));
      return sim::write_all(
          c, fd, model::WriteSource::filler(static_cast<std::uint64_t>(std::max(0L, a[1].number))));
    }
    if (fn == "shutdown") {
      const long how = a[1].kind == Arg::Number ? a[1].number
                       : a[1].text == "SHUT_RD" ? 0
                       : a[1].text == "SHUT_WR" ? 1
                                                : 2;
      return k.shutdown(c.pid, fd, how == 0 ? sim::Shut::Rd : how == 1 ? sim::Shut::Wr : sim::Shut::RdWr);
    }
    if (fn == "close") return k.close(c.pid, fd);
    if (fn == "getsockname" || fn == "getpeername") {
      // The port, which is what a scenario can compare.
      sim::Addr addr;
      const CallResult r =
          fn == "getsockname" ? k.getsockname(c.pid, fd, &addr) : k.getpeername(c.pid, fd, &addr);
      return r.err == Errno::Ok ? CallResult::ok(addr.port) : r;
    }
    if (fn == "dup") return k.dup(c.pid, fd);
    if (fn == "fcntl") return k.set_nonblocking(c.pid, fd, a[2].kind == Arg::Ident);
    if (fn == "setsockopt" || fn == "getsockopt") {
      std::size_t i = 1;
      if (a[i].kind == Arg::Ident &&
          (a[i].text == "SOL_SOCKET" || a[i].text == "IPPROTO_TCP" || a[i].text == "SOL_TCP"))
        ++i;
      const sim::SockOpt opt = *sim::sockopt_from_name(a[i].text);
      if (fn == "getsockopt") return k.getsockopt(c.pid, fd, opt);
      const int v1 = static_cast<int>(a[i + 1].number);
      const int v2 = i + 2 < a.size() ? static_cast<int>(a[i + 2].number) : 0;
      return k.setsockopt(c.pid, fd, opt, v1, v2);
    }
    if (fn == "epoll_ctl") {
      const std::string& op = a[1].text;
      const sim::EpollOp o = (op == "EPOLL_CTL_ADD" || op == "ADD")   ? sim::EpollOp::Add
                             : (op == "EPOLL_CTL_MOD" || op == "MOD") ? sim::EpollOp::Mod
                                                                      : sim::EpollOp::Del;
      std::uint32_t bits = 0;
      if (a[3].kind == Arg::Flags) {
        for (const auto& f : a[3].flags) bits |= *epoll_bit(f);
      } else if (a[3].kind == Arg::Ident) {
        bits = *epoll_bit(a[3].text);
      }
      return k.epoll_ctl(c.pid, fd, o, fd_of(ps, a[2]), bits);
    }
    if (fn == "epoll_wait") {
      const EpollWaitArgs w = epoll_wait_args(a);
      return sim::epoll_wait_for(c, fd, w.max, w.timeout, &events);
    }
    return CallResult::fail(Errno::Inval);
  }

  static std::string events_text(const ProgState& ps, const std::vector<sim::EpollEvent>& events) {
    std::string s;
    for (const auto& e : events) {
      std::string name = std::to_string(e.fd);
      for (const auto& [v, fd] : ps.vars) {
        if (fd == e.fd) name = v;
      }
      s += fmt::format("{}{}: {}", s.empty() ? "" : ", ", name, sim::epoll_events_name(e.events));
    }
    return "[" + s + "]";
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

  static void finish(Shared& sh, const Stmt& st, ProgState& ps, StepContext& c, const CallResult& r,
                     const std::string& data, const std::vector<sim::EpollEvent>& events, std::size_t mark) {
    if (!st.assign.empty() && r.value >= 0) ps.vars[st.assign] = static_cast<int>(r.value);
    remember_conns(ps, c);
    // The call as the trace shows it: made only for someone who will read it.
    auto call_line = [&] {
      std::string result =
          r.err == Errno::Ok ? std::to_string(r.value) : fmt::format("-1 {}", sim::errno_name(r.err));
      if ((st.fn == "read" || st.fn == "recv") && r.value > 0) result += " " + quote(data);
      if (st.fn == "epoll_wait" && r.value > 0) result += " " + events_text(ps, events);
      return fmt::format("{}{} = {}", st.assign.empty() ? "" : st.assign + " = ", call_text(st), result);
    };
    if (c.net.trace().enabled() && sh.texts) {
      sim::TraceRecord rec;
      rec.t = c.net.now();
      rec.kind = sim::TraceKind::Call;
      rec.host = c.sockets.host().index();
      rec.program = static_cast<std::uint32_t>(ps.index);
      // The call belongs with the connection it made (accept), else the one
      // its descriptor holds.
      const sim::Socket* s = nullptr;
      if (!st.assign.empty() && r.value >= 0) s = c.sockets.socket_of(c.pid, static_cast<int>(r.value));
      if ((!s || s->conn == sim::kNoConn) && st.fn != "socket" && st.fn != "epoll_create1" &&
          !st.args.empty()) {
        const int fd = fd_of(ps, st.args[0]);
        if (fd >= 0) s = c.sockets.socket_of(c.pid, fd);
      }
      if (s) rec.conn = s->conn;
      rec.ref = c.net.trace().add_text(call_line());
      c.net.trace().insert(mark, rec);
    }
    if (!st.expect.present) return;
    const Expect& e = st.expect;
    AssertionResult ar;
    ar.loc = e.loc;
    if (sh.texts) ar.what = fmt::format("{}: {}", ps.name, call_text(st));
    std::string want = e.value == -1 ? fmt::format("-1 {}", e.err) : std::to_string(e.value);
    bool ok = r.value == e.value || (e.value == -1 && r.err != Errno::Ok);
    if (e.value == -1) ok = r.err != Errno::Ok && sim::errno_name(r.err) == e.err;
    if (e.value != -1 && r.err != Errno::Ok) ok = false;
    if (e.has_data) {
      want += " " + quote(e.data);
      ok = ok && data == e.data;
    }
    if (!e.events.empty()) {
      std::string w;
      for (const auto& [var, bits] : e.events) {
        std::uint32_t mask = 0;
        std::string names;
        for (const auto& b : bits) {
          mask |= *epoll_bit(b);
          names += (names.empty() ? "" : "|") + b;
        }
        w += fmt::format("{}{}: {}", w.empty() ? "" : ", ", var, names);
        auto it = ps.vars.find(var);
        bool found = false;
        for (const auto& ev : events) {
          if (it != ps.vars.end() && ev.fd == it->second) found = ev.events == mask;
        }
        ok = ok && found;
      }
      want += " [" + w + "]";
    }
    ar.pass = ok;
    if (!ok && sh.texts)
      ar.detail = fmt::format("expected {} = {}\n     got {}", call_text(st), want, call_line());
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
      return error_at(sc, h.loc, fmt::format("unknown profile '{}': expected rfc9293, linux or bsd", name));
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

std::variant<RunResult, ParseError> run_once(std::shared_ptr<const Scenario> sc, const RunOptions& opt) {
  auto built = build_network(*sc, opt);
  if (auto* e = std::get_if<ParseError>(&built)) return *e;
  RunResult res;
  res.scenario = sc;
  res.net = std::move(std::get<std::unique_ptr<sim::Network>>(built));
  res.runner = std::make_unique<sim::Runner>(*res.net);
  sim::Network& net = *res.net;
  if (opt.on_network) opt.on_network(net);

  auto shared = std::make_shared<Shared>();
  shared->sc = sc;
  shared->texts = opt.texts;
  shared->results.reserve(sc->assertions.size());
  shared->evaluated.assign(sc->assertions.size(), false);
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
    const auto rows = sim::socket_rows(net.host(host_index(*sc, a.host)), net.now());
    const std::optional<std::string> mismatch = ss_mismatch(a, sim::format_ss(rows, ss_wants_timers(a)));
    AssertionResult ar;
    ar.loc = a.loc;
    ar.pass = !mismatch;
    if (!shared->texts) {
      shared->results.push_back(std::move(ar));
      return;
    }
    ar.what = fmt::format("at {} expect ss {}", sim::format_duration(net.now()), a.host);
    if (mismatch) ar.detail = *mismatch;
    shared->results.push_back(std::move(ar));
  };
  auto check_state = [&net, shared, state_of](const Assertion& a) {
    const model::State st = state_of(a);
    AssertionResult ar;
    ar.loc = a.loc;
    ar.pass = st == a.state;
    if (!shared->texts) {
      shared->results.push_back(std::move(ar));
      return;
    }
    ar.what = fmt::format("at {} expect {}.{} {}", a.at_end ? std::string("end") : sim::format_duration(a.at),
                          a.program, a.var, model::state_name(a.state));
    if (!ar.pass)
      ar.detail = fmt::format("expected {}, got {} at {}", model::state_name(a.state), model::state_name(st),
                              sim::format_seconds(net.now()));
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
  }

  const Time limit = opt.until.value_or(sc->until.value_or(kDefaultUntil));
  const sim::RunResult rr =
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
  std::string blocked;
  for (const auto& p : res.runner->programs()) {
    if (p->status() == sim::Program::Status::Blocked) {
      blocked +=
          fmt::format("{}'{}' is blocked in {}", blocked.empty() ? "" : "; ", p->name(), p->blocked_in);
    } else if (p->status() == sim::Program::Status::Sleeping) {
      blocked += fmt::format("{}'{}' is asleep", blocked.empty() ? "" : "; ", p->name());
    }
  }
  if (!res.runner->fault.empty()) {
    res.ending = res.runner->fault;
  } else if (rr.hit_event_limit()) {
    res.ending = fmt::format("stopped after {} events at {} s: the event limit", rr.events,
                             sim::format_seconds(net.now()));
  } else if (rr.status == sim::RunStatus::kPredicate) {
    res.ending = fmt::format("time limit {} reached{}{}", sim::format_duration(limit),
                             blocked.empty() ? "" : ": ", blocked);
  } else if (res.finished) {
    res.ending = fmt::format("all programs finished; nothing left to happen after {} s",
                             sim::format_seconds(net.now()));
  } else {
    res.ending =
        fmt::format("nothing left to happen after {} s: {}", sim::format_seconds(net.now()), blocked);
  }

  report_unevaluated(*shared,
                     rr.status == sim::RunStatus::kPredicate
                         ? fmt::format("{} (the time limit)", sim::format_duration(limit))
                         : fmt::format("{} s ({})", sim::format_seconds(net.now()), res.ending),
                     shared->results);
  // Assertions on the whole run.
  for (const Assertion& a : sc->assertions) {
    if (a.at_end && a.kind == Assertion::StateAt) check_state(a);
    if (a.at_end && a.kind == Assertion::SsAt) check_ss(a);
    if (a.kind == Assertion::Sent || a.kind == Assertion::NotSent) {
      const std::size_t from = host_index(*sc, a.from), to = host_index(*sc, a.to);
      long n = 0;
      for (const auto& p : net.trace().packets()) {
        if (p.from_host == from && p.to_host == to && a.match.matches(p.packet.seg)) ++n;
      }
      AssertionResult ar;
      ar.loc = a.loc;
      if (shared->texts)
        ar.what = fmt::format("expect {}sent {} -> {} {}", a.kind == Assertion::NotSent ? "not " : "", a.from,
                              a.to, a.spec);
      if (a.kind == Assertion::NotSent)
        ar.pass = n == 0;
      else
        ar.pass = a.times < 0 ? n > 0 : n == a.times;
      if (!ar.pass && shared->texts) {
        ar.detail = a.kind == Assertion::NotSent ? fmt::format("{} were sent", n)
                    : a.times < 0                ? std::string("none was sent")
                                  : fmt::format("expected {} times, sent {} times", a.times, n);
      }
      shared->results.push_back(std::move(ar));
    }
    if (a.kind == Assertion::Finished) {
      AssertionResult ar;
      ar.loc = a.loc;
      ar.what = "expect finished";
      ar.pass = res.finished;
      if (!ar.pass) ar.detail = res.ending;
      shared->results.push_back(std::move(ar));
    }
  }
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
