// model/rtt_estimator: RFC 6298's estimator (the rfc9293 profile), Linux's
// tcp_rtt_estimator()/tcp_set_rto() (net/ipv4/tcp_input.c) and the min-RTT
// filter of lib/win_minmax.c. Expected values are worked out in the comments
// from the RFC's formulas and from the kernel functions named.
#include "model/rtt_estimator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace tcpsim::test {
namespace {

using model::RtoEstimator;
using model::RttConfig;
using model::RttFlavor;
using model::RttSample;
using model::WindowedMin;

constexpr Duration us = kMicrosecond;
constexpr Duration ms = kMillisecond;
constexpr Duration s = kSecond;

RttSample at(Duration rtt, Time now = 0, Seq una = 0, Seq nxt = 0) {
  RttSample x;
  x.rtt = rtt;
  x.now = now;
  x.snd_una = una;
  x.snd_nxt = nxt;
  return x;
}

RttConfig rfc(Duration rto_min = 1 * s) {
  RttConfig c;
  c.rto_min = rto_min;
  return c;
}

RttConfig linux_cfg(Duration rto_min = 200 * ms) {
  RttConfig c;
  c.flavor = RttFlavor::Linux;
  c.rto_min = rto_min;
  return c;
}

// ------------------------------------------------------------ RFC 6298

TEST(RttEstimator, Rfc6298_2_1_RtoIsOneSecondBeforeAnySample) {
  RtoEstimator e(rfc());
  EXPECT_FALSE(e.has_sample());
  EXPECT_EQ(e.rto(), 1 * s);
  EXPECT_EQ(e.min_rtt(), kTimeMax);
}

// R = 10 ms: SRTT = 10, RTTVAR = 5, SRTT + 4 RTTVAR = 30 ms.
TEST(RttEstimator, Rfc6298_2_2_FirstSampleSetsSrttAndHalfOfItAsRttvar) {
  RtoEstimator e(rfc(1 * ms));
  ASSERT_TRUE(e.sample(at(10 * ms)));
  EXPECT_EQ(e.srtt(), 10 * ms);
  EXPECT_EQ(e.rttvar(), 5 * ms);
  EXPECT_EQ(e.rto(), 30 * ms);
}

TEST(RttEstimator, Rfc6298_2_4_RtoBelowOneSecondIsRoundedUp) {
  RtoEstimator e(rfc());
  e.sample(at(10 * ms));
  EXPECT_EQ(e.rto(), 1 * s);
}

// R' = 30 ms after R = 10 ms: RTTVAR = 3/4*5 + 1/4*|10-30| = 8.75 ms (with
// the old SRTT), SRTT = 7/8*10 + 1/8*30 = 12.5 ms, RTO = 12.5 + 35 = 47.5 ms.
TEST(RttEstimator, Rfc6298_2_3_RttvarIsUpdatedWithTheOldSrtt) {
  RtoEstimator e(rfc(1 * ms));
  e.sample(at(10 * ms));
  e.sample(at(30 * ms));
  EXPECT_EQ(e.rttvar(), 8750 * us);
  EXPECT_EQ(e.srtt(), 12500 * us);
  EXPECT_EQ(e.rto(), 47500 * us);
}

TEST(RttEstimator, Rfc6298_2_5_RtoIsCappedByTheMaximum) {
  RttConfig c = rfc();
  c.rto_max = 60 * s;
  RtoEstimator e(c);
  e.sample(at(20 * s));  // 20 + 4 * 10 = 60 s: at the cap
  EXPECT_EQ(e.rto(), 60 * s);
  e.sample(at(50 * s));  // RTTVAR = 15 s, SRTT = 23.75 s: 83.75 s, capped
  EXPECT_EQ(e.rto(), 60 * s);
}

TEST(RttEstimator, Rfc6298_3_KarnRefusesASampleFromARetransmission) {
  RtoEstimator e(rfc(1 * ms));
  e.sample(at(10 * ms));
  RttSample r = at(400 * ms);
  r.retransmitted = true;
  EXPECT_FALSE(e.sample(r));
  EXPECT_EQ(e.srtt(), 10 * ms);
  EXPECT_EQ(e.rto(), 30 * ms);
}

// RFC 7323 §4.1 ("RTTM"): the timestamp echo says which transmission was
// acknowledged, so a retransmitted segment may be timed by it.
TEST(RttEstimator, Rfc7323_4_1_TimestampSampleOfARetransmissionIsTaken) {
  RtoEstimator e(rfc(1 * ms));
  e.sample(at(10 * ms));
  RttSample r = at(10 * ms);
  r.retransmitted = true;
  r.from_timestamp = true;
  EXPECT_TRUE(e.sample(r));
  EXPECT_EQ(e.rttvar(), 3750 * us);  // 3/4 * 5 + 1/4 * 0
}

// 1, 2, 4, 8, 16, 32, 64 s, then the 120 s cap.
TEST(RttEstimator, Rfc6298_5_5_BackoffDoublesUpToRtoMax) {
  RtoEstimator e(rfc());
  const std::vector<Duration> want = {2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 64 * s, 120 * s, 120 * s};
  for (Duration w : want) {
    e.backoff();
    EXPECT_EQ(e.rto(), w);
  }
}

TEST(RttEstimator, Rfc6298_5_7_ThreeSecondsAfterASynTimeoutWithoutSample) {
  RtoEstimator e(rfc());
  e.backoff();
  e.after_syn_timeout(3 * s);
  EXPECT_EQ(e.rto(), 3 * s);
  RtoEstimator sampled(rfc());
  sampled.sample(at(10 * ms));
  sampled.after_syn_timeout(3 * s);
  EXPECT_EQ(sampled.rto(), 1 * s) << "a sample was taken: §5.7 does not apply";
}

// Linux clamps samples to 1 us; a zero RTT (loopback at once) is 1 us.
TEST(RttEstimator, Linux_ZeroRttSampleCountsAsOneMicrosecond) {
  RtoEstimator e(rfc(1 * ms));
  e.sample(at(0));
  EXPECT_EQ(e.srtt(), 1 * us);
  EXPECT_EQ(e.min_rtt(), 1 * us);
  RtoEstimator l(linux_cfg());
  l.sample(at(0));
  EXPECT_EQ(l.srtt(), 1 * us);
}

// ------------------------------------------------ the engine, unchanged

// What model/engine.cc computes today (rtt_sample(), backoff()) for the
// rfc9293 profile's values (sim/profile.cc: rto_initial 1 s, rto_min 1 s,
// rto_max 120 s, rto_min_on_variance off) and for the linux profile's
// (rto_min 200 ms, rto_min_on_variance on): the estimator, fed the same
// samples, arms the same RTO, so integrating it changes no golden output.
void expect_same_as_engine(const Config& cfg) {
  Endpoint ep(cfg);
  Outbox o;
  ep.open_active(kIss, 0, o);
  ep.segment_arrives(seg(kSyn | kAck, kIrs, kIss + 1), 10 * ms, o);
  RttConfig rc;
  rc.rto_initial = cfg.rto_initial;
  rc.rto_min = cfg.rto_min;
  rc.rto_max = cfg.rto_max;
  rc.rto_min_on_variance = cfg.rto_min_on_variance;
  RtoEstimator e(rc);
  e.sample(at(10 * ms));
  Seq acked = kIss + 1;
  Time now = 100 * ms;
  for (Duration r : {30 * ms, 5 * ms, 80 * ms, 12 * ms, 1500 * ms, 7 * ms, 250 * us}) {
    o.clear();
    ASSERT_EQ(ep.send(std::string(10, 'x'), now, o), model::Error::None);
    const Duration armed_rto = armed_for(o, TimerKind::Retransmission);
    EXPECT_EQ(armed_rto, e.rto()) << "before the sample " << r;
    acked += 10;
    o.clear();
    ep.segment_arrives(seg(kAck, kIrs + 1, acked), now + r, o);
    e.sample(at(r));
    EXPECT_EQ(ep.tcb().rtt.srtt, e.srtt()) << r;
    EXPECT_EQ(ep.tcb().rtt.rttvar, e.rttvar()) << r;
    EXPECT_EQ(ep.tcb().rtt.rto, e.rto()) << r;
    now += r + 100 * ms;
  }
  // and the backoff of a timeout
  o.clear();
  ASSERT_EQ(ep.send(std::string(10, 'x'), now, o), model::Error::None);
  o.clear();
  ep.timeout(TimerKind::Retransmission, now + e.rto(), o);
  e.backoff();
  EXPECT_EQ(armed_for(o, TimerKind::Retransmission), e.rto()) << describe(o);
}

TEST(RttEstimator, Rfc6298_ReproducesTheEngineForTheRfc9293Profile) {
  Config cfg;  // the rfc9293 profile's RTO values are Config's defaults
  cfg.rto_initial = 1 * s;
  cfg.rto_min = 1 * s;
  cfg.rto_max = 120 * s;
  cfg.rto_min_on_variance = false;
  expect_same_as_engine(cfg);
}

TEST(RttEstimator, Rfc6298_ReproducesTheEngineForTheLinuxProfileFormula) {
  Config cfg;
  cfg.rto_min = 200 * ms;
  cfg.rto_min_on_variance = true;
  expect_same_as_engine(cfg);
}

// ------------------------------------------------ Linux tcp_rtt_estimator

// First sample 10 ms: srtt = 10 ms, mdev = 2 * 10 = 20 ms ("make sure rto =
// 3*rtt"), rttvar = max(mdev, rto_min) = 200 ms: RTO = 210 ms.
TEST(RttEstimator, Linux_FirstSampleRtoIsSrttPlusRtoMin) {
  RtoEstimator e(linux_cfg());
  e.sample(at(10 * ms));
  EXPECT_EQ(e.srtt(), 10 * ms);
  EXPECT_EQ(e.rttvar(), 5 * ms);  // mdev / 4, RFC 6298's RTTVAR
  EXPECT_EQ(e.rto_variance(), 200 * ms);
  EXPECT_EQ(e.rto(), 210 * ms);
}

// usecs_to_jiffies() rounds up: 210 ms at HZ=250 is 52.5 jiffies -> 53 = 212 ms.
TEST(RttEstimator, Linux_RtoIsRoundedUpToWholeJiffies) {
  RttConfig c = linux_cfg();
  c.jiffy = 4 * ms;
  RtoEstimator e(c);
  e.sample(at(10 * ms));
  EXPECT_EQ(e.rto(), 212 * ms);
}

// 100 ms then 20 ms in the same round. srtt = 100 + (20 - 100)/8 = 90 ms.
// The error is negative: |m| - mdev/4 = 80 - 50 = 30 ms, and Linux takes an
// eighth of it (gain 1/32): mdev = 200 + 3.75 = 203.75 ms, which raises
// mdev_max and rttvar: RTO = 90 + 203.75 = 293.75 ms. RFC 6298's gain 1/4
// would give 90 + max(4 * 57.5, 200) = 320 ms.
TEST(RttEstimator, Linux_FallingSampleMovesMdevWithGainOneThirtySecond) {
  RtoEstimator e(linux_cfg());
  e.sample(at(100 * ms, 0, 0, 1000));
  e.sample(at(20 * ms, 0, 500, 1000));  // SND.UNA not past rtt_seq = 1000
  EXPECT_EQ(e.srtt(), 90 * ms);
  EXPECT_EQ(e.rto(), 293750 * us);
}

// rto_min 10 ms. 100 ms (rtt_seq = 1000): mdev = 200 ms = rttvar = mdev_max.
// 100 ms with SND.UNA past 1000: mdev = 200 - 50 = 150; the round ends,
// rttvar (200) is not above mdev_max (200): RTO = 300 ms; mdev_max <- 10 ms.
// 100 ms with SND.UNA past 2000: mdev = 150 - 37.5 = 112.5 = mdev_max; the
// round ends and rttvar falls a quarter of the way: 200 - 87.5/4 =
// 178.125 ms: RTO = 278.125 ms.
TEST(RttEstimator, Linux_RttvarDecaysAQuarterPerRoundTowardMdevMax) {
  RtoEstimator e(linux_cfg(10 * ms));
  e.sample(at(100 * ms, 0, 0, 1000));
  EXPECT_EQ(e.rto(), 300 * ms);
  e.sample(at(100 * ms, 0, 1001, 2000));
  EXPECT_EQ(e.rto(), 300 * ms);
  e.sample(at(100 * ms, 0, 2001, 3000));
  EXPECT_EQ(e.rto_variance(), 178125 * us);
  EXPECT_EQ(e.rto(), 278125 * us);
}

// ------------------------------------------------ Linux min-RTT filter

TEST(RttEstimator, Linux_MinRttIsTheSmallestSample) {
  RtoEstimator e(linux_cfg());
  e.sample(at(30 * ms, 1 * s));
  e.sample(at(10 * ms, 2 * s));
  e.sample(at(20 * ms, 3 * s));
  EXPECT_EQ(e.min_rtt(), 10 * ms);
}

// Samples 10, 20, 30, 40 ms at 0, 100, 200, 301 s, window 300 s: at 301 s
// the 10 ms sample has left the window; the minimum of what is in it
// (100..301 s) is 20 ms. Traced through win_minmax: at 100 s the second
// choice becomes (100 s, 20) (a quarter of the window passed), at 200 s the
// third (200 s, 30) (half passed), at 301 s the window slides: s[0] = (100 s, 20).
TEST(RttEstimator, Linux_MinRttFilterForgetsAMinimumOlderThanTheWindow) {
  WindowedMin f;
  const Duration w = 300 * s;
  EXPECT_EQ(f.update(0, w, 10), 10u);
  EXPECT_EQ(f.update(100 * s, w, 20), 10u);
  EXPECT_EQ(f.update(200 * s, w, 30), 10u);
  EXPECT_EQ(f.update(301 * s, w, 40), 20u);
}

// tcp_update_rtt_min(): with FLAG_ACK_MAYBE_DELAYED a sample above the
// minimum is not taken (it may include the peer's ACK delay).
TEST(RttEstimator, Linux_PossiblyDelayedAckDoesNotFeedTheMinRttFilter) {
  RttConfig c = linux_cfg();
  c.min_rtt_window = 10 * s;
  RtoEstimator e(c);
  e.sample(at(10 * ms, 0));
  RttSample d = at(50 * ms, 11 * s);
  d.ack_maybe_delayed = true;
  e.sample(d);
  EXPECT_EQ(e.min_rtt(), 10 * ms) << "the delayed sample would have replaced the expired minimum";
  e.sample(at(50 * ms, 12 * s));
  EXPECT_EQ(e.min_rtt(), 50 * ms);
}

}  // namespace
}  // namespace tcpsim::test
