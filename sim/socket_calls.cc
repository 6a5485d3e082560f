#include "sim/socket_calls.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>

#include "sim/tcp_info.h"
#include "sim/units.h"

namespace tcpsim::sim {

namespace {

// --------------------------------------------------------------- names

// A name and its Linux value, for every small vocabulary below.
struct Named {
  std::string_view name;
  long value;
};

const Named* named(const std::vector<Named>& table, std::string_view name) {
  for (const auto& n : table) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

// Linux's epoll bits (EpollBit holds Linux's values), in the order
// epoll_events_name prints them.
const std::vector<Named> kEpollBits = {
    {"EPOLLIN", kEpollIn},           {"EPOLLPRI", kEpollPri}, {"EPOLLOUT", kEpollOut},
    {"EPOLLERR", kEpollErr},         {"EPOLLHUP", kEpollHup}, {"EPOLLRDHUP", kEpollRdHup},
    {"EPOLLONESHOT", kEpollOneShot}, {"EPOLLET", kEpollEt},
};

// poll()'s bits (Linux's values, epoll's where they share them), in the
// order a result prints them.
const std::vector<Named> kPollBits = {
    {"POLLIN", kEpollIn},        {"POLLPRI", kEpollPri},      {"POLLOUT", kEpollOut},
    {"POLLERR", kEpollErr},      {"POLLHUP", kEpollHup},      {"POLLNVAL", kPollNval},
    {"POLLRDNORM", kPollRdNorm}, {"POLLWRNORM", kPollWrNorm}, {"POLLRDHUP", kEpollRdHup},
};

// The names of a call's events: poll's or epoll's.
const std::vector<Named>& event_names(CallId id) { return id == CallId::poll ? kPollBits : kEpollBits; }

std::string bits_name(const std::vector<Named>& table, std::uint32_t bits) {
  std::string out;
  for (const auto& [name, bit] : table) {
    if (!(bits & static_cast<std::uint32_t>(bit))) continue;
    if (!out.empty()) out += '|';
    out += name;
  }
  return out.empty() ? "0" : out;
}

// ioctl requests (Linux: SIOCINQ = FIONREAD 0x541B, SIOCOUTQ = TIOCOUTQ 0x5411).
const std::vector<Named> kIoctls = {
    {"SIOCINQ", static_cast<long>(Ioctl::InQ)},
    {"FIONREAD", static_cast<long>(Ioctl::InQ)},
    {"SIOCOUTQ", static_cast<long>(Ioctl::OutQ)},
};

// setsockopt/getsockopt levels (Linux: SOL_SOCKET 1, IPPROTO_TCP = SOL_TCP 6).
constexpr int kSolSocket = 1;
constexpr int kIpprotoTcp = 6;
const std::vector<Named> kLevels = {
    {"SOL_SOCKET", kSolSocket}, {"IPPROTO_TCP", kIpprotoTcp}, {"SOL_TCP", kIpprotoTcp}};

const std::vector<SockOptInfo> kOptions = {
    {"SO_REUSEADDR", kSolSocket, 2, SockOpt::ReuseAddr, 1, 1, {}},
    {"SO_REUSEPORT", kSolSocket, 15, SockOpt::ReusePort, 1, 1, {}},
    // setsockopt(s, SO_LINGER, on[, seconds]): struct linger {l_onoff, l_linger}.
    {"SO_LINGER", kSolSocket, 13, SockOpt::Linger, 1, 2, {}},
    {"SO_RCVBUF", kSolSocket, 8, SockOpt::RcvBuf, 1, 1, {}},
    {"SO_SNDBUF", kSolSocket, 7, SockOpt::SndBuf, 1, 1, {}},
    {"TCP_NODELAY", kIpprotoTcp, 1, SockOpt::NoDelay, 1, 1, {}},
    {"TCP_CORK", kIpprotoTcp, 3, SockOpt::Cork, 1, 1, {}},
    {"SO_ERROR", kSolSocket, 4, SockOpt::Error, 1, 1, "SO_ERROR can only be read (getsockopt)", true},
    // Keepalive probes (RFC 1122 §4.2.3.6, model/keepalive.h); the three
    // TCP_ options take seconds (TCP_KEEPCNT a count), as Linux's.
    {"SO_KEEPALIVE", kSolSocket, 9, SockOpt::KeepAlive, 1, 1, {}},
    {"TCP_KEEPIDLE", kIpprotoTcp, 4, SockOpt::KeepIdle, 1, 1, {}},
    {"TCP_KEEPINTVL", kIpprotoTcp, 5, SockOpt::KeepIntvl, 1, 1, {}},
    {"TCP_KEEPCNT", kIpprotoTcp, 6, SockOpt::KeepCnt, 1, 1, {}},
    // getsockopt(s, TCP_INFO, tcpi_rto): one field of struct tcp_info.
    {"TCP_INFO", kIpprotoTcp, 11, SockOpt::TcpInfo, 1, 1, "TCP_INFO can only be read (getsockopt)", false,
     true},
    // setsockopt(s, SO_RCVTIMEO, 200ms): a blocking call gives up after it
    // (sock_rcvtimeo, sock_sndtimeo); 0 waits for ever.
    {"SO_RCVTIMEO", kSolSocket, 20, SockOpt::RcvTimeo, 1, 1, {}, false, false, true},
    {"SO_SNDTIMEO", kSolSocket, 21, SockOpt::SndTimeo, 1, 1, {}, false, false, true},
    // setsockopt(s, TCP_USER_TIMEOUT, ms): RFC 9293 §3.8.3's user timeout.
    {"TCP_USER_TIMEOUT", kIpprotoTcp, 18, SockOpt::UserTimeout, 1, 1, {}},
    // setsockopt(listener, TCP_FASTOPEN, qlen): TCP Fast Open on the server side.
    {"TCP_FASTOPEN", kIpprotoTcp, 23, SockOpt::FastOpen, 1, 1, {}},
};

// MSG_ flags, with what each call does with them.
const std::vector<Named> kMsgFlags = {
    {"MSG_PEEK", kMsgPeek},         {"MSG_DONTWAIT", kMsgDontWait}, {"MSG_WAITALL", kMsgWaitAll},
    {"MSG_NOSIGNAL", kMsgNoSignal}, {"MSG_MORE", kMsgMore},
};

const std::vector<Named> kShut = {{"SHUT_RD", 0}, {"SHUT_WR", 1}, {"SHUT_RDWR", 2}};
const std::vector<Named> kEpollOps = {{"EPOLL_CTL_ADD", 1}, {"EPOLL_CTL_DEL", 2}, {"EPOLL_CTL_MOD", 3},
                                      {"ADD", 1},           {"DEL", 2},           {"MOD", 3}};

// socket(AF_INET, SOCK_STREAM[|SOCK_NONBLOCK|SOCK_CLOEXEC], 0 or IPPROTO_TCP)
constexpr long kSockNonblock = kONonblock;
constexpr long kSockCloexec = 02000000;
const std::vector<Named> kSocketDomains = {{"AF_INET", 2}};
const std::vector<Named> kSocketTypes = {
    {"SOCK_STREAM", 1}, {"SOCK_NONBLOCK", kSockNonblock}, {"SOCK_CLOEXEC", kSockCloexec}};
const std::vector<Named> kSocketProtocols = {{"IPPROTO_TCP", kIpprotoTcp}};
const std::vector<Named> kFileFlags = {{"O_RDWR", kORdWr}, {"O_NONBLOCK", kONonblock}};
// epoll_create1(0 or EPOLL_CLOEXEC): close-on-exec changes nothing here.
const std::vector<Named> kEpollCreateFlags = {{"EPOLL_CLOEXEC", kSockCloexec}};

std::string arg_text(const CallArg& a) {
  switch (a.kind) {
    case CallArg::Ident: return a.text;
    case CallArg::Number: return std::to_string(a.number);
    case CallArg::String: return quote(a.text);
    case CallArg::Address: return a.addr.ip == 0 ? fmt::format("*:{}", a.addr.port) : to_string(a.addr);
    case CallArg::Duration: return format_duration(a.duration);
    case CallArg::Flags: {
      std::string s;
      for (const auto& f : a.flags) s += (s.empty() ? "" : "|") + f;
      return s;
    }
  }
  return "?";
}

// ----------------------------------------------------------- decoding

using Problem = std::optional<CallError>;

// The arguments of one call and what they decode into.
struct Args {
  const std::vector<CallArg>& a;
  SourceLoc at;
  DecodedCall& d;

  std::string_view fn() const { return call_spec(d.id).name; }
  bool has(std::size_t i) const { return i < a.size(); }
  bool is_num(std::size_t i) const { return has(i) && a[i].kind == CallArg::Number; }
  bool is_ident(std::size_t i, std::string_view text) const {
    return has(i) && a[i].kind == CallArg::Ident && a[i].text == text;
  }
  CallError wrong(std::size_t i, std::string_view what) const {
    return CallError{
        a[i].loc, fmt::format("{}() argument {}: expected {}, found {}", fn(), i + 1, what, arg_text(a[i]))};
  }
  Problem want(std::size_t i, bool ok, std::string_view what) const {
    if (has(i) && !ok) return wrong(i, what);
    return std::nullopt;
  }
  // A C int: a number beyond one is not a call C could make.
  Problem int_arg(std::size_t i, std::string_view what, int& out) const {
    if (!is_num(i)) return wrong(i, what);
    if (a[i].number < INT_MIN || a[i].number > INT_MAX)
      return CallError{a[i].loc, fmt::format("{}() argument {}: {} must be from {} to {}", fn(), i + 1, what,
                                             INT_MIN, INT_MAX)};
    out = static_cast<int>(a[i].number);
    return std::nullopt;
  }
  // Names from `table` joined with '|', or a number whose bits are all
  // theirs; the value ORed.
  std::optional<long> bits(std::size_t i, const std::vector<Named>& table) const {
    const CallArg& x = a[i];
    if (x.kind == CallArg::Number) {
      long known = 0;
      for (const auto& n : table) known |= n.value;
      return (x.number & ~known) == 0 && x.number >= 0 ? std::optional<long>(x.number) : std::nullopt;
    }
    if (x.kind != CallArg::Ident && x.kind != CallArg::Flags) return std::nullopt;
    const std::vector<std::string> names =
        x.kind == CallArg::Flags ? x.flags : std::vector<std::string>{x.text};
    long v = 0;
    for (const auto& f : names) {
      const Named* n = named(table, f);
      if (!n) return std::nullopt;
      v |= n->value;
    }
    return v;
  }
};

FdRef fd_ref(const CallArg& a) {
  FdRef r;
  if (a.kind == CallArg::Ident) r.var = a.text;
  if (a.kind == CallArg::Number)
    r.number = a.number < INT_MIN || a.number > INT_MAX ? -1 : static_cast<int>(a.number);
  return r;
}

Problem decode_socket(Args& x) {
  // Linux's socket(domain, type, protocol): only a TCP stream socket.
  if (x.a.empty()) return std::nullopt;
  if (x.a.size() != 3)
    return CallError{x.at, "socket() takes no arguments or three: socket(AF_INET, SOCK_STREAM, 0)"};
  const auto domain = x.bits(0, kSocketDomains);
  if (!domain || *domain != 2) return x.wrong(0, "AF_INET");
  const auto type = x.bits(1, kSocketTypes);
  if (!type || (*type & 1) == 0) return x.wrong(1, "SOCK_STREAM, with SOCK_NONBLOCK or SOCK_CLOEXEC");
  x.d.nonblocking = (*type & kSockNonblock) != 0;
  const auto proto = x.bits(2, kSocketProtocols);
  if (!proto || (*proto != 0 && *proto != kIpprotoTcp)) return x.wrong(2, "0 or IPPROTO_TCP");
  return std::nullopt;
}

// [level,] option: the option's row, and the index after it.
Problem sockopt_name_arg(Args& x, std::size_t& k, const SockOptInfo*& info) {
  k = 1;
  const Named* level = x.a[1].kind == CallArg::Ident ? named(kLevels, x.a[1].text) : nullptr;
  if (level) ++k;
  if (k >= x.a.size()) return CallError{x.at, fmt::format("{}() needs an option name", x.fn())};
  info = nullptr;
  for (const auto& o : kOptions) {
    if (x.a[k].kind == CallArg::Ident && o.name == x.a[k].text) info = &o;
  }
  if (!info) {
    std::string names;
    for (const auto& o : kOptions) names += (names.empty() ? "" : ", ") + std::string(o.name);
    return x.wrong(k, fmt::format("an option ({})", names));
  }
  if (level && level->value != info->level)
    return CallError{x.a[1].loc,
                     fmt::format("{} is not a {} option (its level is {})", info->name, level->name,
                                 info->level == kSolSocket ? "SOL_SOCKET" : "IPPROTO_TCP")};
  x.d.opt = info->opt;
  ++k;
  return std::nullopt;
}

Problem decode_setsockopt(Args& x) {
  std::size_t k = 0;
  const SockOptInfo* o = nullptr;
  if (auto e = sockopt_name_arg(x, k, o)) return e;
  const int values = static_cast<int>(x.a.size() - k);
  if (values == 0) return CallError{x.at, "setsockopt() needs a value"};
  int v[2] = {0, 0};
  if (o->duration_value && values == 1) {
    // Milliseconds in an int: 24 days at most (Linux's limit is larger).
    const CallArg& t = x.a[k];
    if (!(t.kind == CallArg::Duration || (t.kind == CallArg::Number && t.number == 0)))
      return x.wrong(k, "a timeout such as 200ms or 2s (0: wait for ever)");
    const Duration ms = t.kind == CallArg::Number ? 0 : (t.duration + kMillisecond - 1) / kMillisecond;
    if (ms > INT_MAX) return CallError{t.loc, fmt::format("{} is at most {} ms", o->name, INT_MAX)};
    x.d.value = static_cast<int>(ms);
    return std::nullopt;
  }
  for (std::size_t i = k; i < x.a.size(); ++i) {
    if (i - k >= 2) break;
    if (auto e = x.int_arg(i, "a number", v[i - k])) return e;
  }
  if (values < o->min_values || values > o->max_values)
    return CallError{x.a[std::min(x.a.size() - 1, k + static_cast<std::size_t>(o->max_values))].loc,
                     o->max_values == 1 ? fmt::format("{} takes one value", o->name)
                                        : fmt::format("{} takes 1 to {} values", o->name, o->max_values)};
  if (!o->refused.empty() && (o->errno_value || o->read_only || v[0] != 0))
    return CallError{x.a[k].loc, std::string(o->refused)};
  x.d.value = v[0];
  x.d.value2 = v[1];
  return std::nullopt;
}

Problem decode_getsockopt(Args& x) {
  std::size_t k = 0;
  const SockOptInfo* o = nullptr;
  if (auto e = sockopt_name_arg(x, k, o)) return e;
  if (o->opt == SockOpt::TcpInfo) {
    // getsockopt(s, TCP_INFO, tcpi_FIELD): the field's value.
    const auto f =
        k < x.a.size() && x.a[k].kind == CallArg::Ident ? tcp_info_field(x.a[k].text) : std::nullopt;
    if (!f) {
      if (k >= x.a.size())
        return CallError{x.at, fmt::format("TCP_INFO needs a field: {}", tcp_info_names())};
      return x.wrong(k, fmt::format("a TCP_INFO field ({})", tcp_info_names()));
    }
    x.d.value = static_cast<int>(*f);
    ++k;
  }
  if (k < x.a.size()) return x.wrong(k, "nothing more (getsockopt returns the value)");
  return std::nullopt;
}

Problem decode_bind(Args& x) {
  if (auto e = x.want(1, x.a[1].kind == CallArg::Address, "an address such as 127.0.0.1:9090")) return e;
  x.d.addr = x.a[1].addr;
  return std::nullopt;
}

Problem decode_listen(Args& x) {
  if (x.a.size() > 1) return x.int_arg(1, "a backlog", x.d.backlog);
  return std::nullopt;
}

Problem decode_accept(Args&) { return std::nullopt; }
Problem decode_connect(Args& x) { return decode_bind(x); }

Problem decode_read(Args& x) {
  if (auto e = x.want(1, x.is_num(1) && x.a[1].number > 0, "a byte count")) return e;
  x.d.count = static_cast<std::uint64_t>(x.a[1].number);
  return std::nullopt;
}

// read_to_end(c): reads until end of stream (or an error) and returns how
// many bytes came; the bytes are counted, not kept, so that a transfer of
// any size costs no memory at the reader.
Problem decode_read_to_end(Args&) { return std::nullopt; }

// The MSG_ flags a call takes: recv's change how it reads; send's
// MSG_NOSIGNAL is what tcpsim's programs always get (they ignore SIGPIPE:
// a write on a broken connection returns EPIPE); MSG_MORE would cork the
// data path, which is not simulated.
Problem msg_flags(Args& x, std::size_t i, int allowed) {
  if (!x.has(i)) return std::nullopt;
  const auto v = x.bits(i, kMsgFlags);
  if (!v) return x.wrong(i, "0 or MSG_ flags such as MSG_DONTWAIT|MSG_PEEK");
  for (const auto& n : kMsgFlags) {
    if (!(*v & n.value) || (allowed & n.value)) continue;
    if (n.value == kMsgMore)
      return CallError{x.a[i].loc, "MSG_MORE is not simulated: tcpsim does not cork the data path"};
    return CallError{x.a[i].loc, fmt::format("{}() does not take {}", x.fn(), n.name)};
  }
  if ((*v & kMsgPeek) && (*v & kMsgWaitAll))
    return CallError{x.a[i].loc, "MSG_PEEK|MSG_WAITALL is not simulated: peek, or wait for all"};
  x.d.msg_flags = static_cast<int>(*v);
  return std::nullopt;
}

Problem decode_recv(Args& x) {
  if (auto e = decode_read(x)) return e;
  return msg_flags(x, 2, kMsgPeek | kMsgDontWait | kMsgWaitAll);
}

Problem decode_write(Args& x) {
  if (auto e = x.want(1, x.a[1].kind == CallArg::String || (x.is_num(1) && x.a[1].number >= 0),
                      "a string or a byte count"))
    return e;
  x.d.has_text = x.a[1].kind == CallArg::String;
  if (x.d.has_text) x.d.text = x.a[1].text;
  x.d.count = x.d.has_text ? x.d.text.size() : static_cast<std::uint64_t>(x.a[1].number);
  return std::nullopt;
}

Problem decode_send(Args& x) {
  if (auto e = decode_write(x)) return e;
  return msg_flags(x, 2, kMsgDontWait | kMsgNoSignal);
}

Problem decode_shutdown(Args& x) {
  const Named* n = x.a[1].kind == CallArg::Ident ? named(kShut, x.a[1].text) : nullptr;
  const long how = n ? n->value : x.is_num(1) ? x.a[1].number : -1;
  if (auto e = x.want(1, how >= 0 && how <= 2, "SHUT_RD, SHUT_WR or SHUT_RDWR")) return e;
  x.d.how = how == 0 ? Shut::Rd : how == 1 ? Shut::Wr : Shut::RdWr;
  return std::nullopt;
}

Problem decode_close(Args&) { return std::nullopt; }
Problem decode_dup(Args&) { return std::nullopt; }

// fcntl(fd, F_GETFL), fcntl(fd, F_SETFL, O_NONBLOCK | O_RDWR | 0): only
// O_NONBLOCK changes anything on a socket.
Problem decode_fcntl(Args& x) {
  if (auto e = x.want(1, x.is_ident(1, "F_SETFL") || x.is_ident(1, "F_GETFL"), "F_SETFL or F_GETFL"))
    return e;
  x.d.getfl = x.is_ident(1, "F_GETFL");
  if (x.d.getfl) return x.has(2) ? std::optional(x.wrong(2, "nothing more")) : std::nullopt;
  if (!x.has(2)) return CallError{x.at, "fcntl(F_SETFL) needs the flags: O_NONBLOCK or 0"};
  const auto flags = x.bits(2, kFileFlags);
  if (auto e = x.want(2, flags.has_value(), "O_NONBLOCK, O_RDWR or 0")) return e;
  x.d.nonblocking = (*flags & kONonblock) != 0;
  return std::nullopt;
}

Problem decode_epoll_create1(Args& x) {
  if (x.a.empty()) return std::nullopt;
  return x.want(0, x.bits(0, kEpollCreateFlags).has_value(), "0 or EPOLL_CLOEXEC");
}

Problem decode_epoll_ctl(Args& x) {
  const Named* op = x.a[1].kind == CallArg::Ident ? named(kEpollOps, x.a[1].text) : nullptr;
  if (auto e = x.want(1, op != nullptr, "EPOLL_CTL_ADD, EPOLL_CTL_MOD or EPOLL_CTL_DEL")) return e;
  x.d.op = op->value == 1 ? EpollOp::Add : op->value == 3 ? EpollOp::Mod : EpollOp::Del;
  const bool zero = x.is_num(3) && x.a[3].number == 0;
  const auto bits = x.a[3].kind == CallArg::Number ? std::nullopt : x.bits(3, kEpollBits);
  if (auto e = x.want(3, zero || bits, "epoll events such as EPOLLIN|EPOLLRDHUP|EPOLLET")) return e;
  x.d.events = static_cast<std::uint32_t>(bits.value_or(0));
  return std::nullopt;
}

// epoll_wait(ep[, maxevents], timeout): the timeout in ms (an int, negative
// for ever) or as a duration; maxevents 16 unless given.
Problem decode_epoll_wait(Args& x) {
  for (std::size_t i = 1; i < x.a.size(); ++i) {
    if (auto e = x.want(i, x.is_num(i) || x.a[i].kind == CallArg::Duration,
                        "a number (timeout in ms, -1 for ever)"))
      return e;
    const CallArg& v = x.a[i];
    if (v.kind == CallArg::Number && (v.number < INT_MIN || v.number > INT_MAX)) {
      const bool timeout = i + 1 == x.a.size();
      return CallError{
          v.loc, fmt::format("epoll_wait's {} must be from {} to {}{}", timeout ? "timeout" : "maxevents",
                             INT_MIN, INT_MAX, timeout ? " ms (an int; negative waits forever)" : "")};
    }
  }
  auto as_timeout = [](const CallArg& v) {
    // Saturating: a timeout of 10^18 ms is for ever, not a wrapped negative.
    return v.kind == CallArg::Duration ? v.duration
                                       : (v.number < 0 ? Duration{-1} : sat_mul(v.number, kMillisecond));
  };
  if (x.a.size() == 2) x.d.timeout = as_timeout(x.a[1]);
  if (x.a.size() == 3) {
    x.d.maxevents = static_cast<int>(x.a[1].number);
    x.d.timeout = as_timeout(x.a[2]);
  }
  return std::nullopt;
}

// poll(fd, POLLIN|POLLOUT, timeout): one descriptor, Linux's bits; the
// timeout in ms (negative: for ever) or as a duration.
Problem decode_poll(Args& x) {
  const auto bits = x.a[1].kind == CallArg::Number ? std::nullopt : x.bits(1, kPollBits);
  const bool zero = x.is_num(1) && x.a[1].number == 0;
  if (auto e = x.want(1, zero || bits, "poll events such as POLLIN|POLLOUT")) return e;
  x.d.events = static_cast<std::uint32_t>(bits.value_or(0));
  const CallArg& t = x.a[2];
  if (auto e = x.want(2, t.kind == CallArg::Number || t.kind == CallArg::Duration,
                      "a timeout (ms, -1 for ever, or a duration)"))
    return e;
  x.d.timeout = t.kind == CallArg::Duration ? t.duration
                : t.number < 0              ? Duration{-1}
                                            : sat_mul(t.number, kMillisecond);
  return std::nullopt;
}

// ioctl(fd, SIOCINQ | FIONREAD | SIOCOUTQ): the count is the result.
Problem decode_ioctl(Args& x) {
  const Named* n = x.a[1].kind == CallArg::Ident ? named(kIoctls, x.a[1].text) : nullptr;
  if (auto e = x.want(1, n != nullptr, "SIOCINQ, FIONREAD or SIOCOUTQ")) return e;
  x.d.request = static_cast<Ioctl>(n->value);
  return std::nullopt;
}

Problem decode_getsockname(Args&) { return std::nullopt; }
Problem decode_getpeername(Args&) { return std::nullopt; }
Problem decode_tcp_state(Args&) { return std::nullopt; }

const std::vector<CallSpec> kCalls = {
#define TCPSIM_CALL_ROW(name, least, most, traits, second_fd) \
  CallSpec{#name,                                             \
           CallId::name,                                      \
           least,                                             \
           most,                                              \
           static_cast<std::uint8_t>(traits),                 \
           second_fd,                                         \
           ((traits)&kMakesFd) != 0},
    TCPSIM_SOCKET_CALLS(TCPSIM_CALL_ROW)
#undef TCPSIM_CALL_ROW
};

using Decoder = Problem (*)(Args&);
const Decoder kDecoders[] = {
#define TCPSIM_CALL_DECODER(name, ...) &decode_##name,
    TCPSIM_SOCKET_CALLS(TCPSIM_CALL_DECODER)
#undef TCPSIM_CALL_DECODER
};

std::string_view canonical_errno(std::string_view name) { return name == "EWOULDBLOCK" ? "EAGAIN" : name; }

}  // namespace

const std::vector<CallSpec>& socket_calls() { return kCalls; }

const CallSpec* find_call(std::string_view name) {
  for (const auto& c : kCalls) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const CallSpec& call_spec(CallId id) { return kCalls[static_cast<std::size_t>(id)]; }

const std::vector<SockOptInfo>& socket_options() { return kOptions; }

const SockOptInfo& sockopt_info(SockOpt o) {
  for (const auto& i : kOptions) {
    if (i.opt == o) return i;
  }
  return kOptions.front();
}

std::optional<SockOpt> sockopt_from_name(std::string_view name) {
  for (const auto& i : kOptions) {
    if (i.name == name) return i.opt;
  }
  return std::nullopt;
}

std::string_view sockopt_name(SockOpt o) { return sockopt_info(o).name; }

std::optional<std::uint32_t> poll_events_value(const std::vector<std::string>& names) {
  std::uint32_t v = 0;
  for (const auto& n : names) {
    const Named* b = named(kPollBits, n);
    if (!b) return std::nullopt;
    v |= static_cast<std::uint32_t>(b->value);
  }
  return v;
}

std::string epoll_events_name(std::uint32_t bits) { return bits_name(kEpollBits, bits); }

std::variant<DecodedCall, CallError> decode_call(const CallSpec& spec, const std::vector<CallArg>& args,
                                                 SourceLoc at) {
  DecodedCall d;
  d.id = spec.id;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (!spec.is_fd_arg(i)) continue;
    if (args[i].kind != CallArg::Ident && args[i].kind != CallArg::Number)
      return CallError{args[i].loc,
                       fmt::format("{}() needs a descriptor here, found {}", spec.name, arg_text(args[i]))};
    (i == 0 ? d.fd : d.target) = fd_ref(args[i]);
  }
  Args x{args, at, d};
  if (auto e = kDecoders[static_cast<std::size_t>(spec.id)](x)) return *e;
  return d;
}

std::optional<CallError> check_expectation(const DecodedCall& call, const CallExpect& e) {
  if (!e.present) return std::nullopt;
  if (e.value == -1 && !errno_from_name(e.err))
    return CallError{e.loc,
                     fmt::format("'{}' is not an errno tcpsim knows (EADDRINUSE, ECONNRESET ...)", e.err)};
  if (e.has_data && call.id == CallId::read_to_end)
    return CallError{e.loc, "read_to_end() keeps no bytes: expect only the count (= 20000)"};
  if (!e.value_name.empty()) {
    const auto v = named_value(call, e.value_name);
    if (const auto* why = std::get_if<std::string>(&v)) return CallError{e.loc, *why};
  }
  for (const auto& [var, bits] : e.events) {
    for (const auto& b : bits) {
      if (!named(event_names(call.id), b))
        return CallError{
            e.loc, fmt::format("'{}' is not {} event", b, call.id == CallId::poll ? "a poll" : "an epoll")};
    }
  }
  return std::nullopt;
}

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

std::string call_text(std::string_view fn, const std::vector<CallArg>& args) {
  std::string s = std::string(fn) + "(";
  for (std::size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + arg_text(args[i]);
  return s + ")";
}

namespace {

std::string events_text(const std::vector<Named>& names, const std::vector<EpollEvent>& events,
                        const FdNames& fds) {
  std::string s;
  for (const auto& e : events) {
    std::string name = std::to_string(e.fd);
    for (const auto& [v, fd] : fds) {
      if (fd == e.fd) name = v;
    }
    s += fmt::format("{}{}: {}", s.empty() ? "" : ", ", name, bits_name(names, e.events));
  }
  return "[" + s + "]";
}

}  // namespace

std::string result_text(const DecodedCall& call, const CallOutcome& out, const FdNames& fds) {
  if (!out.err.empty()) return fmt::format("-1 {}", out.err);
  std::string s = std::to_string(out.value);
  if ((call.id == CallId::read || call.id == CallId::recv) && out.value > 0) s += " " + quote(out.data);
  if ((call.id == CallId::epoll_wait || call.id == CallId::poll) && out.value > 0 && out.events)
    s += " " + events_text(event_names(call.id), *out.events, fds);
  if (call.id == CallId::tcp_state && out.value > 0)
    s += fmt::format(" ({})", model::state_name(state_from_linux(static_cast<int>(out.value))));
  if (call.id == CallId::getsockopt && sockopt_info(call.opt).errno_value && out.value != 0) {
    const std::string_view name = errno_name_of_number(static_cast<int>(out.value));
    if (!name.empty()) s += fmt::format(" ({})", name);
  }
  return s;
}

bool expectation_met(const CallExpect& e, const CallOutcome& out, const FdNames& fds) {
  bool ok = e.value == -1 ? !out.err.empty() && canonical_errno(out.err) == canonical_errno(e.err)
                          : out.err.empty() && out.value == e.value;
  if (e.has_data) ok = ok && out.data == e.data;
  for (const auto& [var, bits] : e.events) {
    std::uint32_t mask = 0;
    for (const auto& b : bits) {
      // The names were checked against the call's vocabulary (check_expectation);
      // poll's and epoll's share their values.
      const Named* n = named(kEpollBits, b);
      if (!n) n = named(kPollBits, b);
      if (n) mask |= static_cast<std::uint32_t>(n->value);
    }
    auto it = fds.find(var);
    bool found = false;
    if (out.events) {
      for (const auto& ev : *out.events) {
        if (it != fds.end() && ev.fd == it->second) found = ev.events == mask;
      }
    }
    ok = ok && found;
  }
  return ok;
}

std::string expectation_text(const CallExpect& e) {
  std::string want = e.value == -1           ? fmt::format("-1 {}", e.err)
                     : !e.value_name.empty() ? e.value_name
                                             : std::to_string(e.value);
  if (e.has_data) want += " " + quote(e.data);
  if (!e.events.empty()) {
    std::string w;
    for (const auto& [var, bits] : e.events) {
      std::string names;
      for (const auto& b : bits) names += (names.empty() ? "" : "|") + b;
      w += fmt::format("{}{}: {}", w.empty() ? "" : ", ", var, names);
    }
    want += " [" + w + "]";
  }
  return want;
}

// include/net/tcp_states.h, by model::State.
namespace {
constexpr std::pair<model::State, int> kLinuxStates[] = {
    {model::State::Established, 1}, {model::State::SynSent, 2},   {model::State::SynReceived, 3},
    {model::State::FinWait1, 4},    {model::State::FinWait2, 5},  {model::State::TimeWait, 6},
    {model::State::Closed, 7},      {model::State::CloseWait, 8}, {model::State::LastAck, 9},
    {model::State::Listen, 10},     {model::State::Closing, 11},
};
}  // namespace

int linux_tcp_state(model::State s) {
  for (const auto& [st, n] : kLinuxStates) {
    if (st == s) return n;
  }
  return 7;
}

model::State state_from_linux(int number) {
  if (number == 12) return model::State::SynReceived;  // TCP_NEW_SYN_RECV: a request socket
  for (const auto& [st, n] : kLinuxStates) {
    if (n == number) return st;
  }
  return model::State::Closed;
}

model::State state_seen_by_descriptor(model::State s) {
  return s == model::State::TimeWait ? model::State::Closed : s;
}

std::variant<long, std::string> named_value(const DecodedCall& call, std::string_view name) {
  if (call.id == CallId::tcp_state) {
    for (const auto& [st, n] : kLinuxStates) {
      if (model::state_name(st) != name) continue;
      if (st == model::State::TimeWait)
        return std::string(
            "a descriptor never reads TIME-WAIT: Linux hands the connection to a timewait socket "
            "and the descriptor's socket reads CLOSED");
      return static_cast<long>(n);
    }
    return fmt::format("'{}' is not a TCP state: use RFC 9293's names (ESTABLISHED, FIN-WAIT-2, CLOSED ...)",
                       name);
  }
  if (call.id == CallId::getsockopt && sockopt_info(call.opt).errno_value) {
    if (const auto e = errno_from_name(name)) return static_cast<long>(errno_number(*e));
    return fmt::format("'{}' is not an errno tcpsim knows (EPIPE, ECONNREFUSED ...)", name);
  }
  return fmt::format("{}() does not return {}: a failure is written = -1 {}", call.spec().name,
                     errno_from_name(name) ? "an errno" : "a named value", name);
}

}  // namespace tcpsim::sim
