// Issue 18, provenance: every output names how it was made, so that a
// published figure can be reproduced from its caption: the scenario by the
// path given on the command line made relative to the current directory
// (never absolute), the profile, every `set` of the file and every --set,
// --loss, the seed and tcpsim's version; the same inputs give the same bytes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "formats/provenance.h"
#include "run_tcpsim.h"
#include "version.h"

namespace tcpsim {
namespace {

namespace fs = std::filesystem;
using formats::figure_path;
using testing::run_tcpsim;

// orphan-fin-wait-2-timeout has a `set A fin_wait_2_timeout 3s` line.
constexpr const char* kTrace = "traces/orphan-fin-wait-2-timeout.tcpsim";

class FigureProvenance : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tcpsim-provenance-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // What `tcpsim run ARGS -o FILE` writes.
  std::string run(std::vector<std::string> args) {
    const std::string out = (dir_ / "out").string();
    args.insert(args.begin(), "run");
    args.insert(args.end(), {"-o", out});
    const auto r = run_tcpsim(args, 1);
    EXPECT_LE(r.status, 1) << r.err;
    std::ifstream f(out, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  fs::path dir_;
};

// What the command line gave is written as its option; the file's `set`
// as the file writes it; the version from version.h (CMake's project()).
const std::string kExpected =
    std::string(
        "traces/orphan-fin-wait-2-timeout.tcpsim: --profile linux, --seed 7, set A "
        "fin_wait_2_timeout 3s, --set time_wait=30s, --set rto_min=5ms, --loss 0.05, tcpsim ") +
    kVersion;
const std::vector<std::string> kArgs = {kTrace,          "--profile", "linux",       "--seed", "7", "--set",
                                        "time_wait=30s", "--set",     "rto_min=5ms", "--loss", "5%"};

TEST_F(FigureProvenance, EveryFormatRecordsProfileSettingsLossSeedAndVersion) {
  for (const char* format : {"ascii", "unicode", "events", "svg", "mermaid", "dot"}) {
    auto args = kArgs;
    args.insert(args.end(), {"--format", format});
    EXPECT_NE(run(args).find(kExpected), std::string::npos) << format;
  }
  // TikZ: as a comment line (escaping only matters in the picture's own text).
  auto args = kArgs;
  args.insert(args.end(), {"--format", "tikz"});
  EXPECT_NE(run(args).find("\n% " + kExpected + "\n"), std::string::npos);
}

TEST_F(FigureProvenance, JsonScenarioObjectHoldsEachPartAsAField) {
  auto args = kArgs;
  args.insert(args.end(), {"--format", "json"});
  const auto j = nlohmann::json::parse(run(args));
  const auto& sc = j.at("scenario");
  EXPECT_EQ(sc.at("file"), kTrace);
  EXPECT_EQ(sc.at("profile"), "linux");
  EXPECT_TRUE(sc.at("profile_given"));
  EXPECT_EQ(sc.at("seed"), 7);
  EXPECT_TRUE(sc.at("seed_given"));
  EXPECT_EQ(sc.at("loss"), "0.05");
  EXPECT_EQ(sc.at("tcpsim"), kVersion);
  ASSERT_EQ(sc.at("settings").size(), 3u);
  EXPECT_EQ(
      sc.at("settings")[0],
      (nlohmann::json{{"host", "A"}, {"key", "fin_wait_2_timeout"}, {"value", "3s"}, {"from", "file"}}));
  EXPECT_EQ(sc.at("settings")[2],
            (nlohmann::json{{"host", ""}, {"key", "rto_min"}, {"value", "5ms"}, {"from", "--set"}}));
  EXPECT_EQ(sc.at("provenance"), kExpected);
}

TEST_F(FigureProvenance, WithoutOptionsTheScenariosOwnProfileAndSeedAreNamed) {
  const std::string out = run({"traces/lost-fin.tcpsim"});
  EXPECT_NE(
      out.find(std::string("\ntraces/lost-fin.tcpsim: profile linux, seed 1, tcpsim ") + kVersion + "\n"),
      std::string::npos)
      << out.substr(0, 300);
}

// The tests run in the source folder (CMake's WORKING_DIRECTORY): an
// absolute path to a trace is named from there, and no byte of the
// absolute path is left in any output.
TEST_F(FigureProvenance, AnAbsolutePathIsNamedRelativeToTheCurrentDirectory) {
  const std::string abs = (fs::current_path() / kTrace).string();
  for (const char* format : {"ascii", "svg", "tikz", "mermaid", "json", "dot"}) {
    const std::string out = run({abs, "--format", format});
    EXPECT_EQ(out.find(fs::current_path().string()), std::string::npos) << format;
    EXPECT_NE(out.find("traces/orphan-fin-wait-2-timeout.tcpsim"), std::string::npos) << format;
  }
}

TEST_F(FigureProvenance, TheSameInputsGiveTheSameBytes) {
  for (const char* format : {"ascii", "svg", "tikz", "mermaid", "json"}) {
    auto args = kArgs;
    args.insert(args.end(), {"--format", format, "-v"});
    EXPECT_EQ(run(args), run(args)) << format;
  }
}

TEST(FigurePath, RelativeToTheCurrentDirectoryNeverAbsolute) {
  EXPECT_EQ(figure_path("/home/ann/book/fig/a.tcpsim", "/home/ann/book"), "fig/a.tcpsim");
  EXPECT_EQ(figure_path("/home/ann/a.tcpsim", "/home/ann/book"), "../a.tcpsim");
  EXPECT_EQ(figure_path("fig/../a.tcpsim", "/home/ann"), "fig/../a.tcpsim");  // as given
  // No current directory known: the file's name alone.
  EXPECT_EQ(figure_path("/home/ann/a.tcpsim", ""), "a.tcpsim");
}

TEST(FigurePath, ControlBytesBackslashAndBrokenUtf8AreEscapedOntoOneLine) {
  EXPECT_EQ(figure_path("a\nb.tcpsim", "/"), "a\\x0ab.tcpsim");
  EXPECT_EQ(figure_path("a\\b", "/"), "a\\\\b");
  EXPECT_EQ(figure_path("caf\xc3\xa9", "/"), "caf\xc3\xa9");  // UTF-8 kept
  EXPECT_EQ(figure_path("x\xff", "/"), "x\\xff");
  EXPECT_EQ(figure_path("x\xc3", "/"), "x\\xc3");  // a cut sequence
}

}  // namespace
}  // namespace tcpsim
