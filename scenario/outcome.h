// How a run ended, in the few words a sweep counts and explore groups by:
// did every connection close cleanly, or was one reset, never established,
// given up, left half-open or stuck? Drawn from the run's trace and the
// hosts' tables at its end, so `run`, `sweep` and `explore` agree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "scenario/interpreter.h"

namespace tcpsim::scenario {

// In order of precedence: a run is classified by the first that applies.
// The first three are errors a program saw (a call failed or returned the
// error); the two "after-close" classes happened to a connection no program
// held any more (its close() had returned 0), so no program saw them.
enum class OutcomeKind : std::uint8_t {
  ConnectFailed,     // a connect() was refused or timed out before ESTABLISHED
  TimedOut,          // a program's established connection was given up (retries exhausted, user timeout)
  Reset,             // a program's established connection ended with a RST
  HalfOpen,          // one side holds a synchronized connection the other side has forgotten
  Stuck,             // a side was left in a state other than CLOSED or TIME-WAIT when the run ended
  GaveUpAfterClose,  // after a successful close(), the orphaned connection was given up (FIN never acked)
  ResetAfterClose,   // after a successful close(), the orphaned connection was reset
  Clean,             // every connection reached CLOSED or TIME-WAIT by FIN exchange
};
constexpr int kOutcomeKindCount = 8;
// "connect-failed", "timed-out", "reset", "half-open", "stuck",
// "gave-up-after-close", "reset-after-close", "clean": outcome.cc's list,
// the only one (sweep tables, shards, JSON traces and explore read it).
std::string_view outcome_name(OutcomeKind k);
std::optional<OutcomeKind> outcome_named(std::string_view name);

struct Outcome {
  OutcomeKind kind = OutcomeKind::Clean;
  // For Stuck and HalfOpen: the states left over, e.g. "A CLOSE-WAIT" or
  // "A ESTABLISHED, B gone"; for the others, the connection it happened to.
  std::string detail;
  bool assertions_failed = false;
  // Bytes an application wrote that its peer's application never read.
  std::uint64_t unread_bytes = 0;
  // When the last connection reached CLOSED or TIME-WAIT from an open
  // state; none when a connection never did.
  std::optional<Time> closed_at;
  std::uint32_t retransmissions = 0;  // segments sent again, SYNs and FINs included
  std::uint32_t segments = 0;         // segments put on a link
  // The class explore groups by: kind plus detail, e.g. "stuck: B CLOSE-WAIT".
  std::string label() const;
  // Outcomes a user should look at: anything but a clean close, or data lost.
  bool bad() const { return kind != OutcomeKind::Clean || unread_bytes > 0; }
};

// Needs the run's trace (RunOptions::trace) and the hosts' ledgers, which
// `run` keeps.
Outcome classify(const RunResult& run);

}  // namespace tcpsim::scenario
