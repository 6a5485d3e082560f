#include "formats/state_diagram.h"

#include <fmt/format.h>

#include <functional>
#include <map>
#include <set>

#include "formats/provenance.h"
#include "formats/trace_view.h"
#include "model/transition_table.h"

namespace tcpsim::formats {

namespace {
std::string node(model::State s) {
  std::string n(model::state_name(s));
  for (char& c : n) {
    if (c == '-') c = '_';
  }
  return n;
}
std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
std::string row_label(const model::TransitionRow& row) {
  std::string label = std::string(row.summary);
  if (!row.guard.empty()) label += " [" + std::string(row.guard) + "]";
  return label;
}

// The diagram, with each edge's attributes (after the label) and each
// node's extra attributes chosen by the caller, and a legend at the bottom.
std::string dot(const std::function<std::string(const model::TransitionRow&)>& edge,
                const std::function<std::string(model::State)>& node_extra, const std::string& legend) {
  std::string out =
      "digraph rfc9293 {\n  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
      "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  if (!legend.empty()) {
    out += fmt::format("  labelloc=b;\n  fontname=\"Helvetica\";\n  fontsize=11;\n  label=\"{}\";\n",
                       escape(legend));
  }
  for (int k = 0; k < model::kStateCount; ++k) {
    const auto s = static_cast<model::State>(k);
    out += fmt::format("  {} [label=\"{}\"{}];\n", node(s), model::state_name(s), node_extra(s));
  }
  for (const auto& row : model::transition_table()) {
    const model::State to = row.target.value_or(row.source);
    out += fmt::format("  {} -> {} [{}];\n", node(row.source), node(to), edge(row));
  }
  out += "}\n";
  return out;
}

}  // namespace

std::string state_diagram_dot(const std::vector<model::RuleId>& taken, bool rules) {
  std::map<model::RuleId, std::vector<std::size_t>> order;
  for (std::size_t i = 0; i < taken.size(); ++i) order[taken[i]].push_back(i + 1);
  return dot(
      [&](const model::TransitionRow& row) {
        const std::string label = row_label(row);
        const std::string rule = rules ? fmt::format("\\n({})", escape(row.rule)) : "";
        std::string attrs = fmt::format("label=\"{}{}\"", escape(label), rule);
        if (!row.target) attrs += ", style=dotted";
        auto it = order.find(row.id);
        if (it != order.end()) {
          std::string nums;
          for (auto n : it->second) nums += (nums.empty() ? "" : ",") + std::to_string(n);
          attrs = fmt::format("label=\"{}: {}{}\", color=red, penwidth=2, fontcolor=red", nums, escape(label),
                              rule);
        }
        return attrs;
      },
      [](model::State) { return std::string(); }, "");
}

const std::vector<FigureArrow>& rfc9293_figure5_arrows() {
  using S = model::State;
  static const std::vector<FigureArrow> arrows = {
      {S::Closed, S::Listen, false, "OPEN(passive)", "passive OPEN", "create TCB"},
      {S::Closed, S::SynSent, false, "OPEN(active)", "active OPEN", "create TCB, snd SYN"},
      {S::Listen, S::Closed, false, "CLOSE", "CLOSE", "delete TCB"},
      {S::Listen, S::SynReceived, false, "rcv SYN", "rcv SYN", "snd SYN,ACK"},
      {S::Listen, S::SynSent, false, "SEND", "SEND", "snd SYN"},
      {S::SynSent, S::Closed, false, "CLOSE", "CLOSE", "delete TCB"},
      {S::SynSent, S::SynReceived, false, "rcv SYN", "rcv SYN", "snd SYN,ACK"},
      {S::SynSent, S::Established, false, "rcv SYN,ACK", "rcv SYN,ACK", "snd ACK"},
      {S::SynReceived, S::Listen, false, "rcv RST", "rcv RST (note 1)", ""},
      {S::SynReceived, S::Established, false, "rcv ACK", "rcv ACK of SYN", "x"},
      {S::SynReceived, S::FinWait1, false, "CLOSE", "CLOSE", "snd FIN"},
      {S::Established, S::FinWait1, false, "CLOSE", "CLOSE", "snd FIN"},
      {S::Established, S::CloseWait, false, "rcv FIN", "rcv FIN", "snd ACK"},
      {S::FinWait1, S::FinWait2, false, "rcv ACK", "rcv ACK of FIN", "x"},
      {S::FinWait1, S::Closing, false, "rcv FIN", "rcv FIN", "snd ACK"},
      {S::FinWait2, S::TimeWait, false, "rcv FIN", "rcv FIN", "snd ACK"},
      {S::Closing, S::TimeWait, false, "rcv ACK", "rcv ACK of FIN", "x"},
      {S::CloseWait, S::LastAck, false, "CLOSE", "CLOSE", "snd FIN"},
      {S::LastAck, S::Closed, true, "rcv ACK", "rcv ACK of FIN", "x"},
      {S::TimeWait, S::Closed, true, "2MSL timeout", "Timeout=2MSL", "delete TCB"},
  };
  return arrows;
}

std::string rfc_figure_dot(bool rules) {
  // The figure's own box names.
  static const std::map<model::State, const char*> kBox = {
      {model::State::Closed, "CLOSED"},        {model::State::Listen, "LISTEN"},
      {model::State::SynReceived, "SYN RCVD"}, {model::State::SynSent, "SYN SENT"},
      {model::State::Established, "ESTAB"},    {model::State::FinWait1, "FIN WAIT-1"},
      {model::State::FinWait2, "FINWAIT-2"},   {model::State::Closing, "CLOSING"},
      {model::State::TimeWait, "TIME-WAIT"},   {model::State::CloseWait, "CLOSE WAIT"},
      {model::State::LastAck, "LAST-ACK"}};
  std::string out =
      "digraph rfc9293_figure5 {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n"
      "  edge [fontname=\"Helvetica\", fontsize=9];\n"
      "  labelloc=b;\n  fontname=\"Helvetica\";\n  fontsize=9;\n"
      "  label=\"RFC 9293 Figure 5: TCP Connection State Diagram\\nnote 1: the transition from SYN-RECEIVED "
      "to "
      "LISTEN on receiving a RST is conditional\\non having reached SYN-RECEIVED after a passive OPEN.\";\n";
  for (const auto& [st, box] : kBox) out += fmt::format("  {} [label=\"{}\"];\n", node(st), box);
  out += "  closed_end [label=\"CLOSED\"];\n";
  for (const auto& a : rfc9293_figure5_arrows()) {
    std::string rule;
    for (const auto& row : model::transition_table()) {
      if (row.source == a.from && row.target == a.to && row.event == a.event) rule = std::string(row.rule);
    }
    std::string label(a.figure_event);
    if (!a.action.empty()) label += " / " + std::string(a.action);
    if (rules && !rule.empty()) label += "\\n(" + escape(rule) + ")";
    out += fmt::format("  {} -> {} [label=\"{}\"];\n", node(a.from), a.to_end ? "closed_end" : node(a.to),
                       label);
  }
  return out + "}\n";
}

std::string state_table() {
  std::string out =
      fmt::format("{:<13} {:<32} {:<13} {:<28} {}\n", "from", "event", "to", "rule", "reference");
  for (const auto& row : model::transition_table()) {
    const std::string ev =
        std::string(row.event) + (row.guard.empty() ? "" : " [" + std::string(row.guard) + "]");
    out += fmt::format("{:<13} {:<32} {:<13} {:<28} {}\n", model::state_name(row.source), ev,
                       row.target ? std::string(model::state_name(*row.target)) : std::string("(stays)"),
                       row.rule, row.ref);
  }
  return out;
}

std::vector<TakenStep> first_connection_steps(const scenario::RunResult& run) {
  const TraceView view(run);
  std::vector<TakenStep> steps;
  if (view.connections().empty()) return steps;
  const auto& c = view.connections().front();
  const auto& recs = run.net->trace().records();
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    if ((r.kind != sim::TraceKind::State && r.kind != sim::TraceKind::Row) || r.rule == model::kNoRule)
      continue;
    const int e = view.end_of(i);
    if (e < 0) continue;
    if (e == c.left) steps.push_back({r.rule, 0});
    if (e == c.right) steps.push_back({r.rule, 1});
  }
  return steps;
}

std::string run_state_diagram_dot(const scenario::RunResult& run) {
  const TraceView view(run);
  const auto steps = first_connection_steps(run);
  std::map<model::RuleId, std::string> nums;
  std::map<model::RuleId, int> sides;  // bit 0: A, bit 1: B
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto& s = nums[steps[i].rule];
    s += (s.empty() ? "" : ",") + fmt::format("{}{}", steps[i].side == 0 ? 'A' : 'B', i + 1);
    sides[steps[i].rule] |= 1 << steps[i].side;
  }
  // States either end was in.
  std::set<model::State> visited;
  for (const auto& row : model::transition_table()) {
    if (!sides.count(row.id)) continue;
    visited.insert(row.source);
    if (row.target) visited.insert(*row.target);
  }
  // The title, then how the run was made (formats/provenance.h), never an absolute path.
  std::string legend = run.scenario->title.empty() ? "" : run.scenario->title + "\n";
  legend += provenance_line(provenance_of(run));
  if (!view.connections().empty()) {
    const auto& c = view.connections().front();
    legend += fmt::format("\nA = {} (solid red)    B = {} (dashed blue)    both: purple",
                          view.end_label(c.left), view.end_label(c.right));
  }
  legend +=
      "\nAn: the run's n-th transition (of its first connection), taken by A; Bn: by B. Grey: not taken";
  return dot(
      [&](const model::TransitionRow& row) {
        const std::string label = row_label(row);
        auto it = nums.find(row.id);
        if (it == nums.end()) {
          // Untaken rows unlabelled (their rule in the tooltip): the run's path stands out and the graph
          // stays narrow.
          return fmt::format("tooltip=\"{}: {}\", color=gray70, arrowsize=0.6{}", escape(row.rule),
                             escape(label), row.target ? "" : ", style=dotted");
        }
        const int s = sides[row.id];
        const char* colour = s == 1 ? "#c0392b" : s == 2 ? "#1f5fa8" : "#7b3294";
        return fmt::format("label=\"{}: {}\\n({})\", color=\"{}\", fontcolor=\"{}\", penwidth=2.5{}",
                           it->second, escape(label), escape(row.rule), colour, colour,
                           s == 2 ? ", style=dashed" : "");
      },
      [&](model::State st) {
        return visited.count(st) ? std::string(", penwidth=2.5")
                                 : std::string(", color=gray55, fontcolor=gray40");
      },
      legend);
}

void add_coverage(Coverage& c, const std::string& file, const scenario::RunResult& run) {
  c.files.push_back(file);
  for (const auto& r : run.net->trace().records()) {
    if ((r.kind != sim::TraceKind::State && r.kind != sim::TraceKind::Row) || r.rule == model::kNoRule)
      continue;
    ++c.hits[r.rule];
    c.first.try_emplace(r.rule, file);
  }
}

std::string coverage_text(const Coverage& c) {
  const auto& table = model::transition_table();
  std::size_t fired = 0;
  for (const auto& row : table) fired += c.hits.count(row.id) ? 1 : 0;
  std::string out = fmt::format("{} of {} rows of the transition table fired in {} scenario{}\n\n", fired,
                                table.size(), c.files.size(), c.files.size() == 1 ? "" : "s");
  out += fmt::format("{:>6}  {:<13} {:<40} {:<13} {:<28} {}\n", "fired", "from", "event", "to", "rule",
                     "first fired by");
  for (const auto& row : table) {
    const std::string ev =
        std::string(row.event) + (row.guard.empty() ? "" : " [" + std::string(row.guard) + "]");
    auto it = c.hits.find(row.id);
    std::string line = fmt::format(
        "{:>6}  {:<13} {:<40} {:<13} {:<28} {}",
        it == c.hits.end() ? std::string("-") : std::to_string(it->second), model::state_name(row.source), ev,
        row.target ? std::string(model::state_name(*row.target)) : std::string("(stays)"), row.rule,
        it == c.hits.end() ? std::string() : c.first.at(row.id));
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  if (fired < table.size()) {
    out += "\nnot fired by any scenario:\n";
    for (const auto& row : table) {
      if (!c.hits.count(row.id)) out += fmt::format("  {} ({})\n", row.rule, row.ref);
    }
  }
  return out;
}

std::string coverage_dot(const Coverage& c) {
  const auto& table = model::transition_table();
  std::size_t fired = 0;
  std::set<model::State> visited;
  for (const auto& row : table) {
    if (!c.hits.count(row.id)) continue;
    ++fired;
    visited.insert(row.source);
    if (row.target) visited.insert(*row.target);
  }
  const std::string legend = fmt::format(
      "Coverage: {} of {} rows fired in {} scenario{} (bold green, with how often); grey dashed: never fired",
      fired, table.size(), c.files.size(), c.files.size() == 1 ? "" : "s");
  return dot(
      [&](const model::TransitionRow& row) {
        const std::string label = row_label(row);
        auto it = c.hits.find(row.id);
        if (it == c.hits.end()) {
          return fmt::format("label=\"{}\\n({})\", color=gray60, fontcolor=gray45, style=dashed",
                             escape(label), escape(row.rule));
        }
        return fmt::format(
            "label=\"x{}: {}\\n({})\", color=\"#1b7837\", fontcolor=\"#1b7837\", penwidth=2.5{}", it->second,
            escape(label), escape(row.rule), row.target ? "" : ", style=dotted");
      },
      [&](model::State st) {
        return visited.count(st) ? std::string(", penwidth=2")
                                 : std::string(", color=gray60, fontcolor=gray45");
      },
      legend);
}

}  // namespace tcpsim::formats
