#include <fmt/format.h>

#include <cstdio>

#include "cli/commands/commands.h"
#include "cli/scenario/interpreter.h"

namespace tcpsim::cli {

std::variant<scenario::RunResult, std::string> load_and_run(const std::string& file, const RunArgs& a);

int cmd_check(const CheckArgs& a) {
  int passed = 0, failed = 0, broken = 0;
  for (const auto& file : a.files) {
    auto result = load_and_run(file, a.run);
    if (auto* e = std::get_if<std::string>(&result)) {
      std::fprintf(stderr, "%s\n", e->c_str());
      ++broken;
      continue;
    }
    const auto& run = std::get<scenario::RunResult>(result);
    int file_failed = 0;
    for (const auto& r : run.results) {
      if (r.pass) {
        ++passed;
        if (!a.quiet) std::printf("%s:%d:%d: PASS %s\n", file.c_str(), r.loc.line, r.loc.col, r.what.c_str());
      } else {
        ++failed;
        ++file_failed;
        std::printf("%s:%d:%d: FAIL %s\n     %s\n", file.c_str(), r.loc.line, r.loc.col, r.what.c_str(),
                    r.detail.c_str());
      }
    }
    if (run.results.empty() && !a.quiet)
      std::printf("%s: no assertions (%s)\n", file.c_str(), run.ending.c_str());
    if (file_failed && !a.quiet) std::printf("%s: %s\n", file.c_str(), run.ending.c_str());
  }
  std::printf("%d passed, %d failed\n", passed, failed + broken);
  if (broken) return 2;
  return failed ? 1 : 0;
}

}  // namespace tcpsim::cli
