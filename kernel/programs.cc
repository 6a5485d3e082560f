#include "kernel/programs.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
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
#include "sim/socket_table.h"
#include "sim/sockets.h"

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

struct EpollName {
  const char* name;
  std::uint32_t real;
  std::uint32_t sim;
};
constexpr EpollName kEpollNames[] = {
    {"EPOLLIN", EPOLLIN, sim::kEpollIn},          {"EPOLLOUT", EPOLLOUT, sim::kEpollOut},
    {"EPOLLRDHUP", EPOLLRDHUP, sim::kEpollRdHup}, {"EPOLLERR", EPOLLERR, sim::kEpollErr},
    {"EPOLLHUP", EPOLLHUP, sim::kEpollHup},       {"EPOLLPRI", EPOLLPRI, sim::kEpollPri},
    {"EPOLLET", EPOLLET, sim::kEpollEt},          {"EPOLLONESHOT", EPOLLONESHOT, sim::kEpollOneShot},
};

std::uint32_t epoll_real(const std::string& name) {
  for (const auto& e : kEpollNames) {
    if (name == e.name) return e.real;
  }
  return 0;
}
std::uint32_t epoll_sim_from_real(std::uint32_t bits) {
  std::uint32_t out = 0;
  for (const auto& e : kEpollNames) {
    if (bits & e.real) out |= e.sim;
  }
  return out;
}

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
  std::vector<std::pair<int, std::uint32_t>> events;  // (program fd, sim bits)
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

  // One step as the simulator counts them (sim::Runner): a program that takes
  // kMaxStepsWithoutTime of them without waiting (a sleep, a call that
  // blocked) is a runaway loop, at real-time priority here: it is stopped, as
  // the simulator stops it, and the run ends. False then (and `exited`).
  bool step(bool& exited) {
    if (steps_ < sim::Runner::kMaxStepsWithoutTime) {
      ++steps_;
      return true;
    }
    exited = true;
    std::lock_guard<std::mutex> lock(ctx_.mu);
    if (!ctx_.stopped && ctx_.rec->fault.empty())
      ctx_.rec->fault = sim::Runner::runaway_fault(spec_.decl->name);
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

  int real_fd(const Arg& a) const {
    int v = -1;
    if (a.kind == Arg::Number) v = static_cast<int>(a.number);
    if (a.kind == Arg::Ident) {
      auto it = vars_.find(a.text);
      if (it != vars_.end()) v = it->second;
    }
    auto it = fds_.find(v);
    return it == fds_.end() ? -1 : it->second;
  }
  int prog_fd(const Arg& a) const {
    if (a.kind == Arg::Number) return static_cast<int>(a.number);
    auto it = vars_.find(a.text);
    return it == vars_.end() ? -1 : it->second;
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
      setsockopt(fd, IPPROTO_TCP, TCP_LINGER2, &spec_.options.linger2_s, sizeof(int));
    if (spec_.options.syncnt > 0) setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &spec_.options.syncnt, sizeof(int));
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
  static Result send_all(int fd, const char* data, std::size_t size, bool generated) {
    std::size_t done = 0;
    while (done < size) {
      const char* from = generated ? data + done % 10 : data + done;
      const std::size_t want = generated ? std::min(size - done, kWriteChunk) : size - done;
      const ssize_t n = ::send(fd, from, want, MSG_NOSIGNAL);
      if (n < 0) return done ? ok(static_cast<long>(done)) : fail();
      done += static_cast<std::size_t>(n);
    }
    return ok(static_cast<long>(done));
  }

  static Result ok(long v) { return Result{v, 0, {}, {}}; }
  static Result fail() { return Result{-1, errno, {}, {}}; }
  static Result check(long r) { return r < 0 ? fail() : ok(r); }

  Result invoke(const Stmt& st) {
    const auto& a = st.args;
    const std::string& fn = st.fn;
    if (fn == "socket") {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) return fail();
      apply_host_options(fd);
      return ok(add_fd(fd));
    }
    if (fn == "epoll_create1") {
      const int fd = ::epoll_create1(EPOLL_CLOEXEC);
      return fd < 0 ? fail() : ok(add_fd(fd));
    }
    const int fd = real_fd(a[0]);
    if (fd < 0) {
      errno = EBADF;
      return fail();
    }
    if (fn == "bind") {
      const sockaddr_in s = sockaddr_of(a[1].addr);
      const int r = ::bind(fd, reinterpret_cast<const sockaddr*>(&s), sizeof(s));
      if (r == 0) bound_.push_back(fd);
      return check(r);
    }
    if (fn == "listen") return check(::listen(fd, a.size() > 1 ? static_cast<int>(a[1].number) : 128));
    if (fn == "accept") {
      const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
      return c < 0 ? fail() : ok(add_fd(c));
    }
    if (fn == "connect") {
      // One namespace holds every host: the source address must be the
      // host's own, chosen before the port (which connect() still picks).
      const bool loop_dst = (a[1].addr.ip >> 24) == 127;
      if (std::find(bound_.begin(), bound_.end(), fd) == bound_.end() && !loop_dst) {
        const int one = 1;
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
        const sockaddr_in s = sockaddr_of(sim::Addr{spec_.host_ip, 0});
        if (::bind(fd, reinterpret_cast<const sockaddr*>(&s), sizeof(s)) == 0) bound_.push_back(fd);
      }
      const sockaddr_in s = sockaddr_of(a[1].addr);
      return check(::connect(fd, reinterpret_cast<const sockaddr*>(&s), sizeof(s)));
    }
    if (fn == "read" || fn == "recv") {
      const std::size_t size = read_size(fd, a[1].number);
      if (read_buf_.size() < size) read_buf_.resize(size);
      const ssize_t n = ::recv(fd, read_buf_.data(), size, 0);
      if (n < 0) return fail();
      Result r = ok(n);
      r.data.assign(read_buf_.data(), static_cast<std::size_t>(n));
      return r;
    }
    if (fn == "write" || fn == "send") {
      if (a[1].kind == Arg::String) return send_all(fd, a[1].text.data(), a[1].text.size(), false);
      return send_all(fd, filler().data(), static_cast<std::size_t>(std::max(0L, a[1].number)), true);
    }
    if (fn == "shutdown") {
      const long how = a[1].kind == Arg::Number ? a[1].number
                       : a[1].text == "SHUT_RD" ? 0
                       : a[1].text == "SHUT_WR" ? 1
                                                : 2;
      return check(::shutdown(fd, how == 0 ? SHUT_RD : how == 1 ? SHUT_WR : SHUT_RDWR));
    }
    if (fn == "close") {
      const int v = prog_fd(a[0]);
      fds_.erase(v);
      bound_.erase(std::remove(bound_.begin(), bound_.end(), fd), bound_.end());
      return check(::close(fd));
    }
    if (fn == "getsockname" || fn == "getpeername") {
      sockaddr_in s{};
      socklen_t len = sizeof(s);
      const int r = fn == "getsockname" ? ::getsockname(fd, reinterpret_cast<sockaddr*>(&s), &len)
                                        : ::getpeername(fd, reinterpret_cast<sockaddr*>(&s), &len);
      return r < 0 ? fail() : ok(ntohs(s.sin_port));
    }
    if (fn == "dup") {
      const int d = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
      return d < 0 ? fail() : ok(add_fd(d));
    }
    if (fn == "fcntl") {
      const int flags = ::fcntl(fd, F_GETFL);
      const bool nonblock = a[2].kind == Arg::Ident;
      return check(::fcntl(fd, F_SETFL, nonblock ? flags | O_NONBLOCK : flags & ~O_NONBLOCK));
    }
    if (fn == "setsockopt" || fn == "getsockopt") {
      std::size_t i = 1;
      if (a[i].kind == Arg::Ident &&
          (a[i].text == "SOL_SOCKET" || a[i].text == "IPPROTO_TCP" || a[i].text == "SOL_TCP"))
        ++i;
      const std::string& name = a[i].text;
      int level = SOL_SOCKET, opt = 0;
      if (name == "SO_REUSEADDR") opt = SO_REUSEADDR;
      if (name == "SO_REUSEPORT") opt = SO_REUSEPORT;
      if (name == "SO_RCVBUF") opt = SO_RCVBUF;
      if (name == "SO_SNDBUF") opt = SO_SNDBUF;
      if (name == "SO_KEEPALIVE") opt = SO_KEEPALIVE;
      if (name == "SO_ERROR") opt = SO_ERROR;
      if (name == "SO_LINGER") opt = SO_LINGER;
      if (name == "TCP_NODELAY") {
        level = IPPROTO_TCP;
        opt = TCP_NODELAY;
      }
      if (name == "TCP_CORK") {
        level = IPPROTO_TCP;
        opt = TCP_CORK;
      }
      if (fn == "getsockopt") {
        if (opt == SO_LINGER) {
          linger l{};
          socklen_t len = sizeof(l);
          return ::getsockopt(fd, level, opt, &l, &len) < 0 ? fail() : ok(l.l_onoff);
        }
        int v = 0;
        socklen_t len = sizeof(v);
        return ::getsockopt(fd, level, opt, &v, &len) < 0 ? fail() : ok(v);
      }
      const int v1 = static_cast<int>(a[i + 1].number);
      if (opt == SO_LINGER) {
        const linger l{v1, i + 2 < a.size() ? static_cast<int>(a[i + 2].number) : 0};
        return check(::setsockopt(fd, level, opt, &l, sizeof(l)));
      }
      return check(::setsockopt(fd, level, opt, &v1, sizeof(v1)));
    }
    if (fn == "epoll_ctl") {
      const std::string& op = a[1].text;
      const int o = (op == "EPOLL_CTL_ADD" || op == "ADD")   ? EPOLL_CTL_ADD
                    : (op == "EPOLL_CTL_MOD" || op == "MOD") ? EPOLL_CTL_MOD
                                                             : EPOLL_CTL_DEL;
      epoll_event ev{};
      if (a[3].kind == Arg::Flags) {
        for (const auto& f : a[3].flags) ev.events |= epoll_real(f);
      } else if (a[3].kind == Arg::Ident) {
        ev.events = epoll_real(a[3].text);
      }
      ev.data.u32 = static_cast<std::uint32_t>(prog_fd(a[2]));
      return check(::epoll_ctl(fd, o, real_fd(a[2]), &ev));
    }
    if (fn == "epoll_wait") {
      const scenario::EpollWaitArgs w = scenario::epoll_wait_args(a);
      std::vector<epoll_event> evs(static_cast<std::size_t>(std::max(1, w.max)));
      const int ms = w.timeout < 0 ? -1 : static_cast<int>((w.timeout + kMillisecond - 1) / kMillisecond);
      int n;
      do {
        n = ::epoll_wait(fd, evs.data(), static_cast<int>(evs.size()), ms);
      } while (n < 0 && errno == EINTR);
      if (n < 0) return fail();
      Result r = ok(n);
      for (int k = 0; k < n; ++k)
        r.events.emplace_back(static_cast<int>(evs[static_cast<std::size_t>(k)].data.u32),
                              epoll_sim_from_real(evs[static_cast<std::size_t>(k)].events));
      return r;
    }
    errno = EINVAL;
    return fail();
  }

  std::string events_text(const Result& r) const {
    std::string s;
    for (const auto& [pfd, bits] : r.events) {
      std::string name = std::to_string(pfd);
      for (const auto& [v, f] : vars_) {
        if (f == pfd) name = v;
      }
      s += fmt::format("{}{}: {}", s.empty() ? "" : ", ", name, sim::epoll_events_name(bits));
    }
    return "[" + s + "]";
  }

  // The socket a call used or made, by its addresses, so the trace can tie
  // the call to its connection.
  bool socket_of(const Stmt& st, const Result& r, int before_fd, sim::Addr& local, sim::Addr& peer) const {
    int fd = -1;
    if (!st.assign.empty() && r.value >= 0 && fds_.count(static_cast<int>(r.value)))
      fd = fds_.at(static_cast<int>(r.value));
    if (fd < 0 || st.fn == "socket") fd = before_fd;
    if (fd < 0) return false;
    sockaddr_in s{};
    socklen_t len = sizeof(s);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&s), &len) < 0) return false;
    local = sim::Addr{ntohl(s.sin_addr.s_addr), ntohs(s.sin_port)};
    len = sizeof(s);
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&s), &len) == 0)
      peer = sim::Addr{ntohl(s.sin_addr.s_addr), ntohs(s.sin_port)};
    return local.port != 0;
  }

  void call(const Stmt& st) {
    current_ = fmt::format("{} ({}:{}:{})", scenario::call_text(st), ctx_.sc->file, st.loc.line, st.loc.col);
    publish("in " + current_);
    if (st.fn == "accept" || st.fn == "connect" || st.fn == "read" || st.fn == "recv" ||
        st.fn == "epoll_wait" || st.fn == "write" || st.fn == "send")
      settle();
    const bool first_is_fd = st.fn != "socket" && st.fn != "epoll_create1";
    const int before_fd = first_is_fd && !st.args.empty() ? real_fd(st.args[0]) : -1;
    // Addresses before the call: close() takes them away.
    CallRecord rec;
    rec.program = spec_.index;
    rec.var = !st.assign.empty() && st.fn != "epoll_create1"                     ? st.assign
              : first_is_fd && !st.args.empty() && st.args[0].kind == Arg::Ident ? st.args[0].text
                                                                                 : "";
    if (st.fn == "close" && before_fd >= 0)
      rec.has_socket = socket_of(st, Result{-1, 0, {}, {}}, before_fd, rec.local, rec.peer);
    rec.start = ctx_.now();
    const long waits_before = waits();
    const Result r = invoke(st);
    if (waits() != waits_before) steps_ = 1;  // a run of steps begins again with this one
    rec.end = ctx_.now();
    if (ctx_.stopped) return;
    if (!st.assign.empty() && r.value >= 0) vars_[st.assign] = static_cast<int>(r.value);
    if (st.fn != "close") rec.has_socket = socket_of(st, r, before_fd, rec.local, rec.peer);
    std::string result = r.err == 0 ? std::to_string(r.value) : fmt::format("-1 {}", errno_text(r.err));
    if ((st.fn == "read" || st.fn == "recv") && r.value > 0) result += " " + scenario::quote(r.data);
    if (st.fn == "epoll_wait" && r.value > 0) result += " " + events_text(r);
    rec.text =
        fmt::format("{}{} = {}", st.assign.empty() ? "" : st.assign + " = ", scenario::call_text(st), result);
    // The sockets after the call, when it may have changed them: a query
    // cannot (and a loop of them would spend its time in socket dumps).
    if (st.fn != "getsockopt" && st.fn != "getsockname" && st.fn != "getpeername") ctx_.snapshot();
    std::lock_guard<std::mutex> lock(ctx_.mu);
    if (ctx_.stopped) return;
    if (st.expect.present) ctx_.rec->results.push_back(check_expect(st, r, rec.text));
    ctx_.rec->calls.push_back(std::move(rec));
  }

  // The scenario's `= ...` after a call, as the interpreter checks it.
  scenario::AssertionResult check_expect(const Stmt& st, const Result& r, const std::string& text) const {
    const scenario::Expect& e = st.expect;
    scenario::AssertionResult ar;
    ar.loc = e.loc;
    ar.what = fmt::format("{}: {}", spec_.decl->name, scenario::call_text(st));
    std::string want = e.value == -1 ? fmt::format("-1 {}", e.err) : std::to_string(e.value);
    bool good =
        e.value == -1 ? (r.err != 0 && errno_text(r.err) == e.err) : (r.err == 0 && r.value == e.value);
    if (e.has_data) {
      want += " " + scenario::quote(e.data);
      good = good && r.data == e.data;
    }
    if (!e.events.empty()) {
      std::string w;
      for (const auto& [var, bits] : e.events) {
        std::uint32_t mask = 0;
        std::string names;
        for (const auto& b : bits) {
          for (const auto& n : kEpollNames) {
            if (b == n.name) mask |= n.sim;
          }
          names += (names.empty() ? "" : "|") + b;
        }
        w += fmt::format("{}{}: {}", w.empty() ? "" : ", ", var, names);
        auto it = vars_.find(var);
        bool found = false;
        for (const auto& [pfd, ev] : r.events) {
          if (it != vars_.end() && pfd == it->second) found = ev == mask;
        }
        good = good && found;
      }
      want += " [" + w + "]";
    }
    ar.pass = good;
    if (!good) ar.detail = fmt::format("expected {} = {}\n     got {}", scenario::call_text(st), want, text);
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
