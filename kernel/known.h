// Known differences between the kernel and the model, each with its written
// reason (kernel/known-differences.txt): one line per entry,
//   scenario | kind | text the difference contains | why
// A difference that an entry for its scenario and kind explains does not
// count against agreement; it is still printed, with the reason.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "kernel/diff.h"

namespace tcpsim::kernel {

struct KnownDifference {
  std::string scenario;  // the file name without directory and .tcpsim
  std::string kind;
  std::string contains;
  std::string why;
  int line = 0;
};
using KnownDifferences = std::vector<KnownDifference>;

// The entries, or "file:line: what is wrong".
std::variant<KnownDifferences, std::string> parse_known(const std::string& text, const std::string& file);
std::variant<KnownDifferences, std::string> load_known(const std::string& path);

struct Judgement {
  std::string text;  // one line per difference, then a summary line
  std::size_t unexplained = 0;
  std::size_t explained = 0;
};
Judgement judge(const std::vector<Difference>& diffs, const KnownDifferences& known,
                const std::string& scenario_file);

}  // namespace tcpsim::kernel
