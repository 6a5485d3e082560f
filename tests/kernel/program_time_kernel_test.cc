// tcp_state(), `at T` in programs and SO_RCVTIMEO/SO_SNDTIMEO on this
// machine's kernel: the scenarios' assertions (Linux's values, derived in
// the files) pass on the kernel, and every call returns the same as in the
// model. Root only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

std::string kernel_diff(const std::string& file) {
  const std::string cmd = std::string(TCPSIM_BINARY) + " kernel --diff --max-time 3s " + TCPSIM_SOURCE_DIR +
                          "/tests/kernel/data/" + file + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "";
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

TEST(KernelProgramTime, TcpStateReadsAsTcpInfoOnTheKernelAndInTheModel) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_NET_ADMIN): skipped";
  const std::string out = kernel_diff("tcp-state.tcpsim");
  EXPECT_NE(out.find("assertions: 12 passed, 0 failed"), std::string::npos) << out;
  EXPECT_EQ(out.find("differs call"), std::string::npos) << out;
  EXPECT_EQ(out.find("differs assertion"), std::string::npos) << out;
}

TEST(KernelProgramTime, TimeoutsAndAbsoluteTimesAgreeOnTheKernelAndInTheModel) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_NET_ADMIN): skipped";
  const std::string out = kernel_diff("timeouts.tcpsim");
  EXPECT_NE(out.find("assertions: 13 passed, 0 failed"), std::string::npos) << out;
  EXPECT_EQ(out.find("differs call"), std::string::npos) << out;
  EXPECT_EQ(out.find("differs assertion"), std::string::npos) << out;
}

}  // namespace
