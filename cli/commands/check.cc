#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.h"
#include "formats/xml.h"
#include "scenario/interpreter.h"

namespace tcpsim::cli {

namespace {

// One file's outcome: its results, or the message that stopped it (exit 2).
struct FileOutcome {
  std::string file;
  std::string error;
  std::vector<scenario::AssertionResult> results;
  std::string ending;
};

// `(expected X, got Y)` after a passing assertion, so the line says what
// held; nothing where the values span lines (an ss table).
std::string values(const scenario::AssertionResult& r) {
  if (r.expected.empty() || r.expected.find('\n') != std::string::npos ||
      r.got.find('\n') != std::string::npos)
    return "";
  return fmt::format(" (expected {}, got {})", r.expected, r.got);
}

std::string text_lines(const FileOutcome& f, bool quiet) {
  std::string out;
  int failed = 0;
  for (const auto& r : f.results) {
    if (r.pass) {
      if (!quiet)
        out += fmt::format("{}:{}:{}: PASS {}{}\n", f.file, r.loc.line, r.loc.col, r.what, values(r));
    } else {
      ++failed;
      out += fmt::format("{}:{}:{}: FAIL {}\n     {}\n", f.file, r.loc.line, r.loc.col, r.what, r.detail);
    }
  }
  if (f.results.empty() && !quiet) out += fmt::format("{}: no assertions ({})\n", f.file, f.ending);
  if (failed && !quiet) out += fmt::format("{}: {}\n", f.file, f.ending);
  return out;
}

// JSON (docs/scenario-language.md, "Results for machines"): one record per
// assertion, the files that could not run apart.
std::string json_report(const std::vector<FileOutcome>& files, int passed, int failed) {
  nlohmann::ordered_json results = nlohmann::ordered_json::array(), errors = nlohmann::ordered_json::array();
  for (const auto& f : files) {
    if (!f.error.empty()) errors.push_back({{"file", f.file}, {"message", f.error}});
    for (const auto& r : f.results) {
      results.push_back({{"file", f.file},
                         {"line", r.loc.line},
                         {"col", r.loc.col},
                         {"assertion", r.what},
                         {"expected", r.expected},
                         {"got", r.got},
                         {"pass", r.pass},
                         {"detail", r.detail}});
    }
  }
  nlohmann::ordered_json j;
  j["tcpsim_check"] = 1;
  j["passed"] = passed;
  j["failed"] = failed;
  j["errors"] = errors;
  j["results"] = results;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// JUnit XML as CI systems read it: a test suite per file, a test case per
// assertion; a file that could not run is one case with an <error>.
std::string junit_report(const std::vector<FileOutcome>& files, int passed, int failed, int broken) {
  using formats::xml_escape;
  std::string body;
  for (const auto& f : files) {
    int nf = 0;
    for (const auto& r : f.results) nf += !r.pass;
    const std::size_t tests = f.error.empty() ? f.results.size() : 1;
    body += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
                        xml_escape(f.file), tests, nf, f.error.empty() ? 0 : 1);
    if (!f.error.empty())
      body += fmt::format(
          "    <testcase classname=\"{0}\" name=\"{0}\">\n      <error message=\"{1}\"/>\n"
          "    </testcase>\n",
          xml_escape(f.file), xml_escape(f.error));
    for (const auto& r : f.results) {
      const std::string name = xml_escape(fmt::format("{}:{}: {}", r.loc.line, r.loc.col, r.what));
      body += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\"",
                          xml_escape(f.file), name, xml_escape(f.file), r.loc.line);
      if (r.pass) {
        body += "/>\n";
        continue;
      }
      body += fmt::format(
          ">\n      <failure message=\"{}\" type=\"assertion\">expected: {}\ngot: {}\n{}</failure>\n"
          "    </testcase>\n",
          xml_escape(r.detail), xml_escape(r.expected), xml_escape(r.got), xml_escape(r.detail));
    }
    body += "  </testsuite>\n";
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tcpsim check\" tests=\"{}\" "
      "failures=\"{}\" errors=\"{}\">\n{}</testsuites>\n",
      passed + failed + broken, failed, broken, body);
}

}  // namespace

int cmd_check(const CheckArgs& a) {
  const bool text = a.format == "text";
  int passed = 0, failed = 0, broken = 0;
  std::vector<FileOutcome> files;
  for (const auto& file : a.files) {
    FileOutcome f;
    f.file = file;
    auto result = load_and_run(file, a.run);
    if (auto* e = std::get_if<std::string>(&result)) {
      std::fprintf(stderr, "%s\n", e->c_str());
      ++broken;
      f.error = *e;
    } else {
      auto& run = std::get<scenario::RunResult>(result);
      f.results = std::move(run.results);
      f.ending = run.ending;
      for (const auto& r : f.results) ++(r.pass ? passed : failed);
    }
    // As text, each file's lines at once, after any message of its own on
    // standard error, and written by the output module: a failed write is
    // exit status 2.
    if (text && f.error.empty() && !output::write_output("", text_lines(f, a.quiet))) return 2;
    if (!text) files.push_back(std::move(f));
  }
  const std::string summary = a.format == "json" ? json_report(files, passed, failed)
                              : a.format == "junit"
                                  ? junit_report(files, passed, failed, broken)
                                  : fmt::format("{} passed, {} failed\n", passed, failed + broken);
  if (!output::write_output("", summary)) return 2;
  if (broken) return 2;
  return failed ? 1 : 0;
}

}  // namespace tcpsim::cli
