// Running a scenario: hosts, links and drops into a sim::Network, each
// program's statements into steps for sim::ProgramRunner, assertions checked as the
// run goes and at its end.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "scenario/ast.h"
#include "scenario/parser.h"
#include "sim/network.h"
#include "sim/program.h"

namespace tcpsim::scenario {

struct RunOptions {
  std::optional<std::uint64_t> seed;
  std::optional<std::string> profile;
  std::vector<std::pair<std::string, std::string>> sets;  // --set key=value, for every host
  std::optional<sim::Probability> loss;                   // --loss: random loss on every link
  std::optional<Time> until;
  bool trace = true;
  // The most trace records a run keeps (sim::Trace::kDefaultLimit): a run
  // that would record more stops there with an error (exit status 2).
  std::size_t trace_limit = sim::Trace::kDefaultLimit;
  // False: leave out what only a person reads, the trace's call records and
  // the assertions' descriptions and messages (whether each passed is still
  // decided). For sweeps: classify() needs neither, and formatting them
  // was a fifth of a short run's cost.
  bool texts = true;
  // Called with the network once it is built, before anything runs: for
  // tools that steer a run (explore decides each transmission's fate).
  std::function<void(sim::Network&)> on_network;
};

struct AssertionResult {
  Loc loc;
  bool pass = false;
  std::string what;    // the assertion as written, roughly
  std::string detail;  // for a failure: expected vs got
  // For machines (tcpsim check --format json|junit): the value asked for
  // and the value seen, each on its own ("FIN-WAIT-1", "2 times", "-1 EPIPE").
  std::string expected, got;
};

struct ProgramInfo {
  std::string name;
  std::uint8_t host = 0;
};

// What the command line changed for a run (--seed, --profile, --set,
// --loss): a figure records them so that it can be reproduced from its
// caption (formats/provenance.h).
struct GivenOptions {
  std::optional<std::uint64_t> seed;
  std::optional<std::string> profile;
  std::vector<std::pair<std::string, std::string>> sets;
  std::optional<sim::Probability> loss;
};

struct RunResult {
  std::shared_ptr<const Scenario> scenario;
  GivenOptions given;
  std::unique_ptr<sim::Network> net;
  std::unique_ptr<sim::ProgramRunner> runner;
  std::vector<ProgramInfo> programs;
  std::vector<AssertionResult> results;
  Time end_time = 0;
  bool finished = false;  // every program ran to its end
  std::string ending;     // one line: how the run ended
  bool simulated = true;  // false: a real kernel's run (tcpsim kernel), which has no model state to classify
  bool failed() const;
};

// Semantic errors (an unknown setting, a variable used before it is set)
// come back as ParseError, with the position.
std::variant<RunResult, ParseError> run(std::shared_ptr<const Scenario> sc, const RunOptions& opt);

// Builds the network with its hosts and links, without programs: shared by
// `run` and the kernel runner's comparisons.
std::variant<std::unique_ptr<sim::Network>, ParseError> build_network(const Scenario& sc,
                                                                      const RunOptions& opt);

// How a call is written in traces and ladders, `connect(k, 10.0.0.2:9090)`:
// shared with the kernel runner so both runs print alike.
std::string call_text(const Stmt& st);

// Shared by every way of running a scenario (programs, load, the kernel):
// `file:line:col: msg`; a host's index by name (0 when unknown: the parser
// has checked names); the time limit without `until` or --until.
ParseError error_at(const Scenario& sc, const Loc& at, const std::string& msg);
std::size_t host_index(const Scenario& sc, const std::string& name);
constexpr Time kDefaultUntil = 3600 * kSecond;

// `expect ss HOST { lines }` against a table as format_ss prints it: whether
// its lines ask for the timer column, and nullopt when the table matches,
// else what was expected and what was got (trailing blanks ignored; the
// header compared only when the assertion writes one).
bool ss_wants_timers(const Assertion& a);
std::optional<std::string> ss_mismatch(const Assertion& a, const std::string& table);

}  // namespace tcpsim::scenario
