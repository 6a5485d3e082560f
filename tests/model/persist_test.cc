// Zero-window probing as Linux does it (net/ipv4/tcp_timer.c
// tcp_probe_timer, tcp_output.c tcp_send_probe0, tcp_input.c tcp_ack_probe),
// within RFC 9293 §3.8.6.1 and RFC 1122 §4.2.2.17. HZ 250: timers fire on
// 4 ms ticks; a delay is rounded up to whole jiffies.
#include "model/persist.h"

#include <gtest/gtest.h>

namespace tcpsim::model {
namespace {

constexpr Duration ms = kMillisecond;
constexpr Duration s = kSecond;

TEST(Persist, Rfc9293_3_8_6_1_ProbeIsAnEmptySegmentAtSndUnaMinusOne) {
  // tcp_xmit_probe_skb: sequence number snd_una - 1, no data: an old
  // sequence number the receiver must answer with an ACK and its window.
  EXPECT_EQ(zero_window_probe_seq(1001), 1000u);
  EXPECT_EQ(zero_window_probe_seq(0), 0xffffffffu);  // modulo 2^32
}

TEST(Persist, LinuxProbe0Base_FirstProbeAfterTheRtoAtLeastRtoMin) {
  // tcp_probe0_base = max(icsk_rto, TCP_RTO_MIN). At 10 s (jiffy 2500):
  // RTO 204 ms = 51 jiffies -> jiffy 2551 = 10.204 s; RTO 100 ms -> 200 ms.
  Persist p;
  EXPECT_EQ(p.start(10 * s, 204 * ms), 10 * s + 204 * ms);
  Persist q;
  EXPECT_EQ(q.start(10 * s, 100 * ms), 10 * s + 200 * ms);
}

TEST(Persist, Rfc9293_3_8_6_1_ProbeIntervalDoublesUpToRtoMax) {
  // tcp_send_probe0: backoff++, next = probe0_base << backoff, at most
  // TCP_RTO_MAX: 200 ms -> 400, 800, ... 102.4 s, then 120 s.
  Persist p;
  Time t = p.start(0, 200 * ms);
  ASSERT_EQ(t, 200 * ms);
  Duration interval = 200 * ms;
  for (int i = 1; i <= 12; ++i) {
    const Persist::Step step = p.on_timer(t, 200 * ms);
    ASSERT_EQ(step.action, Persist::Action::Probe) << i;
    interval = std::min(interval * 2, 120 * s);
    EXPECT_EQ(step.next - t, interval) << "after probe " << i;
    t = step.next;
  }
  EXPECT_EQ(p.backoff(), 12u);
  EXPECT_EQ(interval, 120 * s);  // 200 ms << 10 = 204.8 s was capped
}

TEST(Persist, LinuxProbeTimer_AbortsAfterRetries2UnansweredProbes) {
  // tcp_probe_timer: icsk_probes_out >= tcp_retries2 (15) -> tcp_write_err.
  Persist p;
  Time t = p.start(0, 200 * ms);
  for (int i = 1; i <= 15; ++i) {
    const Persist::Step step = p.on_timer(t, 200 * ms);
    ASSERT_EQ(step.action, Persist::Action::Probe) << i;
    t = step.next;
  }
  EXPECT_EQ(p.probes_out(), 15u);
  EXPECT_EQ(p.on_timer(t, 200 * ms).action, Persist::Action::Abort);
}

TEST(Persist, Rfc1122_4_2_2_17_AnsweredProbesKeepTheConnectionOpen) {
  // tcp_ack zeroes icsk_probes_out on every ACK; tcp_ack_probe re-arms with
  // the current backoff while the window stays shut. 40 answered probes,
  // no abort; the interval stays capped at 120 s.
  Persist p;
  Time t = p.start(0, 200 * ms);
  for (int i = 0; i < 40; ++i) {
    const Persist::Step step = p.on_timer(t, 200 * ms);
    ASSERT_EQ(step.action, Persist::Action::Probe) << i;
    t = p.on_ack(step.next - 100 * ms, 200 * ms, false);
    EXPECT_EQ(p.probes_out(), 0u);
  }
  EXPECT_EQ(p.backoff(), 15u);  // icsk_backoff stops at tcp_retries2
}

TEST(Persist, LinuxAckProbe_AckKeepsTheBackoffWhileTheWindowIsShut) {
  // After two probes (backoff 2) an ACK with a zero window at 1.5 s (jiffy
  // 375) re-arms at 200 ms << 2 = 800 ms: jiffy 575 = 2.3 s.
  Persist p;
  Time t = p.start(0, 200 * ms);
  t = p.on_timer(t, 200 * ms).next;
  p.on_timer(t, 200 * ms);
  EXPECT_EQ(p.on_ack(1500 * ms, 200 * ms, false), 2300 * ms);
  EXPECT_EQ(p.backoff(), 2u);
}

TEST(Persist, LinuxAckProbe_WindowOpeningStopsProbingAndResetsBackoff) {
  Persist p;
  Time t = p.start(0, 200 * ms);
  p.on_timer(t, 200 * ms);
  EXPECT_EQ(p.on_ack(300 * ms, 200 * ms, true), kTimeMax);
  EXPECT_FALSE(p.armed());
  EXPECT_EQ(p.backoff(), 0u);
  EXPECT_EQ(p.on_timer(400 * ms, 200 * ms).action, Persist::Action::None);  // a stale timer
}

TEST(Persist, LinuxSharedBackoff_StartsFromTheRetransmissionBackoff) {
  // icsk_backoff is shared with the RTO: probing that starts with backoff 3
  // sends its first probe after the RTO (tcp_check_probe_timer uses the
  // base), then waits 200 ms << 4 = 3.2 s.
  Persist p;
  const Time first = p.start(0, 200 * ms, 3);
  EXPECT_EQ(first, 200 * ms);
  EXPECT_EQ(p.on_timer(first, 200 * ms).next, first + 3200 * ms);
}

}  // namespace
}  // namespace tcpsim::model
