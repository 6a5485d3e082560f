// RFC 9293's state diagram drawn from the model's transition table (one
// source of truth): Graphviz DOT with "event / action" labels, optionally
// highlighting and numbering the transitions a run took, or showing which
// rows a set of runs exercised.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/outbox.h"
#include "scenario/interpreter.h"

namespace tcpsim::formats {

// taken: rule ids in the order a run fired them (numbered on the edges).
std::string state_diagram_dot(const std::vector<model::RuleId>& taken);
// The table as text: one row per rule.
std::string state_table();

// One row a run fired: the rule and which side's end fired it (0: the left,
// active end, "A"; 1: the right, passive end, "B").
struct TakenStep {
  model::RuleId rule;
  int side;
};
// The rows fired by the run's first connection's two ends (State and Row
// records of those two ends, listener children included from their birth),
// in trace order. Other connections of the run are left out.
std::vector<TakenStep> first_connection_steps(const scenario::RunResult& run);
// The diagram with the run's steps highlighted and numbered in order: "A3"
// is the third step, taken by the left end; edges taken by A are solid red,
// by B dashed blue, by both solid purple. A legend names A and B.
std::string run_state_diagram_dot(const scenario::RunResult& run);

// Coverage: how often each row fired over some runs (every end of every run).
struct Coverage {
  std::vector<std::string> files;              // the scenarios run
  std::map<model::RuleId, std::size_t> hits;   // row -> times fired
  std::map<model::RuleId, std::string> first;  // row -> first scenario that fired it
};
void add_coverage(Coverage& c, const std::string& file, const scenario::RunResult& run);
// Every row of the table: fired or not, how often, and by which scenario first.
std::string coverage_text(const Coverage& c);
// The diagram with covered rows bold and labelled with their count,
// uncovered rows grey and dotted.
std::string coverage_dot(const Coverage& c);

}  // namespace tcpsim::formats
