// A packetdrill script, parsed: the language of google/packetdrill (and the
// NPLab fork the FreeBSD tcp-testsuite uses) as data, for a runner to execute.
// Nothing here knows about the simulator; see docs in the report of issue 16.
//
// Shape: a Script is its `--flags`, an optional untimed init shell command,
// the timed events in file order, and an optional untimed cleanup command.
// Every event carries its position and the #ifdef guards it sits under;
// active_events() picks the ones a set of defines selects.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "model/time.h"

namespace tcpsim::packetdrill {

struct Location {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in bytes
};

// ---------------------------------------------------------------- flags

// `--name` or `--name=value`, as written.
struct Option {
  Location where;
  std::string name;
  std::optional<std::string> value;
};

// The options a runner acts on, decoded and checked; every option (known or
// not) is also in `all`, so that a runner can call the others unsupported.
struct Flags {
  std::vector<Option> all;
  std::optional<Duration> tolerance;      // --tolerance_usecs
  std::optional<std::string> ip_version;  // ipv4, ipv6, ipv4-mapped-ipv6
  std::optional<std::string> local_ip, remote_ip;
  std::optional<std::uint32_t> mss, mtu;
  std::optional<Duration> tcp_ts_tick;         // --tcp_ts_tick_usecs
  std::map<std::string, std::string> defines;  // --define=NAME[=VALUE] (value "" if none)
};

// ---------------------------------------------------------------- times

// When an event happens. Relative times count from the previous *active*
// event (after #ifdef selection), as packetdrill computes them.
struct EventTime {
  enum class Kind : std::uint8_t {
    Absolute,       // 0.100
    Relative,       // +0.100
    Any,            // *            (outbound packets only)
    AbsoluteRange,  // 0.1~0.2      (outbound packets only)
    RelativeRange,  // +0.1~+0.2    (outbound packets only)
  };
  Kind kind = Kind::Absolute;
  Duration start = 0;  // ns; unused for Any
  Duration end = 0;    // ns; ranges only (end >= start)
};

// ---------------------------------------------------------------- packets

struct TcpOption {
  enum class Kind : std::uint8_t {
    Nop,
    Eol,
    Mss,
    WindowScale,
    SackPermitted,
    Sack,
    Timestamp,
    FastOpen,
    FastOpenExp,
    Md5
  };
  Kind kind = Kind::Nop;
  Location where;
  std::uint32_t value = 0;  // mss, wscale
  std::uint32_t ts_val = 0, ts_ecr = 0;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sack_blocks;  // left:right
  // FO / FOEXP / md5: the cookie or digest as written. A hex string is the
  // bytes themselves; a word that is not hex (TFO_COOKIE) names a define the
  // runner substitutes (packetdrill's -D).
  std::string blob;
  bool blob_is_symbol = false;
};

struct Packet {
  enum class Direction : std::uint8_t { Inbound, Outbound };  // '<' injected, '>' expected
  Direction direction = Direction::Inbound;
  // [noecn] [ect0] [ect1] [ce] [ect01], (tos 0x..), ttl, flowlabel.
  std::optional<std::string> ecn;
  std::optional<std::uint8_t> tos;
  std::optional<std::uint8_t> ttl;
  std::optional<std::uint32_t> flow_label;
  std::string flags;  // as written, "" for '-': subset of ".FSRPEWAU"
  bool fin = false, syn = false, rst = false, psh = false, ack_flag = false, ece = false, cwr = false,
       urg_flag = false, ae = false;
  bool any_seq = false;  // NPLab's `...(len)`: any sequence number
  std::uint32_t seq = 0, end_seq = 0;
  std::uint32_t len = 0;
  std::optional<std::uint32_t> ack;
  std::optional<std::uint32_t> window;  // absent: not checked (outbound only)
  std::optional<std::uint32_t> urg_ptr;
  bool options_unchecked = false;  // `<...>` (outbound only)
  std::vector<TcpOption> options;  // empty with !options_unchecked: none expected
};

// ---------------------------------------------------------------- system calls

// An argument or result of a system call.
struct Expr {
  enum class Kind : std::uint8_t {
    Ellipsis,  // ...
    Integer,   // 4, -1, 0x02 (hex remembered for printing)
    Word,      // SOL_SOCKET, ECONNRESET, AF_UNSPEC
    String,    // "abc" (adjacent strings concatenated)
    Binary,    // a | b, name = value, msg_iov(1) = [...]
    List,      // [a, b]
    Struct,    // {a, b}, {fd=3, events=POLLIN}, {..., 40}
    Call,      // htons(8080), inet_addr("1.2.3.4"), msg_name(...)
  };
  Kind kind = Kind::Integer;
  Location where;
  std::int64_t integer = 0;
  bool hex = false;
  std::string text;              // Word, String, Call (the name), Binary (the operator: "|" or "=")
  bool string_ellipsis = false;  // "abc"...
  std::vector<Expr> items;       // Binary: {lhs, rhs}; List, Struct, Call: elements/arguments

  // {name=value, ...} and msg_iov(1)=[...]: the value of the field `name`, or null.
  const Expr* field(const std::string& name) const;
};

struct Syscall {
  std::string name;
  std::vector<Expr> args;
  Expr result;
  std::optional<std::string> errno_name;  // = -1 ECONNRESET
  std::optional<std::string> note;        // (Connection reset by peer), (flags O_RDWR)
  // `start...end name(...)`: a blocking call that returns at `end` (the same
  // base as the event's start: relative to the previous event when the start
  // is relative, absolute otherwise).
  std::optional<Duration> end;
};

// ---------------------------------------------------------------- shell and Python

// A `...` block: the text between the backquotes, untouched.
struct ShellCommand {
  std::string text;
  Location where;  // of the first character inside the backquotes
};

// One line of a shell command (backslash continuations joined), trimmed.
struct ShellLine {
  std::string text;
  Location where;
};
std::vector<ShellLine> shell_lines(const ShellCommand& c);

// One statement of a %{ }% block. Only `assert <tcpi_field> <op> <value>[, message]`
// (with an optional `(<tcpi_field> & <mask>)` on the left) is understood;
// anything else is kept with the reason it is not.
struct PythonStatement {
  Location where;
  std::string text;  // the statement, comments stripped
  bool supported = false;
  std::string unsupported_reason;
  // Supported: field `op` value, after (field & mask) when mask is set.
  std::string field;                   // "tcpi_state"
  std::optional<Expr> mask;            // Integer or Word (TCPI_OPT_SYN_DATA)
  std::string op;                      // == != < <= > >=
  Expr value;                          // Integer or Word (TCP_CA_Open, TCPI_SYN_RECEIVED, TCP_CLOSE)
  std::optional<std::string> message;  // as written, not evaluated
};

struct PythonBlock {
  std::string text;  // between %{ and }%, untouched
  Location where;    // of the first character after %{
  std::vector<PythonStatement> statements;
  bool supported() const;  // every statement understood
};

// ---------------------------------------------------------------- events

// An event packetdrill accepts but this parser does not model (UDP, ICMP,
// encapsulation, fuzzing): kept so that a runner reports it as unsupported.
struct Unsupported {
  std::string what;
  std::string text;
};

// #ifdef NAME / #ifndef NAME / #else: the event is active only when NAME is
// defined == `defined`, for every guard.
struct Guard {
  std::string name;
  bool defined = true;
};

struct Event {
  Location where;  // of the time
  EventTime time;
  std::variant<Packet, Syscall, ShellCommand, PythonBlock, Unsupported> action;
  std::vector<Guard> guards;  // outermost first
};

struct Script {
  std::string file;
  Flags flags;
  std::optional<ShellCommand> init_command;     // untimed, before the first event
  std::vector<Event> events;                    // in file order
  std::optional<ShellCommand> cleanup_command;  // untimed, after the last event
};

// The events whose guards `defines` satisfies, in order.
std::vector<const Event*> active_events(const Script& s, const std::set<std::string>& defines);

}  // namespace tcpsim::packetdrill
