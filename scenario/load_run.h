// Running a scenario that describes load (`load A -> B ...`) rather than
// programs: the hosts and links as for any scenario, then sim::LoadRun's
// clients and server, sampled every `sample every` interval.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>

#include "scenario/interpreter.h"
#include "sim/load.h"

namespace tcpsim::scenario {

struct LoadResult {
  std::shared_ptr<const Scenario> scenario;
  std::unique_ptr<sim::Network> net;
  std::unique_ptr<sim::LoadRun> load;
  Time end_time = 0;
  std::string ending;  // one line: how the run ended
};

// The most samples of a load's time series (one every `sample every` up to
// the time limit): a million rows, about 200 MB per load.
constexpr std::uint64_t kMaxLoadSamples = 1'000'000;

// The scenario must have loads and no programs or assertions (those
// describe single connections); errors come back as `file:line:col: ...`.
std::variant<LoadResult, ParseError> run_load(std::shared_ptr<const Scenario> sc, const RunOptions& opt);

}  // namespace tcpsim::scenario
