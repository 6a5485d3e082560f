// dump(): the normalized form (canonical times, spacing, numbers), and that
// it reads back to itself.
#include <gtest/gtest.h>

#include "helpers.h"

namespace tcpsim::packetdrill {
namespace {

using testing::ok;

TEST(PacketdrillDump, NormalizesTimesSpacingAndNumbersAndKeepsTheRest) {
  const std::string script =
      "--tolerance_usecs=75000\n"
      "--ip_version=ipv4\n"
      "`./defaults.sh`  // init\n"
      "    0 socket(..., SOCK_STREAM|SOCK_NONBLOCK,IPPROTO_TCP) = 3\n"
      "+0.00 fcntl(3, F_GETFL) = 0x02 (flags   O_RDWR)\n"
      "  +.1 <  S  0:0(0)   win 32767 <mss 1460, sackOK,eol,eol>\n"
      " +0.000 > S. ...(0) ack 1 win 65535 <...>\n"
      "+.01...0.0110 connect(3, ..., ...) = 0\n"
      "#ifdef FreeBSD\n"
      "+0.3~+.4 >[ect0] FP. 1:11(10) ack 1\n"
      "+1.50 `sockstat -4 | grep -c TIME_WAIT | grep 1`\n"
      "#else\n"
      "   *  > R 1:1(0)\n"
      "#endif\n"
      "2 < - 0:0(0) win 0\n"
      "+0 %{\nassert tcpi_state == TCPI_CLOSED   # gone\nassert tcpi_rto>0}%\n"
      "+0 poll([{fd=3, events = POLLIN}], 1, 100) = 0\n"
      "`/tmp/restore.sh`\n";
  const std::string expected =
      "--tolerance_usecs=75000\n"
      "--ip_version=ipv4\n"
      "`./defaults.sh`\n"
      "0 socket(..., SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 3\n"
      "+0 fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)\n"
      "+0.1 < S 0:0(0) win 32767 <mss 1460,sackOK,eol,eol>\n"
      "+0 > S. ...(0) ack 1 win 65535 <...>\n"
      "+0.01...0.011 connect(3, ..., ...) = 0\n"
      "#ifdef FreeBSD\n"
      "+0.3~+0.4 >[ect0] FP. 1:11(10) ack 1\n"
      "+1.5 `sockstat -4 | grep -c TIME_WAIT | grep 1`\n"
      "#endif\n"
      "#ifndef FreeBSD\n"
      "* > R 1:1(0)\n"
      "#endif\n"
      "2 < - 0:0(0) win 0\n"
      "+0 %{ assert tcpi_state == TCPI_CLOSED; assert tcpi_rto>0 }%\n"
      "+0 poll([{fd=3, events=POLLIN}], 1, 100) = 0\n"
      "`/tmp/restore.sh`\n";
  Script s = ok(script);
  EXPECT_EQ(dump(s), expected);
  EXPECT_EQ(dump(ok(expected)), expected);
}

TEST(PacketdrillDump, ExpressionsPrintTheWayTheyAreRead) {
  Script s =
      ok("0 bind(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"1.2.3.4\")}, -16) = 0\n"
         "0 write(3, \"a\\\"b\"..., []) = 0\n");
  EXPECT_EQ(dump(s),
            "0 bind(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"1.2.3.4\")}, -16) = 0\n"
            "0 write(3, \"a\\\"b\"..., []) = 0\n");
}

// Found by the fuzz test: a comment inside a note was kept in the note's
// text, and its dump then commented out the closing parenthesis.
TEST(PacketdrillDump, ANoteLeavesOutTheCommentsInsideIt) {
  Script s = ok("0 read(4, ..., 1) = -1 EAGAIN (Resource /* x */ temporarily // y\n unavailable)\n");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(std::get<Syscall>(s.events[0].action).note, "Resource temporarily unavailable");
  EXPECT_EQ(dump(s), "0 read(4, ..., 1) = -1 EAGAIN (Resource temporarily unavailable)\n");
}

}  // namespace
}  // namespace tcpsim::packetdrill
