// Linux's delayed-ACK policy wired into the endpoint (model/delayed_ack.h,
// model/engine_data.cc): RFC 1122 §4.2.3.2 and RFC 9293 §3.8.6.3 allow it,
// RFC 5681 §4.2 asks for the immediate ACKs; Linux decides when
// (tcp_event_data_recv(), __tcp_ack_snd_check(), tcp_send_delayed_ack(),
// tcp_fin()); timers in jiffies of HZ = 250 (4 ms).
#include "harness.h"
#include "linux_config.h"
#include "rows_util.h"

namespace tcpsim::test {
namespace {

constexpr Duration ms = kMillisecond;

// A FIN on a connection that never carried data: tcp_fin() enters pingpong
// and the ACK is delayed by ato, which is 0 before any data, so the timer
// fires on the next tick (kernel: the ACK 0-4 ms after the FIN).
TEST(AckPolicyLinux, Rfc1122_4_2_3_2_FinWithoutDataIsAckedOnTheNextTick) {
  Endpoint ep = reach(State::Established, linux_data_config(), /*passive=*/true);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1), 1001 * ms);
  EXPECT_EQ(ep.state(), State::CloseWait);
  EXPECT_TRUE(SentNothing(out));
  // 1001 ms is in jiffy 250; the next tick is jiffy 251 = 1004 ms.
  EXPECT_EQ(armed_for(out, TimerKind::DelayedAck), 3 * ms);
  out = expire(ep, TimerKind::DelayedAck, 1004 * ms);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 2));
}

// ... so a close() before that tick sends one FIN,ACK that carries the ACK
// (the kernel recording: no separate pure ACK).
TEST(AckPolicyLinux, Rfc1122_4_2_3_2_CloseBeforeTheTickSendsOneFinAck) {
  Endpoint ep = reach(State::Established, linux_data_config(), /*passive=*/true);
  arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1), 1001 * ms);
  Outbox out;
  ASSERT_EQ(ep.close(1002 * ms, out), Error::None);
  EXPECT_TRUE(SentOne(out, kFin | kAck, kIss + 1, kIrs + 2));
  EXPECT_TRUE(cancelled(out, TimerKind::DelayedAck));
  EXPECT_EQ(ep.state(), State::LastAck);
}

// Quick ACKs at the start (tcp_incr_quickack(): min(rcv_wnd / (2 rcv_mss),
// TCP_MAX_QUICKACKS)): the first data segments are acknowledged at once.
TEST(AckPolicyLinux, Rfc5681_4_2_FirstDataIsAckedAtOnceInQuickAckMode) {
  Endpoint ep = reach(State::Established, linux_data_config(), /*passive=*/true);
  for (int i = 0; i < 3; ++i) {
    const Seq s = kIrs + 1 + static_cast<Seq>(100 * i);
    Outbox out = arrive(ep, seg(kAck | kPsh, s, kIss + 1, std::string(100, 'a')), (10 + i) * ms);
    EXPECT_TRUE(SentOne(out, kAck, kIss + 1, s + 100)) << i;
  }
}

// Pingpong: the receiver replied with data within ato of the request, so
// the connection is interactive; the next request's ACK waits for the
// delayed-ACK timer, TCP_ATO_MIN = 40 ms (it would ride on a reply).
TEST(AckPolicyLinux, Rfc1122_4_2_3_2_InteractiveConnectionDelaysItsAck40ms) {
  Endpoint ep = reach(State::Established, linux_data_config(), /*passive=*/true);
  Outbox out = arrive(ep, seg(kAck | kPsh, kIrs + 1, kIss + 1, "req1"), 1000 * ms);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1 + 4));  // quick ACK
  out.clear();
  ASSERT_EQ(ep.send("rep1", 1000 * ms, out), Error::None);  // the reply: pingpong
  arrive(ep, seg(kAck, kIrs + 5, kIss + 1 + 4), 1010 * ms);
  out = arrive(ep, seg(kAck | kPsh, kIrs + 5, kIss + 5, "req2"), 1100 * ms);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(armed_for(out, TimerKind::DelayedAck), 40 * ms);  // 1100 ms is jiffy 275: fires at 285
  out = expire(ep, TimerKind::DelayedAck, 1140 * ms);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 5, kIrs + 9));
}

// RFC 9293 §3.10.7.4 / RFC 5681 §4.2: an out-of-order segment, a FIN among
// them, is acknowledged at once (with a SACK block when SACK is on).
TEST(AckPolicyLinux, Rfc5681_4_2_OutOfOrderFinIsAckedAtOnce) {
  Endpoint ep = reach(State::Established, linux_data_config(), /*passive=*/true);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1 + 100, kIss + 1), 10 * ms);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1)) << describe(out);
  EXPECT_EQ(ep.state(), State::Established);
}

TEST(AckPolicyRfc9293, Rfc5681_4_2_OutOfOrderFinIsAckedAtOnce) {
  Endpoint ep = reach(State::Established, Config{}, /*passive=*/true);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1 + 100, kIss + 1), 10 * ms);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1)) << describe(out);
}

}  // namespace
}  // namespace tcpsim::test
