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
// `at T expect ss HOST { lines }`, against the host's table now.
AssertionResult check_ss_at(const Assertion& a, const Scenario& sc, const sim::Network& net, bool texts);
// `expect [not] sent A -> B SPEC [N times]`, over the run's trace.
AssertionResult check_sent(const Assertion& a, const Scenario& sc, const sim::Network& net, bool texts);
// `expect finished`.
AssertionResult check_finished(const Assertion& a, bool finished, const std::string& ending);

// The assertions at a time whose moment never came (evaluated[i] false),
// as failures saying so; `end` says where the run ended.
void unevaluated_assertions(const Scenario& sc, const std::vector<bool>& evaluated, const std::string& end,
                            bool texts, std::vector<AssertionResult>& out);

}  // namespace tcpsim::scenario
