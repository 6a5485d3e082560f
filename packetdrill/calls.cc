// System calls: packetdrill's call syntax (`...` for addresses and
// buffers, `[1]` for an int option, struct literals, `= -1 EINPROGRESS
// (text)`) mapped onto the simulated sockets (sim/sockets.h). The one
// place that knows both, so that it can become an adapter over a shared
// table of socket calls later.
#include <fmt/format.h>

#include <map>

#include "packetdrill/parser.h"
#include "packetdrill/run_state.h"

namespace tcpsim::packetdrill {

namespace {

// What a call did: its return value, or that it blocks.
struct Done {
  bool blocked = false;
  long value = 0;
  sim::Errno err = sim::Errno::Ok;
  static Done of(const sim::CallResult& c) { return {c.blocked, c.value, c.err}; }
};

constexpr std::uint32_t kPollIn = 0x001, kPollOut = 0x004, kPollErr = 0x008, kPollHup = 0x010,
                        kPollRdHup = 0x2000;

// Named constants the corpora use as values (not as selectors of a call's
// behaviour, which are matched by name below). O_NONBLOCK differs by stack.
std::optional<std::int64_t> constant(const Run& r, const std::string& w) {
  static const std::map<std::string, std::int64_t> k = {
      {"O_RDONLY", 0},       {"O_WRONLY", 1},       {"O_RDWR", 2},         {"POLLIN", kPollIn},
      {"POLLOUT", kPollOut}, {"POLLERR", kPollErr}, {"POLLHUP", kPollHup}, {"POLLRDHUP", kPollRdHup},
      {"POLLRDNORM", 0x040}, {"POLLWRNORM", 0x100}, {"POLLPRI", 0x002},
  };
  if (w == "O_NONBLOCK") return r.stack == Stack::FreeBsd ? 0x4 : 0x800;
  auto it = k.find(w);
  if (it == k.end()) return std::nullopt;
  return it->second;
}

std::int64_t int_value(const Run& r, const Event& e, const Expr& x) {
  switch (x.kind) {
    case Expr::Kind::Integer: return x.integer;
    case Expr::Kind::Word:
      if (auto v = constant(r, x.text)) return *v;
      r.unsupported(x.where, "the constant " + x.text);
    case Expr::Kind::Binary:
      if (x.text == "|") return int_value(r, e, x.items[0]) | int_value(r, e, x.items[1]);
      break;
    case Expr::Kind::List:
      if (x.items.size() == 1) return int_value(r, e, x.items[0]);
      break;
    default: break;
  }
  r.unsupported(x.where, "the argument " + dump(x));
}

const Expr& arg(const Run& r, const Event& e, const Syscall& c, std::size_t i) {
  if (i >= c.args.size()) r.fail(e.where, fmt::format("{}() needs at least {} arguments", c.name, i + 1));
  return c.args[i];
}

bool is_word(const Expr& x, const char* w) { return x.kind == Expr::Kind::Word && x.text == w; }
bool has_word(const Expr& x, const char* w) {
  if (is_word(x, w)) return true;
  if (x.kind == Expr::Kind::Binary && x.text == "|")
    return has_word(x.items[0], w) || has_word(x.items[1], w);
  return false;
}

// packetdrill's descriptors are the script's names for the live ones
// (socket() = 3 names whatever the host returned 3), as run_system_call.c
// maps them.
int live_fd(Run& r, int script_fd) {
  auto it = r.fds.find(script_fd);
  return it == r.fds.end() ? script_fd : it->second;
}

int fd_arg(Run& r, const Event& e, const Syscall& c) {
  const int fd = live_fd(r, static_cast<int>(int_value(r, e, arg(r, e, c, 0))));
  r.last_fd = fd;
  return fd;
}

// An address argument: packetdrill's `...` is the script's own address
// (port 8080); anything written out is not supported yet.
void need_ellipsis(Run& r, const Event& e, const Syscall& c, std::size_t i) {
  const Expr& x = arg(r, e, c, i);
  if (x.kind != Expr::Kind::Ellipsis) r.unsupported(x.where, c.name + "() with an explicit address");
}

std::uint32_t poll_bits(const Run& r, int fd) {
  // Linux's tcp_poll and epoll share the bit values for these events.
  return r.sockets->readiness(r.pid, fd);
}

Done do_socket(Run& r, const Event& e, const Syscall& c) {
  const Expr& domain = arg(r, e, c, 0);
  if (is_word(domain, "AF_INET6") || is_word(domain, "PF_INET6")) r.unsupported(domain.where, "IPv6 sockets");
  if (!has_word(arg(r, e, c, 1), "SOCK_STREAM"))
    r.unsupported(c.args[1].where, "a socket type other than TCP");
  sim::CallResult res = r.sockets->socket(r.pid);
  if (res.value >= 0) {
    r.last_fd = static_cast<int>(res.value);
    if (has_word(c.args[1], "SOCK_NONBLOCK")) r.sockets->set_nonblocking(r.pid, r.last_fd, true);
  }
  return Done::of(res);
}

Done do_sockopt(Run& r, const Event& e, const Syscall& c, bool set) {
  const int fd = fd_arg(r, e, c);
  const Expr& name = arg(r, e, c, 2);
  const auto opt = name.kind == Expr::Kind::Word ? sim::sockopt_from_name(name.text) : std::nullopt;
  if (!opt) r.unsupported(name.where, fmt::format("{}({})", c.name, dump(name)));
  const Expr& val = arg(r, e, c, 3);
  if (set) {
    if (*opt == sim::SockOpt::Linger) {
      if (val.kind != Expr::Kind::Struct || val.items.size() != 2)
        r.unsupported(val.where, "SO_LINGER's value");
      auto field = [&](std::size_t i) {
        const Expr& f = val.items[i];
        return int_value(r, e, f.kind == Expr::Kind::Binary && f.text == "=" ? f.items[1] : f);
      };
      return Done::of(
          r.sockets->setsockopt(r.pid, fd, *opt, static_cast<int>(field(0)), static_cast<int>(field(1))));
    }
    return Done::of(r.sockets->setsockopt(r.pid, fd, *opt, static_cast<int>(int_value(r, e, val))));
  }
  const sim::CallResult res = r.sockets->getsockopt(r.pid, fd, *opt);
  if (res.value < 0 || val.kind == Expr::Kind::Ellipsis) return Done::of(res);
  // The value written into the caller's buffer is checked like a result.
  if (*opt == sim::SockOpt::Error) {
    const Expr& want = val.kind == Expr::Kind::List && val.items.size() == 1 ? val.items[0] : val;
    // getsockopt(SO_ERROR) gives Linux's errno number (EPIPE 32), as the kernel does.
    const std::string got_name =
        res.value == 0 ? "0" : std::string(sim::errno_name_of_number(static_cast<int>(res.value)));
    const std::string want_name = want.kind == Expr::Kind::Integer ? std::to_string(want.integer) : want.text;
    if (want_name != got_name) {
      r.fail(e.where, fmt::format("{}(SO_ERROR): expected: {} vs actual: {}", c.name, want_name, got_name));
    }
  } else if (const std::int64_t want = int_value(r, e, val); want != res.value) {
    r.fail(e.where, fmt::format("{}({}): expected: {} vs actual: {}", c.name, name.text, want, res.value));
  }
  return Done{false, 0, sim::Errno::Ok};
}

Done do_fcntl(Run& r, const Event& e, const Syscall& c) {
  const int fd = fd_arg(r, e, c);
  const Expr& cmd = arg(r, e, c, 1);
  const std::int64_t nonblock = *constant(r, "O_NONBLOCK");
  if (is_word(cmd, "F_GETFL")) {
    const sim::Socket* s = r.sockets->socket_of(r.pid, fd);
    if (!s) return {false, -1, sim::Errno::BadF};
    return {false, 2 | (s->nonblocking ? nonblock : 0), sim::Errno::Ok};
  }
  if (is_word(cmd, "F_SETFL")) {
    const std::int64_t flags = int_value(r, e, arg(r, e, c, 2));
    return Done::of(r.sockets->set_nonblocking(r.pid, fd, (flags & nonblock) != 0));
  }
  r.unsupported(cmd.where, "fcntl(" + dump(cmd) + ")");
}

Done do_poll(Run& r, const Event& e, const Syscall& c, bool resume) {
  const Expr& fds = arg(r, e, c, 0);
  if (fds.kind != Expr::Kind::List || fds.items.size() != 1 || fds.items[0].kind != Expr::Kind::Struct) {
    r.unsupported(fds.where, "poll() on other than one descriptor");
  }
  const Expr& pfd = fds.items[0];
  const Expr* fd_x = pfd.field("fd");
  const Expr* events_x = pfd.field("events");
  if (!fd_x || !events_x) r.unsupported(pfd.where, "a pollfd without fd= and events=");
  const int fd = live_fd(r, static_cast<int>(int_value(r, e, *fd_x)));
  r.last_fd = fd;
  const auto events = static_cast<std::uint32_t>(int_value(r, e, *events_x));
  const std::int64_t timeout_ms = int_value(r, e, arg(r, e, c, 2));
  const std::uint32_t revents = poll_bits(r, fd) & (events | kPollErr | kPollHup);
  if (revents == 0 && timeout_ms != 0) {
    if (!resume) {
      // Wake the call at its timeout even if nothing happens on the host.
      const Time deadline = timeout_ms < 0 ? kTimeMax : sat_add(r.net.now(), timeout_ms * kMillisecond);
      r.net.scheduler().schedule_at(deadline, [&r] { r.sockets->on_change(); });
      r.poll_deadline = deadline;
    }
    if (r.net.now() < r.poll_deadline) return {true, 0, sim::Errno::Ok};
  }
  if (const Expr* want = pfd.field("revents")) {
    const auto w = static_cast<std::uint32_t>(int_value(r, e, *want));
    if (w != revents) {
      r.fail(e.where, fmt::format("poll() revents: expected: {:#x} vs actual: {:#x}", w, revents));
    }
  }
  return {false, revents ? 1 : 0, sim::Errno::Ok};
}

Done do_ioctl(Run& r, const Event& e, const Syscall& c) {
  const int fd = fd_arg(r, e, c);
  const Expr& req = arg(r, e, c, 1);
  if (!is_word(req, "SIOCINQ") && !is_word(req, "FIONREAD"))
    r.unsupported(req.where, "ioctl(" + dump(req) + ")");
  const sim::Socket* s = r.sockets->socket_of(r.pid, fd);
  if (!s) return {false, -1, sim::Errno::BadF};
  const sim::Conn* conn = s->conn == sim::kNoConn ? nullptr : r.host->conn(s->conn);
  const std::int64_t queued = conn ? static_cast<std::int64_t>(conn->ep.tcb().recv_buffer.size()) : 0;
  const std::int64_t want = int_value(r, e, arg(r, e, c, 2));
  if (want != queued)
    r.fail(e.where, fmt::format("ioctl(SIOCINQ): expected: {} vs actual: {}", want, queued));
  return {false, 0, sim::Errno::Ok};
}

Done do_shutdown(Run& r, const Event& e, const Syscall& c) {
  const int fd = fd_arg(r, e, c);
  const Expr& how = arg(r, e, c, 1);
  sim::Shut h = sim::Shut::RdWr;
  if (is_word(how, "SHUT_RD")) {
    h = sim::Shut::Rd;
  } else if (is_word(how, "SHUT_WR")) {
    h = sim::Shut::Wr;
  } else if (!is_word(how, "SHUT_RDWR")) {
    r.unsupported(how.where, "shutdown(" + dump(how) + ")");
  }
  return Done::of(r.sockets->shutdown(r.pid, fd, h));
}

// send/recv flags: only 0 is modelled.
void need_no_flags(Run& r, const Event& e, const Syscall& c, std::size_t i) {
  if (i < c.args.size() && int_value(r, e, c.args[i]) != 0)
    r.unsupported(c.args[i].where, c.name + "() flags");
}

Done perform(Run& r, const Event& e, const Syscall& c, bool resume) {
  const std::string& n = c.name;
  if (n == "socket") return do_socket(r, e, c);
  if (n == "setsockopt") return do_sockopt(r, e, c, true);
  if (n == "getsockopt") return do_sockopt(r, e, c, false);
  if (n == "fcntl") return do_fcntl(r, e, c);
  if (n == "poll") return do_poll(r, e, c, resume);
  if (n == "ioctl") return do_ioctl(r, e, c);
  if (n == "shutdown") return do_shutdown(r, e, c);
  if (n == "close") return Done::of(r.sockets->close(r.pid, fd_arg(r, e, c)));
  if (n == "listen") {
    const int fd = fd_arg(r, e, c);
    return Done::of(r.sockets->listen(r.pid, fd, static_cast<int>(int_value(r, e, arg(r, e, c, 1)))));
  }
  if (n == "bind") {
    const int fd = fd_arg(r, e, c);
    need_ellipsis(r, e, c, 1);
    return Done::of(r.sockets->bind(r.pid, fd, sim::Addr{r.host->ip(), 8080}));
  }
  if (n == "connect") {
    const int fd = fd_arg(r, e, c);
    need_ellipsis(r, e, c, 1);
    return Done::of(r.sockets->connect(r.pid, fd, sim::Addr{r.remote.ip, 8080}, resume));
  }
  if (n == "accept") {
    const int fd = fd_arg(r, e, c);
    const sim::CallResult res = r.sockets->accept(r.pid, fd);
    if (!res.blocked && res.value >= 0) r.last_fd = static_cast<int>(res.value);
    return Done::of(res);
  }
  if (n == "write" || n == "send" || n == "sendto") {
    const int fd = fd_arg(r, e, c);
    if (n != "write") need_no_flags(r, e, c, 3);
    if (n == "sendto") need_ellipsis(r, e, c, 4);
    const std::int64_t len = int_value(r, e, arg(r, e, c, 2));
    if (len < 0 || len > (1 << 26)) r.unsupported(c.args[2].where, "a write of this size");
    return Done::of(r.sockets->write(r.pid, fd, std::string(static_cast<std::size_t>(len), 'y')));
  }
  if (n == "read" || n == "recv") {
    const int fd = fd_arg(r, e, c);
    if (n == "recv") need_no_flags(r, e, c, 3);
    const std::int64_t len = int_value(r, e, arg(r, e, c, 2));
    if (len < 0) r.unsupported(c.args[2].where, "a negative read size");
    return Done::of(r.sockets->read(r.pid, fd, static_cast<std::size_t>(len)));
  }
  r.unsupported(e.where, "the system call " + n + "()");
}

std::string errno_text(sim::Errno e) { return e == sim::Errno::Ok ? "0" : std::string(sim::errno_name(e)); }

void check_result(Run& r, const Event& e, const Syscall& c, const Done& d) {
  if (c.result.kind == Expr::Kind::Ellipsis) return;
  const std::int64_t want = int_value(r, e, c.result);
  if ((c.name == "socket" || c.name == "accept") && want >= 0 && d.value >= 0) {
    r.fds[static_cast<int>(want)] = static_cast<int>(d.value);
    return;
  }
  if (want != d.value) {
    r.fail(e.where, fmt::format("{}() returned {}{} but expected {}", c.name, d.value,
                                d.value == -1 ? " (" + errno_text(d.err) + ")" : "", want));
  }
  if (want == -1 && c.errno_name) {
    std::string name = *c.errno_name == "EWOULDBLOCK" ? "EAGAIN" : *c.errno_name;
    if (name != errno_text(d.err)) {
      r.fail(e.where,
             fmt::format("{}() errno: expected: {} vs actual: {}", c.name, *c.errno_name, errno_text(d.err)));
    }
  }
}

}  // namespace

bool start_call(Run& r, const Event& e, const Syscall& c) {
  if (r.options.verbose) r.log += fmt::format("{:.6f} {}: {}()\n", r.net.now() / 1e9, e.where.line, c.name);
  const Done d = perform(r, e, c, false);
  if (d.blocked) return false;
  check_result(r, e, c, d);
  return true;
}

bool retry_call(Run& r, const Event& e, const Syscall& c) {
  const Done d = perform(r, e, c, true);
  if (d.blocked) return false;
  check_result(r, e, c, d);
  return true;
}

}  // namespace tcpsim::packetdrill
