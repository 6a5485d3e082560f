// The persist timer as Linux runs it, wired into the endpoint
// (model/engine_data.cc): RFC 9293 §3.8.6.1 (probe a zero window, the
// interval growing), RFC 1122 §4.2.2.17, and Linux's tcp_check_probe_timer(),
// tcp_probe_timer(), tcp_write_wakeup(), tcp_ack_probe() for the details:
// the probe is an empty segment at SND.UNA - 1, the first after
// max(RTO, TCP_RTO_MIN), then doubling, the timer restarted by each answer;
// timers count in jiffies (HZ = 250: 4 ms ticks, rounded up).
#include "harness.h"
#include "linux_config.h"
#include "rows_util.h"

namespace tcpsim::test {
namespace {

constexpr Duration ms = kMillisecond;

Outbox write(Endpoint& ep, std::size_t n, Time now) {
  Outbox out;
  EXPECT_EQ(ep.send(std::string(n, 'x'), now, out), Error::None);
  return out;
}

// Peer MSS 1000, window 2000, SRTT 10 ms: Linux RTO = 10 + max(4 * 5, 200)
// = 210 ms, 53 jiffies (usecs_to_jiffies rounds up).
Endpoint zero_window_sender(Outbox* last) {
  Endpoint ep = open_client(linux_data_config(), 1000, 2000, 10 * ms, kIss, kIrs);
  Outbox out = write(ep, 3000, 12 * ms);
  EXPECT_EQ(sent(out).size(), 2u) << describe(out);  // 2000 bytes fill the window
  // At 20 ms (jiffy 5) the peer acknowledges both with a zero window.
  *last = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 2000, {}, 0), 20 * ms);
  return ep;
}

TEST(PersistLinux, Rfc9293_3_8_6_1_ZeroWindowArmsPersistAtProbe0Base) {
  Outbox out;
  Endpoint ep = zero_window_sender(&out);
  EXPECT_TRUE(SentNothing(out));
  // tcp_probe0_base() = max(RTO, TCP_RTO_MIN) = 53 jiffies from jiffy 5:
  // fires at jiffy 58 = 232 ms, 212 ms from now. Not the RTO.
  EXPECT_EQ(armed_for(out, TimerKind::Persist), 212 * ms) << describe(out);
  EXPECT_FALSE(armed(out, TimerKind::Retransmission));
}

TEST(PersistLinux, Rfc9293_3_8_6_1_ProbeIsEmptyAtSndUnaMinusOneAndBacksOff) {
  Outbox out;
  Endpoint ep = zero_window_sender(&out);
  out = expire(ep, TimerKind::Persist, 232 * ms);
  // tcp_xmit_probe_skb(): <SEQ=SND.UNA-1><ACK=RCV.NXT>, no data.
  ASSERT_TRUE(SentOne(out, kAck, kIss + 1 + 2000 - 1, kIrs + 1));
  EXPECT_TRUE(sent(out)[0].payload.empty());
  // Backoff 1: 420 ms = 105 jiffies from jiffy 58 -> jiffy 163 = 652 ms.
  EXPECT_EQ(armed_for(out, TimerKind::Persist), 420 * ms);
  // The peer answers at 242 ms, window still 0: tcp_ack_probe() restarts the
  // timer from the ACK with the same backoff: jiffy 60 + 105 = 660 ms.
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 2000, {}, 0), 242 * ms);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(armed_for(out, TimerKind::Persist), 418 * ms);
  // The next probe, then 840 ms (backoff 2).
  out = expire(ep, TimerKind::Persist, 660 * ms);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 2000 - 1, kIrs + 1));
  EXPECT_EQ(armed_for(out, TimerKind::Persist), 840 * ms);
}

TEST(PersistLinux, Rfc9293_3_8_6_1_WindowUpdateStopsProbingAndSendsData) {
  Outbox out;
  Endpoint ep = zero_window_sender(&out);
  expire(ep, TimerKind::Persist, 232 * ms);
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 2000, {}, 2000), 300 * ms);
  EXPECT_TRUE(cancelled(out, TimerKind::Persist)) << describe(out);
  const auto v = sent(out);
  ASSERT_EQ(v.size(), 1u) << describe(out);
  EXPECT_EQ(v[0].seq, kIss + 1 + 2000);
  EXPECT_EQ(v[0].payload.size(), 1000u);
  EXPECT_TRUE(armed(out, TimerKind::Retransmission) || armed(out, TimerKind::LossProbe));
}

// tcp_write_wakeup(): a window smaller than the next segment is not filled
// by the send loop (tcp_snd_wnd_test() wants the segment whole); the probe
// timer then sends the segment cut to the window, with PSH.
TEST(PersistLinux, WindowSmallerThanSegmentIsFilledByTheProbeTimer) {
  Outbox out;
  Endpoint ep = zero_window_sender(&out);
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 2000, {}, 500), 25 * ms);
  EXPECT_TRUE(SentNothing(out));
  out = expire(ep, TimerKind::Persist, 232 * ms);
  const auto v = sent(out);
  ASSERT_EQ(v.size(), 1u) << describe(out);
  EXPECT_EQ(v[0].seq, kIss + 1 + 2000);
  EXPECT_EQ(v[0].payload.size(), 500u);
  EXPECT_TRUE(v[0].has(kPsh));
  EXPECT_FALSE(armed(out, TimerKind::Persist));  // data in flight: the RTO times it
}

// sendmsg_msg_more.pkt: corked 40 bytes with nothing in flight go out on
// the probe timer, "+.21~+.215 > P. 1:41(40)" (RTT 10 ms: RTO 210 ms, 53
// jiffies; written at 10 ms, in jiffy 2: fired at jiffy 55 = 220 ms).
TEST(PersistLinux, SendmsgMsgMore_CorkedDataGoesOnTheProbeTimer) {
  Endpoint ep = open_client(linux_data_config(), 1000, 32792, 10 * ms, kIss, kIrs);
  Outbox out;
  ep.set_nagle(false, true, 10 * ms, out);
  out.clear();
  ASSERT_EQ(ep.send(std::string(40, 'x'), 10 * ms, out), Error::None);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(armed_for(out, TimerKind::Persist), 210 * ms);
  out = expire(ep, TimerKind::Persist, 220 * ms);
  ASSERT_TRUE(SentOne(out, kPsh | kAck, kIss + 1, kIrs + 1));
  EXPECT_EQ(sent(out)[0].payload.size(), 40u);
}

// The receiver's side: the probe is below RCV.NXT, so unacceptable (RFC 9293
// §3.10.7.4 first check) and answered with an ACK, but Linux
// (tcp_oow_rate_limited(), tcp_invalid_ratelimit 500 ms) answers at most one
// such segment without data per 500 ms.
TEST(PersistLinux, ProbeAnswersAreRateLimitedTo500ms) {
  Endpoint ep = reach(State::Established, linux_data_config());
  const Segment probe = seg(kAck, kIrs + 1 - 1, kIss + 1);
  EXPECT_TRUE(SentOne(arrive(ep, probe, 1000 * ms), kAck, kIss + 1, kIrs + 1));
  EXPECT_TRUE(SentNothing(arrive(ep, probe, 1400 * ms)));
  EXPECT_TRUE(SentOne(arrive(ep, probe, 1600 * ms), kAck, kIss + 1, kIrs + 1));
}

// RFC 9293 §3.10.7.4 (and RFC 6298 §5.4 "retransmit the earliest segment
// that has not been acknowledged"): a retransmission repeats what was sent.
// Without Linux's persist timer the RTO probes a zero window with one byte;
// the next RTO resends that byte, not a full segment of data never sent.
TEST(PersistRfc9293, Rfc6298_5_4_RetransmittedProbeIsTheOneByteSent) {
  Config c;
  Endpoint ep = open_client(c, 1000, 1000, 10 * ms, kIss, kIrs);
  write(ep, 3000, 10 * ms);
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 1000, {}, 0), 20 * ms);
  Outbox out = expire(ep, TimerKind::Retransmission, 1020 * ms);
  ASSERT_EQ(sent(out).size(), 1u) << describe(out);
  EXPECT_EQ(sent(out)[0].payload.size(), 1u);
  out = expire(ep, TimerKind::Retransmission, 3020 * ms);
  ASSERT_EQ(sent(out).size(), 1u) << describe(out);
  EXPECT_EQ(sent(out)[0].seq, kIss + 1 + 1000);
  EXPECT_EQ(sent(out)[0].payload.size(), 1u);
}

}  // namespace
}  // namespace tcpsim::test
