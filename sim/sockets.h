// The socket API a simulated program sees, the way Linux presents it: file
// descriptors per process, socket options, bind rules, listen/accept queues,
// connect, read/write with their errno, shutdown, close (RST for unread
// data, SO_LINGER {on, 0}), dup, O_NONBLOCK and epoll.
//
// Every call returns at once. A call that would block on a blocking socket
// says so (CallResult::blocked) and changes nothing; the program runner
// (sim/program.h) calls it again, with `resume`, once something happened on
// the host. Semantics follow net/ipv4/tcp.c: tcp_poll for readiness,
// tcp_recvmsg and tcp_sendmsg for the order in which data, errors and
// shutdown are reported, tcp_close for what close() sends, tcp_reset for the
// errno a RST leaves.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/keepalive.h"
#include "model/send_buffer.h"
#include "sim/errno.h"
#include "sim/fd_table.h"
#include "sim/host.h"

namespace tcpsim::sim {

struct CallResult {
  long value = 0;  // -1 with err set on failure
  Errno err = Errno::Ok;
  bool blocked = false;  // a blocking call that must wait: nothing was done

  static CallResult ok(long v = 0) { return {v, Errno::Ok, false}; }
  static CallResult fail(Errno e) { return {-1, e, false}; }
  static CallResult wait() { return {0, Errno::Ok, true}; }
};

// Linux's epoll bits, by value.
enum EpollBit : std::uint32_t {
  kEpollIn = 0x001,
  kEpollPri = 0x002,
  kEpollOut = 0x004,
  kEpollErr = 0x008,
  kEpollHup = 0x010,
  kEpollRdHup = 0x2000,
  kEpollOneShot = 1u << 30,
  kEpollEt = 1u << 31,
};
std::string epoll_events_name(std::uint32_t bits);  // "EPOLLIN|EPOLLRDHUP"

enum class SockOpt : std::uint8_t {
  ReuseAddr,
  ReusePort,
  Linger,
  RcvBuf,
  SndBuf,
  NoDelay,
  Cork,
  Error,
  KeepAlive,
  KeepIdle,  // TCP_KEEPIDLE, TCP_KEEPINTVL: seconds; TCP_KEEPCNT: probes
  KeepIntvl,
  KeepCnt,
  TcpInfo,      // getsockopt(TCP_INFO): one field of it (sim/tcp_info.h)
  RcvTimeo,     // SO_RCVTIMEO: a value in milliseconds (Linux: a struct timeval)
  SndTimeo,     // SO_SNDTIMEO
  UserTimeout,  // TCP_USER_TIMEOUT: milliseconds (RFC 9293 §3.8.3's user timeout), 0 = the retry limits
  FastOpen,     // TCP_FASTOPEN on a listener: its Fast Open queue length (sim/fast_open.h)
};
std::optional<SockOpt> sockopt_from_name(std::string_view name);  // "SO_REUSEADDR", "TCP_NODELAY"
std::string_view sockopt_name(SockOpt o);

enum class Shut : std::uint8_t { Rd, Wr, RdWr };
// ioctl requests: bytes queued to read (SIOCINQ, FIONREAD), and sent but
// unacknowledged or not yet sent (SIOCOUTQ), as Linux's tcp_ioctl counts them.
enum class Ioctl : std::uint8_t { InQ, OutQ };
// poll()'s bits beyond epoll's (Linux's values): tcp_poll() sets RDNORM with
// IN and WRNORM with OUT; NVAL answers a descriptor that is not open.
enum PollBit : std::uint32_t { kPollNval = 0x020, kPollRdNorm = 0x040, kPollWrNorm = 0x100 };
enum class EpollOp : std::uint8_t { Add, Mod, Del };

struct EpollEvent {
  int fd;
  std::uint32_t events;
};

using ProcessId = std::uint32_t;
using SocketId = std::uint32_t;

struct Socket {
  SocketId id = 0;
  int refs = 0;  // descriptors (in any process) that refer to it
  bool is_epoll = false;
  // Options.
  bool reuseaddr = false;
  bool reuseport = false;
  bool nonblocking = false;  // O_NONBLOCK: shared by dup'd descriptors, as on Linux
  bool linger = false;
  int linger_seconds = 0;
  int rcvbuf = 0, sndbuf = 0;  // 0: the profile's
  bool nodelay = false;
  bool cork = false;
  bool keepalive = false;
  int keepidle = 0, keepintvl = 0, keepcnt = 0;  // 0: the profile's
  // SO_RCVTIMEO, SO_SNDTIMEO: how long a blocking call waits; 0 for ever.
  Duration rcvtimeo = 0, sndtimeo = 0;
  // TCP_USER_TIMEOUT (-1: never set, the profile's), TCP_FASTOPEN's qlen.
  Duration user_timeout = -1;
  int fastopen_qlen = 0;
  // Addressing.
  bool bound = false;
  bool autobound = false;  // the port was picked by connect()/listen()
  Addr local;
  // The TCP side.
  bool listening = false;
  int backlog = 0;
  // connect() called and its outcome not yet reported by connect() itself
  // (Linux sock->state == SS_CONNECTING): a later connect() returns 0 once
  // the handshake is done, or the pending error if it failed.
  bool connecting = false;
  ConnId conn = kNoConn;
  Errno error = Errno::Ok;  // Linux sk_err: reported once by the next call
  bool shut_rd = false, shut_wr = false;
  std::uint64_t generation = 0;  // bumped on every wakeup of the socket's waiters
  // Linux SOCK_NOSPACE: a write found no room, so freed space wakes EPOLLOUT
  // waiters (sk_stream_write_space); otherwise ACKs wake nobody.
  bool nospace = false;
  // An epoll instance's interest list.
  struct Interest {
    int fd;
    SocketId target;
    std::uint32_t events;
    // On epoll's ready list: a wakeup whose key matched `events` (or a
    // keyless one) came since the last report. Edge-triggered interests
    // are reported only then (ep_poll_callback, ep_send_events).
    bool pending = true;
    bool disabled = false;  // EPOLLONESHOT fired
  };
  std::vector<Interest> interest;
};

struct Process {
  std::string name;
  FdTable fds{3};  // 0, 1, 2 are the standard streams
};

class Sockets {
 public:
  explicit Sockets(Host& host);
  Sockets(const Sockets&) = delete;
  Sockets& operator=(const Sockets&) = delete;

  Host& host() { return host_; }
  const Host& host() const { return host_; }

  ProcessId add_process(std::string name);
  const Process& process(ProcessId p) const { return procs_[p]; }

  CallResult socket(ProcessId p);
  CallResult setsockopt(ProcessId p, int fd, SockOpt opt, int value, int value2 = 0);
  // `field`: for TCP_INFO, which field (sim::TcpInfoField).
  CallResult getsockopt(ProcessId p, int fd, SockOpt opt, int field = 0);
  CallResult ioctl(ProcessId p, int fd, Ioctl request);
  // poll() on one descriptor: the events ready among `events` (and ERR,
  // HUP, which are always reported), as Linux's do_pollfd() masks them.
  std::uint32_t poll_revents(ProcessId p, int fd, std::uint32_t events) const;
  CallResult bind(ProcessId p, int fd, Addr addr);
  CallResult listen(ProcessId p, int fd, int backlog);
  CallResult accept(ProcessId p, int fd, Addr* peer = nullptr);
  CallResult connect(ProcessId p, int fd, Addr to, bool resume = false);
  // flags: Linux's MSG_ bits (sim/socket_calls.h): MSG_DONTWAIT, MSG_PEEK.
  CallResult read(ProcessId p, int fd, std::size_t n, std::string* into = nullptr, int flags = 0);
  CallResult write(ProcessId p, int fd, std::string_view data, int flags = 0);
  // Queues what fits of data in the send buffer; data may be far larger
  // than memory (write(k, N)'s filler is made as it is taken).
  CallResult write(ProcessId p, int fd, const model::WriteSource& data, int flags = 0);
  CallResult shutdown(ProcessId p, int fd, Shut how);
  CallResult close(ProcessId p, int fd);
  CallResult dup(ProcessId p, int fd);
  CallResult set_nonblocking(ProcessId p, int fd, bool on);
  CallResult epoll_create1(ProcessId p);
  CallResult epoll_ctl(ProcessId p, int epfd, EpollOp op, int fd, std::uint32_t events);
  CallResult epoll_wait(ProcessId p, int epfd, int maxevents, std::vector<EpollEvent>* out);
  CallResult getsockname(ProcessId p, int fd, Addr* addr);
  CallResult getpeername(ProcessId p, int fd, Addr* addr);

  // What poll/epoll would report for this descriptor now (tcp_poll).
  std::uint32_t readiness(ProcessId p, int fd) const;
  const Socket* socket_of(ProcessId p, int fd) const;
  std::size_t unread(ProcessId p, int fd) const;     // bytes queued for read()
  model::State state_of(ProcessId p, int fd) const;  // CLOSED without a connection

  // Something on the host may have changed readiness: blocked programs retry.
  std::function<void()> on_change;

 private:
  Socket* lookup(ProcessId p, int fd);
  const Socket* lookup(ProcessId p, int fd) const;
  int new_fd(ProcessId p, SocketId s);
  // A new descriptor would be below the host's RLIMIT_NOFILE (Profile::nofile).
  bool fd_available(ProcessId p) const;
  Socket& new_socket();
  void release(Socket& s);
  std::uint32_t poll(const Socket& s) const;
  Errno take_error(Socket& s);
  // SO_RCVBUF/SO_SNDBUF as getsockopt reports them (Profile::buffers_round_to_mss).
  long rounded_buffer(const Socket& s, long bytes) const;
  // A wakeup on s's wait queue with this poll key (0: every waiter), as
  // sk_data_ready (EPOLLIN), sk_write_space (EPOLLOUT) and sk_state_change
  // (0) make them.
  void wake(Socket& s, std::uint32_t key);
  void on_app(Conn& c, model::AppEvent e);
  CallResult bind_check(const Socket& s, Addr addr) const;
  void apply_buffers(const Socket& s, Conn& c);
  // SO_KEEPALIVE, TCP_KEEPIDLE/INTVL/CNT: the socket's, the profile's where unset.
  model::KeepaliveOptions keepalive_of(const Socket& s) const;
  void apply_keepalive(const Socket& s, const Conn& c);
  Conn* conn_of(const Socket& s);
  const Conn* conn_of(const Socket& s) const;

  Host& host_;
  std::string write_scratch_;  // the filler bytes of the write being queued
  std::vector<Process> procs_;
  std::vector<std::unique_ptr<Socket>> sockets_;  // by SocketId; null once released
  std::vector<SocketId> free_sockets_;
  std::vector<SocketId> epolls_;  // the epoll instances, for close()
};

}  // namespace tcpsim::sim
