#include "cli/sweep/examples.h"

#include <fmt/format.h>

#include "cli/sweep/report.h"

namespace tcpsim::sweep {

void ExampleSet::offer(scenario::OutcomeKind k, std::uint64_t global, const std::string& label) {
  auto& m = kept_[static_cast<int>(k)];
  if (keep_ == 0 || (m.size() >= keep_ && global > m.rbegin()->first)) return;
  m.emplace(global, label);
  if (m.size() > keep_) m.erase(std::prev(m.end()));
}

void ExampleSet::merge(const ExampleSet& other) {
  for (int k = 0; k < scenario::kOutcomeKindCount; ++k)
    for (const auto& [g, label] : other.kept_[k]) offer(static_cast<scenario::OutcomeKind>(k), g, label);
}

std::vector<Example> ExampleSet::of(scenario::OutcomeKind k, const SweepSpec& spec) const {
  std::vector<Example> out;
  for (const auto& [g, label] : kept_[static_cast<int>(k)]) {
    const std::uint64_t run = g % spec.runs;
    out.push_back({static_cast<std::size_t>(g / spec.runs), run, run_seed(spec.seed, run), label});
  }
  return out;
}

namespace {

// A word as a POSIX shell reads it back: unquoted when it holds only
// characters no shell treats specially, else in single quotes (a quote
// inside as '\'').
std::string shell_word(const std::string& w) {
  bool plain = !w.empty();
  for (char c : w) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("_./:=%+-,@").find(c) != std::string_view::npos;
    plain = plain && ok;
  }
  if (plain) return w;
  std::string q = "'";
  for (char c : w) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::string replay_command(const SweepSpec& spec, std::size_t point, std::uint64_t seed) {
  std::vector<std::string> w = {"tcpsim", "run", spec.scenario, "--seed", std::to_string(seed)};
  // As point_options builds the run: the fixed options, then the axes (a
  // swept setting after the --set values, so it wins as it did in the sweep).
  if (spec.profile) w.insert(w.end(), {"--profile", *spec.profile});
  for (const auto& s : spec.sets) w.insert(w.end(), {"--set", s});
  if (spec.until) w.insert(w.end(), {"--until", *spec.until});
  const auto values = spec.point_values(point);
  for (std::size_t i = 0; i < spec.axes.size(); ++i) {
    switch (spec.axes[i].kind) {
      case Axis::Kind::Loss: w.insert(w.end(), {"--loss", values[i]}); break;
      case Axis::Kind::Profile: w.insert(w.end(), {"--profile", values[i]}); break;
      case Axis::Kind::Setting: w.insert(w.end(), {"--set", spec.axes[i].key + "=" + values[i]}); break;
    }
  }
  std::string out;
  for (const auto& s : w) out += (out.empty() ? "" : " ") + shell_word(s);
  return out;
}

std::string examples_text(const SweepSpec& spec, const ExampleSet& examples) {
  std::string out;
  for (scenario::OutcomeKind k : report_kinds()) {
    const auto list = examples.of(k, spec);
    if (list.empty()) continue;
    out +=
        fmt::format("\n# examples: {} (the first {} of the sweep)\n", scenario::outcome_name(k), list.size());
    for (const Example& e : list) {
      std::string where;
      const auto values = spec.point_values(e.point);
      for (std::size_t i = 0; i < values.size(); ++i)
        where += fmt::format("{}={} ", printable(spec.axes[i].key), printable(values[i]));
      out += fmt::format("{}run {} seed {}: {}\n  {}\n", where, e.run, e.seed, printable(e.label),
                         printable(replay_command(spec, e.point, e.seed)));
    }
  }
  return out;
}

}  // namespace tcpsim::sweep
