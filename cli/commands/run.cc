#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <limits>

#include "cli/commands/commands.h"
#include "formats/json.h"
#include "formats/ladder.h"
#include "formats/load_series.h"
#include "formats/mermaid.h"
#include "formats/pcap.h"
#include "formats/state_diagram.h"
#include "formats/svg.h"
#include "formats/tikz.h"
#include "scenario/interpreter.h"
#include "scenario/load_run.h"
#include "sim/units.h"

namespace tcpsim::cli {

// The most trace records --format json, svg, tikz, mermaid or dot takes.
constexpr std::size_t kMaxDrawnRecords = 250'000;

CLI::Validator seed_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size())
          return fmt::format("'{}' is not a seed: a whole number from 0 to {}", sim::echo(text),
                             std::numeric_limits<std::uint64_t>::max());
        return {};
      },
      "SEED");
}

void add_run_options(CLI::App* app, RunArgs& a, bool with_file) {
  if (with_file)
    app->add_option("file", a.file, "Scenario file (see docs/scenario-language.md)")
        ->required()
        ->check(CLI::ExistingFile);
  if (with_file) {
    app->add_option(
           "-f,--format", a.format,
           "ascii, unicode, json (docs/json-format.md), events, svg, tikz, mermaid, or dot (the state "
           "diagram with the transitions the run took); see docs/formats.md. A load scenario: ascii (a "
           "table), csv or svg")
        ->check(CLI::IsMember({"ascii", "unicode", "json", "events", "svg", "tikz", "mermaid", "dot", "csv"}))
        ->capture_default_str();
    app->add_flag("-v,--verbose", a.verbose,
                  "Show seq/ack (relative), windows, RFC processing notes and timers");
    app->add_option("-o,--output", a.output, output::kOutputOptionHelp);
    app->add_option("--pcap", a.pcap,
                    output::option_help("Also write every segment to this pcap file (Wireshark, tshark)"));
    app->add_option("--pcap-at", a.pcap_at,
                    "Where the capture is taken: sender (every segment, lost ones included) or receiver "
                    "(what arrived)")
        ->check(CLI::IsMember({"sender", "receiver"}))
        ->capture_default_str();
  }
  // A range check before conversion: CLI11 would take "-1" as 2^64-1.
  app->add_option("--seed", a.seed, "Seed for random loss, jitter, ISNs (overrides the scenario's)")
      ->check(seed_check());
  app->add_option("--profile", a.profile, "Behaviour profile for every host: rfc9293, linux, bsd")
      ->check(CLI::IsMember({"rfc9293", "linux", "bsd"}));
  app->add_option("--set", a.sets,
                  "Override a profile value on every host, e.g. --set time_wait=30s (repeatable; `tcpsim "
                  "profiles` lists them)");
  app->add_option("--loss", a.loss, "Random loss on every link, e.g. 5% or 0.05");
  app->add_option("--until", a.until, "Stop the run at this virtual time, e.g. 90s");
}

namespace {

// Turns the command line into run options; a message on failure.
std::optional<std::string> options_from(const RunArgs& a, scenario::RunOptions& o) {
  o.seed = a.seed;
  o.profile = a.profile;
  for (const auto& kv : a.sets) {
    auto set = scenario::parse_set_option(kv);
    if (auto* e = std::get_if<std::string>(&set)) return *e;
    o.sets.push_back(std::get<0>(std::move(set)));
  }
  if (a.loss) {
    auto p = sim::Probability::parse(*a.loss);
    if (!p) return fmt::format("--loss {}: expected a probability such as 5%, 0.05 or 1/20", *a.loss);
    o.loss = *p;
  }
  if (a.until) {
    auto d = scenario::parse_until_option(*a.until);
    if (auto* e = std::get_if<std::string>(&d)) return *e;
    o.until = std::get<Duration>(d);
  }
  return std::nullopt;
}

}  // namespace

std::variant<scenario::RunResult, std::string> load_and_run(const std::string& file, const RunArgs& a) {
  scenario::RunOptions o;
  if (auto e = options_from(a, o)) return *e;
  auto parsed = scenario::parse_file(file);
  if (auto* e = std::get_if<scenario::ParseError>(&parsed)) return e->message;
  auto sc = std::make_shared<const scenario::Scenario>(std::move(std::get<scenario::Scenario>(parsed)));
  auto ran = scenario::run(sc, o);
  if (auto* e = std::get_if<scenario::ParseError>(&ran)) return e->message;
  return std::move(std::get<scenario::RunResult>(ran));
}

// A scenario that describes load: its time series, as a table, CSV or SVG.
// nullopt when the file has no load (or does not parse: the usual path
// reports that).
std::optional<int> run_load_scenario(const RunArgs& a) {
  auto parsed = scenario::parse_file(a.file);
  auto* sc = std::get_if<scenario::Scenario>(&parsed);
  if (!sc || sc->loads.empty()) return std::nullopt;
  auto fail = [](const std::string& msg) {
    std::fprintf(stderr, "%s\n", msg.c_str());
    return 2;
  };
  scenario::RunOptions o;
  if (auto e = options_from(a, o)) return fail(*e);
  if (a.format != "ascii" && a.format != "unicode" && a.format != "csv" && a.format != "svg")
    return fail(
        fmt::format("--format {}: a load scenario is drawn as ascii (a table), csv or svg", a.format));
  if (!a.pcap.empty()) return fail("--pcap: a load scenario keeps no segments, only its time series");
  auto ran = scenario::run_load(std::make_shared<const scenario::Scenario>(std::move(*sc)), o);
  if (auto* e = std::get_if<scenario::ParseError>(&ran)) return fail(e->message);
  const auto& r = std::get<scenario::LoadResult>(ran);
  const std::string text = a.format == "csv"   ? formats::load_csv(r)
                           : a.format == "svg" ? formats::load_svg(r)
                                               : formats::load_table(r);
  return output::write_output(a.output, text) ? 0 : 2;
}

int cmd_run(const RunArgs& a) {
  if (auto rc = run_load_scenario(a)) return *rc;
  if (!a.pcap.empty() && output::same_file(a.output, a.pcap)) {
    const std::string o = a.output.empty() ? "standard output" : a.output;
    std::fprintf(stderr, "tcpsim: -o %s and --pcap %s are the same file: one would replace the other\n",
                 o.c_str(), a.pcap.c_str());
    return 2;
  }
  if (a.format == "csv") {
    std::fprintf(stderr, "--format csv: only a load scenario has a time series to write as CSV\n");
    return 2;
  }
  auto result = load_and_run(a.file, a);
  if (auto* e = std::get_if<std::string>(&result)) {
    std::fprintf(stderr, "%s\n", e->c_str());
    return 2;
  }
  const auto& run = std::get<scenario::RunResult>(result);
  // JSON and the pictures are built whole in memory (about 2 KB a record as
  // JSON): past this many records they would take gigabytes (docs/limits.md).
  const std::size_t records = run.net->trace().records().size();
  if (a.format != "events" && a.format != "ascii" && a.format != "unicode" && records > kMaxDrawnRecords) {
    std::fprintf(stderr,
                 "--format %s: the run traced %zu records; this format is built in memory and takes at most "
                 "%zu (use --format events, or end the run sooner with --until)\n",
                 a.format.c_str(), records, kMaxDrawnRecords);
    return 2;
  }
  std::string text;
  if (a.format == "events") {
    text = formats::events(run);
  } else if (a.format == "json") {
    text = formats::json(run);
  } else if (a.format == "svg") {
    text = formats::svg(run, formats::PictureOptions{a.verbose});
  } else if (a.format == "tikz") {
    text = formats::tikz(run, formats::PictureOptions{a.verbose});
  } else if (a.format == "mermaid") {
    text = formats::mermaid(run, formats::PictureOptions{a.verbose});
  } else if (a.format == "dot") {
    text = formats::run_state_diagram_dot(run);
  } else {
    text = formats::ladder(run, formats::LadderOptions{a.format == "unicode", a.verbose});
  }
  if (!a.pcap.empty()) {
    const std::string err = formats::write_pcap(
        run, a.pcap,
        a.pcap_at == "receiver" ? formats::CapturePoint::Receiver : formats::CapturePoint::Sender);
    if (!err.empty()) {
      std::fprintf(stderr, "tcpsim: %s\n", err.c_str());
      return 2;
    }
  }
  if (!output::write_output(a.output, text)) return 2;
  return run.failed() ? 1 : 0;
}

}  // namespace tcpsim::cli
