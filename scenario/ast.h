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
  // Until: `at 300ms` before a statement: not before that time of the run
  // (`sleep` holds it); at once when the program is already past it.
  enum Kind : std::uint8_t { Call, Sleep, Repeat, Ss, Exit, Until } kind = Call;
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

// What an assertion requires of a segment beyond its flags, each field only
// when written (`seq=101 ack=51 len=0 win=65535 opts=mss,sackOK mss=1460
// wscale=7 at 1.204s`): seq and ack relative to each side's initial sequence
// number, as tcpdump and packetdrill print them.
struct SegmentFields {
  std::optional<std::uint32_t> seq, ack, len, win, mss, wscale;
  std::optional<std::vector<std::string>> opts;  // option names present, sorted; empty: none
  std::optional<tcpsim::Time> at;                // when it was sent
  tcpsim::Duration within = 0;                   // `at T within D`: |sent - T| <= D
  std::string text;                              // as written, for messages
};

// Top-level assertions.
struct Assertion {
  enum Kind : std::uint8_t {
    StateAt,   // at T expect prog.var STATE
    SsAt,      // at T expect ss HOST { lines }
    Sent,      // expect sent A -> B SPEC [N times]
    NotSent,   // expect not sent A -> B SPEC
    Finished,  // expect finished: every program ran to its end
    Segment,   // expect A -> B segment N FLAGS [fields]: the Nth segment A sent to B
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
  SegmentFields fields;    // Sent, NotSent, Segment
  long times = -1;         // -1: at least once; NotSent with a count: any number but `times`
  long nth = 0;            // Segment: 1 is the first segment A put on the link to B
  std::uint8_t flags = 0;  // Segment: exactly these flags (PSH compared only when written)
  bool psh = false;        // Segment: PSH was written
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
