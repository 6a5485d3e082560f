// Issue 13, "no output is lost in silence": whatever the command and the
// format, an output that could not be written whole is exit status 2 and a
// message naming where and why (strerror), on the real binary: standard
// output on a full device (ENOSPC), standard output closed (EBADF), -o and
// --pcap under a regular file (ENOTDIR, for root too), and a FIFO is
// written in place.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/cli/run_tcpsim.h"

namespace tcpsim::testing {
namespace {

namespace fs = std::filesystem;

const std::string kTrace = std::string(TCPSIM_SOURCE_DIR) + "/traces/lost-fin.tcpsim";

class OutputFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tcpsim-outfail-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  // A full device (reads zeros, writes fail with ENOSPC): root makes its
  // own (major 1, minor 7, as /dev/full); others use the system's.
  int open_full_device() {
    std::string path = "/dev/full";
    if (geteuid() == 0) {
      path = (dir_ / "full").string();
      if (mknod(path.c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0) return -1;
    }
    return open(path.c_str(), O_WRONLY);
  }
  fs::path dir_;
};

// Every command and format that writes to standard output.
const std::vector<std::vector<std::string>> kStdoutCommands = {
    {"run", kTrace, "-f", "json"},
    {"run", kTrace, "-f", "svg"},
    {"run", kTrace, "-f", "tikz"},
    {"run", kTrace, "-f", "dot"},
    {"run", kTrace, "-f", "mermaid"},
    {"run", kTrace, "-f", "events"},
    {"run", kTrace},  // ascii
    {"check", kTrace},
    {"states"},
    {"states", "--coverage", kTrace},
    {"profiles"},
    {"sweep", kTrace, "--runs", "2", "-j", "1"},
    {"explore", kTrace, "--max-drops", "1"},
    {"--help"},
};

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& a : v) s += " " + a;
  return s;
}

TEST_F(OutputFailureTest, StdoutOnAFullDeviceIsExit2WithNoSpaceLeftOnDevice) {
  const int full = open_full_device();
  ASSERT_GE(full, 0) << "cannot open a full device";
  for (const auto& args : kStdoutCommands) {
    const Ran r = run_tcpsim(args, full);
    EXPECT_EQ(r.status, 2) << "tcpsim" << joined(args) << "\n" << r.err;
    EXPECT_NE(r.err.find("tcpsim: cannot write standard output: No space left on device\n"),
              std::string::npos)
        << "tcpsim" << joined(args) << "\n"
        << r.err;
  }
  close(full);
}

TEST_F(OutputFailureTest, StdoutClosedIsExit2WithBadFileDescriptor) {
  for (const auto& args : kStdoutCommands) {
    const Ran r = run_tcpsim(args, -1);
    EXPECT_EQ(r.status, 2) << "tcpsim" << joined(args) << "\n" << r.err;
    EXPECT_NE(r.err.find("cannot write standard output: Bad file descriptor"), std::string::npos)
        << "tcpsim" << joined(args) << "\n"
        << r.err;
  }
}

// merge reads shard files: made here by sweep --shard, then merged onto a
// full standard output, a closed one, and under a regular file.
TEST_F(OutputFailureTest, MergeOutputFailuresAreExit2WithTheReason) {
  const std::string s1 = (dir_ / "s1").string(), s2 = (dir_ / "s2").string();
  ASSERT_EQ(run_tcpsim({"sweep", kTrace, "--runs", "2", "-j", "1", "--shard", "1/2", "-o", s1}, 1).status, 0);
  ASSERT_EQ(run_tcpsim({"sweep", kTrace, "--runs", "2", "-j", "1", "--shard", "2/2", "-o", s2}, 1).status, 0);
  const int full = open_full_device();
  ASSERT_GE(full, 0);
  Ran r = run_tcpsim({"merge", s1, s2}, full);
  close(full);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cannot write standard output: No space left on device"), std::string::npos) << r.err;
  r = run_tcpsim({"merge", s1, s2}, -1);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cannot write standard output: Bad file descriptor"), std::string::npos) << r.err;
  r = run_tcpsim({"merge", s1, s2, "-o", s1 + "/x"}, 1);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cannot write " + s1 + "/x: Not a directory"), std::string::npos) << r.err;
}

// Closed standard output is not an error when nothing goes there (-o).
TEST_F(OutputFailureTest, StdoutClosedWithMinusOWritesTheFileAndSucceeds) {
  const std::string out = (dir_ / "out.json").string();
  const Ran r = run_tcpsim({"run", kTrace, "-f", "json", "-o", out}, -1);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_GT(fs::file_size(out), 0u);
}

// A path under a regular file: ENOTDIR for everyone, root included (the
// portable way to deny a directory to a test that may run as root).
TEST_F(OutputFailureTest, OutputUnderARegularFileNamesTheFileAndNotADirectory) {
  const std::string plain = (dir_ / "plain").string();
  std::ofstream(plain) << "a regular file";
  const std::string under = plain + "/x";
  const std::vector<std::vector<std::string>> cases = {
      {"run", kTrace, "-f", "svg", "-o", under},
      {"run", kTrace, "--pcap", under},
      {"states", "-o", under},
      {"sweep", kTrace, "--runs", "2", "-j", "1", "-o", under},
      {"explore", kTrace, "--max-drops", "1", "-o", under},
  };
  const int null = open("/dev/null", O_WRONLY);
  for (const auto& args : cases) {
    const Ran r = run_tcpsim(args, null);
    EXPECT_EQ(r.status, 2) << "tcpsim" << joined(args);
    EXPECT_NE(r.err.find("cannot write " + under + ": Not a directory"), std::string::npos)
        << "tcpsim" << joined(args) << "\n"
        << r.err;
  }
  close(null);
  EXPECT_EQ(fs::file_size(plain), 14u);
}

TEST_F(OutputFailureTest, OutputOntoADirectoryIsExit2WithIsADirectory) {
  fs::create_directory(dir_ / "d");
  const std::string d = (dir_ / "d").string();
  const Ran r = run_tcpsim({"run", kTrace, "-o", d}, 1);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cannot write " + d + ": Is a directory"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_directory(d));
}

// A FIFO is written in place: the reader gets what standard output would
// have, and the FIFO is still one afterwards (not renamed over).
TEST_F(OutputFailureTest, AFifoTargetIsWrittenInPlace) {
  const std::string fifo = (dir_ / "fifo").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // The reading end open first (non-blocking, so a binary that never opens
  // the FIFO cannot hang the test): the output fits the pipe's 64 KiB.
  const int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  const Ran r = run_tcpsim({"run", kTrace, "-f", "json", "-o", fifo}, 1);
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = read(reader, buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  close(reader);
  EXPECT_EQ(r.status, 0) << r.err;
  // The same bytes as on standard output.
  const std::string expected_path = (dir_ / "stdout.json").string();
  const int fd = open(expected_path.c_str(), O_WRONLY | O_CREAT, 0600);
  ASSERT_EQ(run_tcpsim({"run", kTrace, "-f", "json"}, fd).status, 0);
  close(fd);
  std::ifstream e(expected_path, std::ios::binary);
  std::ostringstream es;
  es << e.rdbuf();
  EXPECT_EQ(got, es.str());
  EXPECT_TRUE(fs::is_fifo(fifo));
}

}  // namespace
}  // namespace tcpsim::testing
