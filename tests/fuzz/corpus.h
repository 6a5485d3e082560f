// The fuzz corpus (tests/fuzz/corpus/): every failure the CLI fuzzer found,
// minimized, with the command that failed and how, replayed by CTest
// (fuzz.corpus). A scenario case is NNN-name.tcpsim whose last lines say
//   # cli_fuzz: run {input} --format svg --until 5s
//   # cli_fuzz-failure: crash: SEGV
// (at the end, so that a byte-order mark or the first line stays first); a
// shard case (tcpsim merge) is NNN-name.shard, its lines in NNN-name.shard.cmd
// (a shard file takes no comments).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/fuzz/cases.h"

namespace tcpsim::fuzz {

inline constexpr const char* kCommandTag = "# cli_fuzz: ";
inline constexpr const char* kFailureTag = "# cli_fuzz-failure: ";
inline constexpr const char* kUsageTag = "# cli_fuzz-usage-errors-allowed";

// The trailer naming the command and the failure.
std::string trailer(const Result& r);

// A corpus file as a case to replay; nullopt (and a message) if it names no command.
std::optional<Case> load_corpus_case(const std::string& path, std::string& error);

// The corpus files under dir, in name order.
std::vector<std::string> corpus_files(const std::string& dir);

// Drops lines while the case still fails the same way (at most `budget` runs).
std::string minimize(const Result& failed, const Env& env, int budget);

// Minimizes and writes the failures into dir, numbered after what is
// there, at most `per_class` per class of failure (command, kind, message);
// checks each file fails as saved. Prints what it did.
void save_failures(const std::vector<Result>& failures, const Env& env, const std::string& dir, int jobs,
                   int per_class);

}  // namespace tcpsim::fuzz
