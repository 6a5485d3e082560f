// Running `tcpsim` as a user does, under limits, and judging how it ended.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tcpsim::fuzz {

struct Limits {
  int wall_seconds = 10;                 // killed (with its process group) after this
  int cpu_seconds = 10;                  // RLIMIT_CPU
  std::uint64_t address_space = 0;       // RLIMIT_AS in bytes; 0: none (ASan reserves terabytes)
  std::uint64_t file_size = 1ull << 30;  // RLIMIT_FSIZE: output files
};

struct Outcome {
  bool timed_out = false;  // killed at the wall-clock limit
  int signal = 0;          // the signal that ended it, 0 if it exited
  int status = 0;          // its exit status
  long max_rss_kb = 0;     // wait4's ru_maxrss
  std::string stderr_text;
};

// Runs argv (argv[0] a path) in `dir`, stdin and stdout /dev/null, stderr
// kept (its first 64 KiB).
Outcome run_process(const std::vector<std::string>& argv, const std::string& dir, const Limits& limits);

struct Verdict {
  std::string kind;  // empty: not a failure; "crash", "hang", "exit-status", "unlocated-error", "memory"
  std::string detail;
  bool failed() const { return !kind.empty(); }
};

struct JudgeRules {
  std::vector<std::string> scenario_files;  // an error about one must say file:line:col:
  std::vector<std::string> other_files;     // an error about one (a shard) must name it: file:
  bool cli_values_mutated = false;          // option values at the edges: usage errors allowed
  long rss_limit_kb = 0;                    // 0: not judged (ASan)
};

Verdict judge(const Outcome& o, const JudgeRules& rules);

}  // namespace tcpsim::fuzz
