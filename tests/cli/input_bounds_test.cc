// Inputs that never end or are absurdly large are refused before they are
// read into memory (found in review: `tcpsim run /dev/zero` read until
// bad_alloc, exit 134; `tcpsim kernel --sample 1ns` held a CPU at real-time
// priority for the whole run).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "run_tcpsim.h"
#include "scenario/parser.h"

namespace tcpsim::scenario {
namespace {

std::string error_of(const std::variant<Scenario, ParseError>& r) {
  if (auto* e = std::get_if<ParseError>(&r)) return e->message;
  return "";
}

TEST(InputBounds, ADeviceIsNotReadAsAScenario) {
  EXPECT_EQ(error_of(parse_file("/dev/zero")),
            "/dev/zero: not a regular file (a scenario is read from a file)");
}

TEST(InputBounds, AScenarioLargerThanTheCapIsRefusedWithoutReadingItAll) {
  const auto path = std::filesystem::temp_directory_path() / "tcpsim-input-bounds-big.tcpsim";
  {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    // A sparse file one byte over the cap: zeros, never a valid scenario.
    ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(kMaxScenarioBytes + 1)), 0);
    ::close(fd);
  }
  EXPECT_EQ(error_of(parse_file(path.string())),
            path.string() + ": larger than a scenario can be (16 MiB at most)");
  std::filesystem::remove(path);
}

TEST(InputBounds, RunOfDevZeroIsExitTwoWithAMessage) {
  const auto r = testing::run_tcpsim({"run", "/dev/zero"}, 1);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("/dev/zero: not a regular file"), std::string::npos) << r.err;
}

TEST(InputBounds, KernelSampleBelowHundredMicrosecondsIsRefused) {
  const auto r = testing::run_tcpsim({"kernel", "--sample", "1ns", "traces/lost-fin.tcpsim"}, 1);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--sample 1ns: at least 100us"), std::string::npos) << r.err;
}

// Found by the fuzzer: a program making 2 million calls at one instant traced
// 3.25 million records, and --format json built 6.9 GB of them in memory.
// 300,000 socket() calls trace a record each (the later ones EMFILE), past the
// 250,000 an in-memory format takes; 600,000 steps stay under the runaway bound.
TEST(InputBounds, AnInMemoryFormatRefusesATracePastItsBound) {
  const auto path = std::filesystem::temp_directory_path() / "tcpsim-input-bounds-many.tcpsim";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("host A 10.0.0.1\nprogram p on A {\n  repeat 300000 {\n    x = socket()\n  }\n}\n", f);
    std::fclose(f);
  }
  const auto r = testing::run_tcpsim({"run", "--format", "json", path.string()}, 1);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--format json: the run traced "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("takes at most 250000"), std::string::npos) << r.err;
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace tcpsim::scenario
