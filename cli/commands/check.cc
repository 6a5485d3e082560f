#include <fmt/format.h>

#include <cstdio>

#include "cli/commands/commands.h"
#include "scenario/interpreter.h"

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
    // Each file's lines at once, after any message of its own on standard
    // error, and written by the output module: a failed write is exit status 2.
    std::string out;
    int file_failed = 0;
    for (const auto& r : run.results) {
      if (r.pass) {
        ++passed;
        if (!a.quiet) out += fmt::format("{}:{}:{}: PASS {}\n", file, r.loc.line, r.loc.col, r.what);
      } else {
        ++failed;
        ++file_failed;
        out += fmt::format("{}:{}:{}: FAIL {}\n     {}\n", file, r.loc.line, r.loc.col, r.what, r.detail);
      }
    }
    if (run.results.empty() && !a.quiet) out += fmt::format("{}: no assertions ({})\n", file, run.ending);
    if (file_failed && !a.quiet) out += fmt::format("{}: {}\n", file, run.ending);
    if (!output::write_output("", out)) return 2;
  }
  if (!output::write_output("", fmt::format("{} passed, {} failed\n", passed, failed + broken))) return 2;
  if (broken) return 2;
  return failed ? 1 : 0;
}

}  // namespace tcpsim::cli
