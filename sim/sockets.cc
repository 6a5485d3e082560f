#include "sim/sockets.h"

#include <algorithm>

#include "model/keepalive.h"
#include "sim/bind_rules.h"
#include "sim/network.h"
#include "sim/socket_calls.h"
#include "sim/tcp_info.h"

namespace tcpsim::sim {

using model::State;

namespace {

// Linux tcp_reset(): the error a RST leaves, by the state it arrived in.
Errno error_for_reset(State before, const Profile& p) {
  if (before == State::SynSent) return Errno::ConnRefused;
  if (before == State::CloseWait && p.reset_in_close_wait_epipe) return Errno::Pipe;
  return Errno::ConnReset;
}

BindState bind_state_of(const Conn& c) {
  // An orphaned FIN-WAIT-2 is a TIME-WAIT mini socket in Linux.
  if (c.state() == State::FinWait2 && !c.held) return BindState::TimeWait;
  switch (c.state()) {
    case State::Listen: return BindState::Listen;
    case State::TimeWait: return BindState::TimeWait;
    case State::Closed: return BindState::Bound;
    default: return BindState::Established;
  }
}

}  // namespace

// epoll_events_name, sockopt_from_name and sockopt_name: from the table of
// calls (sim/socket_calls.cc), where the names are said once.

Sockets::Sockets(Host& host) : host_(host) {
  host_.on_app = [this](Conn& c, model::AppEvent e) { on_app(c, e); };
}

ProcessId Sockets::add_process(std::string name) {
  procs_.push_back(Process{std::move(name)});
  return static_cast<ProcessId>(procs_.size() - 1);
}

Socket& Sockets::new_socket() {
  // Slots of released sockets are reused: no interest list names them any more.
  SocketId id;
  if (!free_sockets_.empty()) {
    id = free_sockets_.back();
    free_sockets_.pop_back();
    sockets_[id] = std::make_unique<Socket>();
  } else {
    id = static_cast<SocketId>(sockets_.size());
    sockets_.push_back(std::make_unique<Socket>());
  }
  Socket& s = *sockets_[id];
  s.id = id;
  return s;
}

int Sockets::new_fd(ProcessId p, SocketId s) {
  // POSIX: the lowest-numbered descriptor not open (the caller checked
  // fd_available()).
  ++sockets_[s]->refs;
  return procs_[p].fds.open(s);
}

bool Sockets::fd_available(ProcessId p) const {
  // Linux alloc_fd(): EMFILE once the descriptor would reach RLIMIT_NOFILE.
  return procs_[p].fds.lowest_free() < host_.profile().nofile;
}

Socket* Sockets::lookup(ProcessId p, int fd) {
  if (p >= procs_.size()) return nullptr;
  const SocketId id = procs_[p].fds.find(fd);
  return id == FdTable::kNone ? nullptr : sockets_[id].get();
}

const Socket* Sockets::lookup(ProcessId p, int fd) const {
  if (p >= procs_.size()) return nullptr;
  const SocketId id = procs_[p].fds.find(fd);
  return id == FdTable::kNone ? nullptr : sockets_[id].get();
}

const Socket* Sockets::socket_of(ProcessId p, int fd) const { return lookup(p, fd); }

Conn* Sockets::conn_of(const Socket& s) { return s.conn == kNoConn ? nullptr : host_.conn(s.conn); }
const Conn* Sockets::conn_of(const Socket& s) const {
  return s.conn == kNoConn ? nullptr : host_.conn(s.conn);
}

model::State Sockets::state_of(ProcessId p, int fd) const {
  const Socket* s = lookup(p, fd);
  const Conn* c = s ? conn_of(*s) : nullptr;
  return c ? c->state() : State::Closed;
}

Errno Sockets::take_error(Socket& s) {
  const Errno e = s.error;
  s.error = Errno::Ok;
  return e;
}

void Sockets::wake(Socket& s, std::uint32_t key) {
  ++s.generation;
  // ep_poll_callback: a keyed wakeup that none of an interest's events
  // match leaves it off the ready list (EPOLLERR|EPOLLHUP are always in it).
  for (auto& sp : sockets_) {
    if (!sp || !sp->is_epoll) continue;
    for (auto& i : sp->interest) {
      if (i.target == s.id && (key == 0 || (key & (i.events | kEpollErr | kEpollHup)))) i.pending = true;
    }
  }
}

void Sockets::on_app(Conn& c, model::AppEvent e) {
  if (c.user) {
    Socket& s = *static_cast<Socket*>(c.user);
    // The errors stay for connect() to report too: a failed handshake is
    // still SS_CONNECTING to Linux, so `connecting` is left alone.
    std::uint32_t key = 0;  // sk_state_change (connected, FIN, reset, closed): every waiter
    bool wakes = true;
    switch (e) {
      case model::AppEvent::Reset: s.error = error_for_reset(c.state_before_close, host_.profile()); break;
      case model::AppEvent::Refused: s.error = Errno::ConnRefused; break;
      case model::AppEvent::TimedOut: s.error = Errno::TimedOut; break;
      case model::AppEvent::Readable: key = kEpollIn; break;  // sk_data_ready
      case model::AppEvent::Writable:
        // sk_stream_write_space: only once a writer had found no room.
        wakes = s.nospace && (poll(s) & kEpollOut);
        if (wakes) {
          s.nospace = false;
          key = kEpollOut;
        }
        break;
      default: break;
    }
    if (wakes) wake(s, key);
  }
  if (on_change) on_change();
}

// ---------------------------------------------------------------- creation

CallResult Sockets::socket(ProcessId p) {
  if (!fd_available(p)) return CallResult::fail(Errno::MFile);
  Socket& s = new_socket();
  return CallResult::ok(new_fd(p, s.id));
}

CallResult Sockets::dup(ProcessId p, int fd) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  if (!fd_available(p)) return CallResult::fail(Errno::MFile);
  return CallResult::ok(new_fd(p, s->id));
}

CallResult Sockets::set_nonblocking(ProcessId p, int fd, bool on) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  s->nonblocking = on;
  return CallResult::ok();
}

CallResult Sockets::setsockopt(ProcessId p, int fd, SockOpt opt, int value, int value2) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  if (s->is_epoll) return CallResult::fail(Errno::NotSock);
  switch (opt) {
    case SockOpt::ReuseAddr: s->reuseaddr = value != 0; break;
    case SockOpt::ReusePort: s->reuseport = value != 0; break;
    case SockOpt::Linger:
      s->linger = value != 0;
      s->linger_seconds = value2;
      break;
    // Linux doubles the value asked for (sock_setsockopt: "to leave room for
    // overhead") and reports the doubled value; tcpsim uses the value asked
    // for as the data space, i.e. the largest window it advertises.
    case SockOpt::RcvBuf: s->rcvbuf = std::max(value, 1) * 2; break;
    case SockOpt::SndBuf: s->sndbuf = std::max(value, 1) * 2; break;
    case SockOpt::NoDelay: s->nodelay = value != 0; break;
    case SockOpt::Cork: s->cork = value != 0; break;
    case SockOpt::KeepAlive: s->keepalive = value != 0; break;
    // Linux do_tcp_setsockopt(): 1 to MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL
    // (32767 s), MAX_TCP_KEEPCNT (127), else EINVAL.
    case SockOpt::KeepIdle:
    case SockOpt::KeepIntvl:
    case SockOpt::KeepCnt: {
      const int most = opt == SockOpt::KeepCnt ? 127 : 32767;
      if (value < 1 || value > most) return CallResult::fail(Errno::Inval);
      (opt == SockOpt::KeepIdle    ? s->keepidle
       : opt == SockOpt::KeepIntvl ? s->keepintvl
                                   : s->keepcnt) = value;
      break;
    }
    case SockOpt::RcvTimeo: s->rcvtimeo = Duration{value} * kMillisecond; break;
    case SockOpt::SndTimeo: s->sndtimeo = Duration{value} * kMillisecond; break;
    case SockOpt::UserTimeout:
      if (value < 0) return CallResult::fail(Errno::Inval);  // Linux do_tcp_setsockopt
      s->user_timeout = Duration{value} * kMillisecond;
      break;
    case SockOpt::FastOpen:
      if (value < 0) return CallResult::fail(Errno::Inval);
      s->fastopen_qlen = value;
      break;
    case SockOpt::Error: return CallResult::fail(Errno::Inval);
    // The call table refuses it first (read-only); Linux says ENOPROTOOPT.
    case SockOpt::TcpInfo: return CallResult::fail(Errno::Inval);
  }
  if (Conn* c = conn_of(*s)) {
    c->reuseaddr = s->reuseaddr;
    c->reuseport = s->reuseport;
    apply_buffers(*s, *c);
    if (opt == SockOpt::NoDelay || opt == SockOpt::Cork) host_.set_nagle(c->id, s->nodelay, s->cork);
    apply_keepalive(*s, *c);
  }
  return CallResult::ok();
}

model::KeepaliveOptions Sockets::keepalive_of(const Socket& s) const {
  model::KeepaliveOptions o = model::keepalive_options(host_.profile().tcp);
  o.on = s.keepalive;
  if (s.keepidle) o.idle = Duration{s.keepidle} * kSecond;
  if (s.keepintvl) o.intvl = Duration{s.keepintvl} * kSecond;
  if (s.keepcnt) o.probes = s.keepcnt;
  return o;
}

void Sockets::apply_keepalive(const Socket& s, const Conn& c) {
  if (!(keepalive_of(s) == model::keepalive_options(c.ep.config())))
    host_.set_keepalive(c.id, keepalive_of(s));
}

void Sockets::apply_buffers(const Socket& s, Conn& c) {
  if (s.rcvbuf || s.sndbuf) {
    c.ep.set_buffers(static_cast<std::uint32_t>(s.rcvbuf / 2), static_cast<std::uint32_t>(s.sndbuf / 2));
  }
  // The other per-socket values the connection reads, set with them.
  if (s.user_timeout >= 0) c.ep.set_user_timeout(s.user_timeout);
  if (c.listening) c.fastopen_qlen = std::min(s.fastopen_qlen, host_.profile().somaxconn);
}

long Sockets::rounded_buffer(const Socket& s, long bytes) const {
  const Conn* c = host_.profile().buffers_round_to_mss ? conn_of(s) : nullptr;
  if (!c) return bytes;
  const State st = c->state();
  if (st == State::Closed || st == State::Listen || st == State::SynSent) return bytes;  // no peer MSS yet
  // FreeBSD's t_maxseg: the smaller of the peer's MSS and ours, less the
  // timestamp option when in use (the wire layer already took it off the peer's).
  const long ours = host_.profile().tcp.mss - (c->wire.ts_ok ? 12 : 0);
  const long mss = std::min<long>(c->ep.tcb().peer_mss, ours);
  if (mss <= 0 || bytes < mss) return bytes;
  return (bytes + mss - 1) / mss * mss;
}

CallResult Sockets::getsockopt(ProcessId p, int fd, SockOpt opt, int field) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  switch (opt) {
    case SockOpt::ReuseAddr: return CallResult::ok(s->reuseaddr);
    case SockOpt::ReusePort: return CallResult::ok(s->reuseport);
    // struct linger's l_onoff, as the kernel runner reads it.
    case SockOpt::Linger: return CallResult::ok(s->linger ? 1 : 0);
    case SockOpt::RcvBuf:
      return CallResult::ok(rounded_buffer(*s, s->rcvbuf ? s->rcvbuf : host_.profile().tcp.rcv_buffer));
    case SockOpt::SndBuf:
      return CallResult::ok(rounded_buffer(*s, s->sndbuf ? s->sndbuf : host_.profile().tcp.snd_buffer));
    case SockOpt::NoDelay: return CallResult::ok(s->nodelay);
    case SockOpt::Cork: return CallResult::ok(s->cork);
    case SockOpt::KeepAlive: return CallResult::ok(s->keepalive);
    // keepalive_time_when() and the like: the socket's, else the profile's.
    case SockOpt::KeepIdle: return CallResult::ok(static_cast<long>(keepalive_of(*s).idle / kSecond));
    case SockOpt::KeepIntvl: return CallResult::ok(static_cast<long>(keepalive_of(*s).intvl / kSecond));
    case SockOpt::KeepCnt: return CallResult::ok(keepalive_of(*s).probes);
    case SockOpt::RcvTimeo: return CallResult::ok(static_cast<long>(s->rcvtimeo / kMillisecond));
    case SockOpt::SndTimeo: return CallResult::ok(static_cast<long>(s->sndtimeo / kMillisecond));
    case SockOpt::UserTimeout:
      return CallResult::ok(s->user_timeout < 0 ? 0 : static_cast<long>(s->user_timeout / kMillisecond));
    case SockOpt::FastOpen: return CallResult::ok(s->fastopen_qlen);
    // sock_getsockopt: the pending error as Linux numbers it (EPIPE 32).
    case SockOpt::Error: return CallResult::ok(errno_number(take_error(*s)));
    case SockOpt::TcpInfo: {
      const Conn* c = conn_of(*s);
      const TcpInfo info = c ? tcp_info_of(c->ep, {c->wire.ts_ok, c->wire.ws_ok, c->syn_data_acked})
                             : tcp_info_closed(host_.profile().tcp.cubic);
      return CallResult::ok(info.get(static_cast<TcpInfoField>(field)));
    }
  }
  return CallResult::fail(Errno::Inval);
}

// ---------------------------------------------------------------- addresses

CallResult Sockets::bind_check(const Socket& me, Addr addr) const {
  // Everything that holds a port on this host: bound sockets without a
  // connection, and every connection (listeners, orphans and TIME-WAIT
  // included), each with the flags of the socket it belongs or belonged to.
  std::vector<BoundSocket> existing;
  for (const auto& sp : sockets_) {
    if (!sp || sp.get() == &me || !sp->bound || sp->conn != kNoConn) continue;
    if (sp->local.port != addr.port) continue;
    existing.push_back(
        BoundSocket{sp->local.ip, sp->local.port, sp->reuseaddr, sp->reuseport, 0, BindState::Bound});
  }
  host_.for_each_conn([&](const Conn& c) {
    if (c.local.port != addr.port || c.state() == State::Closed) return;
    existing.push_back(
        BoundSocket{c.local.ip, c.local.port, c.reuseaddr, c.reuseport, 0 /* one user */, bind_state_of(c)});
  });
  const BindRequest req{addr.ip, addr.port, me.reuseaddr, me.reuseport, 0};
  if (bind_allowed(req, existing) != BindVerdict::Ok) return CallResult::fail(Errno::AddrInUse);
  return CallResult::ok();
}

CallResult Sockets::bind(ProcessId p, int fd, Addr addr) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  if (s->is_epoll) return CallResult::fail(Errno::NotSock);
  if (s->bound) return CallResult::fail(Errno::Inval);
  if (addr.ip != 0 && addr.ip != host_.ip() && (addr.ip >> 24) != 127)
    return CallResult::fail(Errno::AddrNotAvail);
  if (addr.port == 0) {
    // An ephemeral port nobody uses.
    for (std::uint32_t port = host_.profile().ephemeral_low; port <= host_.profile().ephemeral_high; ++port) {
      Addr a{addr.ip, static_cast<std::uint16_t>(port)};
      if (!host_.port_in_use(a) && bind_check(*s, a).err != Errno::AddrInUse) {
        addr = a;
        break;
      }
    }
    if (addr.port == 0) return CallResult::fail(Errno::AddrInUse);
  } else if (CallResult r = bind_check(*s, addr); r.err != Errno::Ok) {
    return r;
  }
  s->bound = true;
  s->local = addr;
  return CallResult::ok();
}

CallResult Sockets::getsockname(ProcessId p, int fd, Addr* addr) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  const Conn* c = conn_of(*s);
  if (addr) *addr = c && !c->listening ? c->local : s->local;
  return CallResult::ok();
}

CallResult Sockets::getpeername(ProcessId p, int fd, Addr* addr) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  const Conn* c = conn_of(*s);
  // inet_getname: no peer in SYN-SENT or CLOSE (a finished non-blocking
  // connect has one even before connect() is called again).
  if (!c || c->listening || c->state() == State::SynSent || c->state() == State::Closed) {
    return CallResult::fail(Errno::NotConn);
  }
  if (addr) *addr = c->remote;
  return CallResult::ok();
}

// ---------------------------------------------------------------- passive

CallResult Sockets::listen(ProcessId p, int fd, int backlog) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  if (s->is_epoll) return CallResult::fail(Errno::NotSock);
  if (s->listening) {
    // Linux lets listen() be called again to change the backlog.
    s->backlog = std::min(backlog, host_.profile().somaxconn);
    if (Conn* c = conn_of(*s)) c->backlog = s->backlog;
    return CallResult::ok();
  }
  if (s->conn != kNoConn) return CallResult::fail(Errno::Inval);
  if (!s->bound) {
    if (CallResult r = bind(p, fd, Addr{0, 0}); r.err != Errno::Ok) return r;
    s->autobound = true;
  }
  // A second listener on the port needs SO_REUSEPORT on both.
  std::vector<BoundSocket> others;
  for (const auto& sp : sockets_) {
    if (!sp || sp.get() == s || !sp->bound || sp->local.port != s->local.port) continue;
    const Conn* c = conn_of(*sp);
    others.push_back(
        BoundSocket{sp->local.ip, sp->local.port, sp->reuseaddr, sp->reuseport, 0,
                    sp->listening ? BindState::Listen : (c ? bind_state_of(*c) : BindState::Bound)});
  }
  const BoundSocket me{s->local.ip, s->local.port, s->reuseaddr, s->reuseport, 0, BindState::Bound};
  if (listen_allowed(me, others) != BindVerdict::Ok) return CallResult::fail(Errno::AddrInUse);
  s->backlog = std::min(backlog, host_.profile().somaxconn);
  s->listening = true;
  s->conn = host_.listen(s->local, s->backlog);
  Conn* c = conn_of(*s);
  c->user = s;
  c->reuseaddr = s->reuseaddr;
  c->reuseport = s->reuseport;
  c->fastopen_qlen = std::min(s->fastopen_qlen, host_.profile().somaxconn);
  apply_keepalive(*s, *c);  // the connections it accepts inherit it
  return CallResult::ok();
}

CallResult Sockets::accept(ProcessId p, int fd, Addr* peer) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  if (!s->listening) return CallResult::fail(Errno::Inval);
  // Linux takes the descriptor before the connection: without one, the
  // connection stays queued.
  if (!fd_available(p)) return CallResult::fail(Errno::MFile);
  std::optional<ConnId> child = host_.accept(s->conn);
  if (!child) return s->nonblocking ? CallResult::fail(Errno::Again) : CallResult::wait();
  // Sockets live in their own allocations: a new one leaves `s` valid.
  Socket& ns = new_socket();
  ns.conn = *child;
  ns.bound = true;
  Conn* c = host_.conn(*child);
  ns.local = c->local;
  // Accepted sockets inherit the listener's options (Linux sk_clone_lock).
  ns.reuseaddr = s->reuseaddr;
  ns.reuseport = s->reuseport;
  c->user = &ns;
  c->reuseaddr = ns.reuseaddr;
  c->reuseport = ns.reuseport;
  ns.rcvbuf = s->rcvbuf;
  ns.sndbuf = s->sndbuf;
  ns.nodelay = s->nodelay;
  ns.cork = s->cork;
  ns.user_timeout = s->user_timeout;
  ns.keepalive = s->keepalive;
  ns.keepidle = s->keepidle;
  ns.keepintvl = s->keepintvl;
  ns.keepcnt = s->keepcnt;
  apply_buffers(ns, *c);
  apply_keepalive(ns, *c);
  if (ns.nodelay || ns.cork) host_.set_nagle(c->id, ns.nodelay, ns.cork);
  if (c->state() == State::Closed) {
    // Reset while it waited in the queue: accept() still returns it.
    ns.error = Errno::ConnReset;
  }
  if (peer) *peer = c->remote;
  return CallResult::ok(new_fd(p, ns.id));
}

// ---------------------------------------------------------------- active

CallResult Sockets::connect(ProcessId p, int fd, Addr to, bool resume) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  if (s->is_epoll) return CallResult::fail(Errno::NotSock);
  if (s->listening) return CallResult::fail(Errno::IsConn);
  if (resume || s->connecting) {
    // A blocking connect() waiting, or a non-blocking one asked again.
    const Conn* c = conn_of(*s);
    if (c && (c->state() == State::SynSent || c->state() == State::SynReceived)) {
      if (resume && !s->nonblocking) return CallResult::wait();
      return CallResult::fail(Errno::Already);
    }
    s->connecting = false;
    if (s->error != Errno::Ok) {
      // __inet_stream_connect's sock_error: the pending error, then
      // tcp_disconnect() makes the socket fresh again. Linux released an
      // automatically chosen port when the connection closed, so the next
      // attempt picks a new one; a port from bind() stays bound.
      const Errno e = take_error(*s);
      host_.release(s->conn);
      s->conn = kNoConn;
      if (s->autobound) {
        s->bound = false;
        s->autobound = false;
      }
      return CallResult::fail(e);
    }
    // The handshake is done: SS_CONNECTED, and this call returns 0 (a
    // non-blocking socket's next connect() gives EISCONN).
    return CallResult::ok();
  }
  if (s->conn != kNoConn) {
    const Conn* c = conn_of(*s);
    if (c && c->state() != State::Closed) return CallResult::fail(Errno::IsConn);
    // A socket whose connection failed can try again.
    host_.release(s->conn);
    s->conn = kNoConn;
  }
  Addr local = s->local;
  // The source address the route gives: loopback for loopback.
  const std::uint32_t source = (to.ip >> 24) == 127 ? ipv4(127, 0, 0, 1) : host_.ip();
  if (!s->bound) {
    local.ip = source;
    // __inet_hash_connect shares a port only among connect()s (bind
    // bucket fastreuse -1); one that bind() took (listeners, the sockets
    // accepted from them, bound sockets) is skipped whatever the address.
    std::optional<std::uint16_t> port = host_.pick_ephemeral_port(local.ip, to, [this](std::uint16_t p) {
      for (const auto& sp : sockets_) {
        if (sp && sp->bound && !sp->autobound && sp->local.port == p) return true;
      }
      return false;
    });
    if (!port) return CallResult::fail(Errno::AddrNotAvail);
    local.port = *port;
    s->autobound = true;
  } else if (local.ip == 0) {
    local.ip = source;
  }
  std::optional<ConnId> c = host_.connect(local, to, static_cast<std::uint32_t>(s->rcvbuf / 2),
                                          static_cast<std::uint32_t>(s->sndbuf / 2));
  if (!c) return CallResult::fail(Errno::AddrNotAvail);
  s->bound = true;
  s->local = local;
  s->conn = *c;
  s->connecting = true;
  s->error = Errno::Ok;
  Conn* conn = host_.conn(*c);
  conn->user = s;
  conn->reuseaddr = s->reuseaddr;
  conn->reuseport = s->reuseport;
  apply_buffers(*s, *conn);
  if (s->nodelay || s->cork) host_.set_nagle(*c, s->nodelay, s->cork);
  apply_keepalive(*s, *conn);
  if (s->nonblocking) return CallResult::fail(Errno::InProgress);
  return CallResult::wait();
}

// ---------------------------------------------------------------- data

CallResult Sockets::read(ProcessId p, int fd, std::size_t n, std::string* into, int flags) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  if (s->is_epoll || s->listening) return CallResult::fail(s->listening ? Errno::NotConn : Errno::Inval);
  Conn* c = conn_of(*s);
  if (!c) return CallResult::fail(Errno::NotConn);
  const model::Tcb& t = c->ep.tcb();
  // tcp_recvmsg: queued data first, then end of stream (SOCK_DONE, set by
  // the peer's FIN), then a pending error, then our own shutdown.
  const bool nonblocking = s->nonblocking || (flags & kMsgDontWait);
  if (!t.recv_buffer.empty() && (flags & kMsgPeek)) {
    // MSG_PEEK: the bytes stay queued (tcp_recvmsg's peek_seq).
    const std::string_view got = std::string_view(t.recv_buffer).substr(0, n);
    if (into) into->append(got);
    return CallResult::ok(static_cast<long>(got.size()));
  }
  if (!t.recv_buffer.empty()) {
    std::string got;
    host_.receive(c->id, n, got);
    const long len = static_cast<long>(got.size());
    if (into) *into += got;
    return CallResult::ok(len);
  }
  if (t.fin_received) {
    c->eof_read = true;
    return CallResult::ok(0);
  }
  if (s->error != Errno::Ok) return CallResult::fail(take_error(*s));
  // RCV_SHUTDOWN: our SHUT_RD, or tcp_done() after a reset or a timeout.
  if (s->shut_rd || c->state() == State::Closed) return CallResult::ok(0);
  return nonblocking ? CallResult::fail(Errno::Again) : CallResult::wait();
}

std::size_t Sockets::unread(ProcessId p, int fd) const {
  const Socket* s = lookup(p, fd);
  const Conn* c = s ? conn_of(*s) : nullptr;
  return c ? c->ep.tcb().recv_buffer.size() : 0;
}

CallResult Sockets::write(ProcessId p, int fd, std::string_view data, int flags) {
  return write(p, fd, model::WriteSource(data), flags);
}

CallResult Sockets::write(ProcessId p, int fd, const model::WriteSource& data, int flags) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  if (s->is_epoll) return CallResult::fail(Errno::Inval);
  Conn* c = conn_of(*s);
  const bool nonblocking = s->nonblocking || (flags & kMsgDontWait);
  // tcp_sendmsg: an error or our own SHUT_WR ends it (the error first, once).
  if (s->error != Errno::Ok) return CallResult::fail(take_error(*s));
  if (s->shut_wr || !c || s->listening) return CallResult::fail(Errno::Pipe);
  const State st = c->state();
  if (st == State::SynSent || st == State::SynReceived) {
    return nonblocking ? CallResult::fail(Errno::Again) : CallResult::wait();
  }
  if (st != State::Established && st != State::CloseWait) return CallResult::fail(Errno::Pipe);
  if (data.empty()) return CallResult::ok(0);
  // Only what the buffer has room for is made (write(k, 10000000000) must
  // not allocate 10 GB); at least a byte, so that a full buffer answers
  // WouldBlock as it did for the whole write.
  const std::size_t room = c->ep.tcb().send_buffer.free_space(c->ep.config().snd_buffer);
  const std::string_view chunk = data.head(std::max<std::size_t>(room, 1), write_scratch_);
  std::size_t accepted = 0;
  const model::Error e = host_.send(c->id, chunk, &accepted);
  // SOCK_NOSPACE: freed space will wake EPOLLOUT waiters (on_app).
  if (accepted < data.size()) s->nospace = true;
  if (e == model::Error::WouldBlock || accepted == 0) {
    return nonblocking ? CallResult::fail(Errno::Again) : CallResult::wait();
  }
  if (e != model::Error::None) return CallResult::fail(Errno::Pipe);
  return CallResult::ok(static_cast<long>(accepted));
}

// ---------------------------------------------------------------- closing

CallResult Sockets::shutdown(ProcessId p, int fd, Shut how) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  Conn* c = conn_of(*s);
  if (!c || s->listening) {
    if (s->listening && how != Shut::Wr) {
      // Linux: shutdown(SHUT_RD) on a listener stops it (tcp_disconnect).
      return CallResult::ok();
    }
    return CallResult::fail(Errno::NotConn);
  }
  const State st = c->state();
  if (st == State::Closed || st == State::SynSent) return CallResult::fail(Errno::NotConn);
  if (how == Shut::Rd || how == Shut::RdWr) {
    s->shut_rd = true;
    host_.shutdown_read(c->id);
  }
  if (how == Shut::Wr || how == Shut::RdWr) {
    s->shut_wr = true;
    host_.close(c->id);  // RFC 9293's CLOSE: "no more to send"
  }
  wake(*s, 0);  // inet_shutdown: sk_state_change
  if (on_change) on_change();
  return CallResult::ok();
}

void Sockets::release(Socket& s) {
  // The last descriptor is gone: tcp_close().
  if (Conn* c = conn_of(s)) {
    c->user = nullptr;
    const ConnId id = c->id;
    const model::Tcb& t = c->ep.tcb();
    const bool unread = !t.recv_buffer.empty();
    const bool linger_abort = s.linger && s.linger_seconds == 0;
    if (!s.listening && c->state() != State::Closed && (unread || linger_abort)) {
      // Unread data, or SO_LINGER {on, 0}: RST instead of FIN, no TIME-WAIT.
      host_.abort(id);
    } else if (!s.listening && c->state() != State::Closed) {
      host_.close(id);
    }
    host_.release(id);
  }
  const SocketId id = s.id;
  if (s.is_epoll) epolls_.erase(std::remove(epolls_.begin(), epolls_.end(), id), epolls_.end());
  sockets_[id].reset();
  free_sockets_.push_back(id);
}

CallResult Sockets::close(ProcessId p, int fd) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  procs_[p].fds.close(fd);
  // Closing a descriptor drops it from every epoll interest list of this process.
  for (SocketId e : epolls_) {
    auto& sp = sockets_[e];
    if (!sp || !sp->is_epoll) continue;
    auto& v = sp->interest;
    v.erase(std::remove_if(v.begin(), v.end(),
                           [&](const Socket::Interest& i) { return i.fd == fd && i.target == s->id; }),
            v.end());
  }
  if (--s->refs == 0) release(*s);
  if (on_change) on_change();
  return CallResult::ok();
}

// ---------------------------------------------------------------- readiness

std::uint32_t Sockets::poll(const Socket& s) const {
  std::uint32_t mask = 0;
  const Conn* c = conn_of(s);
  if (s.listening) {
    if (c && !c->accept_queue.empty()) mask |= kEpollIn;
    return mask;
  }
  const State st = c ? c->state() : State::Closed;
  const bool fin = c && c->ep.tcb().fin_received;
  const bool dead = c && st == State::Closed;  // reset, timed out, or closed
  const bool rcv_shut = s.shut_rd || fin || dead;
  const bool snd_shut = s.shut_wr || dead;
  if ((rcv_shut && snd_shut) || st == State::Closed) mask |= kEpollHup;
  if (rcv_shut) mask |= kEpollIn | kEpollRdHup;
  if (st != State::SynSent && st != State::SynReceived) {
    if (c && !c->ep.tcb().recv_buffer.empty()) mask |= kEpollIn;
    if (!snd_shut) {
      if (c ? c->ep.tcb().send_buffer.size() < c->ep.config().snd_buffer : true) mask |= kEpollOut;
    } else {
      mask |= kEpollOut;
    }
  }
  if (s.error != Errno::Ok) mask |= kEpollErr;
  return mask;
}

std::uint32_t Sockets::poll_revents(ProcessId p, int fd, std::uint32_t events) const {
  const Socket* s = lookup(p, fd);
  if (!s) return kPollNval;
  std::uint32_t mask = poll(*s);
  if (mask & kEpollIn) mask |= kPollRdNorm;
  if (mask & kEpollOut) mask |= kPollWrNorm;
  return mask & (events | kEpollErr | kEpollHup);
}

// tcp_ioctl(): EINVAL on a listener; SIOCINQ counts the bytes not yet read,
// SIOCOUTQ write_seq - snd_una (the send buffer, and our FIN until it is
// acknowledged).
CallResult Sockets::ioctl(ProcessId p, int fd, Ioctl request) {
  Socket* s = lookup(p, fd);
  if (!s) return CallResult::fail(Errno::BadF);
  if (s->listening) return CallResult::fail(Errno::Inval);
  const Conn* c = conn_of(*s);
  if (!c) return CallResult::ok(0);
  const model::Tcb& t = c->ep.tcb();
  if (request == Ioctl::InQ) return CallResult::ok(static_cast<long>(t.recv_buffer.size()));
  const bool fin_out = t.fin_queued && !(t.fin_sent && model::seq_gt(t.snd_una, t.fin_seq));
  return CallResult::ok(static_cast<long>(t.send_buffer.size()) + (fin_out ? 1 : 0));
}

std::uint32_t Sockets::readiness(ProcessId p, int fd) const {
  const Socket* s = lookup(p, fd);
  return s ? poll(*s) : 0;
}

CallResult Sockets::epoll_create1(ProcessId p) {
  if (!fd_available(p)) return CallResult::fail(Errno::MFile);
  Socket& s = new_socket();
  s.is_epoll = true;
  epolls_.push_back(s.id);
  return CallResult::ok(new_fd(p, s.id));
}

CallResult Sockets::epoll_ctl(ProcessId p, int epfd, EpollOp op, int fd, std::uint32_t events) {
  Socket* ep = lookup(p, epfd);
  Socket* s = lookup(p, fd);
  if (!ep || !s) return CallResult::fail(Errno::BadF);
  if (!ep->is_epoll || ep == s) return CallResult::fail(Errno::Inval);
  auto it = std::find_if(ep->interest.begin(), ep->interest.end(),
                         [&](const Socket::Interest& i) { return i.fd == fd && i.target == s->id; });
  switch (op) {
    case EpollOp::Add:
      if (it != ep->interest.end()) return CallResult::fail(Errno::Exist);
      // Newly added, a ready descriptor is reported at once, edge-triggered or not.
      ep->interest.push_back(Socket::Interest{fd, s->id, events, true, false});
      break;
    case EpollOp::Mod:
      if (it == ep->interest.end()) return CallResult::fail(Errno::NoEnt);
      it->events = events;
      it->disabled = false;
      it->pending = true;
      break;
    case EpollOp::Del:
      if (it == ep->interest.end()) return CallResult::fail(Errno::NoEnt);
      ep->interest.erase(it);
      break;
  }
  return CallResult::ok();
}

CallResult Sockets::epoll_wait(ProcessId p, int epfd, int maxevents, std::vector<EpollEvent>* out) {
  Socket* ep = lookup(p, epfd);
  if (!ep) return CallResult::fail(Errno::BadF);
  if (!ep->is_epoll || maxevents <= 0) return CallResult::fail(Errno::Inval);
  int n = 0;
  for (auto& i : ep->interest) {
    if (n == maxevents) break;
    if (i.disabled) continue;
    const Socket* s = sockets_[i.target].get();
    if (!s) continue;
    // EPOLLERR and EPOLLHUP are always reported, asked for or not.
    const std::uint32_t ready = poll(*s) & (i.events | kEpollErr | kEpollHup);
    if (i.events & kEpollEt) {
      // Edge-triggered: only off the ready list, which a report (or finding
      // nothing ready) empties until the next matching wakeup.
      if (!i.pending) continue;
      i.pending = false;
    }
    if (!ready) continue;
    if (i.events & kEpollOneShot) i.disabled = true;
    if (out) out->push_back(EpollEvent{i.fd, ready});
    ++n;
  }
  if (n == 0) return CallResult::wait();  // the caller applies its timeout
  return CallResult::ok(n);
}

}  // namespace tcpsim::sim
