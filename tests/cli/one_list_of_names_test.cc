// One source of truth for names (issue 14): every list of profile, output
// format, sweep format, states format or explore strategy names is its
// registry's, and a type's name means one thing across the layers. Both are
// checked on the sources, since a second copy compiles and runs as well as
// the first until the two drift apart.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands/commands.h"
#include "cli/explore/explorer.h"
#include "cli/sweep/report.h"
#include "formats/registry.h"
#include "sim/profile.h"

namespace tcpsim {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// The sources of the layers (and the fuzzer, which builds command lines from
// the registries), as paths relative to the project.
std::vector<std::string> sources(bool with_fuzzer) {
  const fs::path root = TCPSIM_SOURCE_DIR;
  std::vector<std::string> out;
  std::vector<std::string> dirs = {"model", "sim", "scenario", "formats", "kernel", "cli", "packetdrill"};
  if (with_fuzzer) dirs.push_back("tests/fuzz");
  for (const auto& d : dirs) {
    for (const auto& e : fs::recursive_directory_iterator(root / d)) {
      const std::string ext = e.path().extension().string();
      if (ext == ".cc" || ext == ".h") out.push_back(fs::relative(e.path(), root).string());
    }
  }
  return out;
}

struct Registry {
  std::string what;
  std::string file;  // where the one list is
  std::set<std::string> names;
};

std::vector<Registry> registries() {
  std::vector<Registry> r;
  r.push_back({"profiles", "sim/profile.cc", {}});
  for (auto n : sim::profile_names()) r.back().names.insert(std::string(n));
  r.push_back({"output formats", "formats/registry.cc", {}});
  for (const auto& f : formats::output_formats()) r.back().names.insert(std::string(f.name));
  r.push_back({"sweep formats", "cli/sweep/report.cc", {}});
  for (const auto& n : sweep::sweep_format_names()) r.back().names.insert(n);
  r.push_back({"states formats", "cli/commands/states.cc", {}});
  for (const auto& n : cli::states_formats()) r.back().names.insert(n);
  r.push_back({"explore strategies", "cli/explore/explorer.cc", {}});
  for (const auto& n : explore::strategy_names()) r.back().names.insert(n);
  return r;
}

// Lists of string literals written in the text: `{"a", "b", "c"}` and the
// two arms of `? "a" : "b"`, each as its literals.
std::vector<std::vector<std::string>> literal_lists(const std::string& text) {
  std::vector<std::vector<std::string>> lists;
  static const std::regex list(R"re(\{\s*("[^"\\]*"\s*(,\s*"[^"\\]*"\s*)+),?\s*\})re");
  static const std::regex pair(R"re(\?\s*("[^"\\]*")\s*:\s*("[^"\\]*"))re");
  static const std::regex literal(R"re("([^"\\]*)")re");
  auto literals = [&](const std::string& s) {
    std::vector<std::string> l;
    for (std::sregex_iterator it(s.begin(), s.end(), literal), end; it != end; ++it) l.push_back((*it)[1]);
    return l;
  };
  for (std::sregex_iterator it(text.begin(), text.end(), list), end; it != end; ++it)
    lists.push_back(literals((*it)[1]));
  for (std::sregex_iterator it(text.begin(), text.end(), pair), end; it != end; ++it)
    lists.push_back(literals((*it)[0]));
  return lists;
}

// A copy: two or more names of one registry, outside the registry's file.
std::vector<std::string> copies_of_registries(const std::string& file, const std::string& text) {
  std::vector<std::string> found;
  for (const auto& reg : registries()) {
    if (file == reg.file) continue;
    for (const auto& l : literal_lists(text)) {
      int named = 0;
      for (const auto& s : l) named += reg.names.count(s) ? 1 : 0;
      if (named >= 2) found.push_back(file + ": a list of " + reg.what + " (" + l[0] + ", ...)");
    }
  }
  return found;
}

TEST(OneListOfNames, TheScanFindsACopiedListAndAChoiceBetweenTwoNames) {
  EXPECT_EQ(copies_of_registries("x.cc", R"(const char* k[] = {"rfc9293", "linux", "bsd"};)").size(), 1u);
  EXPECT_EQ(copies_of_registries("x.cc", R"(f(a ? "fork" : "replay");)").size(), 1u);
  // csv and svg are names of the output formats and of the sweep formats.
  EXPECT_EQ(copies_of_registries("x.cc", R"(f(a ? "csv" : "svg");)").size(), 2u);
  EXPECT_EQ(copies_of_registries("x.cc", R"(IsMember({"auto", "fork", "replay"}))").size(), 1u);
  EXPECT_TRUE(copies_of_registries("x.cc", R"({"linux", "SYN"} x ? "a" : "b")").empty());
  EXPECT_TRUE(copies_of_registries("sim/profile.cc", R"({"rfc9293", "linux", "bsd"})").empty());
}

// Before: tests/fuzz/cases.cc listed the profiles, the run, sweep and
// explore formats and the strategies; cli/commands/explore.cc, sweep.cc,
// packetdrill.cc and cli/main.cc their own --format/--profile/--strategy.
TEST(OneListOfNames, NoSourceCopiesARegistrysNames) {
  std::vector<std::string> bad;
  for (const auto& rel : sources(true)) {
    for (auto& c : copies_of_registries(rel, read(fs::path(TCPSIM_SOURCE_DIR) / rel))) bad.push_back(c);
  }
  std::string list;
  for (const auto& b : bad) list += "\n  " + b;
  EXPECT_TRUE(bad.empty()) << "read these from their registry instead:" << list;
}

// Types at namespace scope (not nested), by name, with where each is
// defined: one meaning per name across model, sim, scenario, formats,
// kernel and cli (two RunResults and three Runners before). packetdrill/
// keeps packetdrill's own vocabulary (Packet, ParseError, RunOptions,
// Outcome) in its namespace; it is left out until it is built on the
// scenario layer's types.
TEST(OneListOfNames, EachTypeNameIsDefinedOnceAcrossTheLayers) {
  static const std::regex type(R"re(\n(?:struct|class) ([A-Z][A-Za-z0-9_]*)\s*(?:final\s*)?[:{])re");
  std::map<std::string, std::vector<std::string>> where;
  for (const auto& rel : sources(false)) {
    if (rel.rfind("packetdrill/", 0) == 0 || fs::path(rel).extension() != ".h") continue;
    const std::string text = "\n" + read(fs::path(TCPSIM_SOURCE_DIR) / rel);
    for (std::sregex_iterator it(text.begin(), text.end(), type), end; it != end; ++it)
      where[(*it)[1]].push_back(rel);
  }
  for (const auto& [name, files] : where) {
    std::string list;
    for (const auto& f : files) list += " " + f;
    EXPECT_EQ(files.size(), 1u) << name << " is defined in" << list;
  }
  EXPECT_EQ(where.count("RunResult"), 1u);
  EXPECT_EQ(where.count("Runner"), 0u);
}

}  // namespace
}  // namespace tcpsim
