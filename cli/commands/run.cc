#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <limits>
#include <tuple>

#include "cli/commands/commands.h"
#include "formats/pcap.h"
#include "formats/registry.h"
#include "scenario/interpreter.h"
#include "scenario/load_run.h"
#include "sim/profile.h"
#include "sim/units.h"

namespace tcpsim::cli {

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

std::string format_help(unsigned command) {
  std::string help;
  for (const auto& f : formats::output_formats()) {
    if (!(f.commands & command)) continue;
    help += fmt::format("{}{}", help.empty() ? "" : ", ", f.description);
  }
  return help + "; see docs/formats.md";
}

void add_profile_option(CLI::App* app, std::optional<std::string>& profile) {
  std::vector<std::string> names(sim::profile_names().begin(), sim::profile_names().end());
  app->add_option("--profile", profile,
                  fmt::format("Behaviour profile for every host: {}", fmt::join(names, ", ")))
      ->check(CLI::IsMember(names));
}

// The options that shape a figure (svg, tikz; mermaid where it can), each
// declared here once; docs/formats.md shows them.
void add_figure_options(CLI::App* app, RunArgs& a) {
  formats::PictureOptions& f = a.figure;
  const std::string g = "Figures (svg, tikz, mermaid)";
  app->add_option("--width", a.width, "Printed width of an svg/tikz figure: 12cm, 120mm, 340pt, 4.7in")
      ->group(g);
  app->add_option("--font-size", a.font_size,
                  "Printed size of the segment labels, in points (8.5 or 8.5pt); with --width the arrows "
                  "widen to fit, or a figure too wide is refused")
      ->group(g);
  app->add_flag("--compact", f.compact, "Narrow state columns, no call text, the legend and header wrapped")
      ->group(g);
  app->add_option("--hide", a.hide, "Leave out calls, timers or notes (program output); repeatable")
      ->check(CLI::IsMember({"calls", "timers", "notes"}))
      ->group(g);
  app->add_option("--title", f.title, "The figure's title instead of the scenario's first comment")->group(g);
  app->add_flag("--no-subtitle", f.no_subtitle,
                "No subtitle line (the provenance stays in the SVG's desc, the TikZ and Mermaid comments)")
      ->group(g);
  app->add_flag("--number", f.number, "Number the segments in the order sent, to cite them from a text")
      ->group(g);
  app->add_flag("--linear-time", f.linear_time,
                "No idle cuts: every instant at its time on one scale (a backoff's 1, 2, 4 s drawn 1:2:4)")
      ->group(g);
  app->add_option("--from", a.from,
                  "Crop the figure to start at this time (e.g. 1s): each side's state then is drawn as the "
                  "band it is in; a segment in flight across an edge is drawn whole; every ladder format")
      ->group(g);
  app->add_option("--to", a.to, "Crop the figure to end at this time (e.g. 5.01s); as --from")->group(g);
  app->add_option("--isn", a.isn,
                  "Number each side's sequence space from this ISN, as RFC 9293's figures do: A=100,B=300 "
                  "(A the left side, the active opener; B the right); the numbers show with -v, in every "
                  "ladder format")
      ->group(g);
}

void add_run_options(CLI::App* app, RunArgs& a, bool with_file) {
  if (with_file)
    app->add_option("file", a.file, "Scenario file (see docs/scenario-language.md)")
        ->required()
        ->check(CLI::ExistingFile);
  if (with_file) {
    app->add_option(
           "-f,--format", a.format,
           format_help(formats::kRun | formats::kLoad) +
               ". Without it, -o's extension chooses (.txt, .json, .svg, .tex, .mmd, .dot, .csv), else "
               "ascii")
        ->check(CLI::IsMember(formats::format_names(formats::kRun | formats::kLoad)))
        ->each([&a](const std::string&) { a.format_given = true; })
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
    add_figure_options(app, a);
  }
  // A range check before conversion: CLI11 would take "-1" as 2^64-1.
  app->add_option("--seed", a.seed, "Seed for random loss, jitter, ISNs (overrides the scenario's)")
      ->check(seed_check());
  add_profile_option(app, a.profile);
  app->add_option("--set", a.sets,
                  "Override a profile value on every host, e.g. --set time_wait=30s (repeatable; `tcpsim "
                  "profiles` lists them)");
  app->add_option("--loss", a.loss, "Random loss on every link, e.g. 5% or 0.05");
  app->add_option("--until", a.until, "Stop the run at this virtual time, e.g. 90s");
}

namespace {

// "12cm", "120mm", "340pt", "4.7in" (a bare number: `unit`) in points of
// 1/72 in, the SVG's and TeX's bp; nullopt when it is not one.
std::optional<double> length_in_points(const std::string& text, std::string_view unit) {
  std::size_t digits = 0;
  while (digits < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.'))
    ++digits;
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, v);
  if (digits == 0 || ec != std::errc() || end != text.data() + digits || !(v > 0) || v > 1e4)
    return std::nullopt;
  const std::string_view u = digits == text.size() ? unit : std::string_view(text).substr(digits);
  if (u == "pt" || u == "bp") return v;
  if (u == "in") return v * 72;
  if (u == "cm") return v * 72 / 2.54;
  if (u == "mm") return v * 72 / 25.4;
  return std::nullopt;
}

// "A=100,B=300", "B=300": each side's ISN in a figure; nullopt when it is not that.
std::optional<formats::IsnOrigin> isn_origin(const std::string& text) {
  formats::IsnOrigin o;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto comma = std::min(text.find(',', pos), text.size());
    const std::string_view item = std::string_view(text).substr(pos, comma - pos);
    if (item.size() < 3 || item[1] != '=' || (item[0] != 'A' && item[0] != 'B')) return std::nullopt;
    auto& side = o.side[item[0] == 'A' ? 0 : 1];
    std::uint32_t v = 0;
    const auto [end, ec] = std::from_chars(item.data() + 2, item.data() + item.size(), v);
    if (side || ec != std::errc() || end != item.data() + item.size()) return std::nullopt;
    side = v;
    pos = comma + 1;
  }
  return o;
}

// The figure options as the formats take them; a message on failure.
std::optional<std::string> figure_from(const RunArgs& a, formats::PictureOptions& f) {
  f = a.figure;
  if (a.width) {
    const auto w = length_in_points(*a.width, "");
    if (!w || *w < 36)
      return fmt::format(
          "--width {}: expected a length of at least half an inch such as 12cm, 120mm, 340pt or 4.7in",
          sim::echo(*a.width));
    f.width_pt = *w;
  }
  if (a.font_size) {
    const auto s = length_in_points(*a.font_size, "pt");
    if (!s || *s < 2 || *s > 72)
      return fmt::format("--font-size {}: expected a size in points from 2 to 72, such as 8.5",
                         sim::echo(*a.font_size));
    f.font_pt = *s;
  }
  for (auto [name, text, t] :
       {std::tuple{"--from", &a.from, &f.window.from}, {"--to", &a.to, &f.window.to}}) {
    if (!*text) continue;
    const auto d = sim::parse_duration(**text);
    if (!d) return fmt::format("{} {}: expected a time such as 1s or 5010ms", name, sim::echo(**text));
    *t = *d;
  }
  if (f.window.from > f.window.to)
    return fmt::format("--from {} is after --to {}: nothing to draw", sim::echo(*a.from), sim::echo(*a.to));
  if (a.isn) {
    const auto o = isn_origin(*a.isn);
    if (!o)
      return fmt::format(
          "--isn {}: expected A=N,B=N (either or both), each an initial sequence number from 0 to "
          "4294967295, such as A=100,B=300",
          sim::echo(*a.isn));
    f.isn = *o;
  }
  for (const auto& h : a.hide) {
    f.hide_calls = f.hide_calls || h == "calls";
    f.hide_timers = f.hide_timers || h == "timers";
    f.hide_notes = f.hide_notes || h == "notes";
  }
  return std::nullopt;
}

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

std::variant<scenario::RunResult, std::string> load_and_run(const std::string& file, const RunArgs& a,
                                                            bool traced) {
  scenario::RunOptions o;
  if (auto e = options_from(a, o)) return *e;
  o.trace = traced;
  auto parsed = scenario::parse_file(file);
  if (auto* e = std::get_if<scenario::ParseError>(&parsed)) return e->message;
  auto sc = std::make_shared<const scenario::Scenario>(std::move(std::get<scenario::Scenario>(parsed)));
  auto ran = scenario::run(sc, o);
  if (auto* e = std::get_if<scenario::ParseError>(&ran)) return e->message;
  return std::move(std::get<scenario::RunResult>(ran));
}

// The format to write: --format, else -o's extension, else ascii.
formats::FormatChoice choose(const RunArgs& a, unsigned command) {
  return formats::choose_format(a.format_given ? a.format : "", a.output, command, "ascii");
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
  const formats::FormatChoice choice = choose(a, formats::kLoad);
  if (!choice.format) return fail(choice.error);
  if (!choice.format->load)
    return fail(fmt::format("--format {}: a load scenario is drawn as {}", choice.format->name,
                            fmt::join(formats::format_names(formats::kLoad), ", ")));
  if (!a.pcap.empty()) return fail("--pcap: a load scenario keeps no segments, only its time series");
  auto ran = scenario::run_load(std::make_shared<const scenario::Scenario>(std::move(*sc)), o);
  if (auto* e = std::get_if<scenario::ParseError>(&ran)) return fail(e->message);
  return output::write_output(a.output, choice.format->load(std::get<scenario::LoadResult>(ran))) ? 0 : 2;
}

int cmd_run(const RunArgs& a) {
  if (auto rc = run_load_scenario(a)) return *rc;
  if (!a.pcap.empty() && output::same_file(a.output, a.pcap)) {
    const std::string o = a.output.empty() ? "standard output" : a.output;
    std::fprintf(stderr, "tcpsim: -o %s and --pcap %s are the same file: one would replace the other\n",
                 o.c_str(), a.pcap.c_str());
    return 2;
  }
  const formats::FormatChoice choice = choose(a, formats::kRun);
  if (!choice.format) {
    std::fprintf(stderr, "%s\n", choice.error.c_str());
    return 2;
  }
  const formats::OutputFormat& format = *choice.format;
  if (!format.trace) {
    std::string upper(format.name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::fprintf(stderr, "--format %s: only a load scenario has a time series to write as %s\n",
                 std::string(format.name).c_str(), upper.c_str());
    return 2;
  }
  if (!format.traced && !a.pcap.empty()) {
    std::fprintf(stderr, "--pcap: --format %s runs untraced, so no segment is kept to write\n",
                 std::string(format.name).c_str());
    return 2;
  }
  formats::WriteOptions wo{a.verbose, {}};
  if (auto e = figure_from(a, wo.figure)) {
    std::fprintf(stderr, "%s\n", e->c_str());
    return 2;
  }
  auto result = load_and_run(a.file, a, format.traced);
  if (auto* e = std::get_if<std::string>(&result)) {
    std::fprintf(stderr, "%s\n", e->c_str());
    return 2;
  }
  const auto& run = std::get<scenario::RunResult>(result);
  if (auto e = formats::too_big_for(format, run)) {
    std::fprintf(stderr, "%s\n", e->c_str());
    return 2;
  }
  if ((format.name == "svg" || format.name == "tikz") && wo.figure.width_pt > 0 && wo.figure.font_pt > 0) {
    wo.figure.verbose = a.verbose;
    const std::string e = formats::ladder_picture(run, wo.figure).size_error;
    if (!e.empty()) {
      std::fprintf(stderr, "%s\n", e.c_str());
      return 2;
    }
  }
  const std::string text = formats::write_trace(format, run, wo);
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
