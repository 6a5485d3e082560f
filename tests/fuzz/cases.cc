#include "tests/fuzz/cases.h"

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/commands/commands.h"
#include "cli/explore/explorer.h"
#include "cli/sweep/report.h"
#include "formats/registry.h"
#include "sim/profile.h"
#include "tests/fuzz/values.h"

namespace tcpsim::fuzz {
namespace {

template <std::size_t N>
std::string pick(const char* const (&list)[N], sim::Rng& rng) {
  return list[rng.uniform(N)];
}
// From one of the registries (formats, profiles, strategies): a name added
// there is fuzzed without an edit here.
template <class Names>
std::string pick(const Names& names, sim::Rng& rng) {
  return std::string(names[rng.uniform(names.size())]);
}

// Options every scenario command takes: --until caps a case's virtual time
// (so a case stays short) except when its value is itself the edge tried.
void common_options(Case& c, bool load, sim::Rng& rng) {
  const auto r = rng.uniform(20);
  if (r == 0 && !load) {
    // no cap: the scenario's own `until`, 3600 s by default
  } else if (r == 1) {
    c.args.insert(c.args.end(), {"--until", edge_value(Slot::Duration, rng)});
    c.cli_values_mutated = true;
  } else {
    static const char* const kCaps[] = {"5s", "20s", "100s"};
    c.args.insert(c.args.end(), {"--until", load ? "2s" : pick(kCaps, rng)});
  }
  if (rng.uniform(10) == 0) {
    c.args.insert(c.args.end(), {"--seed", edge_value(Slot::Number, rng)});
    c.cli_values_mutated = true;
  }
  if (rng.uniform(12) == 0) {
    c.args.insert(c.args.end(), {"--loss", edge_value(Slot::Probability, rng)});
    c.cli_values_mutated = true;
  }
  if (rng.uniform(12) == 0) {
    c.args.insert(c.args.end(), {"--set", profile_setting("=", rng)});
    c.cli_values_mutated = true;
  }
  if (rng.uniform(15) == 0) {
    c.args.insert(c.args.end(), {"--profile", pick(sim::profile_names(), rng)});
  }
}

void run_command(Case& c, sim::Rng& rng) {
  const std::string f = pick(formats::format_names(formats::kRun), rng);
  c.args = {"run", kInput, "--format", f};
  if (rng.uniform(10) < 3) c.args.insert(c.args.end(), {"-o", "out." + f});
  if (rng.uniform(100) < 15) {
    c.args.insert(c.args.end(), {"--pcap", "capture.pcap"});
    if (rng.uniform(2)) c.args.insert(c.args.end(), {"--pcap-at", rng.uniform(2) ? "sender" : "receiver"});
  }
  if (rng.uniform(10) == 0) c.args.push_back("-v");
}

void sweep_command(Case& c, sim::Rng& rng) {
  c.args = {"sweep", kInput, "--runs", std::to_string(1 + rng.uniform(8)), "-j", rng.uniform(2) ? "1" : "2"};
  if (rng.uniform(3) == 0) c.args.insert(c.args.end(), {"--loss", "0:0.2:0.1"});
  if (rng.uniform(4) == 0) {
    c.args.insert(c.args.end(), {"--param", "time_wait=1s:3s:1s"});
  } else if (rng.uniform(8) == 0) {
    c.args.insert(c.args.end(),
                  {"--param", "time_wait=" + edge_value(Slot::Duration, rng) + ":" +
                                  edge_value(Slot::Duration, rng) + ":" + edge_value(Slot::Duration, rng)});
    c.cli_values_mutated = true;
  }
  const std::string f = pick(sweep::sweep_format_names(), rng);
  c.args.insert(c.args.end(), {"--format", f});
  if (rng.uniform(3) == 0) c.args.insert(c.args.end(), {"-o", "out." + f});
}

void explore_command(Case& c, sim::Rng& rng) {
  // The cap keeps a case short: without it a scenario with many
  // transmissions is 100,000 runs, long but not a bug.
  c.args = {"explore", kInput, "--max-drops", std::to_string(1 + rng.uniform(2)), "--max-patterns", "300"};
  if (rng.uniform(4) == 0) c.args.insert(c.args.end(), {"--max-dups", "1"});
  if (rng.uniform(6) == 0) c.args.insert(c.args.end(), {"--max-reorders", "1"});
  c.args.insert(c.args.end(), {"--strategy", pick(explore::strategy_names(), rng)});
  c.args.insert(c.args.end(), {"--format", pick(formats::format_names(formats::kExplore), rng)});
}

int next_dir() {
  static std::atomic<int> n{0};
  return n++;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

Case make_case(std::uint64_t seed, int index, const std::vector<std::string>& sources, const Mutator& m) {
  sim::Rng rng(seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(index));
  Case c;
  c.index = index;
  const std::string& base = sources[rng.uniform(sources.size())];
  const bool load = base.find("\nload ") != std::string::npos;
  const auto w = rng.uniform(100);
  int edits = 1 + static_cast<int>(rng.uniform(4));
  if (w >= 87 && w < 97) edits = static_cast<int>(rng.uniform(2));  // a merge needs a sweep that ran
  c.input = edits ? m.mutate(base, edits, rng) : base;
  if (rng.uniform(7) == 0) c.input = Mutator::change_line_endings(c.input, rng);
  if (w < 45) {
    run_command(c, rng);
  } else if (w < 57) {
    c.args = {"check", kInput};
    if (rng.uniform(2)) c.args.push_back("-q");
  } else if (w < 65) {
    c.args = {"states", "--coverage", kInput, "--format", pick(cli::states_formats(), rng)};
  } else if (w < 77) {
    sweep_command(c, rng);
  } else if (w < 87) {
    explore_command(c, rng);
  } else if (w < 97) {
    c.merge = true;
    c.args = {"merge", kInput};
    if (rng.uniform(2)) c.args.insert(c.args.begin() + 1, "s1.shard");
    if (rng.uniform(2)) {
      // Not the default format: the one a merge writes without --format.
      const std::vector<std::string> f = sweep::sweep_format_names();
      c.args.insert(c.args.end(), {"--format", f[1 + rng.uniform(f.size() - 1)]});
    }
    return c;  // the sweeps that make the shards take the scenario's options
  } else {
    c.args = {"profiles"};
    return c;
  }
  common_options(c, load, rng);
  return c;
}

std::string command_line(const std::vector<std::string>& args) {
  std::string s = "tcpsim";
  for (const auto& a : args) s += " " + a;
  return s;
}

void parallel_for(int n, int jobs, const std::function<void(int)>& f) {
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < std::max(1, jobs); ++w)
    workers.emplace_back([&] {
      for (int k = next++; k < n; k = next++) f(k);
    });
  for (auto& t : workers) t.join();
}

Result run_case(const Case& c, const Env& env) {
  const std::string dir = env.scratch + "/case-" + std::to_string(next_dir());
  std::filesystem::create_directories(dir);
  auto run = [&](const std::vector<std::string>& args, const std::string& input, Outcome* out) {
    std::vector<std::string> argv{env.tcpsim};
    for (const auto& a : args) argv.push_back(a == kInput ? input : a);
    const Outcome o = run_process(argv, dir, env.limits);
    if (out) *out = o;
    JudgeRules rules;
    if (input == "in.tcpsim") rules.scenario_files = {input};
    rules.other_files = {"in.shard", "s1.shard"};
    rules.cli_values_mutated = c.cli_values_mutated;
    rules.rss_limit_kb = env.rss_limit_kb;
    return judge(o, rules);
  };
  Result r;
  r.input = c.input;
  r.input_is_shard = c.input_is_shard;
  r.args = c.args;
  r.cli_values_mutated = c.cli_values_mutated;
  const std::string input = c.input_is_shard ? "in.shard" : "in.tcpsim";
  write_file(dir + "/" + input, c.input);
  if (!c.merge) {
    r.verdict = run(c.args, input, nullptr);
  } else {
    std::string shards[2];
    for (int k = 0; k < 2 && !r.verdict.failed(); ++k) {
      const std::string name = k == 0 ? "s1.shard" : "s2.shard";
      const std::vector<std::string> sweep{"sweep", kInput, "--runs",  "4", "--shard", k == 0 ? "1/2" : "2/2",
                                           "-o",    name,   "--until", "5s"};
      Outcome o;
      r.verdict = run(sweep, input, &o);
      r.args = sweep;
      if (!r.verdict.failed() && o.status != 0) return std::filesystem::remove_all(dir), r;  // refused
      shards[k] = read_file(dir + "/" + name);
    }
    if (!r.verdict.failed()) {
      sim::Rng rng(static_cast<std::uint64_t>(c.index) * 7919 + c.input.size());
      r.input = Mutator::mutate_lines(shards[1], 1 + static_cast<int>(rng.uniform(3)), rng);
      if (rng.uniform(6) == 0) r.input = Mutator::change_line_endings(r.input, rng);
      r.input_is_shard = true;
      r.args = c.args;
      write_file(dir + "/in.shard", r.input);
      r.verdict = run(c.args, "in.shard", nullptr);
    }
  }
  std::filesystem::remove_all(dir);
  return r;
}

}  // namespace tcpsim::fuzz
