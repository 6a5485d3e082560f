// The kernel runner decodes every call through the same table as the
// simulator (sim/socket_calls.h): a scenario using the decoded flags and
// options (MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL, SOCK_NONBLOCK, SO_ERROR by
// name) gives the same results on this machine's kernel as in the model, and
// its assertions (Linux's values, derived in the file) pass on both. Root only.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

TEST(KernelSocketCalls, FlagsAndSoErrorDecodeAndBehaveAlikeOnTheKernelAndInTheModel) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_NET_ADMIN): skipped";
  const std::string cmd = std::string(TCPSIM_BINARY) + " kernel --diff --max-time 3s " + TCPSIM_SOURCE_DIR +
                          "/tests/kernel/data/socket-call-flags.tcpsim 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  pclose(p);
  // The kernel's run: every assertion (Linux's values) passed.
  EXPECT_NE(out.find("assertions: 11 passed, 0 failed"), std::string::npos) << out;
  // Every call returned the same on both sides (segments and states may
  // differ by real time's races on a loaded machine: not this test's point).
  EXPECT_EQ(out.find("differs call"), std::string::npos) << out;
  std::size_t both = 0;
  for (std::size_t at = 0;
       (at = out.find("getsockopt(j, SO_ERROR) = 111 (ECONNREFUSED)", at)) != std::string::npos; ++at)
    ++both;
  EXPECT_EQ(both, 2u) << out;  // the kernel's ladder and the model's
}

// poll, ioctl, fcntl(F_GETFL) and getsockopt(TCP_INFO), as the table
// decodes them: every expected value (Linux's, derived in the file) holds on
// this kernel and in the model, and every call returns the same on both.
TEST(KernelSocketCalls, PollIoctlFcntlAndTcpInfoAgreeWithTheKernel) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_NET_ADMIN): skipped";
  const std::string cmd = std::string(TCPSIM_BINARY) + " kernel --diff --max-time 3s " + TCPSIM_SOURCE_DIR +
                          "/tests/kernel/data/socket-call-poll-ioctl-tcpinfo.tcpsim 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  pclose(p);
  EXPECT_NE(out.find("assertions: 16 passed, 0 failed"), std::string::npos) << out;
  EXPECT_EQ(out.find("differs call"), std::string::npos) << out;
}

}  // namespace
