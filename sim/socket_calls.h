// The one table of socket calls: per call its name, how many arguments it
// takes, which are descriptors, how its arguments are decoded (levels,
// options, MSG_ flags, epoll bits, each by name and Linux value), how its
// result is written and how an expectation after it (`= -1 ECONNRESET`) is
// checked. The scenario parser decodes every call through it into a
// DecodedCall; the simulator's interpreter and the kernel runner only
// perform decoded calls (one method per call, reached by perform() below),
// so the two cannot read a call differently.
//
// Adding a call: a row in TCPSIM_SOCKET_CALLS, its decode_NAME function in
// socket_calls.cc (what its arguments mean), and a method NAME(const
// DecodedCall&) in each runner (scenario/interpreter.cc, kernel/programs.cc,
// packetdrill/calls.cc).
// docs/architecture.md, "Adding a socket call".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/time.h"
#include "sim/packet.h"
#include "sim/sockets.h"

namespace tcpsim::sim {

// Where something was written: line and column (1-based), for messages.
struct SourceLoc {
  int line = 0;
  int col = 0;
};

// An argument as written, whatever the surface syntax: a variable or a name,
// a number, a string, an address, a duration, or names joined with '|'.
struct CallArg {
  enum Kind : std::uint8_t { Ident, Number, String, Address, Duration, Flags } kind = Ident;
  std::string text;  // Ident, String
  long number = 0;
  Addr addr;
  tcpsim::Duration duration = 0;
  std::vector<std::string> flags;
  SourceLoc loc;
};

// What a call is expected to return: `= 0`, `= -1 EADDRINUSE`, `= 5 "hello"`,
// `= 1 [c: EPOLLIN|EPOLLRDHUP]`, `= EPIPE` (an errno as a value: SO_ERROR).
struct CallExpect {
  bool present = false;
  long value = 0;
  std::string err;         // errno name when value is -1
  std::string value_name;  // `= EPIPE`: the errno written for the value (its Linux number)
  bool has_data = false;
  std::string data;                                                      // read: the bytes
  std::vector<std::pair<std::string, std::vector<std::string>>> events;  // epoll_wait
  SourceLoc loc;
};

// What a call's row says about it.
enum CallTrait : std::uint8_t {
  kMakesFd = 1,         // `x = call(...)` keeps the descriptor it returns
  kFdFirst = 2,         // its first argument is a descriptor
  kMayBlock = 4,        // may wait (for the peer, for room, for time)
  kShownAtReturn = 8,   // a trace shows it when it returns, not when it starts
  kLeavesSockets = 16,  // a query: the sockets are as they were after it
};

// name, least and most arguments, traits. The argument at index
// `second_fd` (-1: none) is a descriptor too.
#define TCPSIM_SOCKET_CALLS(X)                                          \
  X(socket, 0, 3, kMakesFd, -1)                                         \
  X(setsockopt, 3, 5, kFdFirst, -1)                                     \
  X(getsockopt, 2, 3, kFdFirst | kLeavesSockets, -1)                    \
  X(bind, 2, 2, kFdFirst, -1)                                           \
  X(listen, 1, 2, kFdFirst, -1)                                         \
  X(accept, 1, 1, kMakesFd | kFdFirst | kMayBlock | kShownAtReturn, -1) \
  X(connect, 2, 2, kFdFirst | kMayBlock | kShownAtReturn, -1)           \
  X(read, 2, 2, kFdFirst | kMayBlock | kShownAtReturn, -1)              \
  X(recv, 2, 3, kFdFirst | kMayBlock | kShownAtReturn, -1)              \
  X(read_to_end, 1, 1, kFdFirst | kMayBlock | kShownAtReturn, -1)       \
  X(write, 2, 2, kFdFirst | kMayBlock, -1)                              \
  X(send, 2, 3, kFdFirst | kMayBlock, -1)                               \
  X(shutdown, 2, 2, kFdFirst, -1)                                       \
  X(close, 1, 1, kFdFirst, -1)                                          \
  X(dup, 1, 1, kMakesFd | kFdFirst, -1)                                 \
  X(fcntl, 2, 3, kFdFirst, -1)                                          \
  X(epoll_create1, 0, 1, kMakesFd, -1)                                  \
  X(epoll_ctl, 4, 4, kFdFirst, 2)                                       \
  X(epoll_wait, 1, 3, kFdFirst | kMayBlock | kShownAtReturn, -1)        \
  X(getsockname, 1, 1, kFdFirst | kLeavesSockets, -1)                   \
  X(getpeername, 1, 1, kFdFirst | kLeavesSockets, -1)                   \
  X(poll, 3, 3, kFdFirst | kMayBlock | kShownAtReturn, -1)              \
  X(ioctl, 2, 2, kFdFirst | kLeavesSockets, -1)                         \
  X(tcp_state, 1, 1, kFdFirst | kLeavesSockets, -1)

enum class CallId : std::uint8_t {
#define TCPSIM_CALL_ID(name, ...) name,
  TCPSIM_SOCKET_CALLS(TCPSIM_CALL_ID)
#undef TCPSIM_CALL_ID
};

struct CallSpec {
  std::string_view name;
  CallId id;
  int min_args, max_args;
  std::uint8_t traits;
  int second_fd;            // index of a second descriptor argument, -1 if none
  bool returns_fd = false;  // kMakesFd
  bool has(CallTrait t) const { return (traits & t) != 0; }
  bool is_fd_arg(std::size_t i) const {
    return (i == 0 && has(kFdFirst)) || static_cast<int>(i) == second_fd;
  }
};

const std::vector<CallSpec>& socket_calls();
const CallSpec* find_call(std::string_view name);
const CallSpec& call_spec(CallId id);

// A socket option's row: its name, its Linux level and number, how many
// values setsockopt() takes after it, and why setting it is refused (empty:
// it is not).
struct SockOptInfo {
  std::string_view name;
  int level;   // Linux: SOL_SOCKET 1, IPPROTO_TCP 6
  int number;  // Linux optname
  SockOpt opt;
  int min_values, max_values;
  std::string_view refused;     // a non-zero value is refused, saying why
  bool errno_value = false;     // getsockopt returns an errno (SO_ERROR)
  bool read_only = false;       // setsockopt is refused whatever the value (TCP_INFO)
  bool duration_value = false;  // set with a duration (200ms), kept and read in milliseconds
};
const std::vector<SockOptInfo>& socket_options();
const SockOptInfo& sockopt_info(SockOpt o);

// Linux's file status flags as fcntl(F_GETFL) returns them for a socket.
constexpr long kORdWr = 02, kONonblock = 04000;

// poll() events by name (POLLIN, POLLOUT ...): their value, or nullopt if one is not a poll event.
std::optional<std::uint32_t> poll_events_value(const std::vector<std::string>& names);

// Linux's MSG_ flags, by value.
enum MsgFlag : int {
  kMsgPeek = 0x2,
  kMsgDontWait = 0x40,
  kMsgWaitAll = 0x100,
  kMsgNoSignal = 0x4000,
  kMsgMore = 0x8000,
};

// A descriptor as the program names it: a variable, or a number.
struct FdRef {
  std::string var;  // empty: `number`
  int number = -1;
};

// A call with its arguments decoded: what every runner performs.
struct DecodedCall {
  CallId id = CallId::socket;
  FdRef fd;      // the descriptor it acts on (not for socket, epoll_create1)
  FdRef target;  // epoll_ctl's descriptor
  Addr addr;     // bind, connect
  int backlog = 128;
  std::uint64_t count = 0;  // read/recv: at most this many bytes; write/send: this many generated bytes
  bool has_text = false;    // write/send of a string
  std::string text;
  int msg_flags = 0;  // recv/send: MsgFlag bits
  Shut how = Shut::RdWr;
  SockOpt opt = SockOpt::ReuseAddr;
  int value = 0, value2 = 0;  // setsockopt; getsockopt(TCP_INFO): the TcpInfoField
  Ioctl request = Ioctl::InQ;
  bool nonblocking = false;  // socket(SOCK_NONBLOCK), fcntl(F_SETFL, O_NONBLOCK)
  bool getfl = false;        // fcntl(F_GETFL): the result is O_RDWR, with O_NONBLOCK if set
  EpollOp op = EpollOp::Add;
  std::uint32_t events = 0;  // epoll_ctl, poll: EpollBit/PollBit values (Linux's)
  int maxevents = 16;        // epoll_wait
  Duration timeout = -1;     // epoll_wait, poll: < 0 for ever
  const CallSpec& spec() const { return call_spec(id); }
};

struct CallError {
  SourceLoc loc;
  std::string message;
};

// The arguments of a call named `spec`, written at `at`: decoded, or where
// and why they are wrong.
std::variant<DecodedCall, CallError> decode_call(const CallSpec& spec, const std::vector<CallArg>& args,
                                                 SourceLoc at);
// An expectation after a decoded call that cannot be met as written (an
// unknown errno or epoll event, an errno value after a call that returns none).
std::optional<CallError> check_expectation(const DecodedCall& call, const CallExpect& e);

// `fn(a, b)` as written, for traces and messages; a string as a result shows
// it (quoted, escaped, cut at 24 characters).
std::string call_text(std::string_view fn, const std::vector<CallArg>& args);
std::string quote(std::string_view s);

// A call's outcome as any runner got it.
struct CallOutcome {
  long value = 0;
  std::string_view err;                             // the errno's name on failure, empty on success
  std::string_view data;                            // read/recv: the bytes
  const std::vector<EpollEvent>* events = nullptr;  // epoll_wait, poll (its revents)
};
// The program's descriptors by variable, for naming epoll_wait's events.
using FdNames = std::map<std::string, int>;

// "5 \"hello\"", "-1 ECONNRESET", "1 [c: EPOLLIN]", "111 (ECONNREFUSED)".
std::string result_text(const DecodedCall& call, const CallOutcome& out, const FdNames& fds);
// Whether the outcome meets the expectation, and (with `want`) the
// expectation as text: "-1 ECONNRESET".
bool expectation_met(const CallExpect& e, const CallOutcome& out, const FdNames& fds);
std::string expectation_text(const CallExpect& e);

// tcp_state(fd): the socket's state as Linux's TCP_INFO gives it
// (tcpi_state, include/net/tcp_states.h: TCP_ESTABLISHED 1 ... TCP_CLOSING
// 11). A descriptor never reads TIME-WAIT: tcp_time_wait() hands the
// connection to a timewait socket and tcp_done() leaves the descriptor's
// socket in TCP_CLOSE (7).
int linux_tcp_state(model::State s);
// The state a Linux tcpi_state or sock_diag number names (12,
// TCP_NEW_SYN_RECV, is SYN-RECEIVED; unknown numbers CLOSED).
model::State state_from_linux(int number);
// What a descriptor's socket reads as through TCP_INFO, from its connection's state.
model::State state_seen_by_descriptor(model::State s);
// The value a name stands for after `=` for this call: an errno's Linux
// number (getsockopt(SO_ERROR)), a TCP state's (tcp_state); or why it cannot be.
std::variant<long, std::string> named_value(const DecodedCall& call, std::string_view name);

// Each runner supplies "perform this decoded call": a method per call, named
// as the call, taking the DecodedCall. perform() is the one dispatch.
template <class Performer>
auto perform(Performer& r, const DecodedCall& c) {
  switch (c.id) {
#define TCPSIM_CALL_CASE(name, ...) \
  case CallId::name: return r.name(c);
    TCPSIM_SOCKET_CALLS(TCPSIM_CALL_CASE)
#undef TCPSIM_CALL_CASE
  }
  __builtin_unreachable();
}

}  // namespace tcpsim::sim
