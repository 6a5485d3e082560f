// The transition table of model/rfc9293_table.h as data, so that the CLI can
// draw the state diagram from it and tests can check that every row is
// covered. Built once from the Boost.MSM table itself: one source of truth.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "model/outbox.h"
#include "model/state.h"

namespace tcpsim::model {

struct TransitionRow {
  RuleId id;
  State source;
  std::optional<State> target;  // nullopt: an internal row (no state change)
  std::string_view event;       // "rcv FIN", "CLOSE", ...
  std::string_view guard;       // "" or the condition, e.g. "SEG.ACK covers our FIN"
  std::string_view rule;        // stable name, e.g. "fw1_rcv_ack_of_fin"
  std::string_view ref;         // e.g. "RFC 9293 §3.10.7.4"
  std::string_view summary;     // the RFC's "event / action" in a few words
};

const std::vector<TransitionRow>& transition_table();
// kNoRule gives "".
std::string_view rule_name(RuleId id);
// The id of the rule with this name; kNoRule when there is none.
RuleId rule_named(std::string_view name);

}  // namespace tcpsim::model
