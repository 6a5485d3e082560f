// Running a scenario: hosts, links and drops into a sim::Network, each
// program's statements into steps for sim::Runner, assertions checked as the
// run goes and at its end.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "cli/scenario/ast.h"
#include "cli/scenario/parser.h"
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
};

struct ProgramInfo {
  std::string name;
  std::uint8_t host = 0;
};

struct RunResult {
  std::shared_ptr<const Scenario> scenario;
  std::unique_ptr<sim::Network> net;
  std::unique_ptr<sim::Runner> runner;
  std::vector<ProgramInfo> programs;
  std::vector<AssertionResult> results;
  Time end_time = 0;
  bool finished = false;  // every program ran to its end
  std::string ending;     // one line: how the run ended
  bool failed() const;
};

// Semantic errors (an unknown setting, a variable used before it is set)
// come back as ParseError, with the position.
std::variant<RunResult, ParseError> run(std::shared_ptr<const Scenario> sc, const RunOptions& opt);

// Builds the network with its hosts and links, without programs: shared by
// `run` and the kernel runner's comparisons.
std::variant<std::unique_ptr<sim::Network>, ParseError> build_network(const Scenario& sc,
                                                                      const RunOptions& opt);

// How a call is written in traces and ladders, `connect(k, 10.0.0.2:9090)`,
// and a string as a call's result shows it (quoted, escaped, cut at 24
// characters): shared with the kernel runner so both runs print alike.
std::string call_text(const Stmt& st);
std::string quote(std::string_view s);

}  // namespace tcpsim::scenario
