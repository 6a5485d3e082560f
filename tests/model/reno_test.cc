// Reno: Linux's "reno" (segments, net/ipv4/tcp_cong.c) and the rfc9293
// profile's NewReno (bytes, RFC 5681 + RFC 6582 + RFC 3465), with the window
// arithmetic both Linux controllers share (LinuxWindow) and the initial
// windows. Oracles: the RFC text quoted beside each test; Linux's
// tcp_cong.c / tcp_input.c / tcp_output.c; the packetdrill scripts under
// ../shared/conformance/packetdrill/tcp/slow_start/ (named per test).
#include "model/reno.h"

#include <gtest/gtest.h>

namespace tcpsim::model::cc {
namespace {

constexpr Duration ms = kMillisecond;

Path at(Time now, std::uint32_t flight_segments = 0, std::uint64_t flight_bytes = 0) {
  Path p;
  p.now = now;
  p.flight_segments = flight_segments;
  p.flight_bytes = flight_bytes;
  return p;
}

Delivery acked(std::uint32_t segments, std::uint64_t bytes = 0) {
  Delivery d;
  d.segments = segments;
  d.bytes = bytes;
  return d;
}

// ------------------------------------------------------- initial windows

TEST(InitialWindow, Rfc6928_LinuxStartsWithTenSegments) {
  EXPECT_EQ(LinuxReno().cwnd(), 10u);
  EXPECT_EQ(LinuxReno().ssthresh(), kInfiniteSsthresh);  // slow start until a loss
}

TEST(InitialWindow, Rfc5681_3_1_IwIsMin4SmssMax2Smss4380Bytes) {
  // "IW = min (4*SMSS, max (2*SMSS, 4380 bytes))", i.e. the RFC's table:
  // SMSS > 2190: 2 segments; 1095 < SMSS <= 2190: 3; SMSS <= 1095: 4.
  EXPECT_EQ(rfc5681_initial_window(1460), 4380u);  // 3 segments
  EXPECT_EQ(rfc5681_initial_window(2190), 4380u);  // 2 segments of 2190
  EXPECT_EQ(rfc5681_initial_window(4000), 8000u);  // 2 segments
  EXPECT_EQ(rfc5681_initial_window(1000), 4000u);  // 4 segments
  EXPECT_EQ(rfc5681_initial_window(536), 2144u);   // 4 segments
  EXPECT_EQ(RfcNewReno(1460).cwnd(), 4380u);
}

TEST(InitialWindow, UnitsAreLinuxSegmentsAndRfcBytesBehindOneInterface) {
  // The engine compares its flight with cwnd() in the controller's unit.
  LinuxReno linux_reno;
  RfcNewReno rfc(1460);
  const CongestionControl& a = linux_reno;
  const CongestionControl& b = rfc;
  EXPECT_EQ(a.unit(), Unit::Segments);
  EXPECT_EQ(b.unit(), Unit::Bytes);
  EXPECT_TRUE(a.in_slow_start());
  EXPECT_TRUE(b.in_slow_start());
}

// ------------------------------------------------------------- LinuxReno

TEST(LinuxReno, Rfc5681_3_1_SlowStartGrowsCwndBySegmentsAcked) {
  // packetdrill slow_start/slow-start-ack-per-1pkt.pkt: IW10, ten ACKs of one
  // segment each, tcpi_snd_cwnd == 20.
  LinuxReno r;
  for (int i = 0; i < 10; ++i) r.on_ack(at(i * ms), acked(1));
  EXPECT_EQ(r.cwnd(), 20u);
  // slow-start-ack-per-2pkt.pkt: an ACK of two segments adds two.
  r.on_ack(at(20 * ms), acked(2));
  EXPECT_EQ(r.cwnd(), 22u);
}

TEST(LinuxReno, LinuxSlowStart_StopsAtSsthreshAndGivesTheRestToCongestionAvoidance) {
  // tcp_slow_start: cwnd = min(cwnd + acked, ssthresh); what is left of
  // `acked` goes to tcp_cong_avoid_ai. Loss at 40 -> ssthresh 20; set 18.
  LinuxReno r;
  r.set_cwnd(40);
  r.on_congestion_event(at(0));
  EXPECT_EQ(r.ssthresh(), 20u);
  r.set_cwnd(18);  // below ssthresh, to cross it
  r.on_ack(at(1 * ms), acked(5));
  EXPECT_EQ(r.cwnd(), 20u);     // 18 + 2
  EXPECT_EQ(r.cwnd_cnt(), 3u);  // the other 3 counted towards +1
}

TEST(LinuxReno, Rfc5681_3_1_CongestionAvoidanceAddsOneSegmentPerWindowAcked) {
  // tcp_reno_cong_avoid -> tcp_cong_avoid_ai(tp, snd_cwnd, acked): at 20,
  // the 20th segment acknowledged makes it 21; then 21 more for 22.
  LinuxReno r;
  r.set_cwnd(40);
  r.on_congestion_event(at(0));
  r.on_recovery_end(at(0));
  ASSERT_EQ(r.cwnd(), 20u);
  for (int i = 0; i < 19; ++i) r.on_ack(at(i * ms), acked(1));
  EXPECT_EQ(r.cwnd(), 20u);
  r.on_ack(at(20 * ms), acked(1));
  EXPECT_EQ(r.cwnd(), 21u);
  for (int i = 0; i < 20; ++i) r.on_ack(at(30 * ms), acked(1));
  EXPECT_EQ(r.cwnd(), 21u);
  r.on_ack(at(40 * ms), acked(1));
  EXPECT_EQ(r.cwnd(), 22u);
}

TEST(LinuxReno, LinuxCongAvoidAi_StretchAckAddsOnePerWindowInOneStep) {
  // tcp_cong_avoid_ai: cwnd_cnt += acked; delta = cwnd_cnt / w segments.
  // At 20 an ACK of 45 segments: 45 / 20 = 2 added, 5 left over.
  LinuxReno r;
  r.set_cwnd(40);
  r.on_congestion_event(at(0));
  r.on_recovery_end(at(0));
  r.on_ack(at(1 * ms), acked(45));
  EXPECT_EQ(r.cwnd(), 22u);
  EXPECT_EQ(r.cwnd_cnt(), 5u);
}

TEST(LinuxReno, LinuxRenoSsthreshIsHalfCwndAtLeastTwo) {
  // tcp_reno_ssthresh: max(snd_cwnd >> 1, 2).
  LinuxReno r;
  r.set_cwnd(41);
  r.on_congestion_event(at(0));
  EXPECT_EQ(r.ssthresh(), 20u);
  LinuxReno s;
  s.set_cwnd(3);
  s.on_congestion_event(at(0));
  EXPECT_EQ(s.ssthresh(), 2u);
}

TEST(LinuxReno, Rfc7661_NoGrowthWhenNotCwndLimited) {
  // tcp_reno_cong_avoid returns at once unless tcp_is_cwnd_limited.
  LinuxReno r;
  Delivery d = acked(5);
  d.cwnd_limited = false;
  r.on_ack(at(0), d);
  EXPECT_EQ(r.cwnd(), 10u);
}

TEST(LinuxReno, LinuxIsCwndLimited_SlowStartGrowsToTwiceTheLargestFlight) {
  // packetdrill slow_start/slow-start-app-limited.pkt: 10 segments sent,
  // ACKed two at a time: cwnd 12, 14, 16, 18, 20 (tcp_is_cwnd_limited: in
  // slow start, grow while cwnd < 2 * max_packets_out = 20).
  LinuxReno r;
  const std::uint32_t want[] = {12, 14, 16, 18, 20};
  for (std::uint32_t w : want) {
    Delivery d = acked(2);
    d.cwnd_limited = linux_is_cwnd_limited(r.cwnd(), r.ssthresh(), 10, false);
    r.on_ack(at(0), d);
    EXPECT_EQ(r.cwnd(), w);
  }
  EXPECT_FALSE(linux_is_cwnd_limited(20, kInfiniteSsthresh, 10, false));
  EXPECT_TRUE(linux_is_cwnd_limited(20, kInfiniteSsthresh, 10, true));
  EXPECT_FALSE(linux_is_cwnd_limited(20, 15, 12, false));  // avoidance: only if it was limited
}

TEST(LinuxReno, LinuxEnterLoss_RtoSetsCwndToFlightPlusOneAndHalvesSsthreshOnce) {
  // tcp_enter_loss: ssthresh = ssthresh(sk) on the episode's first timeout
  // only; snd_cwnd = tcp_packets_in_flight + 1 (1 once all is marked lost).
  LinuxReno r;
  r.set_cwnd(30);
  r.on_rto(at(0, 0), true);
  EXPECT_EQ(r.ssthresh(), 15u);
  EXPECT_EQ(r.cwnd(), 1u);
  r.on_ack(at(1 * ms), acked(1));
  EXPECT_EQ(r.cwnd(), 2u);  // slow start again
  r.on_rto(at(2 * ms, 0), false);
  EXPECT_EQ(r.ssthresh(), 15u);  // a repeated timeout keeps it (not 1)
  EXPECT_EQ(r.cwnd(), 1u);
}

TEST(LinuxReno, LinuxUndo_RestoresPriorCwndAndSsthresh) {
  // tcp_undo_cwnd_reduction: cwnd = tcp_reno_undo_cwnd = max(cwnd,
  // prior_cwnd); ssthresh = prior_ssthresh if larger. prior_ssthresh was
  // tcp_current_ssthresh = max(ssthresh, 3/4 cwnd).
  LinuxReno r;
  r.set_cwnd(40);
  r.on_congestion_event(at(0));  // ssthresh 20, prior: cwnd 40, ssthresh inf
  r.on_recovery_end(at(0));
  r.on_ack(at(1 * ms), acked(1));
  r.on_congestion_event(at(2 * ms));  // at 20: ssthresh 10, prior_ssthresh max(20, 15) = 20
  r.set_cwnd(12);
  r.undo();
  EXPECT_EQ(r.cwnd(), 20u);
  EXPECT_EQ(r.ssthresh(), 20u);
  r.set_cwnd(5);
  r.undo();  // nothing left to undo
  EXPECT_EQ(r.cwnd(), 5u);
}

TEST(LinuxReno, Rfc5681_4_1_LinuxCwndRestartHalvesPerRtoIdleDownToIw) {
  // packetdrill slow_start/slow-start-after-idle.pkt: cwnd 36, then 2 s
  // without sending (RTO 300 ms: srtt 100 ms + 200 ms): tcp_cwnd_restart
  // halves once per RTO while above min(IW, cwnd): 36 -> 18 -> 9, then
  // max(9, 10) = 10, the script's tcpi_snd_cwnd == 10.
  LinuxReno r;
  r.on_ack(at(0), acked(10));
  r.on_ack(at(100 * ms), acked(16));
  ASSERT_EQ(r.cwnd(), 36u);
  r.on_idle_restart(2300 * ms, 200 * ms, 300 * ms);
  EXPECT_EQ(r.cwnd(), 10u);
  EXPECT_EQ(r.ssthresh(), kInfiniteSsthresh);  // tcp_current_ssthresh: max(inf, 27)
}

TEST(LinuxReno, Rfc5681_4_1_LinuxCwndRestartOneRtoOfIdleHalvesOnce) {
  // delta 700 ms, RTO 300 ms: (700 - 300) > 0 halves, (400 - 300) > 0
  // halves again, (100 - 300) stops: 80 -> 40 -> 20.
  LinuxReno r;
  r.set_cwnd(80);
  r.on_idle_restart(1700 * ms, 1000 * ms, 300 * ms);
  EXPECT_EQ(r.cwnd(), 20u);
}

// ------------------------------------------------------------ RfcNewReno

constexpr std::uint32_t smss = 1460;

TEST(RfcNewReno, Rfc5681_3_1_SlowStartAddsAtMostSmssPerAck) {
  // "cwnd += min (N, SMSS)" (equation 2).
  RfcNewReno r(smss);
  r.on_ack(at(0), acked(2, 2 * smss));
  EXPECT_EQ(r.cwnd(), 4380u + smss);
  r.on_ack(at(0), acked(1, 500));
  EXPECT_EQ(r.cwnd(), 4380u + smss + 500);
}

TEST(RfcNewReno, Rfc3465_2_2_AbcLimitTwoAddsUpToTwoSmss) {
  // RFC 3465 §2.2: with L = 2*SMSS an ACK for two segments adds two.
  RfcNewReno r(smss, 2);
  r.on_ack(at(0), acked(3, 3 * smss));
  EXPECT_EQ(r.cwnd(), 4380u + 2 * smss);
}

TEST(RfcNewReno, Rfc3465_2_1_CongestionAvoidanceAddsSmssPerCwndOfBytesAcked) {
  // Loss with FlightSize 2 * 14600 -> ssthresh 14600; the full ACK (flight
  // 14600) sets cwnd = min(ssthresh, max(14600, SMSS) + SMSS) = 14600. Then
  // bytes_acked must reach cwnd (14600 = 10 segments) before +SMSS.
  RfcNewReno r(smss);
  r.on_congestion_event(at(0, 0, 2 * 14600));
  r.on_recovery_end(at(0, 0, 14600));
  ASSERT_EQ(r.cwnd(), 14600u);
  for (int i = 0; i < 9; ++i) r.on_ack(at(0), acked(1, smss));
  EXPECT_EQ(r.cwnd(), 14600u);
  r.on_ack(at(0), acked(1, smss));
  EXPECT_EQ(r.cwnd(), 14600u + smss);
}

TEST(RfcNewReno, Rfc5681_3_2_FastRecoverySsthreshIsHalfFlightPlusThreeSegments) {
  // Step 2: ssthresh = max(FlightSize / 2, 2*SMSS); step 4: cwnd = ssthresh + 3*SMSS.
  RfcNewReno r(smss);
  r.on_congestion_event(at(0, 0, 20000));
  EXPECT_EQ(r.ssthresh(), 10000u);
  EXPECT_EQ(r.cwnd(), 10000u + 3 * smss);
  RfcNewReno small(smss);
  small.on_congestion_event(at(0, 0, 2000));
  EXPECT_EQ(small.ssthresh(), 2 * smss);  // the 2*SMSS floor
}

TEST(RfcNewReno, Rfc5681_3_2_EachFurtherDuplicateInflatesBySmss) {
  // Step 5: "cwnd MUST be incremented by SMSS" per additional duplicate.
  RfcNewReno r(smss);
  r.on_congestion_event(at(0, 0, 20000));
  r.on_recovery_ack(at(0), acked(0, 0));
  r.on_recovery_ack(at(0), acked(0, 0));
  EXPECT_EQ(r.cwnd(), 10000u + 5 * smss);
}

TEST(RfcNewReno, Rfc6582_3_2_PartialAckDeflatesByAckedAndAddsBackSmss) {
  // Step 5 of RFC 6582 §3.2: deflate by the new data acknowledged; if that
  // was at least SMSS, add back SMSS. 14380 - 2920 + 1460 = 12920;
  // then a partial ACK of 1000 (< SMSS): 12920 - 1000 = 11920.
  RfcNewReno r(smss);
  r.on_congestion_event(at(0, 0, 20000));
  r.on_recovery_ack(at(0), acked(2, 2 * smss));
  EXPECT_EQ(r.cwnd(), 12920u);
  r.on_recovery_ack(at(0), acked(1, 1000));
  EXPECT_EQ(r.cwnd(), 11920u);
}

TEST(RfcNewReno, Rfc6582_3_2_FullAckSetsMinOfSsthreshAndFlightPlusSmss) {
  // Step 3 option (1): cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS).
  RfcNewReno r(smss);
  r.on_congestion_event(at(0, 0, 20000));
  r.on_recovery_end(at(0, 0, 3000));
  EXPECT_EQ(r.cwnd(), 3000u + smss);
  RfcNewReno s(smss);
  s.on_congestion_event(at(0, 0, 20000));
  s.on_recovery_end(at(0, 0, 0));
  EXPECT_EQ(s.cwnd(), 2 * smss);  // max(0, SMSS) + SMSS
  RfcNewReno t(smss);
  t.on_congestion_event(at(0, 0, 20000));
  t.on_recovery_end(at(0, 0, 15000));
  EXPECT_EQ(t.cwnd(), 10000u);  // ssthresh is the smaller
}

TEST(RfcNewReno, Rfc5681_3_1_RtoSetsLossWindowOneSegment) {
  // Equation (4) for ssthresh, and "cwnd MUST be set to no more than the
  // loss window, LW, which equals 1 full-sized segment".
  RfcNewReno r(smss);
  r.on_rto(at(0, 0, 30000), true);
  EXPECT_EQ(r.ssthresh(), 15000u);
  EXPECT_EQ(r.cwnd(), smss);
  r.on_rto(at(0, 0, smss), false);  // a repeated timeout: ssthresh kept
  EXPECT_EQ(r.ssthresh(), 15000u);
}

TEST(RfcNewReno, Rfc5681_4_1_IdleRestartCutsToInitialWindow) {
  // "cwnd to no more than RW before beginning transmission", RW = min(IW, cwnd).
  RfcNewReno r(smss);
  r.on_ack(at(0), acked(1, smss));
  r.on_ack(at(0), acked(1, smss));
  ASSERT_EQ(r.cwnd(), 4380u + 2 * smss);
  r.on_idle_restart(5000 * ms, 1000 * ms, 1000 * ms);
  EXPECT_EQ(r.cwnd(), 4380u);
  RfcNewReno s(smss);
  s.on_rto(at(0, 0, 30000), true);
  s.on_idle_restart(5000 * ms, 1000 * ms, 1000 * ms);
  EXPECT_EQ(s.cwnd(), smss);  // already below IW: unchanged
}

TEST(RfcNewReno, Rfc4015_UndoRestoresTheWindowBeforeTheSpuriousReduction) {
  RfcNewReno r(smss);
  r.on_ack(at(0), acked(1, smss));  // 5840
  r.on_rto(at(0, 0, 5840), true);
  r.undo();
  EXPECT_EQ(r.cwnd(), 5840u);
  EXPECT_EQ(r.ssthresh(), kInfiniteSsthresh);
}

}  // namespace
}  // namespace tcpsim::model::cc
