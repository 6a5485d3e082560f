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

// taken: rule ids in the order a run fired them (numbered on the edges);
// rules: each edge's rule name under its label.
std::string state_diagram_dot(const std::vector<model::RuleId>& taken, bool rules = true);

// RFC 9293 Figure 5 as the RFC draws it: its 20 arrows only, worded as
// there ("rcv SYN / snd SYN,ACK"), each drawn from the row of the model's
// table it stands for (whose rule name goes under the label when `rules`).
// Like the figure, CLOSED is drawn twice: where a connection starts (and a
// CLOSE before it is synchronized returns) and where it ends.
struct FigureArrow {
  model::State from, to;
  bool to_end = false;            // to the second CLOSED box, at the bottom
  std::string_view event;         // the row's event in the model's table
  std::string_view figure_event;  // above the figure's line: "passive OPEN"
  std::string_view action;        // below it: "create TCB"; "x" for none
};
const std::vector<FigureArrow>& rfc9293_figure5_arrows();
std::string rfc_figure_dot(bool rules);
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
