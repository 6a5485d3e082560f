// Running `tcpsim sweep` and `tcpsim merge` in-process, through the same
// CLI11 setup main.cc uses, for the sweep and shard tests: the exit status
// and standard error of a command line, and scratch files.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands/commands.h"

namespace tcpsim::cli::test {

namespace fs = std::filesystem;

inline const std::string kS1 =
    std::string(TCPSIM_SOURCE_DIR) + "/traces/s01-close-fin-wait-2-time-wait.tcpsim";

struct Ran {
  int status = -1;
  std::string err;  // standard error
};

// Runs `tcpsim <args>` for the sweep and merge subcommands as main.cc does.
inline Ran tcpsim(std::vector<std::string> args) {
  CLI::App app;
  app.require_subcommand(1);
  const std::vector<Subcommand> subs{add_sweep(app), add_merge(app)};
  args.insert(args.begin(), "tcpsim");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  Ran r;
  testing::internal::CaptureStderr();
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    for (const auto& s : subs)
      if (*s.app) r.status = s.run();
  } catch (const CLI::ParseError& e) {
    r.status = app.exit(e) == 0 ? 0 : 2;
  }
  r.err = testing::internal::GetCapturedStderr();
  return r;
}

// An empty folder of its own for a test.
inline fs::path scratch(const std::string& name) {
  fs::path d = fs::path(testing::TempDir()) / ("tcpsim-sweep-" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

inline void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

// Runs a sweep into a file and returns the file's text ("" on failure).
inline std::string sweep_text(std::vector<std::string> args, const fs::path& out) {
  args.insert(args.begin(), "sweep");
  args.push_back("-o");
  args.push_back(out.string());
  const Ran r = tcpsim(args);
  EXPECT_EQ(r.status, 0) << r.err;
  return slurp(out);
}

// The shards of one sweep, written into `dir` on demand.
// The CSV's rows as maps from column name to value.
inline std::vector<std::map<std::string, std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> cells;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> c;
    std::istringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');) c.push_back(cell);
    if (!line.empty() && line.back() == ',') c.push_back("");
    cells.push_back(c);
  }
  std::vector<std::map<std::string, std::string>> rows;
  for (std::size_t i = 1; i < cells.size(); ++i) {
    std::map<std::string, std::string> m;
    for (std::size_t j = 0; j < cells[0].size() && j < cells[i].size(); ++j) m[cells[0][j]] = cells[i][j];
    rows.push_back(m);
  }
  return rows;
}

struct Shards {
  fs::path dir;
  std::vector<std::string> args;  // the sweep's arguments, without --shard
  std::string shard(int k, int n, const std::string& name = "") {
    auto a = args;
    a.insert(a.end(), {"--shard", std::to_string(k) + "/" + std::to_string(n)});
    const fs::path f = dir / (name.empty() ? "shard-" + std::to_string(k) + ".txt" : name);
    sweep_text(a, f);
    return f.string();
  }
};

}  // namespace tcpsim::cli::test
