// RFC 9293's state diagram drawn from the model's transition table (one
// source of truth): Graphviz DOT with "event / action" labels, optionally
// highlighting and numbering the transitions a run took.
#pragma once

#include <string>
#include <vector>

#include "model/outbox.h"

namespace tcpsim::formats {

// taken: rule ids in the order a run fired them (numbered on the edges).
std::string state_diagram_dot(const std::vector<model::RuleId>& taken);
// The table as text: one row per rule.
std::string state_table();

}  // namespace tcpsim::formats
