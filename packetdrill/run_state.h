// The runner's state while one script runs, shared by its parts: packets
// (packets.cc), system calls (calls.cc), shell commands (shell.cc), TCP_INFO
// assertions (tcp_info.cc) and the event loop (runner.cc). Internal.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "packetdrill/ast.h"
#include "packetdrill/runner.h"
#include "sim/network.h"
#include "sim/sockets.h"

namespace tcpsim::packetdrill {

// Thrown inside the runner to end the script with an outcome; caught by
// run_script. Only Fail and Unsupported travel this way.
struct Stop {
  Outcome::Kind kind;
  std::string message;
};

// What the host put on the wire towards the script's address, in order.
struct Sent {
  sim::Packet packet;
  Time at = 0;
};

// The wire options layout of the profile's stack (Linux tcp_options_write
// or FreeBSD tcp_addoptions): the same option set is laid out differently.
enum class Stack { Linux, FreeBsd };

struct Run {
  const Script& script;
  const RunOptions& options;
  Stack stack = Stack::Linux;
  Duration tolerance = 4 * kMillisecond;  // packetdrill's default
  sim::Network net{1};
  sim::Host* host = nullptr;
  std::unique_ptr<sim::Sockets> sockets;
  sim::ProcessId pid = 0;
  std::deque<Sent> wire;  // sent by the host, not yet matched
  // The first TSval the script expected and the host sent on this
  // connection: packetdrill compares TSvals relative to them.
  std::optional<std::pair<std::uint32_t, std::uint32_t>> ts_base;
  bool tso = true;  // super-segments: one expected packet, several on the wire
  // The connection under test: addresses and the host's ISN, learned from
  // its SYN or SYN,ACK (packetdrill's relative numbering of local sequence
  // numbers; the script's own sequence numbers are used as they are).
  sim::Addr local, remote;
  std::uint32_t local_isn = 0;
  bool isn_known = false;
  std::map<int, int> fds;  // the script's descriptor numbers -> the host's
  int last_fd = -1;        // the socket %{ }% assertions look at
  Time poll_deadline = 0;  // of the poll() in progress
  // A blocking call in progress (`start...end name(...)`).
  struct Pending {
    const Event* event = nullptr;
    const Syscall* call = nullptr;
    Time expect_end = 0;
    bool done = false;
    Time finished_at = 0;
    std::optional<Stop> failure;  // the call returned something else
    bool retry_scheduled = false;
  };
  std::optional<Pending> pending;
  std::string log;

  Run(const Script& s, const RunOptions& o) : script(s), options(o) {}

  [[noreturn]] void fail(const Location& where, const std::string& what) const;
  [[noreturn]] void unsupported(const Location& where, const std::string& what) const;
  std::string at(const Location& where) const;  // "file:line"
};

// packets.cc
void inject(Run& r, const Event& e, const Packet& p);
void expect(Run& r, const Event& e, const Packet& p, Time t_lo, Time t_hi);
// The script's options that the host would act on but tcpsim does not model.
void check_packet_supported(Run& r, const Event& e, const Packet& p);

// calls.cc: true when the call completed (checked), false when it blocks.
bool start_call(Run& r, const Event& e, const Syscall& c);
// Tries a blocked call again; true once it has returned (and was checked).
bool retry_call(Run& r, const Event& e, const Syscall& c);

// shell.cc
void run_shell(Run& r, const ShellCommand& c, const Event* e);
void apply_flags(Run& r);

// tcp_info.cc
void check_python(Run& r, const Event& e, const PythonBlock& b);

}  // namespace tcpsim::packetdrill
