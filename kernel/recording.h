// What a real run recorded, in the child process that ran it, before it is
// turned into a trace: every captured segment, every call with its result,
// every socket-table snapshot, what the programs printed, and the call
// assertions already checked. Crosses the pipe from the runner process to
// tcpsim as text (serialize / deserialize), one record per line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/state.h"
#include "model/time.h"
#include "scenario/interpreter.h"
#include "sim/packet.h"

namespace tcpsim::kernel {

// A segment as captured on the namespace's loopback (times from the run's start).
struct CapturedSegment {
  Time t = 0;
  sim::Addr src, dst;
  std::uint8_t flags = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint16_t window = 0;
  std::string payload;
  // Lost by the delay line (random loss, a full queue): not by a drop rule,
  // which replay_drops finds again from the capture.
  bool lost = false;
  Duration transit = 0;  // from capture to delivery, in the delay line
};

// One socket as socket diagnostics (netlink INET_DIAG, what `ss` reads) listed it.
struct SocketSample {
  model::State state = model::State::Closed;
  sim::Addr local, peer;
  std::uint32_t recv_q = 0, send_q = 0;
  std::uint64_t inode = 0;  // 0: no process holds it (an orphan)
  std::uint8_t timer = 0;   // idiag_timer: 1 retransmit, 2 keepalive, 3 TIME-WAIT, 4 probe
  std::uint32_t expires_ms = 0;
  std::uint8_t retrans = 0;
  bool timewait_sock = false;  // an inet_timewait_sock (TIME-WAIT, an orphan's FIN-WAIT-2)
};

// Every TCP socket of the namespace at one moment.
struct Snapshot {
  Time t = 0;
  std::vector<SocketSample> sockets;
};

struct CallRecord {
  std::uint32_t program = 0;
  Time start = 0, end = 0;
  std::string text;         // "c = accept(s) = 4", as tcpsim run prints it
  std::string var;          // the variable naming the socket: "c" (assigned) or the first argument
  bool has_socket = false;  // the socket the call used or made, by its addresses
  sim::Addr local, peer;
  // The call as data, as the simulator's trace keeps it (sim::CallData):
  // `tcpsim kernel -f json` gives it as the same structured record.
  std::string fn;                 // "connect"
  std::vector<std::string> args;  // as written
  std::string assign;             // "c" in `c = accept(s)`
  long value = 0;                 // what it returned (-1 on failure)
  std::string err;                // the errno's name on failure, else empty
  int err_number = 0;             // its number (the kernel's, Linux's)
};

struct OutputRecord {
  std::uint32_t program = 0;
  Time t = 0;
  std::string text;  // an `ss` statement's table
};

struct ProgramEnd {
  bool finished = false;   // ran to its end (or exit)
  std::string blocked_in;  // else: the call it was in at the cap, or "asleep"
};

struct Recording {
  std::vector<CapturedSegment> segments;
  std::vector<Snapshot> snapshots;
  std::vector<CallRecord> calls;
  std::vector<OutputRecord> outputs;
  std::vector<scenario::AssertionResult> results;  // call assertions and `expect ss`
  std::vector<ProgramEnd> programs;
  Time end_time = 0;
  bool capped = false;  // stopped at --max-time rather than with nothing left
  std::string error;    // the run could not be made (one line)
  std::string fault;    // a program was stopped as a runaway loop: the run ended there
};

std::string serialize(const Recording& r);
// nullopt when the text is not a whole recording (the runner died half-way).
std::optional<Recording> deserialize(std::string_view text);

}  // namespace tcpsim::kernel
