// cli_fuzz: fuzzing the whole `tcpsim` command line as a user runs it. Each
// case is a scenario mutated statement by statement (tests/fuzz/mutator.h)
// and a command (run in every format, check, states --coverage, sweep,
// explore, merge of mutated shards, profiles), run as a subprocess under a
// CPU, wall-clock and memory limit. A failure is a crash, a hang, an exit
// status other than 0, 1 or 2, an error without its file:line:col:, or more
// than 1 GB of peak RSS. docs/fuzzing.md says how to run it.
//
//   cli_fuzz --tcpsim build/tcpsim --cases 1000 --seed 1 [--jobs 2] [--save-corpus tests/fuzz/corpus]
//   cli_fuzz --tcpsim build/tcpsim --replay tests/fuzz/corpus
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fuzz/cases.h"
#include "tests/fuzz/corpus.h"
#include "tests/fuzz/mutator.h"

namespace fs = std::filesystem;
using namespace tcpsim::fuzz;

namespace {

struct Options {
  std::string tcpsim;
  std::string source = ".";
  std::string replay;
  std::string save_corpus;
  std::string keep;
  int cases = 100;
  std::uint64_t seed = 1;
  int jobs = 2;
  int wall = 10;
  int per_class = 3;
  bool sanitized = false;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(
      stderr,
      "cli_fuzz: %s\nusage: cli_fuzz --tcpsim PATH [--source DIR] [--cases N] [--seed S] [--jobs J]\n"
      "         [--wall SECONDS] [--sanitized] [--keep DIR] [--save-corpus DIR] [--per-class K]\n"
      "       cli_fuzz --tcpsim PATH --replay DIR\n",
      why);
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    auto value = [&]() -> std::string {
      if (k + 1 >= argc) usage(("a value for " + a).c_str());
      return argv[++k];
    };
    if (a == "--tcpsim")
      o.tcpsim = value();
    else if (a == "--source")
      o.source = value();
    else if (a == "--replay")
      o.replay = value();
    else if (a == "--save-corpus")
      o.save_corpus = value();
    else if (a == "--keep")
      o.keep = value();
    else if (a == "--cases")
      o.cases = std::atoi(value().c_str());
    else if (a == "--seed")
      o.seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--jobs")
      o.jobs = std::atoi(value().c_str());
    else if (a == "--wall")
      o.wall = std::atoi(value().c_str());
    else if (a == "--per-class")
      o.per_class = std::atoi(value().c_str());
    else if (a == "--sanitized")
      o.sanitized = true;
    else
      usage(("unknown option " + a).c_str());
  }
  if (o.tcpsim.empty()) usage("--tcpsim is required");
  o.tcpsim = fs::absolute(o.tcpsim).string();
  return o;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The traces and the examples, in name order: the statements to draw from.
std::vector<std::string> sources(const std::string& root) {
  std::vector<fs::path> files;
  for (const char* d : {"traces", "examples"}) {
    if (!fs::is_directory(fs::path(root) / d)) continue;
    for (const auto& e : fs::directory_iterator(fs::path(root) / d))
      if (e.path().extension() == ".tcpsim") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> texts;
  for (const auto& f : files) texts.push_back(read_file(f));
  return texts;
}

Env make_env(const Options& o) {
  Env env;
  env.tcpsim = o.tcpsim;
  char tmpl[] = "/tmp/cli_fuzz.XXXXXX";
  if (!mkdtemp(tmpl)) usage("cannot make a scratch directory in /tmp");
  env.scratch = tmpl;
  env.limits.wall_seconds = o.wall;
  env.limits.cpu_seconds = o.wall;
  if (!o.sanitized) {
    // Room to measure a peak over 1 GB, not to take the machine's memory.
    env.limits.address_space = 3ull << 30;
    env.rss_limit_kb = 1l << 20;
  }
  return env;
}

void print_failure(const std::string& what, const Result& r) {
  std::printf("FAIL %s: %s: %s: %s\n", what.c_str(), command_line(r.args).c_str(), r.verdict.kind.c_str(),
              r.verdict.detail.c_str());
}

int replay(const Options& o, const Env& env) {
  const auto files = corpus_files(o.replay);
  std::vector<Result> results(files.size());
  std::vector<std::string> errors(files.size());
  parallel_for(static_cast<int>(files.size()), o.jobs, [&](int k) {
    const auto c = load_corpus_case(files[static_cast<std::size_t>(k)], errors[static_cast<std::size_t>(k)]);
    if (c) results[static_cast<std::size_t>(k)] = run_case(*c, env);
  });
  int failed = 0;
  for (std::size_t k = 0; k < files.size(); ++k) {
    if (!errors[k].empty()) {
      std::printf("FAIL %s\n", errors[k].c_str());
      ++failed;
    } else if (results[k].verdict.failed()) {
      print_failure(fs::path(files[k]).filename().string(), results[k]);
      ++failed;
    }
  }
  std::printf("cli_fuzz: %zu corpus cases, %d fail\n", files.size(), failed);
  return failed ? 1 : 0;
}

int fuzz(const Options& o, const Env& env) {
  const auto texts = sources(o.source);
  if (texts.empty()) usage("no traces/*.tcpsim or examples/*.tcpsim under --source");
  const Mutator m(texts);
  if (const auto missing = m.keywords_without_template(); !missing.empty()) {
    for (const auto& w : missing)
      std::fprintf(stderr,
                   "cli_fuzz: the parser has a statement '%s' with no template in tests/fuzz/mutator.cc\n",
                   w.c_str());
    return 2;
  }
  std::vector<Result> results(static_cast<std::size_t>(o.cases));
  parallel_for(o.cases, o.jobs, [&](int k) {
    results[static_cast<std::size_t>(k)] = run_case(make_case(o.seed, k, texts, m), env);
  });
  std::vector<Result> failures;
  std::map<std::string, int> by_kind;
  for (int k = 0; k < o.cases; ++k) {
    const auto& r = results[static_cast<std::size_t>(k)];
    if (!r.verdict.failed()) continue;
    print_failure("case " + std::to_string(k), r);
    ++by_kind[r.args[0] + " " + r.verdict.kind];
    failures.push_back(r);
    if (!o.keep.empty()) {
      fs::create_directories(o.keep);
      const std::string name =
          o.keep + "/case-" + std::to_string(k) + (r.input_is_shard ? ".shard" : ".tcpsim");
      std::ofstream(name, std::ios::binary) << r.input;
      std::ofstream(name + ".cmd", std::ios::binary) << trailer(r);
    }
  }
  std::printf("cli_fuzz: %d cases (seed %llu), %zu failures\n", o.cases,
              static_cast<unsigned long long>(o.seed), failures.size());
  for (const auto& [k, n] : by_kind) std::printf("  %4d  %s\n", n, k.c_str());
  if (!o.save_corpus.empty()) save_failures(failures, env, o.save_corpus, o.jobs, o.per_class);
  return failures.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  // Sanitizer reports end in an abort (a crash), huge allocations in bad_alloc.
  setenv("ASAN_OPTIONS", "abort_on_error=1:allocator_may_return_null=1:detect_leaks=1", 0);
  setenv("UBSAN_OPTIONS", "halt_on_error=1:abort_on_error=1:print_stacktrace=1", 0);
  const Env env = make_env(o);
  const int status = o.replay.empty() ? fuzz(o, env) : replay(o, env);
  fs::remove_all(env.scratch);
  return status;
}
