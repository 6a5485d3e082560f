#include "cli/explore/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "formats/ladder.h"
#include "sim/trace_text.h"
#include "sim/units.h"

namespace tcpsim::explore {

namespace {

std::vector<Flag> flags_of(scenario::OutcomeKind kind, std::uint64_t unread) {
  std::vector<Flag> f;
  if (kind == scenario::OutcomeKind::HalfOpen) f.push_back(Flag::HalfOpen);
  if (unread > 0) f.push_back(Flag::UnreadData);
  if (kind == scenario::OutcomeKind::Stuck) f.push_back(Flag::Stuck);
  return f;
}

// One choice of a pattern, in words, from the replayed run's trace:
// "drop #4: A -> B FIN,ACK at 1.002000 s".
struct ChoiceWords {
  Choice choice;
  std::string from, to, segment;
  Time at = 0;
  bool retransmission = false;
  std::uint32_t overtaken = 0;  // reorder: the transmission it overtook
  bool known = false;           // the replay reached that transmission
  std::string text() const {
    std::string s = fmt::format("{} #{}", fate_name(choice.fate), choice.index + 1);
    if (!known) return s + ": not reached in the replay";
    s += fmt::format(": {} -> {} {}{} at {} s", from, to, segment, retransmission ? " (retransmission)" : "",
                     sim::format_seconds(at));
    if (choice.fate == sim::Fate::kOvertake) s += fmt::format(", overtaking #{}", overtaken + 1);
    return s;
  }
};

std::vector<ChoiceWords> words(const scenario::RunResult& run, const Pattern& p) {
  const auto& packets = run.net->trace().packets();
  std::vector<ChoiceWords> out;
  for (const Choice& c : p) {
    ChoiceWords w;
    w.choice = c;
    if (c.index < packets.size()) {
      const sim::PacketRecord& rec = packets[c.index];
      w.known = true;
      w.from = run.net->host(rec.from_host).name();
      w.to = run.net->host(rec.to_host).name();
      w.segment = sim::segment_label(rec.packet.seg);
      w.at = rec.sent;
      w.retransmission = rec.packet.retransmission;
      // The packet sent just before on the same link: the one it overtook.
      for (std::uint32_t j = c.index; j-- > 0;) {
        if (packets[j].from_host == rec.from_host && packets[j].to_host == rec.to_host) {
          w.overtaken = j;
          break;
        }
      }
    }
    out.push_back(w);
  }
  return out;
}

std::string budget_text(const Budget& b) {
  std::string s = fmt::format("up to {} drop{}", b.drops, b.drops == 1 ? "" : "s");
  if (b.dups) s += fmt::format(", {} duplicate{}", b.dups, b.dups == 1 ? "" : "s");
  if (b.reorders) s += fmt::format(", {} reorder{}", b.reorders, b.reorders == 1 ? "" : "s");
  return s;
}

std::string sizes_text(const std::vector<std::uint64_t>& by_size) {
  std::string s;
  for (std::size_t n = 0; n < by_size.size(); ++n) {
    if (by_size[n] == 0) continue;
    s += fmt::format("{}{} with {} choice{}", s.empty() ? "" : ", ", by_size[n], n, n == 1 ? "" : "s");
  }
  return s;
}

std::string flags_text(const std::vector<Flag>& flags) {
  std::string s;
  for (Flag f : flags) s += fmt::format("{}{}", s.empty() ? "" : ", ", flag_name(f));
  return s;
}

}  // namespace

const char* flag_name(Flag f) {
  switch (f) {
    case Flag::HalfOpen: return "half-open";
    case Flag::UnreadData: return "unread data";
    case Flag::Stuck: return "stuck";
  }
  return "?";
}

Classes group(const ExploreResult& r) {
  Classes out;
  std::map<std::string, OutcomeClass> by_label;
  for (const PatternResult& p : r.patterns) {
    if (!p.error.empty()) {
      out.errors.push_back(p);
      continue;
    }
    ++out.patterns;
    OutcomeClass& c = by_label[p.label];
    if (c.count == 0 || shorter(p.pattern, c.shortest)) c.shortest = p.pattern;
    if (c.count == 0) {
      c.label = p.label;
      c.kind = p.kind;
      c.unread_bytes = p.unread_bytes;
      c.flags = flags_of(p.kind, p.unread_bytes);
    }
    ++c.count;
    if (c.by_size.size() <= p.pattern.size()) c.by_size.resize(p.pattern.size() + 1);
    ++c.by_size[p.pattern.size()];
  }
  for (auto& [label, c] : by_label) out.classes.push_back(std::move(c));
  std::stable_sort(out.classes.begin(), out.classes.end(), [](const OutcomeClass& a, const OutcomeClass& b) {
    if (a.bad() != b.bad()) return a.bad();
    return a.count > b.count;  // equal counts keep the labels' order
  });
  return out;
}

int exit_status(const ExploreResult& r, const Classes& c) {
  if (!c.errors.empty()) return 2;
  for (const auto& k : c.classes) {
    if (k.bad()) return 1;
  }
  return r.truncated ? 2 : 0;
}

std::string stop_text(const ExploreResult& r, const ReportOptions& opt) {
  switch (r.stopped) {
    case Stop::None: return r.truncated ? "stopped early: not every pattern was explored" : "";
    case Stop::Patterns:
      return fmt::format("stopped at --max-patterns {}: not every pattern was explored", opt.max_patterns);
    case Stop::Work:
      return fmt::format(
          "stopped at --max-work {} (trace records over all runs; those explored made {}): not every "
          "pattern was explored; raise --max-work, or make the runs shorter (--until)",
          opt.max_work, r.work);
  }
  return "";
}

std::string render(const std::shared_ptr<const scenario::Scenario>& sc, const scenario::RunOptions& run,
                   const ExploreResult& r, const Classes& c, const ReportOptions& opt, std::string& error) {
  std::size_t bad = 0;
  for (const auto& k : c.classes) bad += k.bad() ? 1 : 0;
  const std::string truncated = stop_text(r, opt);
  nlohmann::ordered_json json;
  std::string text;
  if (opt.format == "json") {
    json["scenario"] = sc->file;
    json["budget"] = {
        {"drops", opt.budget.drops}, {"duplicates", opt.budget.dups}, {"reorders", opt.budget.reorders}};
    json["base_transmissions"] = r.base_transmissions;
    json["patterns"] = c.patterns;
    json["complete"] = !r.truncated && c.errors.empty();
    json["bad_classes"] = bad;
    json["classes"] = nlohmann::ordered_json::array();
  } else {
    text = fmt::format("explore {}: {}\n", sc->file, budget_text(opt.budget));
    text += fmt::format("base run: {} transmission{}; {} pattern{} explored; {} outcome class{}, {} bad\n",
                        r.base_transmissions, r.base_transmissions == 1 ? "" : "s", c.patterns,
                        c.patterns == 1 ? "" : "s", c.classes.size(), c.classes.size() == 1 ? "" : "es", bad);
    if (!truncated.empty()) text += truncated + "\n";
  }

  for (std::size_t i = 0; i < c.classes.size(); ++i) {
    const OutcomeClass& k = c.classes[i];
    bool mismatch = false;
    auto replayed = replay(sc, run, k.shortest, &mismatch);
    if (auto* e = std::get_if<std::string>(&replayed)) {
      error = *e;
      return "";
    }
    const auto& rr = std::get<scenario::RunResult>(replayed);
    const std::vector<ChoiceWords> ws = words(rr, k.shortest);
    const std::string diagram = formats::ladder(rr, formats::LadderOptions{opt.unicode, opt.verbose});
    if (opt.format == "json") {
      nlohmann::ordered_json choices = nlohmann::ordered_json::array();
      for (const ChoiceWords& w : ws) {
        nlohmann::ordered_json j;
        j["transmission"] = w.choice.index + 1;
        j["fate"] = fate_name(w.choice.fate);
        if (w.known) {
          j["from"] = w.from;
          j["to"] = w.to;
          j["segment"] = w.segment;
          j["time"] = sim::format_seconds(w.at);
          j["retransmission"] = w.retransmission;
          if (w.choice.fate == sim::Fate::kOvertake) j["overtakes"] = w.overtaken + 1;
        }
        choices.push_back(j);
      }
      nlohmann::ordered_json flags = nlohmann::ordered_json::array();
      for (Flag f : k.flags) flags.push_back(flag_name(f));
      json["classes"].push_back({{"label", k.label},
                                 {"kind", scenario::outcome_name(k.kind)},
                                 {"patterns", k.count},
                                 {"by_choices", k.by_size},
                                 {"bad", k.bad()},
                                 {"flags", flags},
                                 {"unread_bytes", k.unread_bytes},
                                 {"shortest", {{"pattern", pattern_text(k.shortest)}, {"choices", choices}}},
                                 {"ladder", diagram}});
      continue;
    }
    text += fmt::format("\n== {}. {}{}\n", i + 1, k.label,
                        k.bad() ? fmt::format("  [BAD: {}]", flags_text(k.flags)) : "");
    text += fmt::format("{} pattern{} ({})\n", k.count, k.count == 1 ? "" : "s", sizes_text(k.by_size));
    text += fmt::format("shortest: {}\n", pattern_text(k.shortest));
    for (const ChoiceWords& w : ws) text += "  " + w.text() + "\n";
    if (mismatch) text += "  (the replay could not take every choice: please report this)\n";
    text += "\n" + diagram;
  }
  if (opt.format == "json") {
    json["errors"] = nlohmann::ordered_json::array();
    for (const auto& e : c.errors)
      json["errors"].push_back({{"pattern", pattern_text(e.pattern)}, {"error", e.error}});
    if (!truncated.empty()) json["stopped"] = truncated;
    return json.dump(2) + "\n";
  }
  if (!c.errors.empty()) {
    text +=
        fmt::format("\n{} run{} did not end normally; the patterns that extend {} may be missing:\n",
                    c.errors.size(), c.errors.size() == 1 ? "" : "s", c.errors.size() == 1 ? "it" : "them");
    for (const auto& e : c.errors) text += fmt::format("  {}: {}\n", pattern_text(e.pattern), e.error);
  }
  return text;
}

}  // namespace tcpsim::explore
