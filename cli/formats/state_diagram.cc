#include "cli/formats/state_diagram.h"

#include <fmt/format.h>

#include <map>

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
    out += c;
  }
  return out;
}
}  // namespace

std::string state_diagram_dot(const std::vector<model::RuleId>& taken) {
  std::map<model::RuleId, std::vector<std::size_t>> order;
  for (std::size_t i = 0; i < taken.size(); ++i) order[taken[i]].push_back(i + 1);
  std::string out = "digraph rfc9293 {\n  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
                    "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  for (int k = 0; k < model::kStateCount; ++k) {
    const auto s = static_cast<model::State>(k);
    out += fmt::format("  {} [label=\"{}\"];\n", node(s), model::state_name(s));
  }
  for (const auto& row : model::transition_table()) {
    const model::State to = row.target.value_or(row.source);
    std::string label = std::string(row.summary);
    if (!row.guard.empty()) label += " [" + std::string(row.guard) + "]";
    std::string attrs = fmt::format("label=\"{}\\n({})\"", escape(label), escape(row.rule));
    if (!row.target) attrs += ", style=dotted";
    auto it = order.find(row.id);
    if (it != order.end()) {
      std::string nums;
      for (auto n : it->second) nums += (nums.empty() ? "" : ",") + std::to_string(n);
      attrs = fmt::format("label=\"{}: {}\\n({})\", color=red, penwidth=2, fontcolor=red", nums, escape(label),
                          escape(row.rule));
    }
    out += fmt::format("  {} -> {} [{}];\n", node(row.source), node(to), attrs);
  }
  out += "}\n";
  return out;
}

std::string state_table() {
  std::string out = fmt::format("{:<13} {:<32} {:<13} {:<28} {}\n", "from", "event", "to", "rule", "reference");
  for (const auto& row : model::transition_table()) {
    const std::string ev = std::string(row.event) + (row.guard.empty() ? "" : " [" + std::string(row.guard) + "]");
    out += fmt::format("{:<13} {:<32} {:<13} {:<28} {}\n", model::state_name(row.source), ev,
                       row.target ? std::string(model::state_name(*row.target)) : std::string("(stays)"), row.rule,
                       row.ref);
  }
  return out;
}

}  // namespace tcpsim::formats
