// tcpsim explore's engine: every run of a scenario in which up to K
// transmissions go wrong (dropped, and with budgets for them, duplicated or
// overtaken), each run classified by scenario::classify.
//
// Prefix sharing by fork(): the simulated world (scheduler callbacks holding
// pointers, hosts, programs) cannot be copied, but a process can. The run
// starts once; at each transmission where the budget allows, the process
// forks: the child takes the departure (say "dropped") and runs on, the
// parent waits for it, then takes the next departure, and finally
// "delivered". The search is depth-first and sequential, so at most
// K + 1 processes (one per choice in the pattern, plus the root) exist at
// once, only one of them running. Copy-on-write makes the shared prefix free.
// Each process, when its run ends, reports its pattern and outcome in
// shared memory (shared_results.h) and exits; the root reports its own run
// (the pattern where every packet arrives) and reads them all.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cli/explore/pattern.h"
#include "cli/explore/shared_results.h"
#include "scenario/interpreter.h"

namespace tcpsim::explore {

// How runs that share a prefix share it: by fork() (the prefix is simulated
// once), or not at all: each pattern simulated from the start in this
// process. Both give the same results. Which is faster depends on what a
// fork costs against what a run costs: Auto times one of each and forks only
// when half a run (the prefix a fork saves, on average) costs more than a
// fork (docs/explore.md has the figures).
enum class Strategy : std::uint8_t { Auto, Fork, Replay };
// The one list of their names (--strategy, --stats, the fuzzer): "auto",
// "fork", "replay"; nullopt for a name none has.
const char* strategy_name(Strategy s);
std::optional<Strategy> strategy_named(std::string_view name);
std::vector<std::string> strategy_names();

// The default bound on the work of a whole search (--max-work): trace
// records, summed over the runs (docs/limits.md has how it was chosen).
constexpr std::uint64_t kDefaultMaxWork = 1'000'000;

struct ExploreOptions {
  Strategy strategy = Strategy::Auto;
  Budget budget;
  std::uint64_t max_patterns = 100000;  // claimed before each fork: a bound, never a hang
  // The work of the search, in trace records (calls, segments, state
  // changes, timers: what a run does): no pattern is claimed once the runs
  // that ended (each counted whole) and the prefix of the run branching
  // reach it. Each run is itself bounded (the trace limit, the event and
  // step limits): this bounds their number times their size.
  std::uint64_t max_work = kDefaultMaxWork;
  scenario::RunOptions run;  // seed, profile, sets, until; on_network is explore's
  // Called in the process of each run when it ends, before it reports: lets
  // tests make one run crash and check how the search reports it.
  std::function<void(const Pattern&)> at_end;
};

struct ExploreResult {
  std::vector<PatternResult> patterns;  // sorted by shorter(); errors included
  bool truncated = false;               // stopped: not every pattern was explored
  Stop stopped = Stop::None;            // what stopped it: max_patterns or max_work
  std::uint64_t work = 0;               // trace records of every run explored, each counted whole
  std::uint64_t base_transmissions = 0;
  Strategy strategy = Strategy::Fork;  // the one used
  // For Auto: what one run and one fork (with the child's exit and the
  // wait) took, in microseconds.
  double run_us = 0, fork_us = 0;
};

// Why explore refuses a scenario: a random link effect (loss, burst loss,
// duplication, reordering) would decide fates explore means to choose, and
// its outcomes would depend on the seed. Targeted `drop` rules and windows
// stay: they are part of the scenario and never count against the budget.
std::optional<std::string> refuse(const scenario::Scenario& sc, const scenario::RunOptions& opt);

// The scenario's assertions (`at T expect ...`, `expect sent ...`, and the
// expected results after calls) describe its run without losses: under
// other patterns they fail by design, so explore removes them all.
void remove_assertions(scenario::Scenario& sc);

// Scenario errors (ParseError messages, refuse()) come back as a string.
// Each run's trace limit is at most max_work.
std::variant<ExploreResult, std::string> explore(std::shared_ptr<const scenario::Scenario> sc,
                                                 const ExploreOptions& opt);

// One run from the start with the pattern's choices forced and every other
// packet left to the link: the ladder of a class, and the check that a
// forked run equals a run from scratch. `mismatch`, when given, is set if a
// choice named a transmission that could not take it (a reorder with nothing
// in flight to overtake, or an index the run never reached).
std::variant<scenario::RunResult, std::string> replay(std::shared_ptr<const scenario::Scenario> sc,
                                                      const scenario::RunOptions& opt, const Pattern& p,
                                                      bool* mismatch = nullptr);

}  // namespace tcpsim::explore
