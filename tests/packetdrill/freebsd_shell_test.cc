// FreeBSD's shell forms in the tcp-testsuite (packetdrill/shell_freebsd.cc):
// the insecure_rst / insecure_syn / drop_synfin sysctls become the bsd
// profile's values, and `tcpdrop -s TIME_WAIT` drops the TIME-WAIT
// connections. Each script is a cut-down FreeBSD script, run under bsd.
#include <gtest/gtest.h>

#include "helpers.h"
#include "packetdrill/runner.h"

namespace tcpsim::packetdrill {
namespace {

using testing::ok;

Outcome run_bsd(const std::string& text) {
  RunOptions o;
  o.profile = "bsd";
  return run_script(ok(text), o);
}

const std::string kOpen = R"(+0.00 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0.00 fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK) = 0
+0.00 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0.00 > S  0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0>
+0.10 < S. 0:0(0) ack 1 win 32767 <mss 1460,sackOK,eol,eol>
+0.00 >  . 1:1(0) ack 1 win 65535
)";

// The connection the suite's scripts open (rcv-*-established-*.pkt), after
// `sysctl` (a line of its own, or none).
std::string established(const std::string& sysctl = "") {
  return "--tolerance_usecs=75000\n0.00 `sysctl -w net.inet.tcp.recvspace=65536`\n" +
         (sysctl.empty() ? std::string() : "+0.00 `sysctl -w " + sysctl + "`\n") + kOpen;
}

// rcv-rst-established-right-edge-insecure-ipv4.pkt: with insecure_rst=1 the
// RST at RCV.NXT+RCV.WND-1 (65700: the buffer rounded to 45 x 1460) resets;
// with 0 (FreeBSD's default) the same RST gets a challenge ACK.
TEST(PacketdrillFreeBsd, InsecureRstOneMakesAnInWindowRstResetTheConnection) {
  const std::string rst = "+0.10 < R 65700:65700(0) win 32767\n";
  const Outcome insecure = run_bsd(established("net.inet.tcp.insecure_rst=1") + rst +
                                   "+0.00 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0\n");
  EXPECT_EQ(insecure.kind, Outcome::Kind::Pass) << insecure.message;
  const Outcome secure = run_bsd(established("net.inet.tcp.insecure_rst=0") + rst +
                                 "+0.00 > . 1:1(0) ack 1 win 65535\n"
                                 "+0.00 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n");
  EXPECT_EQ(secure.kind, Outcome::Kind::Pass) << secure.message;
}

// rcv-syn-established-left-edge-insecure-ipv4.pkt: insecure_syn=1, a SYN at
// RCV.NXT is answered RST,ACK with window 0 (tcp_drop()), ECONNRESET.
TEST(PacketdrillFreeBsd, InsecureSynOneMakesAnInWindowSynDropTheConnection) {
  const Outcome o = run_bsd(established("net.inet.tcp.insecure_syn=1") +
                            "+0.10 < S 1:1(0) win 32767 <mss 1460,sackOK,eol,eol>\n"
                            "+0.00 > R. 1:1(0) ack 1 win 0\n"
                            "+0.00 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0\n");
  EXPECT_EQ(o.kind, Outcome::Kind::Pass) << o.message;
}

// rcv-rst-close-wait-left-edge-secure-ipv4.pkt: FreeBSD's tcp_do_segment()
// sets ECONNRESET for a RST in CLOSE-WAIT as in the other synchronized
// states (Linux's tcp_reset() says EPIPE there; sim/sockets.cc).
TEST(PacketdrillFreeBsd, ARstInCloseWaitLeavesEconnreset) {
  const Outcome o = run_bsd(established() +
                            "+0.10 < F. 1:1(0) ack 1 win 32767\n"
                            "+0.00 >  . 1:1(0) ack 2 win 65535\n"
                            "+0.10 < R 2:2(0) win 32767\n"
                            "+0.00 getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0\n");
  EXPECT_EQ(o.kind, Outcome::Kind::Pass) << o.message;
}

// A value the sysctl does not take is no silent pass.
TEST(PacketdrillFreeBsd, AnInsecureRstValueOtherThanZeroOrOneIsUnsupported) {
  const Outcome o = run_bsd(established("net.inet.tcp.insecure_rst=2"));
  EXPECT_EQ(o.kind, Outcome::Kind::Unsupported);
  EXPECT_NE(o.message.find("net.inet.tcp.insecure_rst=2"), std::string::npos) << o.message;
}

// rcv-syn-ack-time-wait-*-secure-ipv4.pkt (#ifdef FreeBSD): after
// `tcpdrop -s TIME_WAIT` sockstat counts no TIME-WAIT connection; before it,
// one. tcp_twclose() sends nothing.
TEST(PacketdrillFreeBsd, TcpdropOfTimeWaitRemovesTheTimeWaitConnectionSilently) {
  const std::string to_time_wait =
      established() +
      "+0.10 shutdown(3, SHUT_WR) = 0\n"
      "+0.00 > F. 1:1(0) ack 1 win 65535\n"
      "+0.10 < F. 1:1(0) ack 2 win 32767\n"
      "+0.00 >  . 2:2(0) ack 2 win 65535\n"
      "+0.10 `sockstat -4 -P tcp -s | grep packetdril | grep -c TIME_WAIT | grep 1`\n";
  const Outcome o = run_bsd(to_time_wait +
                            "+0.00 `tcpdrop -s TIME_WAIT`\n"
                            "+0.10 `sockstat -4 -P tcp -s | grep packetdril | grep -c TIME_WAIT | grep 0`\n"
                            "+0.00 close(3) = 0\n");
  EXPECT_EQ(o.kind, Outcome::Kind::Pass) << o.message;
  // Without the tcpdrop the count is still one: the check above is real.
  const Outcome kept = run_bsd(
      to_time_wait + "+0.10 `sockstat -4 -P tcp -s | grep packetdril | grep -c TIME_WAIT | grep 0`\n");
  EXPECT_EQ(kept.kind, Outcome::Kind::Fail) << kept.message;
  const Outcome other = run_bsd(established() + "+0.00 `tcpdrop -s ESTABLISHED`\n");
  EXPECT_EQ(other.kind, Outcome::Kind::Unsupported) << other.message;
}

}  // namespace
}  // namespace tcpsim::packetdrill
