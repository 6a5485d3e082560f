// `tcpsim run -f summary` runs untraced: issue 15's memory target for the
// command itself (tests/cli/bulk_memory_test.cc checks the library). A
// 1 GB transfer traced took 1.16 GB and met the then 5,000,000-record limit (now 3,000,000);
// untraced, the peak must stay under 100 MB, a tenth of the bytes moved.
//
// The binary runs as a child; wait4() gives that child's own peak resident
// set (ru_maxrss, kB), not the test program's.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace {

// 1 GB from A to B over 1 Gbit/s, 1 ms each way; B reads to the end.
std::string gigabyte(std::uint64_t bytes) {
  return "profile linux\nhost A 10.0.0.1\nhost B 10.0.0.2\nlink A <-> B delay 1ms bandwidth 1Gbit\n"
         "program server on B {\n  s = socket()\n  bind(s, 10.0.0.2:8080) = 0\n  listen(s, 5) = 0\n"
         "  c = accept(s)\n  repeat " +
         std::to_string(bytes / 1000) +
         " {\n    read(c, 65536)\n  }\n  read(c, 100) = 0\n  close(c) = 0\n}\n"
         "program client on A {\n  k = socket()\n  connect(k, 10.0.0.2:8080) = 0\n  write(k, " +
         std::to_string(bytes) + ") = " + std::to_string(bytes) + "\n  close(k) = 0\n}\nexpect finished\n";
}

struct Child {
  int status = -1;
  long max_rss_kb = -1;
  std::string out;
};

Child run_summary(const std::string& scenario_path, const std::string& out_path) {
  Child c;
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    execl(TCPSIM_BINARY, TCPSIM_BINARY, "run", "-f", "summary", scenario_path.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int st = 0;
  rusage ru{};
  wait4(pid, &st, 0, &ru);
  c.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  c.max_rss_kb = ru.ru_maxrss;
  std::ifstream f(out_path);
  std::stringstream s;
  s << f.rdbuf();
  c.out = s.str();
  return c;
}

TEST(SummaryFormat, AGigabyteTransferPeaksUnder100MB) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's shadow memory and quarantine are not the program's own";
#endif
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "summary_gigabyte.tcpsim";
  std::ofstream(path) << gigabyte(1'000'000'000);
  const Child c = run_summary(path, dir + "summary_gigabyte.out");
  std::remove(path.c_str());
  ASSERT_EQ(c.status, 0) << c.out;
  RecordProperty("peak_rss_kb", static_cast<int>(c.max_rss_kb));
  EXPECT_GT(c.max_rss_kb, 0);
  EXPECT_LT(c.max_rss_kb, 100 * 1000) << "peak resident set " << c.max_rss_kb << " kB";
  // What the programs did, from the scenario: every byte written and read.
  EXPECT_NE(c.out.find("programs  wrote 1000000000 bytes, read 0 bytes"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("programs  wrote 0 bytes, read 1000000000 bytes"), std::string::npos) << c.out;
  // 7 calls with expected results and `expect finished`.
  EXPECT_NE(c.out.find("assertions: 8 passed, 0 failed"), std::string::npos) << c.out;
  // No loss on the link: nothing resent. Goodput: positive and below the
  // 1 Gbit/s link rate: each payload of at most 1460 bytes costs 40 more of headers.
  EXPECT_NE(c.out.find("resent    0 ("), std::string::npos) << c.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(c.out, m, std::regex("goodput ([0-9.]+) Mbit/s"))) << c.out;
  const double mbps = std::stod(m[1]);
  EXPECT_GT(mbps, 0);
  EXPECT_LT(mbps, 1000.0 * 1460 / 1500);
}

}  // namespace
