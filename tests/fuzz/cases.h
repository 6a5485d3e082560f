// One fuzz case: a scenario (mutated from the traces and examples) and the
// `tcpsim` command line a user would type to run it, with file names
// relative to the case's scratch directory. docs/fuzzing.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tests/fuzz/mutator.h"
#include "tests/fuzz/subprocess.h"

namespace tcpsim::fuzz {

inline constexpr const char* kInput = "{input}";  // the case's input file in a command

struct Case {
  int index = 0;
  std::string input;  // the scenario (or, replayed, a shard file)
  bool input_is_shard = false;
  std::vector<std::string> args;  // after `tcpsim`; kInput stands for the input file
  bool cli_values_mutated = false;
  bool merge = false;  // sweep --shard 1/2 and 2/2, mutate a shard, merge
};

// The case `index` of the run seeded `seed`: the same for any worker count.
Case make_case(std::uint64_t seed, int index, const std::vector<std::string>& sources, const Mutator& m);

struct Env {
  std::string tcpsim;   // the binary
  std::string scratch;  // a directory for the cases' files
  Limits limits;
  long rss_limit_kb = 0;
};

struct Result {
  Verdict verdict;
  std::vector<std::string> args;  // the command that failed
  std::string input;              // its input
  bool input_is_shard = false;
  bool cli_values_mutated = false;
};

// Runs the case (for a merge case: up to three commands) in a fresh
// directory under env.scratch, removed afterwards.
Result run_case(const Case& c, const Env& env);

std::string command_line(const std::vector<std::string>& args);

// f(0) ... f(n-1) on `jobs` threads.
void parallel_for(int n, int jobs, const std::function<void(int)>& f);

}  // namespace tcpsim::fuzz
