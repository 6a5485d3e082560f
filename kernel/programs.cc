#include "kernel/programs.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <tuple>

#include "scenario/interpreter.h"
#include "sim/program.h"
#include "sim/socket_calls.h"
#include "sim/sockets.h"
#include "sim/ss_table.h"
#include "sim/tcp_info.h"

namespace tcpsim::kernel {

using scenario::Arg;
using scenario::Stmt;

Time RunContext::now() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<Time>(ts.tv_sec) * 1000000000 + ts.tv_nsec - t0;
}

std::string ss_text(const std::vector<SocketSample>& sockets, std::uint32_t host_ip, bool with_timers) {
  std::vector<sim::SocketRow> rows;
  for (const auto& s : sockets) {
    if (s.local.ip != host_ip && !(s.local.ip == 0 && s.state == model::State::Listen)) continue;
    sim::SocketRow r;
    r.state = s.state;
    r.local = s.local;
    r.peer = s.peer;
    r.listening = s.state == model::State::Listen;
    r.recv_q = s.recv_q;
    r.send_q = s.send_q;
    r.orphan = s.inode == 0;
    r.inode = s.inode;
    r.kind = s.timewait_sock ? sim::SockKind::TimeWait : sim::SockKind::Full;
    r.retransmits = s.retrans;
    if (s.timer == 1 || s.timer == 3 || s.timer == 2 || s.timer == 4) {
      r.timer = s.timer == 1 ? "on" : s.timer == 3 ? "timewait" : s.timer == 2 ? "keepalive" : "persist";
      r.timer_left = static_cast<Duration>(s.expires_ms) * kMillisecond;
    }
    rows.push_back(r);
  }
  // tcpsim's order (Linux's is its hash tables').
  std::sort(rows.begin(), rows.end(), [](const sim::SocketRow& a, const sim::SocketRow& b) {
    return std::make_tuple(!a.listening, a.local.port, a.peer.port, a.local.ip, a.peer.ip) <
           std::make_tuple(!b.listening, b.local.port, b.peer.port, b.local.ip, b.peer.ip);
  });
  return sim::format_ss(rows, with_timers);
}

namespace {

// The bytes a `write(c, N)` sends ('0123456789' over and over, as the
// simulator's), enough for one chunk from any of the ten offsets.
const std::string& filler() {
  static const std::string s = [] {
    std::string f(kWriteChunk + 10, '0');
    for (std::size_t i = 0; i < f.size(); ++i) f[i] = static_cast<char>('0' + i % 10);
    return f;
  }();
  return s;
}

std::string errno_text(int e) {
  const char* name = strerrorname_np(e);
  return name ? name : fmt::format("errno{}", e);
}

// The table of calls decodes names into Linux's values (sim/socket_calls.h):
// they go to the kernel as they are.
constexpr bool same(std::uint32_t ours, std::uint32_t linux_value) { return ours == linux_value; }
static_assert(same(sim::kEpollIn, EPOLLIN) && same(sim::kEpollPri, EPOLLPRI) &&
              same(sim::kEpollOut, EPOLLOUT) && same(sim::kEpollErr, EPOLLERR) &&
              same(sim::kEpollHup, EPOLLHUP) && same(sim::kEpollRdHup, EPOLLRDHUP) &&
              same(sim::kEpollOneShot, EPOLLONESHOT) && same(sim::kEpollEt, EPOLLET));
static_assert(same(sim::kMsgPeek, MSG_PEEK) && same(sim::kMsgDontWait, MSG_DONTWAIT) &&
              same(sim::kMsgWaitAll, MSG_WAITALL) && same(sim::kMsgNoSignal, MSG_NOSIGNAL) &&
              same(sim::kMsgMore, MSG_MORE));

sockaddr_in sockaddr_of(const sim::Addr& a) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_addr.s_addr = htonl(a.ip);
  s.sin_port = htons(a.port);
  return s;
}

struct Result {
  long value = 0;
  int err = 0;  // errno, 0 for success
  std::string data;
  std::vector<sim::EpollEvent> events;  // (program fd, Linux's bits)
};

class Program {
 public:
  Program(RunContext& ctx, const ProgramSpec& spec) : ctx_(ctx), spec_(spec) {}

  void run() {
    const Time start = spec_.decl->start;
    sleep_until(start);
    bool exited = false;
    const bool done = exec(spec_.decl->body, exited);
    // The process exits: the kernel closes its descriptors, in order.
    if (done) {
      for (const auto& [vfd, real] : fds_) ::close(real);
      fds_.clear();
    }
    publish(done ? "" : current_, done);
    settle();
  }

  void settle() {
    if (spec_.settled) *spec_.settled = true;
  }

  // How far the program got, for a run stopped at the cap.
  void publish(const std::string& where, bool finished = false) {
    std::lock_guard<std::mutex> lock(ctx_.mu);
    if (ctx_.stopped) return;
    auto& end = ctx_.rec->programs[spec_.index];
    end.finished = finished;
    end.blocked_in = where;
  }

 private:
  static void sleep_for(Duration d) {
    if (d <= 0) return;
    timespec ts{static_cast<time_t>(d / kSecond), static_cast<long>(d % kSecond)};
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {
    }
  }
  void sleep_until(Time t) { sleep_for(t - ctx_.now()); }

  // False when the run was stopped (the cap) before the body's end.
  bool exec(const std::vector<Stmt>& body, bool& exited) {
    for (const Stmt& st : body) {
      if (ctx_.stopped || exited || !step(exited)) return !ctx_.stopped;
      switch (st.kind) {
        case Stmt::Call: call(st); break;
        case Stmt::Sleep:
          publish("asleep");
          settle();
          sleep_for(st.sleep);
          if (st.sleep > 0) steps_ = 0;  // it waited
          break;
        case Stmt::Until:
          publish("asleep");
          settle();
          if (st.sleep > ctx_.now()) {
            sleep_until(st.sleep);
            steps_ = 0;  // it waited
          }
          break;
        case Stmt::Repeat:
          // The simulator's steps: one to enter, one to loop back per round.
          for (long i = 0; i < st.count && !exited && !ctx_.stopped; ++i) {
            exec(st.body, exited);
            if (!exited && !step(exited)) break;
          }
          break;
        case Stmt::Ss: {
          const auto socks = ctx_.snapshot();
          const Time t = ctx_.now();
          std::lock_guard<std::mutex> lock(ctx_.mu);
          if (!ctx_.stopped)
            ctx_.rec->outputs.push_back(OutputRecord{spec_.index, t, ss_text(socks, spec_.host_ip, true)});
          break;
        }
        case Stmt::Exit: exited = true; break;
      }
    }
    return !ctx_.stopped;
  }

  // One step as the simulator counts them (sim::ProgramRunner): a program that takes
  // kMaxStepsWithoutTime of them without waiting (a sleep, a call that
  // blocked) is a runaway loop, at real-time priority here: it is stopped, as
  // the simulator stops it, and the run ends. False then (and `exited`).
  bool step(bool& exited) {
    if (steps_ < sim::ProgramRunner::kMaxStepsWithoutTime) {
      ++steps_;
      return true;
    }
    exited = true;
    std::lock_guard<std::mutex> lock(ctx_.mu);
    if (!ctx_.stopped && ctx_.rec->fault.empty())
      ctx_.rec->fault = sim::ProgramRunner::runaway_fault(spec_.decl->name);
    ctx_.fault = true;
    return false;
  }

  // Voluntary context switches of this thread so far: one more after a call
  // means the call slept in the kernel (it blocked), which is the simulator's
  // time passing.
  static long waits() {
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_nvcsw;
  }

  int prog_fd(const sim::FdRef& r) const {
    if (r.var.empty()) return r.number;
    auto it = vars_.find(r.var);
    return it == vars_.end() ? -1 : it->second;
  }
  int real_fd(const sim::FdRef& r) const {
    auto it = fds_.find(prog_fd(r));
    return it == fds_.end() ? -1 : it->second;
  }
  // The lowest free descriptor number of this program, as a process would get.
  int add_fd(int real) {
    int v = 3;
    while (fds_.count(v)) ++v;
    fds_[v] = real;
    return v;
  }

  void apply_host_options(int fd) const {
    if (spec_.options.linger2_s > 0)
      ::setsockopt(fd, IPPROTO_TCP, TCP_LINGER2, &spec_.options.linger2_s, sizeof(int));
    if (spec_.options.syncnt > 0)
      ::setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &spec_.options.syncnt, sizeof(int));
    const std::string& cc = spec_.options.congestion;
    if (!cc.empty())
      ::setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc.data(), static_cast<socklen_t>(cc.size()));
  }

  // What a read of `count` asks recv() for: what the socket can hold at most
  // (a read returns what is there), so that read(c, 4000000000) does not
  // allocate 4 GB.
  static std::size_t read_size(int fd, long count) {
    int rcvbuf = 0;
    socklen_t len = sizeof(rcvbuf);
    std::size_t most = kWriteChunk;  // not a socket: it fails anyway
    if (::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len) == 0 && rcvbuf > 0)
      most = std::min(static_cast<std::size_t>(rcvbuf), kMaxReadBuffer);
    return std::min(static_cast<std::size_t>(std::max(1L, count)), most);
  }

  // send() until `size` bytes are sent, or an error (then what was sent, if
  // anything). Generated bytes (the filler, '0123456789...') come from one
  // chunk, kWriteChunk at a time, at the offset that keeps the pattern going.
  // MSG_NOSIGNAL always: the simulated programs ignore SIGPIPE (a broken
  // connection is EPIPE), and so does the runner.
  static Result send_all(int fd, const char* data, std::size_t size, bool generated, int flags) {
    std::size_t done = 0;
    while (done < size) {
      const char* from = generated ? data + done % 10 : data + done;
      const std::size_t want = generated ? std::min(size - done, kWriteChunk) : size - done;
      const ssize_t n = ::send(fd, from, want, flags | MSG_NOSIGNAL);
      if (n < 0) return done ? ok(static_cast<long>(done)) : fail();
      done += static_cast<std::size_t>(n);
    }
    return ok(static_cast<long>(done));
  }

  static Result ok(long v) { return Result{v, 0, {}, {}}; }
  static Result fail() { return Result{-1, errno, {}, {}}; }
  static Result check(long r) { return r < 0 ? fail() : ok(r); }

  // ---- one method per call of the table (sim/socket_calls.h), reached
  // through sim::perform with the call the parser decoded.
  using D = sim::DecodedCall;

 public:
  Result socket(const D& d) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (d.nonblocking ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0) return fail();
    apply_host_options(fd);
    return ok(add_fd(fd));
  }
  Result epoll_create1(const D&) {
    const int fd = ::epoll_create1(EPOLL_CLOEXEC);
    return fd < 0 ? fail() : ok(add_fd(fd));
  }
  Result bind(const D& d) {
    return with_fd(d, [&](int fd) {
      const sockaddr_in s = sockaddr_of(d.addr);
      const int r = ::bind(fd, reinterpret_cast<const sockaddr*>(&s), sizeof(s));
      if (r == 0) bound_.push_back(fd);
      return check(r);
    });
  }
  Result listen(const D& d) {
    return with_fd(d, [&](int fd) { return check(::listen(fd, d.backlog)); });
  }
  Result accept(const D& d) {
    return with_fd(d, [&](int fd) {
      const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
      return c < 0 ? fail() : ok(add_fd(c));
    });
  }
  Result connect(const D& d) {
    return with_fd(d, [&](int fd) { return connect_from_host(fd, d.addr); });
  }
  Result read(const D& d) { return recv(d); }
  Result recv(const D& d) {
    return with_fd(d, [&](int fd) { return receive(fd, d.count, d.msg_flags); });
  }
  Result read_to_end(const D& d) {
    return with_fd(d, [&](int fd) { return receive_to_end(fd); });
  }
  Result write(const D& d) { return send(d); }
  Result send(const D& d) {
    return with_fd(d, [&](int fd) {
      if (d.has_text) return send_all(fd, d.text.data(), d.text.size(), false, d.msg_flags);
      return send_all(fd, filler().data(), static_cast<std::size_t>(d.count), true, d.msg_flags);
    });
  }
  Result shutdown(const D& d) {
    return with_fd(d, [&](int fd) {
      return check(::shutdown(fd, d.how == sim::Shut::Rd   ? SHUT_RD
                                  : d.how == sim::Shut::Wr ? SHUT_WR
                                                           : SHUT_RDWR));
    });
  }
  Result close(const D& d) {
    return with_fd(d, [&](int fd) {
      fds_.erase(prog_fd(d.fd));
      bound_.erase(std::remove(bound_.begin(), bound_.end(), fd), bound_.end());
      return check(::close(fd));
    });
  }
  Result getsockname(const D& d) {
    return with_fd(d, [&](int fd) { return port(fd, ::getsockname); });
  }
  Result getpeername(const D& d) {
    return with_fd(d, [&](int fd) { return port(fd, ::getpeername); });
  }
  Result dup(const D& d) {
    return with_fd(d, [&](int fd) {
      const int n = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
      return n < 0 ? fail() : ok(add_fd(n));
    });
  }
  Result fcntl(const D& d) {
    return with_fd(d, [&](int fd) {
      const int flags = ::fcntl(fd, F_GETFL);
      if (d.getfl) return check(flags);
      return check(::fcntl(fd, F_SETFL, d.nonblocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK));
    });
  }
  Result setsockopt(const D& d) {
    return with_fd(d, [&](int fd) {
      const sim::SockOptInfo& o = sim::sockopt_info(d.opt);
      if (d.opt == sim::SockOpt::Linger) {
        const linger l{d.value, d.value2};
        return check(::setsockopt(fd, o.level, o.number, &l, sizeof(l)));
      }
      if (o.duration_value) {
        const timeval tv{d.value / 1000, (d.value % 1000) * 1000};
        return check(::setsockopt(fd, o.level, o.number, &tv, sizeof(tv)));
      }
      return check(::setsockopt(fd, o.level, o.number, &d.value, sizeof(d.value)));
    });
  }
  Result getsockopt(const D& d) {
    return with_fd(d, [&](int fd) {
      const sim::SockOptInfo& o = sim::sockopt_info(d.opt);
      if (d.opt == sim::SockOpt::TcpInfo) return tcp_info_field(fd, static_cast<sim::TcpInfoField>(d.value));
      if (d.opt == sim::SockOpt::Linger) {
        linger l{};
        socklen_t len = sizeof(l);
        return ::getsockopt(fd, o.level, o.number, &l, &len) < 0 ? fail() : ok(l.l_onoff);
      }
      if (o.duration_value) {
        timeval tv{};
        socklen_t len = sizeof(tv);
        return ::getsockopt(fd, o.level, o.number, &tv, &len) < 0 ? fail()
                                                                  : ok(tv.tv_sec * 1000 + tv.tv_usec / 1000);
      }
      int v = 0;
      socklen_t len = sizeof(v);
      return ::getsockopt(fd, o.level, o.number, &v, &len) < 0 ? fail() : ok(v);
    });
  }
  // tcp_state(fd): TCP_INFO's tcpi_state, the number the simulator gives too.
  Result tcp_state(const D& d) {
    return with_fd(d, [&](int fd) {
      tcp_info info{};
      socklen_t len = sizeof(info);
      return ::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0 ? fail() : ok(info.tcpi_state);
    });
  }
  Result epoll_ctl(const D& d) {
    return with_fd(d, [&](int fd) {
      const int op = d.op == sim::EpollOp::Add   ? EPOLL_CTL_ADD
                     : d.op == sim::EpollOp::Mod ? EPOLL_CTL_MOD
                                                 : EPOLL_CTL_DEL;
      epoll_event ev{};
      ev.events = d.events;
      ev.data.u32 = static_cast<std::uint32_t>(prog_fd(d.target));
      return check(::epoll_ctl(fd, op, real_fd(d.target), &ev));
    });
  }
  Result epoll_wait(const D& d) {
    return with_fd(d, [&](int fd) { return wait_events(fd, d.maxevents, d.timeout); });
  }
  Result poll(const D& d) {
    const int fd = real_fd(d.fd);
    pollfd p{fd, static_cast<short>(d.events), 0};
    const int ms = d.timeout < 0 ? -1 : static_cast<int>((d.timeout + kMillisecond - 1) / kMillisecond);
    int n;
    do {
      n = ::poll(&p, 1, ms);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return fail();
    Result r = ok(n);
    if (n > 0) r.events.push_back(sim::EpollEvent{prog_fd(d.fd), static_cast<std::uint16_t>(p.revents)});
    return r;
  }
  Result ioctl(const D& d) {
    return with_fd(d, [&](int fd) {
      int v = 0;
      return ::ioctl(fd, d.request == sim::Ioctl::InQ ? SIOCINQ : SIOCOUTQ, &v) < 0 ? fail() : ok(v);
    });
  }

 private:
  // The call's descriptor, the runner's for the program's: EBADF when the
  // program holds no such descriptor.
  template <class F>
  Result with_fd(const D& d, F&& f) {
    const int fd = real_fd(d.fd);
    if (fd < 0) {
      errno = EBADF;
      return fail();
    }
    return f(fd);
  }

  Result connect_from_host(int fd, const sim::Addr& to) {
    // One namespace holds every host: the source address must be the
    // host's own, chosen before the port (which connect() still picks).
    const bool loop_dst = (to.ip >> 24) == 127;
    if (std::find(bound_.begin(), bound_.end(), fd) == bound_.end() && !loop_dst) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
      const sockaddr_in s = sockaddr_of(sim::Addr{spec_.host_ip, 0});
      if (::bind(fd, reinterpret_cast<const sockaddr*>(&s), sizeof(s)) == 0) bound_.push_back(fd);
    }
    const sockaddr_in s = sockaddr_of(to);
    return check(::connect(fd, reinterpret_cast<const sockaddr*>(&s), sizeof(s)));
  }

  // recv(): what a read of `count` asks for is what the socket can hold
  // (read_size); with MSG_WAITALL, all of it, in turn.
  Result receive(int fd, std::uint64_t count, int flags) {
    const bool all = flags & MSG_WAITALL;
    Result r = ok(0);
    std::uint64_t got = 0;
    do {
      const std::size_t size =
          all ? static_cast<std::size_t>(std::min<std::uint64_t>(count - got, kMaxReadBuffer))
              : read_size(fd, static_cast<long>(std::min<std::uint64_t>(count, LONG_MAX)));
      if (read_buf_.size() < size) read_buf_.resize(size);
      const ssize_t n = ::recv(fd, read_buf_.data(), size, flags);
      if (n < 0) return got ? r : fail();
      r.data.append(read_buf_.data(), static_cast<std::size_t>(n));
      got += static_cast<std::uint64_t>(n);
      r.value = static_cast<long>(got);
      if (static_cast<std::size_t>(n) < size) break;
    } while (all && got < count);
    return r;
  }

  // read_to_end(): recv() with MSG_WAITALL a buffer at a time, counting and
  // dropping the bytes: a call that returns less than the buffer met the end
  // of stream or an error (which Linux leaves pending when it copied
  // something, as the simulator does), or, non-blocking, EAGAIN.
  Result receive_to_end(int fd) {
    const std::size_t size = read_size(fd, LONG_MAX);
    if (read_buf_.size() < size) read_buf_.resize(size);
    std::uint64_t got = 0;
    for (;;) {
      const ssize_t n = ::recv(fd, read_buf_.data(), size, MSG_WAITALL);
      if (n < 0) return got ? ok(static_cast<long>(got)) : fail();
      got += static_cast<std::uint64_t>(n);
      if (static_cast<std::size_t>(n) < size) return ok(static_cast<long>(got));
    }
  }

  static Result port(int fd, int (*get)(int, sockaddr*, socklen_t*)) {
    sockaddr_in s{};
    socklen_t len = sizeof(s);
    return get(fd, reinterpret_cast<sockaddr*>(&s), &len) < 0 ? fail() : ok(ntohs(s.sin_port));
  }

  // getsockopt(TCP_INFO): the field of Linux's struct tcp_info of that name.
  static Result tcp_info_field(int fd, sim::TcpInfoField f) {
    tcp_info info{};
    socklen_t len = sizeof(info);
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0) return fail();
    switch (f) {
#define TCPSIM_KERNEL_TCP_INFO(name) \
  case sim::TcpInfoField::name: return ok(static_cast<long>(info.name));
      TCPSIM_TCP_INFO_FIELDS(TCPSIM_KERNEL_TCP_INFO)
#undef TCPSIM_KERNEL_TCP_INFO
    }
    return ok(0);
  }

  static Result wait_events(int fd, int max, Duration timeout) {
    // maxevents as asked: 0 or less is EINVAL, as in the simulator.
    std::vector<epoll_event> evs(static_cast<std::size_t>(std::max(1, max)));
    const int ms = timeout < 0 ? -1 : static_cast<int>((timeout + kMillisecond - 1) / kMillisecond);
    int n;
    do {
      n = ::epoll_wait(fd, evs.data(), max, ms);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return fail();
    Result r = ok(n);
    for (int k = 0; k < n; ++k) {
      const epoll_event& e = evs[static_cast<std::size_t>(k)];
      r.events.push_back(sim::EpollEvent{static_cast<int>(e.data.u32), e.events});
    }
    return r;
  }

  // The socket a call used or made, by its addresses, so the trace can tie
  // the call to its connection.
  bool socket_of(const Stmt& st, const Result& r, int before_fd, sim::Addr& local, sim::Addr& peer) const {
    int fd = -1;
    if (!st.assign.empty() && r.value >= 0 && fds_.count(static_cast<int>(r.value)))
      fd = fds_.at(static_cast<int>(r.value));
    if (fd < 0 || !st.call.spec().has(sim::kFdFirst)) fd = before_fd;
    if (fd < 0) return false;
    sockaddr_in s{};
    socklen_t len = sizeof(s);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&s), &len) < 0) return false;
    local = sim::Addr{ntohl(s.sin_addr.s_addr), ntohs(s.sin_port)};
    len = sizeof(s);
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&s), &len) == 0) {
      peer = sim::Addr{ntohl(s.sin_addr.s_addr), ntohs(s.sin_port)};
    } else {
      // No peer: a listener, or a connection already gone (reset, closed)
      // whose local address alone would name the listener on that port
      // (s08b: c2 read as LISTEN after its reset). Only a listener counts.
      int listening = 0;
      socklen_t n = sizeof(listening);
      if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &n) < 0 || !listening) return false;
    }
    return local.port != 0;
  }

  // The record of a call before it is made: its program, the variable it
  // names, and (for close(), which takes them away) its addresses.
  CallRecord record_before(const Stmt& st, int before_fd) const {
    const sim::CallSpec& spec = st.call.spec();
    CallRecord rec;
    rec.program = spec_.index;
    rec.var = !st.assign.empty() && st.call.id != sim::CallId::epoll_create1 ? st.assign
              : spec.has(sim::kFdFirst) && st.args[0].kind == Arg::Ident     ? st.args[0].text
                                                                             : "";
    if (st.call.id == sim::CallId::close && before_fd >= 0)
      rec.has_socket = socket_of(st, Result{-1, 0, {}, {}}, before_fd, rec.local, rec.peer);
    return rec;
  }

  void call(const Stmt& st) {
    current_ = fmt::format("{} ({}:{}:{})", scenario::call_text(st), ctx_.sc->file, st.loc.line, st.loc.col);
    publish("in " + current_);
    const sim::CallSpec& spec = st.call.spec();
    if (spec.has(sim::kMayBlock)) settle();
    const int before_fd = spec.has(sim::kFdFirst) ? real_fd(st.call.fd) : -1;
    CallRecord rec = record_before(st, before_fd);
    rec.start = ctx_.now();
    const long waits_before = waits();
    const Result r = sim::perform(*this, st.call);
    if (waits() != waits_before) steps_ = 1;  // a run of steps begins again with this one
    rec.end = ctx_.now();
    if (ctx_.stopped) return;
    if (!st.assign.empty() && r.value >= 0) vars_[st.assign] = static_cast<int>(r.value);
    if (st.call.id != sim::CallId::close) rec.has_socket = socket_of(st, r, before_fd, rec.local, rec.peer);
    const std::string err = r.err == 0 ? std::string() : errno_text(r.err);
    const sim::CallOutcome out{r.value, err, r.data, &r.events};
    rec.text = fmt::format("{}{} = {}", st.assign.empty() ? "" : st.assign + " = ", scenario::call_text(st),
                           sim::result_text(st.call, out, vars_));
    // The call as data, as the interpreter's trace_call() keeps it.
    rec.fn = st.fn;
    for (const auto& a : st.args) {
      std::string one = sim::call_text("", {a});  // "(a)"
      rec.args.push_back(one.substr(1, one.size() - 2));
    }
    rec.assign = st.assign;
    rec.value = r.err == 0 ? r.value : -1;
    rec.err = err;
    rec.err_number = r.err;
    // The sockets after the call, when it may have changed them: a query
    // cannot (and a loop of them would spend its time in socket dumps).
    if (!spec.has(sim::kLeavesSockets)) ctx_.snapshot();
    std::lock_guard<std::mutex> lock(ctx_.mu);
    if (ctx_.stopped) return;
    if (st.expect.present) ctx_.rec->results.push_back(check_expect(st, out, rec.text));
    ctx_.rec->calls.push_back(std::move(rec));
  }

  // The scenario's `= ...` after a call, checked as the interpreter checks it.
  scenario::AssertionResult check_expect(const Stmt& st, const sim::CallOutcome& out,
                                         const std::string& text) const {
    scenario::AssertionResult ar;
    ar.loc = st.expect.loc;
    ar.what = fmt::format("{}: {}", spec_.decl->name, scenario::call_text(st));
    ar.pass = sim::expectation_met(st.expect, out, vars_);
    if (!ar.pass)
      ar.detail = fmt::format("expected {} = {}\n     got {}", scenario::call_text(st),
                              sim::expectation_text(st.expect), text);
    return ar;
  }

  RunContext& ctx_;
  const ProgramSpec& spec_;
  std::map<std::string, int> vars_;  // variable -> this program's descriptor number
  std::map<int, int> fds_;           // this program's descriptor -> the runner's
  std::vector<int> bound_;           // real descriptors with an address of their own
  std::string current_;              // what it is doing, for a run stopped at the cap
  std::uint64_t steps_ = 0;          // steps since it last waited
  std::vector<char> read_buf_;       // reused by every read (sized by the largest)
};

}  // namespace

void run_program(RunContext& ctx, const ProgramSpec& spec) { Program(ctx, spec).run(); }

}  // namespace tcpsim::kernel
