// CUBIC as Linux's net/ipv4/tcp_cubic.c computes it. Every expected value is
// worked out by hand from that file's arithmetic (the derivation is in the
// comment); packetdrill's slow_start scripts (the kernel's default, CUBIC)
// are the oracle for slow start.
//
// Constants (cubictcp_register, at module load):
//   beta_scale     = 8 * (1024 + 717) / 3 / (1024 - 717) = 4642 / 307 = 15
//   cube_rtt_scale = 41 * 10 = 410                (1024 * C, C ~ 0.4)
//   cube_factor    = 2^40 / 410 = 2681735677      (K = cbrt(cube_factor * dW))
#include "model/cubic.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tcpsim::model::cc {
namespace {

constexpr Duration ms = kMillisecond;
constexpr Duration us = kMicrosecond;

Path at(Time now, Seq snd_una = 0, Seq snd_nxt = 0) {
  Path p;
  p.now = now;
  p.snd_una = snd_una;
  p.snd_nxt = snd_nxt;
  return p;
}

Delivery acked(std::uint32_t segments, Duration rtt = -1) {
  Delivery d;
  d.segments = segments;
  d.rtt = rtt;
  return d;
}

// ------------------------------------------------------------ cubic_root

TEST(LinuxCubicRoot, SmallOperandsAreRoundedFromTheTable) {
  // a < 64: (v[a] + 35) >> 6 with v[a] = cbrt(a << 18) - 1.
  EXPECT_EQ(cubic_root(0), 0u);
  EXPECT_EQ(cubic_root(1), 1u);
  EXPECT_EQ(cubic_root(8), 2u);
  EXPECT_EQ(cubic_root(27), 3u);
  EXPECT_EQ(cubic_root(63), 4u);  // cbrt(63) = 3.98
}

TEST(LinuxCubicRoot, KAfterALossOfThirtySegments) {
  // a = cube_factor * 30 = 80452070310. fls64(a) = 37 (2^36 <= a < 2^37);
  // b = (37 * 84 >> 8) - 1 = 11; top = a >> 33 = 9;
  // v[9] = cbrt(9 << 18 = 2359296) - 1 = 133 - 1 = 132;
  // x = ((132 + 10) << 11) >> 6 = 4544;
  // Newton: 2 * 4544 + a / (4544 * 4543) = 9088 + 3897 = 12985;
  // x = 12985 * 341 >> 10 = 4324. (True root 4316.97: 0.16 % high.)
  EXPECT_EQ(cubic_root(80452070310ull), 4324u);
}

TEST(LinuxCubicRoot, WithinHalfAPercentOfTheTrueRootOverCubicsRange) {
  // The kernel's comment promises an average error of about 0.2 %; over the
  // operands CUBIC produces (cube_factor times 1 .. 10^6 segments) none is
  // off by more than 0.5 %, against the C library's cbrt.
  for (std::uint64_t dw = 1; dw <= 1'000'000; dw = dw * 3 + 1) {
    const std::uint64_t a = 2681735677ull * dw;
    const double truth = std::cbrt(static_cast<double>(a));
    EXPECT_NEAR(cubic_root(a), truth, truth * 0.005) << "dW = " << dw;
  }
}

// ---------------------------------------------------- loss and the epoch

// A CUBIC sender at cwnd 100 in congestion avoidance that has just lost a
// segment and left recovery at ssthresh; the first ACK after it (at
// `t0`, with an RTT sample of 100 ms) starts the epoch.
Cubic after_loss_at_100(Time t0) {
  CubicParams prm;
  prm.hystart = false;
  Cubic c(prm);
  c.set_cwnd(100);
  c.on_congestion_event(at(0));
  c.on_recovery_end(at(0));
  c.on_ack(at(t0), acked(1, 100 * ms));
  return c;
}

TEST(LinuxCubic, BetaIs717Over1024AfterLoss) {
  // cubictcp_recalc_ssthresh: max(cwnd * 717 / 1024, 2) = 71700 / 1024 = 70;
  // W_max (last_max_cwnd) = 100, the first loss (no fast convergence).
  Cubic c;
  c.set_cwnd(100);
  c.on_congestion_event(at(0));
  EXPECT_EQ(c.ssthresh(), 70u);
  EXPECT_EQ(c.last_max_cwnd(), 100u);
  c.on_recovery_end(at(0));
  EXPECT_EQ(c.cwnd(), 70u);  // tcp_end_cwnd_reduction: cwnd = ssthresh
  Cubic small;
  small.set_cwnd(2);
  small.on_congestion_event(at(0));
  EXPECT_EQ(small.ssthresh(), 2u);  // 2 * 717 / 1024 = 1, at least 2
}

TEST(LinuxCubic, Rfc9438_4_7_FastConvergenceLowersWmaxBelowTheLastPeak) {
  // A loss at 100 below the previous W_max 120: W_max = 100 * (1024 + 717)
  // / 2048 = 174100 / 2048 = 85; ssthresh still 100 * 717 / 1024 = 70.
  Cubic c;
  c.set_cwnd(120);
  c.on_congestion_event(at(0));
  c.set_cwnd(100);
  c.on_congestion_event(at(0));
  EXPECT_EQ(c.last_max_cwnd(), 85u);
  EXPECT_EQ(c.ssthresh(), 70u);
  CubicParams off;
  off.fast_convergence = false;
  Cubic d(off);
  d.set_cwnd(120);
  d.on_congestion_event(at(0));
  d.set_cwnd(100);
  d.on_congestion_event(at(0));
  EXPECT_EQ(d.last_max_cwnd(), 100u);
}

TEST(LinuxCubic, EpochStartComputesKAndTheConcaveIncrement) {
  // First ACK after recovery (cwnd 70 = ssthresh: congestion avoidance):
  // epoch starts, K = cubic_root(cube_factor * (100 - 70)) = 4324 (above).
  // delay_min = 100 ms -> usecs_to_jiffies = 25 jiffies at HZ 250;
  // t = (0 + 25) << 10 / 250 = 102; offs = 4324 - 102 = 4222;
  // delta = 410 * 4222^3 >> 40 = 410 * 75258349048 >> 40 = 28;
  // target = 100 - 28 = 72 (below origin); cnt = 70 / (72 - 70) = 35.
  const Cubic c = after_loss_at_100(1000 * ms);
  EXPECT_EQ(c.k(), 4324u);
  EXPECT_EQ(c.delay_min_us(), 100000u);
  EXPECT_EQ(c.cnt(), 35u);
  EXPECT_EQ(c.cwnd(), 70u);
}

TEST(LinuxCubic, ConcaveRegionAddsOneSegmentPer35Acked) {
  // With cnt = 35, tcp_cong_avoid_ai adds 1 when 35 segments are counted.
  // ACKs within HZ/32 = 7 jiffies of the last update with an unchanged
  // cwnd skip the recomputation, so cnt stays 35.
  Cubic c = after_loss_at_100(1000 * ms);  // 1 counted
  for (int i = 0; i < 33; ++i) c.on_ack(at(1001 * ms), acked(1));
  EXPECT_EQ(c.cwnd(), 70u);  // 34 counted
  c.on_ack(at(1002 * ms), acked(1));
  EXPECT_EQ(c.cwnd(), 71u);  // 35th
}

TEST(LinuxCubic, TargetReachesWmaxAtK) {
  // 1030 jiffies (4.12 s) after the epoch: t = (1030 + 25) << 10 / 250 =
  // 4321; offs = 3; delta = 410 * 27 >> 40 = 0: target = W_max = 100;
  // cnt = 70 / (100 - 70) = 2 (the floor of 2 as well).
  Cubic c = after_loss_at_100(1000 * ms);
  c.on_ack(at(1000 * ms + 1030 * 4 * ms), acked(1));
  EXPECT_EQ(c.cnt(), 2u);
}

TEST(LinuxCubic, TxStartAfterIdleShiftsTheEpoch) {
  // cubictcp_cwnd_event(CA_EVENT_TX_START): idle 1 s (250 jiffies) moves
  // epoch_start by 250. The next ACK 8 jiffies later then sees
  // t = (8 + 25) << 10 / 250 = 135, offs = 4189, delta = 410 * 4189^3 >> 40
  // = 27, target 73, cnt = 70 / 3 = 23. Without the shift the epoch is 258
  // jiffies old: t = 1159, offs = 3165, delta = 11, target 89, cnt = 70 / 19 = 3.
  const Time t0 = 1000 * ms;
  const Time resume = t0 + 1000 * ms;
  Cubic shifted = after_loss_at_100(t0);
  shifted.on_tx_start(resume, t0);
  shifted.on_ack(at(resume + 8 * 4 * ms), acked(1));
  EXPECT_EQ(shifted.cnt(), 23u);
  Cubic plain = after_loss_at_100(t0);
  plain.on_ack(at(resume + 8 * 4 * ms), acked(1));
  EXPECT_EQ(plain.cnt(), 3u);
}

TEST(LinuxCubic, Rfc9438_4_3_TcpFriendlinessGrowsLikeRenoWhenCubicIsSlower) {
  // Reach congestion avoidance at cwnd 100 with W_max = 100: initial
  // ssthresh 50, cwnd 100, a loss (W_max 100, ssthresh 70, prior_ssthresh
  // max(50, 75) = 75) then undo: cwnd 100, ssthresh 75.
  // ACK 1 at T (RTT 100 ms): epoch; W_max <= cwnd so K = 0, origin 100;
  // t = 102, delta = 410 * 102^3 >> 40 = 0: target 100, not above cwnd:
  // cnt = 100 * cwnd = 10000. tcp_cwnd = 100, ack_cnt = 1.
  // ACK of 100 at T + 8 jiffies: ack_cnt 101 <= (100 * 15) >> 3 = 187; cnt
  // 10000; cwnd_cnt 1 + 100 = 101.
  // ACK of 100 at T + 16 jiffies: ack_cnt 201 > 187: tcp_cwnd 101, ack_cnt
  // 14; Reno is ahead by 1: cnt = min(10000, 100 / 1) = 100. Then
  // tcp_cong_avoid_ai(100, 100): cwnd_cnt 101 >= 100 -> cwnd 101, cnt 0;
  // += 100 -> cwnd 102. Without friendliness cwnd stays 100.
  for (bool friendly : {true, false}) {
    CubicParams prm;
    prm.hystart = false;
    prm.initial_ssthresh = 50;
    prm.tcp_friendliness = friendly;
    Cubic c(prm);
    c.set_cwnd(100);
    c.on_congestion_event(at(0));
    c.undo();
    ASSERT_EQ(c.cwnd(), 100u);
    ASSERT_EQ(c.ssthresh(), 75u);
    const Time t = 2000 * ms;
    c.on_ack(at(t), acked(1, 100 * ms));
    EXPECT_EQ(c.cnt(), 10000u);
    c.on_ack(at(t + 8 * 4 * ms), acked(100));
    c.on_ack(at(t + 16 * 4 * ms), acked(100));
    EXPECT_EQ(c.cwnd(), friendly ? 102u : 100u) << "friendliness " << friendly;
  }
}

TEST(LinuxCubic, WithoutAPreviousMaximumGrowsAtLeastFivePercentPerRtt) {
  // last_max_cwnd == 0 (no loss yet, slow start ended by initial_ssthresh):
  // K = 0, origin = cwnd, target ~ cwnd, cnt would be 100 * cwnd; capped at 20.
  CubicParams prm;
  prm.hystart = false;
  prm.initial_ssthresh = 10;
  Cubic c(prm);
  c.on_ack(at(1000 * ms), acked(1, 100 * ms));
  EXPECT_EQ(c.cnt(), 20u);
}

TEST(LinuxCubic, RtoResetsCubicStateAndLeavesCwndFlightPlusOne) {
  // tcp_enter_loss: ssthresh = 100 * 717 / 1024 = 70, cwnd = 0 + 1; then
  // cubictcp_state(TCP_CA_Loss) -> bictcp_reset: W_max forgotten.
  Cubic c;
  c.set_cwnd(100);
  c.on_rto(at(0), true);
  EXPECT_EQ(c.ssthresh(), 70u);
  EXPECT_EQ(c.cwnd(), 1u);
  EXPECT_EQ(c.last_max_cwnd(), 0u);
}

TEST(LinuxCubic, UndoIsRenoUndo) {
  // .undo_cwnd = tcp_reno_undo_cwnd: cwnd = max(cwnd, prior_cwnd).
  Cubic c;
  c.set_cwnd(100);
  c.on_congestion_event(at(0));
  c.set_cwnd(60);
  c.undo();
  EXPECT_EQ(c.cwnd(), 100u);
  EXPECT_EQ(c.ssthresh(), kInfiniteSsthresh);  // prior: max(inf, 75)
}

// ------------------------------------------------------------ slow start

TEST(LinuxCubic, PacketdrillSlowStartAckPer1PktReachesTwenty) {
  // slow_start/slow-start-ack-per-1pkt.pkt (MSS 1000): 10 segments at 0.2 s,
  // ACKed one at a time at 0.305, 0.305, 0.310, 0.310, ... (pairs 5 ms
  // apart), each ACK clocking out two more: tcpi_snd_cwnd == 20. HyStart
  // (cwnd >= 16 from the 7th ACK) stays in its first round (end_seq 10001
  // is not passed): no train, as the round began 105 ms before, and only 4
  // of the 8 delay samples it needs.
  Cubic c;
  const Time start = 200 * ms;
  c.init(at(start, 1, 10001));
  Seq una = 1, nxt = 10001;
  for (int i = 0; i < 10; ++i) {
    const Time now = 305 * ms + (i / 2) * 5 * ms;
    una += 1000;
    Path p = at(now, una, nxt);
    c.on_ack(p, acked(1, now - start));
    nxt += 2000;
  }
  EXPECT_EQ(c.cwnd(), 20u);
  EXPECT_FALSE(c.hystart_found());
}

// Slow start from IW10 with one-segment ACKs `gap` apart and RTT samples
// rtt(i); the sender keeps two segments going out per ACK. Returns after
// `n` ACKs.
template <class Rtt>
Cubic slow_start(int n, Duration gap, Rtt rtt) {
  Cubic c;
  c.init(at(0, 0, 10));
  Seq una = 0, nxt = 10;
  for (int i = 1; i <= n; ++i) {
    una += 1;
    c.on_ack(at(100 * ms + i * gap, una, nxt), acked(1, rtt(i)));
    nxt += 2;
  }
  return c;
}

TEST(LinuxCubic, HystartAckTrainExitsWhenTheTrainPassesHalfTheMinRtt) {
  // RTT 10 ms: delay_min 10 ms, threshold = 10000 / 2 = 5000 us (no pacing).
  // ACKs 0.5 ms apart (<= 2 ms: a train). init() set round_start = last_ack
  // = 0 and end_seq = snd_nxt = 10. HyStart runs once cwnd >= 16 before the
  // ACK (ACK 7), but ACKs 7..10 are 100 ms after last_ack: not a train. ACK
  // 11 acknowledges past end_seq: a new round, round_start = last_ack = its
  // time. ACK k is (k - 11) * 500 us later: > 5000 first at k = 22, where
  // cwnd is 10 + 21 = 31 -> ssthresh 31.
  const auto rtt = [](int) { return 10 * ms; };
  const Cubic before = slow_start(21, 500 * us, rtt);
  EXPECT_FALSE(before.hystart_found());
  EXPECT_EQ(before.cwnd(), 31u);
  const Cubic after = slow_start(22, 500 * us, rtt);
  EXPECT_TRUE(after.hystart_found());
  EXPECT_EQ(after.ssthresh(), 31u);
  EXPECT_FALSE(after.in_slow_start());
}

TEST(LinuxCubic, HystartDelayExitsWhenTheRoundsMinRttRisesByMoreThanFourMs) {
  // ACKs 3 ms apart (no train). RTT 10 ms for ACKs 1..6, 15 ms from ACK 7.
  // ACKs 7..10 (cwnd >= 16) count 4 samples in the first round; ACK 11
  // passes end_seq = 10 and starts a new round (sample_cnt 0); ACKs 11..18
  // fill HYSTART_MIN_SAMPLES (8); at ACK 19 curr_rtt 15000 > delay_min
  // 10000 + clamp(10000 >> 3 = 1250, 4000, 16000) = 14000: found,
  // ssthresh = cwnd before ACK 19 = 28.
  const auto rise = [](int i) { return i < 7 ? 10 * ms : 15 * ms; };
  EXPECT_FALSE(slow_start(18, 3 * ms, rise).hystart_found());
  const Cubic c = slow_start(19, 3 * ms, rise);
  EXPECT_TRUE(c.hystart_found());
  EXPECT_EQ(c.ssthresh(), 28u);
  // 14 ms is the threshold itself, not above it: slow start goes on.
  const auto edge = [](int i) { return i < 7 ? 10 * ms : 14 * ms; };
  EXPECT_FALSE(slow_start(30, 3 * ms, edge).hystart_found());
}

TEST(LinuxCubic, HystartWaitsForLowWindowOf16) {
  // Six ACKs take cwnd from 10 to 16; before each, cwnd < hystart_low_window,
  // so even a doubled RTT ends nothing.
  const auto doubling = [](int i) { return i == 1 ? 10 * ms : 20 * ms; };
  const Cubic c = slow_start(6, 3 * ms, doubling);
  EXPECT_FALSE(c.hystart_found());
  EXPECT_EQ(c.cwnd(), 16u);
}

}  // namespace
}  // namespace tcpsim::model::cc
