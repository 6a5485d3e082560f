// A scenario file, parsed: hosts, links, drops, programs and assertions.
// The language is described in docs/scenario-language.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/state.h"
#include "model/time.h"
#include "sim/link.h"
#include "sim/packet.h"
#include "sim/profile.h"
#include "sim/socket_calls.h"

namespace tcpsim::scenario {

// Positions, call arguments and call expectations are the table of calls
// (sim/socket_calls.h): every surface syntax decodes into them.
using Loc = sim::SourceLoc;
using Arg = sim::CallArg;
using Expect = sim::CallExpect;

struct Stmt {
  enum Kind : std::uint8_t { Call, Sleep, Repeat, Ss, Exit } kind = Call;
  Loc loc;
  std::string assign;     // `c = accept(s)`: "c"
  std::string fn;         // the call as written, for traces
  std::vector<Arg> args;  // its arguments as written
  sim::DecodedCall call;  // what they mean (the parser decodes them)
  Expect expect;
  tcpsim::Duration sleep = 0;
  long count = 0;  // Repeat
  std::vector<Stmt> body;
};

struct ProgramDecl {
  std::string name;
  std::string host;
  tcpsim::Duration start = 0;
  std::vector<Stmt> body;
  Loc loc;
};

struct HostDecl {
  std::string name;
  std::uint32_t ip = 0;
  std::string profile;  // empty: the scenario's
  Loc loc;
};

struct LinkDecl {
  std::string from, to;
  bool both = false;
  sim::LinkConfig cfg;
  Loc loc;
};

struct DropDecl {
  std::string from, to;
  sim::DropRule rule;
  bool last = false;  // "the last ACK": counted in a first run
  bool window = false;
  sim::DropWindow span;
  std::string text;  // as written, for traces
  Loc loc;
};

struct SetDecl {
  std::string host;  // empty: every host
  std::string key, value;
  Loc loc;
};

// Top-level assertions.
struct Assertion {
  enum Kind : std::uint8_t {
    StateAt,   // at T expect prog.var STATE
    SsAt,      // at T expect ss HOST { lines }
    Sent,      // expect sent A -> B SPEC [N times]
    NotSent,   // expect not sent A -> B SPEC
    Finished,  // expect finished: every program ran to its end
  } kind = StateAt;
  Loc loc;
  tcpsim::Time at = 0;
  bool at_end = false;
  bool timed = false;  // written `at T`: a sent/not-sent assertion counts segments sent by T
  std::string program, var;
  model::State state = model::State::Closed;
  std::string host;
  std::vector<std::string> lines;
  std::string from, to;
  std::string spec;  // the segment spec as written: "FIN", "SYN,ACK", "RST", "data"
  sim::PacketMatch match;
  long times = -1;  // -1: at least once
};

// Load instead of programs: `load A -> B port 80 rate 20000/s for 120s ...`
// (docs/scenario-language.md, "Busy servers").
struct LoadDecl {
  std::string client, server;
  std::uint16_t port = 80;
  std::uint64_t rate = 0;  // connections per second
  tcpsim::Duration length = 0;
  tcpsim::Duration start = 0;
  std::uint32_t request = 100;
  std::uint32_t response = 100;
  bool server_closes = false;
  int backlog = 4096;
  std::uint64_t accept_rate = 0;  // 0: the server accepts at once
  std::uint32_t addresses = 1;    // the clients' source addresses, from their host's
  Loc loc;
};

struct Scenario {
  std::string file;
  std::string title;  // the first comment line
  std::string profile{sim::kLinuxProfile};
  std::uint64_t seed = 1;
  std::optional<tcpsim::Time> until;
  std::vector<SetDecl> sets;
  std::vector<HostDecl> hosts;
  std::vector<LinkDecl> links;
  std::vector<DropDecl> drops;
  std::vector<ProgramDecl> programs;
  std::vector<Assertion> assertions;
  std::vector<LoadDecl> loads;
  tcpsim::Duration sample_every = tcpsim::kSecond;  // `sample every 1s`: a load's time series
};

}  // namespace tcpsim::scenario
