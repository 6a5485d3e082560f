// packetdrill's calls written onto the table of socket calls
// (packetdrill/calls.cc): poll() with revents, ioctl(SIOCINQ), fcntl, and
// the `%{ assert tcpi_x op value }%` subset over getsockopt(TCP_INFO).
// Each script's expected values are Linux's, derived in the comments; each
// passing script has a twin with one value changed that must fail.
#include <gtest/gtest.h>

#include <string>

#include "helpers.h"
#include "packetdrill/runner.h"

namespace tcpsim::packetdrill {
namespace {

Outcome run(const std::string& text) {
  const Script s = testing::ok(text);
  return run_script(s, RunOptions{});
}

void expect_pass(const std::string& text) {
  const Outcome o = run(text);
  EXPECT_EQ(o.kind, Outcome::Kind::Pass) << o.message;
}

std::string fail_message(const std::string& text) {
  const Outcome o = run(text);
  EXPECT_EQ(o.kind, Outcome::Kind::Fail) << o.message;
  return o.message;
}

// A passive open as the kernel selftests write it: SYN with MSS, SACK and
// window scale; the handshake's ACK 100 ms after the SYN,ACK; accept = 4.
const std::string kAccepted =
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
    "+0 bind(3, ..., ...) = 0\n"
    "+0 listen(3, 1) = 0\n"
    "+0 < S 0:0(0) win 65535 <mss 1460,sackOK,nop,nop,nop,wscale 7>\n"
    "+0 > S. 0:0(0) ack 1 <...>\n"
    "+.1 < . 1:1(0) ack 1 win 65535\n"
    "+0 accept(3, ..., ...) = 4\n";

// tcp_poll(): EPOLLIN once data is queued. A poll for POLLIN started at
// 0.1 s returns when the segment arrives at 0.2 s, with revents POLLIN.
TEST(PacketdrillPoll, PollBlocksUntilDataArrivesAndReportsPollin) {
  const std::string poll = "+0...0.1 poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, 1000) = 1\n";
  const std::string data = "+.1 < P. 1:11(10) ack 1 win 65535\n";
  expect_pass(kAccepted + poll + data);
  EXPECT_NE(
      fail_message(kAccepted +
                   "+0...0.1 poll([{fd=4, events=POLLIN, revents=POLLIN|POLLOUT}], 1, 1000) = 1\n" + data)
          .find("poll() revents: expected: 0x5 vs actual: 0x1"),
      std::string::npos);
  // Returning at 0.2 s, not at 0.15 s as this script says.
  EXPECT_NE(fail_message(kAccepted +
                         "+0...0.05 poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, 1000) = 1\n" + data)
                .find("timing"),
            std::string::npos);
}

// Nothing to read: the poll returns 0 at its 50 ms timeout, revents 0.
// POLLOUT|POLLWRNORM is ready at once on an established socket with room
// (tcp_poll sets both; do_pollfd keeps those asked for).
TEST(PacketdrillPoll, PollTimesOutWithZeroAndReportsWritableAtOnce) {
  expect_pass(kAccepted + "+0...0.05 poll([{fd=4, events=POLLIN, revents=0}], 1, 50) = 0\n" +
              "+.05 poll([{fd=4, events=POLLOUT|POLLWRNORM, revents=POLLOUT|POLLWRNORM}], 1, 0) = 1\n");
  EXPECT_NE(fail_message(kAccepted + "+0 poll([{fd=4, events=POLLIN, revents=0}], 1, 0) = 1\n")
                .find("poll() returned 0 but expected 1"),
            std::string::npos);
}

// ioctl(SIOCINQ) writes the queued byte count into its argument; fcntl
// F_GETFL reads O_RDWR, with O_NONBLOCK once F_SETFL set it.
TEST(PacketdrillCalls, IoctlAndFcntlCompareWhatTheyReturnInTheBuffer) {
  const std::string data = "+0 < P. 1:11(10) ack 1 win 65535\n";
  expect_pass(kAccepted + data +
              "+.01 ioctl(4, SIOCINQ, [10]) = 0\n+0 fcntl(4, F_GETFL) = 0x2 (flags O_RDWR)\n" +
              "+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n+0 fcntl(4, F_GETFL) = 0x802\n");
  EXPECT_NE(fail_message(kAccepted + data + "+.01 ioctl(4, SIOCINQ, [11]) = 0\n")
                .find("ioctl(SIOCINQ): expected: 11 vs actual: 10"),
            std::string::npos);
}

// tcp_get_info() after the handshake: ESTABLISHED, SACK and window scale
// negotiated (no timestamps: the SYN offered none), IW10 and
// TCP_INFINITE_SSTHRESH, nothing in flight. The SYN,ACK was answered
// 100 ms later, Linux's first RTT sample (tcp_synack_rtt_meas): srtt =
// 100 ms, mdev_us = 2 * 100 ms so tcpi_rttvar = mdev_us / 4 = 50 ms, and
// rto = srtt + max(mdev, rto_min 200 ms) = 300 ms (tcp_set_rto).
TEST(PacketdrillTcpInfo, AfterThePassiveHandshakeLinuxsFieldsHoldTheirValues) {
  const std::string info =
      "+0 %{\n"
      "assert tcpi_state == TCP_ESTABLISHED, tcpi_state\n"
      "assert (tcpi_options & TCPI_OPT_SACK) != 0, tcpi_options\n"
      "assert (tcpi_options & TCPI_OPT_WSCALE) != 0, tcpi_options\n"
      "assert (tcpi_options & TCPI_OPT_TIMESTAMPS) == 0, tcpi_options\n"
      "assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd\n"
      "assert tcpi_snd_ssthresh == 2147483647\n"
      "assert tcpi_unacked == 0, tcpi_unacked\n"
      "assert tcpi_ca_state == TCP_CA_Open, tcpi_ca_state\n"
      "assert tcpi_reordering == 3, tcpi_reordering\n"
      "assert tcpi_rtt == 100000, tcpi_rtt\n"
      "assert tcpi_rttvar == 50000, tcpi_rttvar\n"
      "assert tcpi_rto == 300000, tcpi_rto\n"
      "}%\n";
  expect_pass(kAccepted + info);
  EXPECT_NE(fail_message(kAccepted + "+0 %{ assert tcpi_snd_cwnd == 11 }%\n")
                .find("assertion failed: tcpi_snd_cwnd == 11 but it is 10"),
            std::string::npos);
  const Outcome o = run(kAccepted + "+0 %{ assert tcpi_pmtu == 1500 }%\n");
  EXPECT_EQ(o.kind, Outcome::Kind::Unsupported);
  EXPECT_NE(o.message.find("TCP_INFO assertion on tcpi_pmtu (tcpsim fills tcpi_state, "), std::string::npos);
}

// A segment sent and not acknowledged is one packet out (packets_out).
// 300 ms later the tail loss probe resends it (RFC 8985 §7.2: PTO 2 SRTT
// plus the delayed-ACK allowance for one segment out, capped at the RTO
// of 300 ms): no timeout, the state stays Open. 300 ms after the probe
// the RTO fires: Linux enters TCP_CA_Loss (tcp_enter_loss), counts the
// timeout in icsk_retransmits, marks the head lost and retransmits it
// (lost_out = retrans_out = 1), cuts cwnd to 1 with CUBIC's ssthresh
// max(10 * 717 / 1024, 2) = 7, and doubles the RTO to 600 ms (RFC 6298
// §5.5).
TEST(PacketdrillTcpInfo, AnRtoShowsAsLossRetransmitsAndTheReducedWindow) {
  const std::string sent =
      "+0 write(4, ..., 1000) = 1000\n"
      "+0 > P. 1:1001(1000) ack 1\n"
      "+0 %{ assert tcpi_unacked == 1, tcpi_unacked }%\n"
      "+.3 > P. 1:1001(1000) ack 1\n"
      "+0 %{\nassert tcpi_retransmits == 0\nassert tcpi_ca_state == TCP_CA_Open\n}%\n"
      "+.3 > P. 1:1001(1000) ack 1\n";
  const std::string info =
      "+0 %{\n"
      "assert tcpi_retransmits == 1, tcpi_retransmits\n"
      "assert tcpi_ca_state == TCP_CA_Loss, tcpi_ca_state\n"
      "assert tcpi_snd_cwnd == 1, tcpi_snd_cwnd\n"
      "assert tcpi_snd_ssthresh == 7, tcpi_snd_ssthresh\n"
      "assert tcpi_lost == 1, tcpi_lost\n"
      "assert tcpi_retrans == 1, tcpi_retrans\n"
      "assert tcpi_rto == 600000, tcpi_rto\n"
      "}%\n";
  expect_pass(kAccepted + sent + info);
  EXPECT_NE(fail_message(kAccepted + sent + "+0 %{ assert tcpi_retransmits == 0 }%\n")
                .find("assertion failed: tcpi_retransmits == 0 but it is 1"),
            std::string::npos);
}

}  // namespace
}  // namespace tcpsim::packetdrill
