// What explore prints: the runs grouped by outcome class (Outcome::label()),
// each with how many patterns lead there, whether it ends badly and how, and
// its shortest pattern in words and as a ladder diagram (one more run, from
// the start, with that pattern forced).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/explore/explorer.h"

namespace tcpsim::explore {

// The ways a run can end badly without the application being told: a
// connection one side believes open while the other has forgotten it, data
// written that the peer's application never read, a socket left in a state
// it will never leave. (Reset, timed-out and connect-failed runs are not
// flagged: a call returned an error, so the application knows; nor are
// gave-up-after-close and reset-after-close: they befell a socket its
// program had closed, and what they leave on the peer is flagged there.)
enum class Flag : std::uint8_t { HalfOpen, UnreadData, Stuck };
const char* flag_name(Flag f);  // "half-open", "unread data", "stuck"

struct OutcomeClass {
  std::string label;
  scenario::OutcomeKind kind = scenario::OutcomeKind::Clean;
  std::uint64_t unread_bytes = 0;
  std::uint64_t count = 0;
  std::vector<std::uint64_t> by_size;  // [n]: patterns of n choices
  Pattern shortest;                    // by shorter()
  std::vector<Flag> flags;
  bool bad() const { return !flags.empty(); }
};

struct Classes {
  // Bad classes first, then the most patterns first, then by label: the
  // order does not depend on anything but the results.
  std::vector<OutcomeClass> classes;
  std::vector<PatternResult> errors;  // runs that did not end normally
  std::uint64_t patterns = 0;         // results with an outcome
};
Classes group(const ExploreResult& r);

struct ReportOptions {
  std::string format = "text";  // text or json
  bool unicode = false;         // ladders with box-drawing characters
  bool verbose = false;         // ladders with seq/ack and RFC notes
  Budget budget;
  std::uint64_t max_patterns = 0;
  std::uint64_t max_work = 0;
};

// Why the search stopped before the end, one line ("stopped at
// --max-patterns 300: ..."), or empty when it explored every pattern: in the
// output and, prefixed "tcpsim explore: ", on standard error.
std::string stop_text(const ExploreResult& r, const ReportOptions& opt);

// Replays each class's shortest pattern for its ladder. Empty string and
// `error` set if a replay fails.
std::string render(const std::shared_ptr<const scenario::Scenario>& sc, const scenario::RunOptions& run,
                   const ExploreResult& r, const Classes& c, const ReportOptions& opt, std::string& error);

// 0: no pattern ends badly; 1: some pattern does; 2: the exploration is
// incomplete (a run crashed, or --max-patterns or --max-work was reached
// before a bad class turned up).
int exit_status(const ExploreResult& r, const Classes& c);

}  // namespace tcpsim::explore
