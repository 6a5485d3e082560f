// Which format -o writes (issue 18): without --format, the file name's
// extension chooses (.svg .tex .mmd .dot .json .txt, formats/registry.h); a
// --format that contradicts the extension is refused; an extension no format
// has keeps the default, ascii. Each file is compared, byte for byte, with
// what the named --format writes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_tcpsim.h"

namespace tcpsim {
namespace {

namespace fs = std::filesystem;
using testing::run_tcpsim;

constexpr const char* kTrace = "traces/lost-fin.tcpsim";

class OutputFormatChoiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tcpsim-format-choice-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string at(const std::string& name) const { return (dir_ / name).string(); }
  static std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  // What `tcpsim run kTrace --format FORMAT` writes (to a file with no extension).
  std::string written_as(const std::string& format) {
    const std::string out = at("as-" + format);
    const auto r = run_tcpsim({"run", kTrace, "--format", format, "-o", out}, 1);
    EXPECT_EQ(r.status, 0) << r.err;
    return slurp(out);
  }
  fs::path dir_;
};

// The extensions issue 18 names, and the format each one means.
TEST_F(OutputFormatChoiceTest, TheExtensionChoosesTheFormatWhenNoneIsGiven) {
  const std::pair<const char*, const char*> kCases[] = {{"fig.svg", "svg"},     {"fig.tex", "tikz"},
                                                        {"fig.mmd", "mermaid"}, {"fig.dot", "dot"},
                                                        {"run.json", "json"},   {"run.txt", "ascii"}};
  for (const auto& [file, format] : kCases) {
    const auto r = run_tcpsim({"run", kTrace, "-o", at(file)}, 1);
    ASSERT_EQ(r.status, 0) << file << ": " << r.err;
    EXPECT_EQ(slurp(at(file)), written_as(format)) << file << " should be written as " << format;
  }
}

TEST_F(OutputFormatChoiceTest, AnExtensionNoFormatHasKeepsAscii) {
  const auto r = run_tcpsim({"run", kTrace, "-o", at("run.out")}, 1);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(slurp(at("run.out")), written_as("ascii"));
}

TEST_F(OutputFormatChoiceTest, AGivenFormatThatContradictsTheExtensionIsRefusedAndNothingWritten) {
  const auto r = run_tcpsim({"run", kTrace, "--format", "ascii", "-o", at("fig.svg")}, 1);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(".svg is the extension of --format svg"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(at("fig.svg")));
}

TEST_F(OutputFormatChoiceTest, AGivenFormatMatchingTheExtensionIsWritten) {
  // unicode and events are text too: a .txt file takes them.
  for (const char* format : {"unicode", "events"}) {
    const std::string file = at(std::string(format) + ".txt");
    const auto r = run_tcpsim({"run", kTrace, "--format", format, "-o", file}, 1);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(slurp(file), written_as(format)) << format;
  }
}

// `tcpsim kernel` takes the same formats (it had a list of its own without
// the pictures): -f svg passes the command line, and the run stops at the
// next check, --sample's, before anything real starts (no root needed).
TEST(KernelFormats, KernelTakesThePictureFormats) {
  for (const char* format : {"svg", "tikz", "mermaid", "dot"}) {
    const auto r = run_tcpsim({"kernel", "-f", format, "--sample", "1ns", kTrace}, 1);
    EXPECT_EQ(r.status, 2) << format;
    EXPECT_NE(r.err.find("--sample 1ns: at least 100us"), std::string::npos) << format << ": " << r.err;
  }
}

// --diff appends a text report: after a picture it would make the file unreadable.
TEST(KernelFormats, DiffWithAPictureIsRefused) {
  const auto r = run_tcpsim({"kernel", "--diff", "-f", "svg", kTrace}, 1);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--diff adds a text report"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tcpsim
