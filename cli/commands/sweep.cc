// `tcpsim sweep` and `tcpsim merge`: a scenario run many times over seeds
// and parameter ranges, its outcomes counted (cli/sweep/), and slices of a
// big sweep run elsewhere added up. docs/sweep.md is the user's guide.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/commands/commands.h"
#include "cli/sweep/axis.h"
#include "cli/sweep/progress.h"
#include "cli/sweep/report.h"
#include "cli/sweep/runner.h"
#include "cli/sweep/shard_file.h"
#include "scenario/parser.h"
#include "sim/units.h"

namespace tcpsim::cli {

namespace {

struct SweepArgs {
  std::string file;
  std::uint64_t runs = 1000;
  std::uint64_t seed = 1;
  unsigned jobs = 0;  // 0: every hardware thread
  std::optional<std::string> loss;
  std::vector<std::string> params;
  std::optional<std::string> profile;
  std::vector<std::string> sets;
  std::optional<std::string> until;
  std::string format{sweep::sweep_formats().front().name};
  std::string output;
  std::optional<std::string> shard;
  bool format_given = false;  // --format, which a shard does not take
  std::optional<std::string> connect_timeout;
  std::uint64_t examples = 0;
};

struct MergeArgs {
  std::vector<std::string> files;
  std::optional<std::string> connect_timeout;
  std::string format{sweep::sweep_formats().front().name};
  std::string output;
};

int fail(const std::string& msg) {
  std::fprintf(stderr, "%s\n", msg.c_str());
  return 2;
}

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::ostringstream s;
  s << f.rdbuf();
  if (f.bad()) return std::nullopt;
  return s.str();
}

// A shard's text, read only from a regular file of at most kMaxShardBytes
// (a device such as /dev/zero would be read until memory ran out); a
// message `file: ...` otherwise. At most the cap plus one byte is read, in
// case the file grows after it was measured.
std::optional<std::string> read_shard_file(const std::string& path, std::string& text) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::is_regular_file(st))
    return fmt::format("{}: not a regular file (a shard is one, written by tcpsim sweep --shard)", path);
  const std::string too_big = fmt::format("{}: larger than a shard can be ({} MiB at most)", path,
                                          sweep::kMaxShardBytes / (1024 * 1024));
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > sweep::kMaxShardBytes) return too_big;
  std::ifstream f(path, std::ios::binary);
  if (!f) return fmt::format("tcpsim merge: cannot read {}", path);
  text.clear();
  std::vector<char> buf(1 << 16);
  while (f.read(buf.data(), static_cast<std::streamsize>(buf.size())) || f.gcount() > 0) {
    text.append(buf.data(), static_cast<std::size_t>(f.gcount()));
    if (text.size() > sweep::kMaxShardBytes) return too_big;
  }
  if (f.bad()) return fmt::format("tcpsim merge: cannot read {}", path);
  return std::nullopt;
}

std::string render(const std::string& format, const sweep::SweepSpec& spec,
                   const std::vector<sweep::PointStats>& points, const sweep::SweepReportOptions& ro) {
  const sweep::SweepFormat* f = sweep::sweep_format(format);
  return (f ? *f : sweep::sweep_formats().front()).write(spec, points, ro);
}

// --connect-timeout as a duration greater than 0; a message otherwise.
std::variant<sweep::SweepReportOptions, std::string> report_options(
    const std::optional<std::string>& timeout) {
  sweep::SweepReportOptions ro;
  if (!timeout) return ro;
  const std::optional<Duration> t = sim::parse_duration(*timeout);
  if (!t || *t <= 0)
    return fmt::format("--connect-timeout {}: expected a time greater than 0, such as 1s", *timeout);
  ro.connect_timeout = *t;
  ro.connect_timeout_text = *timeout;
  return ro;
}

int cmd_sweep(const SweepArgs& a) {
  auto ro = report_options(a.connect_timeout);
  if (auto* e = std::get_if<std::string>(&ro)) return fail(*e);
  if (a.shard && a.connect_timeout)
    return fail("tcpsim sweep: --shard writes a shard file; give --connect-timeout to tcpsim merge instead");
  if (a.examples && (a.shard || a.format != "table"))
    return fail("tcpsim sweep: --examples goes with the table (--format table, without --shard)");
  sweep::SweepSpec spec;
  spec.scenario = a.file;
  spec.runs = a.runs;
  spec.seed = a.seed;
  spec.profile = a.profile;
  spec.sets = a.sets;
  spec.until = a.until;
  if (a.loss) {
    auto axis = sweep::parse_loss_axis(*a.loss);
    if (auto* e = std::get_if<std::string>(&axis)) return fail(*e);
    spec.axes.push_back(std::move(std::get<sweep::Axis>(axis)));
  }
  for (const auto& p : a.params) {
    auto axis = sweep::parse_param_axis(p);
    if (auto* e = std::get_if<std::string>(&axis)) return fail(*e);
    spec.axes.push_back(std::move(std::get<sweep::Axis>(axis)));
  }
  if (spec.axes.size() > 2)
    return fail("tcpsim sweep: at most two parameters (a grid): --loss and one --param, or two --param");
  if (spec.axes.size() == 2 && spec.axes[0].key == spec.axes[1].key)
    return fail(fmt::format("tcpsim sweep: '{}' is swept twice", spec.axes[0].key));
  if (spec.points() > sweep::kMaxPoints)
    return fail(
        fmt::format("tcpsim sweep: {} points in the grid, at most {}", spec.points(), sweep::kMaxPoints));
  sweep::Slice slice;
  if (a.shard && a.format_given)
    return fail("tcpsim sweep: --shard writes a shard file; give --format to tcpsim merge instead");
  if (a.shard) {
    auto s = sweep::parse_slice(*a.shard);
    if (auto* e = std::get_if<std::string>(&s)) return fail(*e);
    slice = std::get<sweep::Slice>(s);
  }
  // Options every run shares are checked once, before any run.
  if (auto o = sweep::point_options(spec, 0); std::holds_alternative<std::string>(o))
    return fail(std::get<std::string>(o));

  const auto text = slurp(a.file);
  if (!text) return fail(fmt::format("tcpsim sweep: cannot read {}", a.file));
  spec.scenario_hash = sweep::fnv1a64_hex(*text);
  auto parsed = scenario::parse(*text, a.file);
  if (auto* e = std::get_if<scenario::ParseError>(&parsed)) return fail(e->message);
  auto sc = std::make_shared<const scenario::Scenario>(std::move(std::get<scenario::Scenario>(parsed)));

  sweep::RunSweepOptions opt;
  opt.jobs = a.jobs ? a.jobs : std::max(1u, std::thread::hardware_concurrency());
  opt.slice = slice;
  std::atomic<std::uint64_t> done{0};
  opt.done = &done;
  sweep::ExampleSet examples(a.examples);
  if (a.examples) opt.examples = &examples;
  const std::uint64_t total = sweep::slice_size(spec, slice);
  std::variant<std::vector<sweep::PointStats>, std::string> result;
  if (isatty(STDERR_FILENO)) {
    // The runs on their own thread, this one draws the bar.
    std::atomic<bool> finished{false};
    std::thread worker([&] {
      result = sweep::run_sweep(sc, spec, opt);
      finished = true;
    });
    sweep::ProgressBar bar(total, true);
    while (!finished) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      bar.update(done.load(std::memory_order_relaxed));
    }
    worker.join();
    bar.finish();
  } else {
    result = sweep::run_sweep(sc, spec, opt);
  }
  if (auto* e = std::get_if<std::string>(&result)) return fail(*e);
  const auto& points = std::get<std::vector<sweep::PointStats>>(result);
  const std::string out = a.shard ? sweep::write_shard(spec, slice, points)
                                  : render(a.format, spec, points, std::get<sweep::SweepReportOptions>(ro)) +
                                        (a.examples ? sweep::examples_text(spec, examples) : "");
  if (a.shard && out.size() > sweep::kMaxShardBytes)
    return fail(
        fmt::format("tcpsim sweep: the shard is {} bytes, more than tcpsim merge reads ({} MiB): "
                    "split the sweep into more shards",
                    out.size(), sweep::kMaxShardBytes / (1024 * 1024)));
  return output::write_output(a.output, out) ? 0 : 2;
}

int cmd_merge(const MergeArgs& a) {
  auto ro = report_options(a.connect_timeout);
  if (auto* e = std::get_if<std::string>(&ro)) return fail(*e);
  std::vector<sweep::MergeInput> inputs;
  for (const auto& f : a.files) {
    std::string text;
    if (auto e = read_shard_file(f, text)) return fail(*e);
    inputs.push_back({f, std::move(text)});
  }
  auto merged = sweep::merge_shards(inputs);
  if (auto* e = std::get_if<std::string>(&merged)) return fail(*e);
  const auto& [spec, points] = std::get<std::pair<sweep::SweepSpec, std::vector<sweep::PointStats>>>(merged);
  return output::write_output(a.output,
                              render(a.format, spec, points, std::get<sweep::SweepReportOptions>(ro)))
             ? 0
             : 2;
}

CLI::Option* add_format_options(CLI::App* sub, std::string& format, std::string& output,
                                std::optional<std::string>& connect_timeout) {
  std::string help;
  for (const auto& f : sweep::sweep_formats())
    help += fmt::format("{}{}", help.empty() ? "" : ", ", f.description);
  CLI::Option* f = sub->add_option("-f,--format", format, help)
                       ->check(CLI::IsMember(sweep::sweep_format_names()))
                       ->capture_default_str();
  sub->add_option("-o,--output", output, output::kOutputOptionHelp);
  sub->add_option("--connect-timeout", connect_timeout,
                  "Also report the share of connect attempts that took longer than this, e.g. 1s (with its "
                  "95% Wilson interval): those a client with this timeout gives up");
  return f;
}

// An exception (out of memory, say) is a message and exit status 2, not an abort.
template <class F>
int guarded(const char* command, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return fail(fmt::format("tcpsim {}: {}", command, e.what()));
  }
}

}  // namespace

Subcommand add_sweep(CLI::App& app) {
  auto a = std::make_shared<SweepArgs>();
  CLI::App* sub = app.add_subcommand(
      "sweep",
      "Run a scenario many times over seeds and parameter ranges; count how its connections ended "
      "(docs/sweep.md)");
  sub->add_option("file", a->file, "Scenario file")->required()->check(CLI::ExistingFile);
  sub->add_option("--runs", a->runs, "Runs (seeds) per point")
      ->check(CLI::Range(std::uint64_t{1}, sweep::kMaxRuns))
      ->capture_default_str();
  sub->add_option("--seed", a->seed, "Base seed: run r has the same seed at every point (docs/sweep.md)")
      ->check(seed_check())
      ->capture_default_str();
  sub->add_option("-j,--jobs", a->jobs, "Threads (default: every hardware thread); never changes the results")
      ->check(CLI::Range(1u, 256u));
  sub->add_option("--loss", a->loss,
                  "Random loss on every link: A:B:STEP (0:0.3:0.02, 0%:30%:2%) or one value");
  sub->add_option("--param", a->params,
                  "A profile setting over a range or list: key=A:B:STEP (time_wait=10s:60s:10s) or "
                  "key=v1,v2 (delayed_ack=on,off; profile=linux,bsd); twice, or with --loss, for a grid")
      ->take_all();
  add_profile_option(sub, a->profile);
  sub->add_option("--set", a->sets,
                  "Fixed profile value for every run, e.g. --set time_wait=30s (repeatable)");
  sub->add_option("--until", a->until, "Stop each run at this virtual time, e.g. 90s");
  CLI::Option* format = add_format_options(sub, a->format, a->output, a->connect_timeout);
  sub->add_option("--examples", a->examples,
                  "For each outcome class, list the first N runs with their point, seed and the `tcpsim run` "
                  "command that replays them")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1000}));
  sub->add_option(
      "--shard", a->shard,
      "Run slice K of N (runs whose index is K-1 mod N) and write a shard file for `tcpsim merge`");
  return {sub, [a, format] {
            a->format_given = format->count() > 0;
            return guarded("sweep", [&] { return cmd_sweep(*a); });
          }};
}

Subcommand add_merge(CLI::App& app) {
  auto a = std::make_shared<MergeArgs>();
  CLI::App* sub = app.add_subcommand(
      "merge", "Add up the shard files of a sweep (tcpsim sweep --shard K/N): the whole sweep's output");
  sub->add_option("files", a->files, "Shard files, every K of N once")->required()->check(CLI::ExistingFile);
  add_format_options(sub, a->format, a->output, a->connect_timeout);
  return {sub, [a] { return guarded("merge", [&] { return cmd_merge(*a); }); }};
}

}  // namespace tcpsim::cli
