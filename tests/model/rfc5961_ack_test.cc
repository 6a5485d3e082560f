// RFC 5961 §5.2 (blind data injection): with Config::rfc5961_ack, an ACK
// outside [SND.UNA - MAX.SND.WND, SND.NXT] is discarded and answered with a
// challenge ACK, at most one per invalid_ratelimit, as Linux's tcp_ack() and
// tcp_send_challenge_ack() (checked on Linux 6.18 by
// kernel/probes/p13_ack_checks.py; linux-selftests
// tcp_rfc5961_ack-out-of-window.pkt).
#include <gtest/gtest.h>

#include "rows_util.h"

namespace tcpsim::test {
namespace {

// ESTABLISHED after 2000 bytes sent and acknowledged, the peer's window
// 1000 all along: SND.UNA = SND.NXT = ISS + 2001, MAX.SND.WND = 1000.
Endpoint after_2000_acked(Duration ratelimit) {
  Config c;
  c.rfc5961_ack = true;
  c.invalid_ratelimit = ratelimit;
  Endpoint ep(c);
  Tcb t;
  t.iss = kIss;
  t.irs = kIrs;
  t.snd_una = t.snd_nxt = t.snd_buf_seq = kIss + 2001;
  t.rcv_nxt = kIrs + 1;
  t.snd_wnd = t.max_snd_wnd = 1000;
  t.bytes_acked = 2000;
  t.peer_mss = 1000;
  t.passive_open = true;
  ep.force_state_for_test(State::Established, t);
  return ep;
}

TEST(Rfc5961Ack, Rfc5961_5_2_AckBelowSndUnaMinusMaxSndWndIsChallenged) {
  Endpoint ep = after_2000_acked(0);
  // SND.UNA - MAX.SND.WND = ISS + 1001: one below is outside.
  Outbox out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1000, {}, 1000));
  EXPECT_TRUE(SentOne(out, kAck, kIss + 2001, kIrs + 1));
  // At the edge itself the ACK is old but acceptable: no answer.
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1001, {}, 1000));
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(ep.state(), State::Established);
}

TEST(Rfc5961Ack, Rfc5961_5_2_AckAboveSndNxtIsChallengedAndDropped) {
  Endpoint ep = after_2000_acked(0);
  Outbox out = arrive(ep, seg(kAck | kFin, kIrs + 1, kIss + 2002, {}, 1000));
  EXPECT_TRUE(SentOne(out, kAck, kIss + 2001, kIrs + 1));
  EXPECT_EQ(ep.state(), State::Established);  // the FIN was dropped with it
  EXPECT_EQ(ep.tcb().rcv_nxt, kIrs + 1);
}

// Linux's MAX.SND.WND is min(max_window, bytes_acked): on a connection that
// has had nothing acknowledged, any ACK below SND.UNA is outside.
TEST(Rfc5961Ack, Rfc5961_5_2_NothingAckedYetMeansNoOldAckIsAcceptable) {
  Endpoint ep = after_2000_acked(0);
  Tcb t = ep.tcb();
  t.bytes_acked = 0;
  ep.force_state_for_test(State::Established, t);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1, kIss + 2000, {}, 1000));
  EXPECT_TRUE(SentOne(out, kAck, kIss + 2001, kIrs + 1));
}

// tcp_invalid_ratelimit (500 ms by default): the second challenge within it
// is not sent (p13_ack_checks.py case C saw exactly this).
TEST(Rfc5961Ack, SecondChallengeWithinTheRateLimitIsNotSent) {
  Endpoint ep = after_2000_acked(500 * kMillisecond);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1, kIss + 2002, {}, 1000), 0);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 2001, kIrs + 1));
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1000, {}, 1000), 20 * kMillisecond);
  EXPECT_TRUE(SentNothing(out));
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1000, {}, 1000), 600 * kMillisecond);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 2001, kIrs + 1));
}

// Off (rfc9293 and bsd profiles): RFC 9293's ACK for data not yet sent, and
// an old ACK is ignored.
TEST(Rfc5961Ack, OffAnOldAckIsIgnored) {
  Endpoint ep = after_2000_acked(0);
  Config c = ep.config();
  c.rfc5961_ack = false;
  Endpoint plain(c);
  plain.force_state_for_test(State::Established, ep.tcb());
  Outbox out = arrive(plain, seg(kAck, kIrs + 1, kIss + 1000, {}, 1000));
  EXPECT_TRUE(SentNothing(out));
}

}  // namespace
}  // namespace tcpsim::test
