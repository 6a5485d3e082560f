#include "cli/commands/kernel.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>

#include "formats/ladder.h"
#include "formats/pcap.h"
#include "formats/registry.h"
#include "kernel/diff.h"
#include "kernel/known.h"
#include "kernel/limits.h"
#include "kernel/nft.h"
#include "kernel/runner.h"
#include "kernel/to_trace.h"
#include "scenario/parser.h"
#include "sim/units.h"

namespace tcpsim::cli {

namespace {

// The shortest --sample: each sample reads every socket table (20 us to 3 ms).
constexpr Duration kMinSample = 100 * kMicrosecond;

struct KernelArgs {
  std::string file;
  bool diff = false;
  std::string format = "ascii";
  bool verbose = false;
  std::string max_time = "10s";
  std::string tolerance = "20ms";
  std::string relative = "10%";
  std::string sample = "1ms";
  std::vector<std::string> sets;
  std::string known;
  std::string pcap;
};

void on_signal(int) {
  kernel::kill_runner();  // its namespace goes with it
  static const char msg[] = "tcpsim kernel: interrupted\n";
  ssize_t w = write(2, msg, sizeof(msg) - 1);
  (void)w;
  _exit(130);
}

std::string kernel_name() {
  utsname u{};
  if (uname(&u) != 0) return "Linux";
  return fmt::format("Linux {}", u.release);
}

int fail(const std::string& msg) {
  std::fprintf(stderr, "tcpsim kernel: %s\n", msg.c_str());
  return 2;
}

// The model's run to compare with: the linux profile, cut at the same time as
// the real run, every link at loopback delay (the real run's hosts share
// loopback) unless the real run has a delay line: then the scenario's links
// are kept, and only pairs it left undeclared are at loopback delay (the
// delay line passes them on at once).
std::variant<scenario::RunResult, std::string> model_run(
    const scenario::Scenario& sc, const std::vector<std::pair<std::string, std::string>>& sets, Time until,
    bool delay_line) {
  auto copy = std::make_shared<scenario::Scenario>(sc);
  auto declared = [&](const std::string& a, const std::string& b) {
    for (const auto& l : sc.links) {
      if ((l.from == a && l.to == b) || (l.both && l.from == b && l.to == a)) return true;
    }
    return false;
  };
  for (const auto& a : sc.hosts) {
    for (const auto& b : sc.hosts) {
      if (a.name == b.name || (delay_line && declared(a.name, b.name))) continue;
      scenario::LinkDecl l;
      l.from = a.name;
      l.to = b.name;
      l.cfg.delay = kernel::kLoopbackDelay;
      copy->links.push_back(l);
    }
  }
  scenario::RunOptions o;
  o.profile = std::string(sim::kLinuxProfile);
  // Segments carry what a Linux segment carries on the namespace's 1500-byte
  // MTU: 1460 less the 12 bytes of the timestamp option the model lacks.
  o.sets.emplace_back("mss", std::to_string(kernel::kKernelMss));
  for (const auto& kv : sets) o.sets.push_back(kv);
  o.until = until;
  auto ran = scenario::run(copy, o);
  if (auto* e = std::get_if<scenario::ParseError>(&ran)) return e->message;
  return std::move(std::get<scenario::RunResult>(ran));
}

// "The last ACK": counted in a first real run without those rules, then
// each such rule drops that one; "" or why the first run failed.
std::string count_last(const scenario::Scenario& sc, kernel::Plan& plan,
                       const kernel::NamespaceRunOptions& ro) {
  // "The last ACK": counted in a first real run without those rules.
  bool any_last = false;
  for (const auto& r : plan.rules) any_last |= r.last;
  if (any_last) {
    kernel::Plan first = plan;
    first.rules.clear();
    for (const auto& r : plan.rules) {
      if (!r.last) first.rules.push_back(r);
    }
    auto rec = kernel::run_in_namespace(sc, first, ro);
    if (auto* e = std::get_if<std::string>(&rec)) return *e;
    for (auto& r : plan.rules) {
      if (!r.last) continue;
      const auto n =
          kernel::count_matching(std::get<kernel::Recording>(rec).segments, r.src_ip, r.dst_ip, r.rule);
      r.rule.nth = n == 0 ? 1 : n;
      r.rule.count = n == 0 ? 0 : 1;
      r.last = false;
    }
  }
  return "";
}

struct Judged {
  std::string text;
  std::size_t unexplained = 0;
};

// --diff: the model's ladder, the segments side by side, the differences.
Judged diff_report(const scenario::RunResult& real, scenario::RunResult& m,
                   const kernel::Recording& recording, const kernel::Plan& plan, const std::string& file,
                   const kernel::KnownDifferences& known, const KernelArgs& a, Duration tol,
                   const sim::Probability& rel, Time until) {
  // The scenario's assertions are written for its own links; this run has
  // loopback ones, so they are not its measure.
  m.results.clear();
  std::string out =
      plan.links.empty()
          ? "\nThe model (tcpsim, profile linux, links at loopback delay) up to the same time:\n\n"
          : "\nThe model (tcpsim, profile linux, the scenario's links, others at loopback delay) up to the "
            "same time:\n\n";
  out += formats::ladder(m, formats::LadderOptions{a.format == "unicode", a.verbose});
  kernel::DiffOptions dopt;
  dopt.tolerance = tol;
  dopt.relative = static_cast<double>(rel.to_ppb()) / 1e9;
  // A run that ended on its own is compared up to the cap: what the model
  // still does after the kernel had nothing left counts.
  dopt.until = recording.capped ? recording.end_time : until;
  out += "\nSegments side by side (times in seconds; \"-\": not in that run):\n\n";
  out += kernel::aligned_segments(real, m, dopt);
  const auto diffs = kernel::diff_runs(real, m, dopt);
  const auto judged = kernel::judge(diffs, known, file);
  out += "\n" + judged.text;
  return {out, judged.unexplained};
}

int cmd_kernel(const KernelArgs& a) {
  const formats::OutputFormat& format = *formats::output_format(a.format);
  // --diff appends a text report, readable after a text ladder only.
  if (a.diff && !formats::is_text(format))
    return fail(fmt::format("--format {}: --diff adds a text report; draw the real run as {} without --diff",
                            a.format, a.format));
  std::vector<std::pair<std::string, std::string>> sets;
  for (const auto& kv : a.sets) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return fail(fmt::format("--set {}: expected key=value", kv));
    sets.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  const auto cap = sim::parse_duration(a.max_time);
  if (!cap || *cap <= 0) return fail(fmt::format("--max-time {}: expected a time such as 10s", a.max_time));
  // The run is real time, as root, at real-time priority: not for ever.
  if (*cap > kernel::kMaxRunTime)
    return fail(
        fmt::format("--max-time {}: at most {}", a.max_time, sim::format_duration(kernel::kMaxRunTime)));
  const auto tol = sim::parse_duration(a.tolerance);
  if (!tol) return fail(fmt::format("--tolerance {}: expected a time such as 5ms", a.tolerance));
  const auto rel = sim::Probability::parse(a.relative);
  if (!rel) return fail(fmt::format("--relative-tolerance {}: expected a fraction such as 10%", a.relative));
  const auto sample = sim::parse_duration(a.sample);
  if (!sample || *sample <= 0) return fail(fmt::format("--sample {}: expected a time such as 1ms", a.sample));
  // Each sample reads every namespace's socket table (about 20 us to 3 ms):
  // below 100 us the sampler would hold a CPU at real-time priority.
  if (*sample < kMinSample)
    return fail(fmt::format("--sample {}: at least 100us (each sample reads the socket tables)", a.sample));

  auto parsed = scenario::parse_file(a.file);
  if (auto* e = std::get_if<scenario::ParseError>(&parsed)) {
    std::fprintf(stderr, "%s\n", e->message.c_str());
    return 2;
  }
  auto sc = std::make_shared<const scenario::Scenario>(std::move(std::get<scenario::Scenario>(parsed)));
  // Semantic checks (variables used before they are set, unknown settings):
  // the model's own run makes them, before anything real starts.
  Time until = std::min(*cap, sc->until.value_or(*cap));
  kernel::Plan plan = kernel::make_plan(*sc, sets);
  auto model = model_run(*sc, sets, until, !plan.links.empty());
  if (auto* e = std::get_if<std::string>(&model)) {
    std::fprintf(stderr, "%s\n", e->c_str());
    return 2;
  }
  if (!plan.refusals.empty()) {
    for (const auto& r : plan.refusals) std::fprintf(stderr, "%s\n", r.c_str());
    std::fprintf(stderr,
                 "tcpsim kernel: %zu directive%s cannot be reproduced on the kernel; nothing was run\n",
                 plan.refusals.size(), plan.refusals.size() == 1 ? "" : "s");
    return 2;
  }
  for (const auto& n : plan.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
  kernel::KnownDifferences known;
  if (!a.known.empty()) {
    auto k = kernel::load_known(a.known);
    if (auto* e = std::get_if<std::string>(&k)) return fail(*e);
    known = std::get<kernel::KnownDifferences>(k);
  }

  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  kernel::NamespaceRunOptions ro;
  ro.cap = until;
  ro.sample_interval = *sample;
  if (auto e = count_last(*sc, plan, ro); !e.empty()) return fail(e);
  auto rec = kernel::run_in_namespace(*sc, plan, ro);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  if (auto* e = std::get_if<std::string>(&rec)) return fail(*e);
  const auto& recording = std::get<kernel::Recording>(rec);
  const scenario::RunResult real = kernel::to_run_result(sc, recording, plan, kernel_name(), *tol,
                                                         static_cast<double>(rel->to_ppb()) / 1e9);

  if (auto e = formats::too_big_for(format, real)) return fail(*e);
  std::string text = formats::write_trace(format, real, formats::WriteOptions{a.verbose, {}});
  if (!a.pcap.empty()) {
    const std::string err = formats::write_pcap(real, a.pcap, formats::CapturePoint::Sender);
    if (!err.empty()) return fail(err);
  }
  if (!a.diff) {
    if (!output::write_output("", text)) return 2;
    return real.failed() ? 1 : 0;
  }
  auto& m = std::get<scenario::RunResult>(model);
  const Judged judged = diff_report(real, m, recording, plan, sc->file, known, a, *tol, *rel, until);
  text += judged.text;
  if (!output::write_output("", text)) return 2;
  return judged.unexplained > 0 ? 1 : 0;
}

}  // namespace

Subcommand add_kernel(CLI::App& app) {
  auto args = std::make_shared<KernelArgs>();
  CLI::App* sub = app.add_subcommand("kernel",
                                     "Run a scenario with real sockets on this machine's kernel, in a "
                                     "private network namespace (needs root), "
                                     "and with --diff compare it with the model");
  sub->add_option("file", args->file, "Scenario file (see docs/scenario-language.md)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_flag("--diff", args->diff,
                "Also run the model (linux profile) and list the differences; exit 1 when they disagree");
  sub->add_option("--max-time", args->max_time,
                  "Cap on the real run's length (TIME-WAIT lasts 60 s; at most 10min); both runs are "
                  "compared up to it")
      ->capture_default_str();
  sub->add_option("--tolerance", args->tolerance, "Timing tolerance, absolute part")->capture_default_str();
  sub->add_option("--relative-tolerance", args->relative,
                  "Timing tolerance, part of the interval since the previous event (kernel timers round up)")
      ->capture_default_str();
  sub->add_option("--sample", args->sample, "Socket-table sampling interval between events")
      ->capture_default_str();
  sub->add_option("--set", args->sets, "Override a profile value on every host, e.g. --set syn_retries=2");
  sub->add_option(
      "--known", args->known,
      "Known differences (kernel/known-differences.txt): those listed for this scenario do not count");
  sub->add_option("-f,--format", args->format, format_help(formats::kKernel) + " (the real run)")
      ->check(CLI::IsMember(formats::format_names(formats::kKernel)))
      ->capture_default_str();
  sub->add_flag("-v,--verbose", args->verbose, "Show relative seq/ack and windows");
  sub->add_option("--pcap", args->pcap,
                  output::option_help("Also write the captured segments to this pcap file"));
  return {sub, [args] { return cmd_kernel(*args); }};
}

}  // namespace tcpsim::cli
