// System calls: packetdrill's call syntax (`...` for addresses and
// buffers, `[1]` for an int option, struct literals, `= -1 EINPROGRESS
// (text)`) written as calls of the one table of socket calls
// (sim/socket_calls.h), decoded there and performed on the simulated
// sockets by PdCalls (one method per call, reached by sim::perform). What
// packetdrill passes in buffers (getsockopt's value, poll's revents,
// ioctl's count) is compared here after the call, as packetdrill does.
#include <fmt/format.h>

#include <map>

#include "packetdrill/parser.h"
#include "packetdrill/run_state.h"
#include "sim/socket_calls.h"
#include "sim/tcp_info.h"

namespace tcpsim::packetdrill {

namespace {

using sim::CallArg;
using sim::CallId;
using sim::CallResult;

// packetdrill's names for calls the table has under another name: the
// address packetdrill gives sendto/recvfrom is the connection's own.
const std::map<std::string, CallId>& aliases() {
  static const std::map<std::string, CallId> m = {{"sendto", CallId::send}, {"recvfrom", CallId::recv}};
  return m;
}

// Named constants the corpora use as plain values. O_NONBLOCK differs by
// stack (Linux 04000, FreeBSD 4).
std::optional<std::int64_t> constant(const Run& r, const std::string& w) {
  static const std::map<std::string, std::int64_t> k = {{"O_RDONLY", 0}, {"O_WRONLY", 1}, {"O_RDWR", 2}};
  if (w == "O_NONBLOCK") return r.stack == Stack::FreeBsd ? 0x4 : sim::kONonblock;
  auto it = k.find(w);
  if (it == k.end()) return std::nullopt;
  return it->second;
}

std::int64_t int_value(const Run& r, const Expr& x) {
  switch (x.kind) {
    case Expr::Kind::Integer: return x.integer;
    case Expr::Kind::Word:
      if (auto v = constant(r, x.text)) return *v;
      r.unsupported(x.where, "the constant " + x.text);
    case Expr::Kind::Binary:
      if (x.text == "|") return int_value(r, x.items[0]) | int_value(r, x.items[1]);
      break;
    case Expr::Kind::List:
      if (x.items.size() == 1) return int_value(r, x.items[0]);
      break;
    default: break;
  }
  r.unsupported(x.where, "the argument " + dump(x));
}

sim::SourceLoc loc(const Expr& x) { return {x.where.line, x.where.column}; }

CallArg number(long v, const Expr& at) {
  CallArg a;
  a.kind = CallArg::Number;
  a.number = v;
  a.loc = loc(at);
  return a;
}

// A word or words joined with '|' as the table reads names; numbers as
// numbers (a value such as 0 or 1000).
void names_of(const Expr& x, std::vector<std::string>& out, bool& ok) {
  if (x.kind == Expr::Kind::Word) {
    out.push_back(x.text);
  } else if (x.kind == Expr::Kind::Binary && x.text == "|") {
    names_of(x.items[0], out, ok);
    names_of(x.items[1], out, ok);
  } else {
    ok = false;
  }
}

CallArg word_arg(const Run& r, const Expr& x) {
  std::vector<std::string> names;
  bool ok = true;
  names_of(x, names, ok);
  if (!ok) return number(static_cast<long>(int_value(r, x)), x);
  CallArg a;
  a.kind = names.size() == 1 ? CallArg::Ident : CallArg::Flags;
  if (names.size() == 1) a.text = names[0];
  a.flags = names;
  a.loc = loc(x);
  return a;
}

bool is_word(const Expr& x, const char* w) { return x.kind == Expr::Kind::Word && x.text == w; }
bool has_word(const Expr& x, const char* w) {
  if (is_word(x, w)) return true;
  if (x.kind == Expr::Kind::Binary && x.text == "|")
    return has_word(x.items[0], w) || has_word(x.items[1], w);
  return false;
}

// One packetdrill call, written as the table's call: its row, the
// arguments in the table's syntax, and the buffer the script expects back.
struct Written {
  const sim::CallSpec* spec = nullptr;
  std::vector<CallArg> args;
  const Expr* out = nullptr;  // getsockopt's value, ioctl's count, poll's revents
};

struct Adapter {
  Run& r;
  const Event& e;
  const Syscall& c;

  const Expr& arg(std::size_t i) const {
    if (i >= c.args.size()) r.fail(e.where, fmt::format("{}() needs at least {} arguments", c.name, i + 1));
    return c.args[i];
  }
  // packetdrill's descriptors are the script's names for the live ones
  // (socket() = 3 names whatever the host returned 3), as
  // run_system_call.c maps them.
  CallArg fd(const Expr& x) const {
    const int script_fd = static_cast<int>(int_value(r, x));
    auto it = r.fds.find(script_fd);
    const int live = it == r.fds.end() ? script_fd : it->second;
    r.last_fd = live;
    return number(live, x);
  }
  // `...` is the script's own address (port 8080); anything written out is not supported yet.
  CallArg address(std::size_t i, sim::Addr a) const {
    const Expr& x = arg(i);
    if (x.kind != Expr::Kind::Ellipsis) r.unsupported(x.where, c.name + "() with an explicit address");
    CallArg out;
    out.kind = CallArg::Address;
    out.addr = a;
    out.loc = loc(x);
    return out;
  }
  CallArg count(std::size_t i) const { return number(static_cast<long>(int_value(r, arg(i))), arg(i)); }

  void socket(Written& w) const {
    const Expr& domain = arg(0);
    if (is_word(domain, "AF_INET6") || is_word(domain, "PF_INET6"))
      r.unsupported(domain.where, "IPv6 sockets");
    if (!has_word(arg(1), "SOCK_STREAM")) r.unsupported(c.args[1].where, "a socket type other than TCP");
    // `...` for the domain: packetdrill's AF_INET (or AF_INET6 under --ip_version=ipv6).
    CallArg inet;
    inet.text = "AF_INET";
    inet.loc = loc(domain);
    w.args.push_back(domain.kind == Expr::Kind::Ellipsis ? inet : word_arg(r, domain));
    for (std::size_t i = 1; i < 3; ++i) w.args.push_back(word_arg(r, arg(i)));
  }
  // setsockopt(fd, level, NAME, [v] or {onoff, linger}, len) ->
  // setsockopt(fd, level, NAME, v...); getsockopt(fd, level, NAME, [v], [len])
  // -> getsockopt(fd, level, NAME), [v] compared after.
  void sockopt(Written& w, bool set) const {
    w.args = {fd(arg(0)), word_arg(r, arg(1))};
    const Expr& name = arg(2);
    if (name.kind != Expr::Kind::Word || !sim::sockopt_from_name(name.text))
      r.unsupported(name.where, fmt::format("{}({})", c.name, dump(name)));
    w.args.push_back(word_arg(r, name));
    const Expr& val = arg(3);
    if (!set) {
      if (val.kind != Expr::Kind::Ellipsis) w.out = &val;
      return;
    }
    if (val.kind == Expr::Kind::Struct) {
      for (const Expr& f : val.items)
        w.args.push_back(count_of(f.kind == Expr::Kind::Binary && f.text == "=" ? f.items[1] : f));
    } else {
      w.args.push_back(count_of(val));
    }
  }
  CallArg count_of(const Expr& x) const { return number(static_cast<long>(int_value(r, x)), x); }
  // fcntl(fd, F_GETFL) / fcntl(fd, F_SETFL, flags): the flags by name, so
  // that FreeBSD's O_NONBLOCK (4) reads as the table's.
  void fcntl(Written& w) const {
    w.args = {fd(arg(0)), word_arg(r, arg(1))};
    if (c.args.size() > 2) w.args.push_back(word_arg(r, arg(2)));
  }
  // poll([{fd=N, events=E[, revents=R]}], 1, timeout) -> poll(N, E, timeout).
  void poll(Written& w) const {
    const Expr& fds = arg(0);
    if (fds.kind != Expr::Kind::List || fds.items.size() != 1 || fds.items[0].kind != Expr::Kind::Struct)
      r.unsupported(fds.where, "poll() on other than one descriptor");
    const Expr& pfd = fds.items[0];
    const Expr* fd_x = pfd.field("fd");
    const Expr* events_x = pfd.field("events");
    if (!fd_x || !events_x) r.unsupported(pfd.where, "a pollfd without fd= and events=");
    w.args = {fd(*fd_x), word_arg(r, *events_x), count(2)};
    w.out = pfd.field("revents");
  }

  Written write() const {
    Written w;
    const std::string& n = c.name;
    auto alias = aliases().find(n);
    w.spec = alias != aliases().end() ? &sim::call_spec(alias->second) : sim::find_call(n);
    if (!w.spec) r.unsupported(e.where, "the system call " + n + "()");
    switch (w.spec->id) {
      case CallId::socket: socket(w); break;
      case CallId::setsockopt: sockopt(w, true); break;
      case CallId::getsockopt: sockopt(w, false); break;
      case CallId::bind: w.args = {fd(arg(0)), address(1, sim::Addr{r.host->ip(), 8080})}; break;
      case CallId::connect: w.args = {fd(arg(0)), address(1, sim::Addr{r.remote.ip, 8080})}; break;
      case CallId::listen: w.args = {fd(arg(0)), count(1)}; break;
      case CallId::accept:
      case CallId::close: w.args = {fd(arg(0))}; break;
      case CallId::shutdown: w.args = {fd(arg(0)), word_arg(r, arg(1))}; break;
      case CallId::fcntl: fcntl(w); break;
      case CallId::poll: poll(w); break;
      case CallId::ioctl:
        w.args = {fd(arg(0)), word_arg(r, arg(1))};
        w.out = &arg(2);
        break;
      // read(fd, buf, n), recv(fd, buf, n, flags); write/send alike; sendto's
      // address must be the connection's (`...`).
      case CallId::read:
      case CallId::write: w.args = {fd(arg(0)), count(2)}; break;
      case CallId::recv:
      case CallId::send:
        w.args = {fd(arg(0)), count(2)};
        if (c.args.size() > 3) w.args.push_back(word_arg(r, arg(3)));
        if (c.args.size() > 4) address(4, r.remote);
        break;
      default: r.unsupported(e.where, "the system call " + n + "()");
    }
    return w;
  }
};

// Performs decoded calls on the host's sockets for the script: one method
// per call of the table, reached through sim::perform.
struct PdCalls {
  Run& r;
  const Event& e;
  bool resume;
  std::vector<sim::EpollEvent> events;  // poll's revents

  using D = sim::DecodedCall;
  sim::Sockets& k() { return *r.sockets; }
  int fd(const D& d) const { return d.fd.number; }
  [[noreturn]] void not_written(const D& d) { r.unsupported(e.where, fmt::format("{}()", d.spec().name)); }

  CallResult socket(const D& d) {
    const CallResult res = k().socket(r.pid);
    if (res.value >= 0) {
      r.last_fd = static_cast<int>(res.value);
      if (d.nonblocking) k().set_nonblocking(r.pid, r.last_fd, true);
    }
    return res;
  }
  CallResult setsockopt(const D& d) { return k().setsockopt(r.pid, fd(d), d.opt, d.value, d.value2); }
  CallResult getsockopt(const D& d) { return k().getsockopt(r.pid, fd(d), d.opt, d.value); }
  CallResult bind(const D& d) { return k().bind(r.pid, fd(d), d.addr); }
  CallResult listen(const D& d) { return k().listen(r.pid, fd(d), d.backlog); }
  CallResult accept(const D& d) {
    const CallResult res = k().accept(r.pid, fd(d));
    if (!res.blocked && res.value >= 0) r.last_fd = static_cast<int>(res.value);
    return res;
  }
  CallResult connect(const D& d) { return k().connect(r.pid, fd(d), d.addr, resume); }
  CallResult read(const D& d) { return recv(d); }
  CallResult recv(const D& d) {
    return k().read(r.pid, fd(d), static_cast<std::size_t>(d.count), nullptr, d.msg_flags);
  }
  CallResult write(const D& d) { return send(d); }
  CallResult send(const D& d) {
    if (d.count > (1u << 26)) r.unsupported(e.where, "a write of this size");
    return k().write(r.pid, fd(d), std::string(static_cast<std::size_t>(d.count), 'y'), d.msg_flags);
  }
  CallResult shutdown(const D& d) { return k().shutdown(r.pid, fd(d), d.how); }
  CallResult close(const D& d) { return k().close(r.pid, fd(d)); }
  CallResult fcntl(const D& d) {
    if (!d.getfl) return k().set_nonblocking(r.pid, fd(d), d.nonblocking);
    const sim::Socket* s = k().socket_of(r.pid, fd(d));
    if (!s) return CallResult::fail(sim::Errno::BadF);
    return CallResult::ok(sim::kORdWr | (s->nonblocking ? *constant(r, "O_NONBLOCK") : 0));
  }
  CallResult poll(const D& d) {
    events.clear();
    if (const std::uint32_t revents = k().poll_revents(r.pid, fd(d), d.events)) {
      events.push_back(sim::EpollEvent{fd(d), revents});
      return CallResult::ok(1);
    }
    if (d.timeout == 0) return CallResult::ok(0);
    if (!resume) {
      // Wake the call at its timeout even if nothing happens on the host.
      const Time deadline = d.timeout < 0 ? kTimeMax : sat_add(r.net.now(), d.timeout);
      r.net.scheduler().schedule_at(deadline, [&run = r] { run.sockets->on_change(); });
      r.poll_deadline = deadline;
    }
    return r.net.now() < r.poll_deadline ? CallResult::wait() : CallResult::ok(0);
  }
  CallResult ioctl(const D& d) { return k().ioctl(r.pid, fd(d), d.request); }
  // Never written by Adapter (packetdrill's epoll and dup are not supported yet).
  // tcpsim's own calls: packetdrill has no read_to_end or tcp_state.
  CallResult read_to_end(const D& d) { not_written(d); }
  CallResult tcp_state(const D& d) { not_written(d); }
  CallResult dup(const D& d) { not_written(d); }
  CallResult epoll_create1(const D& d) { not_written(d); }
  CallResult epoll_ctl(const D& d) { not_written(d); }
  CallResult epoll_wait(const D& d) { not_written(d); }
  CallResult getsockname(const D& d) { not_written(d); }
  CallResult getpeername(const D& d) { not_written(d); }
};

std::string errno_text(sim::Errno e) { return e == sim::Errno::Ok ? "0" : std::string(sim::errno_name(e)); }

// What came back in the call's buffer against what the script wrote there.
void check_out(Run& r, const Event& e, const Syscall& c, const sim::DecodedCall& d, const Expr& want,
               const CallResult& res, const std::vector<sim::EpollEvent>& events) {
  const Expr& w = want.kind == Expr::Kind::List && want.items.size() == 1 ? want.items[0] : want;
  if (d.id == CallId::getsockopt && sim::sockopt_info(d.opt).errno_value) {
    // getsockopt(SO_ERROR) gives Linux's errno number (EPIPE 32), as the kernel does.
    const std::string got =
        res.value == 0 ? "0" : std::string(sim::errno_name_of_number(static_cast<int>(res.value)));
    const std::string wanted = w.kind == Expr::Kind::Integer ? std::to_string(w.integer) : w.text;
    if (wanted != got)
      r.fail(e.where, fmt::format("{}(SO_ERROR): expected: {} vs actual: {}", c.name, wanted, got));
  } else if (d.id == CallId::poll) {
    std::vector<std::string> names;
    bool ok = true;
    names_of(w, names, ok);
    const auto named = ok ? sim::poll_events_value(names) : std::nullopt;
    if (ok && !named) r.unsupported(w.where, "the poll events " + dump(w));
    const std::uint32_t wanted = named ? *named : static_cast<std::uint32_t>(int_value(r, w));
    const std::uint32_t got = events.empty() ? 0 : events[0].events;
    if (wanted != got)
      r.fail(e.where, fmt::format("poll() revents: expected: {:#x} vs actual: {:#x}", wanted, got));
  } else if (const std::int64_t wanted = int_value(r, w); wanted != res.value) {
    const std::string what = d.id == CallId::ioctl ? dump(c.args[1]) : dump(c.args[2]);
    r.fail(e.where, fmt::format("{}({}): expected: {} vs actual: {}", c.name, what, wanted, res.value));
  }
}

void check_result(Run& r, const Event& e, const Syscall& c, const sim::DecodedCall& d, long value,
                  sim::Errno err) {
  if (c.result.kind == Expr::Kind::Ellipsis) return;
  const std::int64_t want = int_value(r, c.result);
  if (d.spec().returns_fd && want >= 0 && value >= 0) {
    r.fds[static_cast<int>(want)] = static_cast<int>(value);
    return;
  }
  if (want != value) {
    r.fail(e.where, fmt::format("{}() returned {}{} but expected {}", c.name, value,
                                value == -1 ? " (" + errno_text(err) + ")" : "", want));
  }
  if (want == -1 && c.errno_name) {
    const std::string name = *c.errno_name == "EWOULDBLOCK" ? "EAGAIN" : *c.errno_name;
    if (name != errno_text(err))
      r.fail(e.where,
             fmt::format("{}() errno: expected: {} vs actual: {}", c.name, *c.errno_name, errno_text(err)));
  }
}

// Performs the call (again, when `resume`); false while it blocks.
bool perform(Run& r, const Event& e, const Syscall& c, bool resume) {
  const Written w = Adapter{r, e, c}.write();
  auto decoded = sim::decode_call(*w.spec, w.args, loc(c.args.empty() ? c.result : c.args[0]));
  if (auto* err = std::get_if<sim::CallError>(&decoded))
    r.unsupported(Location{err->loc.line, err->loc.col}, err->message);
  const sim::DecodedCall& d = std::get<sim::DecodedCall>(decoded);
  PdCalls calls{r, e, resume, {}};
  CallResult res = sim::perform(calls, d);
  if (res.blocked) return false;
  long value = res.value;
  // A value returned in the caller's buffer: the call itself returned 0.
  if (w.out && res.err == sim::Errno::Ok && d.id != CallId::poll) {
    check_out(r, e, c, d, *w.out, res, calls.events);
    value = 0;
  } else if (w.out && d.id == CallId::poll) {
    check_out(r, e, c, d, *w.out, res, calls.events);
  }
  check_result(r, e, c, d, value, res.err);
  return true;
}

}  // namespace

bool start_call(Run& r, const Event& e, const Syscall& c) {
  if (r.options.verbose) r.log += fmt::format("{:.6f} {}: {}()\n", r.net.now() / 1e9, e.where.line, c.name);
  return perform(r, e, c, false);
}

bool retry_call(Run& r, const Event& e, const Syscall& c) { return perform(r, e, c, true); }

}  // namespace tcpsim::packetdrill
