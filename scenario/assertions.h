// The scenario's top-level assertions (docs/scenario-language.md,
// "Assertions") checked against a simulated run: a socket's state at a time,
// the `ss` table at a time, segments sent or not, whether every program
// finished. The interpreter decides when each is checked; what is compared
// and how a result reads is here.
#pragma once

#include <string>
#include <vector>

#include "scenario/interpreter.h"

namespace tcpsim::scenario {

// `at T expect prog.var STATE`, the state `got` read at `now`.
AssertionResult check_state_at(const Assertion& a, model::State got, Time now, bool texts);
// For a failed state assertion: the last `lines` state changes of one
// connection on a host up to now, one a line under the failure
// ("\n       1.002000  ESTABLISHED -> FIN-WAIT-1"), or "" when it has none.
std::string state_timeline(const sim::Trace& tr, std::size_t host, std::uint32_t conn, std::size_t lines = 4);
// For a failed state assertion, once the run is over: the next `lines`
// state changes of that connection after `at` ("\n     then:\n       1.209000
// FIN-WAIT-1 -> FIN-WAIT-2"), or "" when it has none.
std::string next_states(const sim::Trace& tr, std::size_t host, std::uint32_t conn, Time at,
                        std::size_t lines = 2);
// `at T expect ss HOST { lines }`, against the host's table now.
AssertionResult check_ss_at(const Assertion& a, const Scenario& sc, const sim::Network& net, bool texts);
// Sent, NotSent or Segment: judged on the segments of the run's trace.
inline bool is_segment_assertion(const Assertion& a) {
  return a.kind == Assertion::Sent || a.kind == Assertion::NotSent || a.kind == Assertion::Segment;
}
// `expect [not] sent A -> B SPEC [fields] [count]` or `expect A -> B segment
// N ...`, over the run's trace (scenario/segments.h).
AssertionResult check_sent(const Assertion& a, const Scenario& sc, const sim::Network& net, bool texts);
// Whether a segment sent at `t` counts for a sent/not-sent assertion: all
// of the run's, or those sent by T when it is written `at T` (T included).
bool counts_for(const Assertion& a, Time t);
// A sent/not-sent assertion judged on `n` segments counted.
AssertionResult sent_result(const Assertion& a, long n, bool texts);
// `expect finished`.
AssertionResult check_finished(const Assertion& a, bool finished, const std::string& ending);

// The assertions at a time whose moment never came (evaluated[i] false;
// a sent/not-sent one `at T` included),
// as failures saying so; `end` says where the run ended.
void unevaluated_assertions(const Scenario& sc, const std::vector<bool>& evaluated, const std::string& end,
                            bool texts, std::vector<AssertionResult>& out);

}  // namespace tcpsim::scenario
