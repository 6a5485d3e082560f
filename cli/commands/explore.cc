// tcpsim explore FILE --max-drops K: every pattern of up to K lost
// transmissions (and, on request, duplicated or reordered ones) over the
// scenario's run, grouped by how the run ends. The engine is
// cli/explore/explorer.h; the output cli/explore/report.h.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>

#include "cli/commands/commands.h"
#include "cli/explore/explorer.h"
#include "cli/explore/report.h"
#include "formats/registry.h"
#include "scenario/parser.h"
#include "sim/units.h"

namespace tcpsim::cli {

namespace {
// A count of at least one, said in whole numbers (CLI11's PositiveNumber
// prints its bounds as doubles of 300 digits).
const CLI::Range kAtLeastOne(std::uint64_t{1}, std::numeric_limits<std::uint64_t>::max(), "AT LEAST 1");
}  // namespace

namespace {

struct ExploreArgs {
  RunArgs run;  // file, format, verbose, output, seed, profile, sets, loss, until
  unsigned drops = 1;
  unsigned dups = 0;
  unsigned reorders = 0;
  std::uint64_t max_patterns = 100000;
  std::uint64_t max_work = explore::kDefaultMaxWork;
  bool stats = false;
  std::string strategy = "auto";
};

int cmd_explore(const ExploreArgs& a) {
  scenario::RunOptions ro;
  ro.seed = a.run.seed;
  ro.profile = a.run.profile;
  for (const auto& kv : a.run.sets) {
    auto set = scenario::parse_set_option(kv);
    if (auto* e = std::get_if<std::string>(&set)) {
      std::fprintf(stderr, "%s\n", e->c_str());
      return 2;
    }
    ro.sets.push_back(std::get<0>(std::move(set)));
  }
  if (a.run.loss) {
    auto p = sim::Probability::parse(*a.run.loss);
    if (!p) {
      std::fprintf(stderr, "--loss %s: expected a probability such as 5%%\n", a.run.loss->c_str());
      return 2;
    }
    ro.loss = *p;
  }
  if (a.run.until) {
    auto d = scenario::parse_until_option(*a.run.until);
    if (auto* e = std::get_if<std::string>(&d)) {
      std::fprintf(stderr, "%s\n", e->c_str());
      return 2;
    }
    ro.until = std::get<Duration>(d);
  }
  auto parsed = scenario::parse_file(a.run.file);
  if (auto* e = std::get_if<scenario::ParseError>(&parsed)) {
    std::fprintf(stderr, "%s\n", e->message.c_str());
    return 2;
  }
  auto owned = std::make_shared<scenario::Scenario>(std::move(std::get<scenario::Scenario>(parsed)));
  explore::remove_assertions(*owned);
  const std::shared_ptr<const scenario::Scenario> sc = owned;

  explore::ExploreOptions eo;
  eo.strategy = explore::strategy_named(a.strategy).value_or(explore::Strategy::Auto);
  eo.budget = explore::Budget{a.drops, a.dups, a.reorders};
  eo.max_patterns = a.max_patterns;
  eo.max_work = a.max_work;
  eo.run = ro;
  const auto start = std::chrono::steady_clock::now();
  std::variant<explore::ExploreResult, std::string> got;
  try {
    got = explore::explore(sc, eo);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tcpsim explore: %s\n", e.what());
    return 2;
  }
  if (auto* e = std::get_if<std::string>(&got)) {
    std::fprintf(stderr, "%s\n", e->c_str());
    return 2;
  }
  const auto& res = std::get<explore::ExploreResult>(got);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const explore::Classes classes = explore::group(res);

  explore::ReportOptions rep;
  rep.format = a.run.format == "json" ? "json" : "text";
  rep.unicode = a.run.format == "unicode";
  rep.verbose = a.run.verbose;
  rep.budget = eo.budget;
  rep.max_patterns = eo.max_patterns;
  rep.max_work = eo.max_work;
  std::string error;
  // The ladders' replays under the limit the exploration's runs had.
  scenario::RunOptions ladder_run = ro;
  ladder_run.trace_limit =
      static_cast<std::size_t>(std::min<std::uint64_t>(ladder_run.trace_limit, eo.max_work));
  const std::string text = explore::render(sc, ladder_run, res, classes, rep, error);
  if (!error.empty()) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 2;
  }
  if (a.stats) {
    // Timings vary from run to run: standard error, so the output stays the same bytes.
    std::fprintf(stderr, "explore: %zu runs (strategy %s) in %.3f s, %.1f us per run, %llu trace records\n",
                 res.patterns.size(), explore::strategy_name(res.strategy), seconds,
                 res.patterns.empty() ? 0.0 : seconds * 1e6 / static_cast<double>(res.patterns.size()),
                 static_cast<unsigned long long>(res.work));
    if (eo.strategy == explore::Strategy::Auto && res.run_us >= 1e30)
      std::fprintf(stderr,
                   "explore: auto stopped timing one run at its 100000th trace record, one fork at %.0f us\n",
                   res.fork_us);
    else if (eo.strategy == explore::Strategy::Auto)
      std::fprintf(stderr, "explore: auto measured one run at %.0f us, one fork at %.0f us\n", res.run_us,
                   res.fork_us);
  }
  if (res.truncated) std::fprintf(stderr, "tcpsim explore: %s\n", explore::stop_text(res, rep).c_str());
  if (!output::write_output(a.run.output, text)) return 2;
  return explore::exit_status(res, classes);
}

}  // namespace

Subcommand add_explore(CLI::App& app) {
  auto a = std::make_shared<ExploreArgs>();
  CLI::App* sub = app.add_subcommand(
      "explore",
      "Every pattern of up to K lost transmissions (retransmissions included), grouped by how the run ends; "
      "exit status 1 if some pattern ends badly (half-open, unread data, stuck)");
  sub->add_option("file", a->run.file, "Scenario file (see docs/scenario-language.md)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--max-drops", a->drops, "Lose up to this many transmissions per run")
      ->capture_default_str();
  sub->add_option("--max-dups", a->dups, "Deliver up to this many transmissions twice per run")
      ->capture_default_str();
  sub->add_option("--max-reorders", a->reorders,
                  "Let up to this many transmissions per run overtake the one sent just before on the same "
                  "link")
      ->capture_default_str();
  sub->add_option(
         "--max-patterns", a->max_patterns,
         "Stop after this many runs, with a message and exit status 2 (unless a bad class was found)")
      ->capture_default_str()
      ->check(kAtLeastOne);
  sub->add_option("--max-work", a->max_work,
                  "Stop branching once the runs have made this many trace records in all (each run counted "
                  "whole), with a message and exit status 2 (unless a bad class was found)")
      ->capture_default_str()
      ->check(kAtLeastOne);
  const std::vector<std::string> formats = formats::format_names(formats::kExplore);
  sub->add_option("-f,--format", a->run.format,
                  fmt::format("{}: the report with its ladders in ASCII or box characters, or as JSON "
                              "(docs/explore.md)",
                              fmt::join(formats, ", ")))
      ->check(CLI::IsMember(formats))
      ->capture_default_str();
  sub->add_flag("-v,--verbose", a->run.verbose, "Ladders with seq/ack, windows and RFC processing notes");
  sub->add_option("-o,--output", a->run.output, output::kOutputOptionHelp);
  sub->add_option("--strategy", a->strategy,
                  "fork: runs share their common prefix (copy-on-write processes); replay: every pattern is "
                  "run from the start in one process; auto: fork when a run costs more than two forks. Same "
                  "results")
      ->check(CLI::IsMember(explore::strategy_names()))
      ->capture_default_str();
  sub->add_flag("--stats", a->stats, "Print the number of runs and the time taken on standard error");
  add_run_options(sub, a->run, false);
  return {sub, [a] { return cmd_explore(*a); }};
}

}  // namespace tcpsim::cli
