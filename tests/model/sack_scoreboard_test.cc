// model/sack_scoreboard: RFC 6675's sender scoreboard, RFC 2883's D-SACK
// recognition and RFC 3708's spurious-retransmission detection. The
// oracles: RFC 6675 §4/§5's definitions (worked through in the comments),
// RFC 2883 §4's examples read from the sender's side, Linux's
// tcp_check_dsack()/tcp_sacktag_one()/tcp_timeout_mark_lost().
//
// The flight in most tests: SMSS 100, ten segments 1000..1999 (P0..P9)
// sent at t = 0, 1, ..., 9 ms.
#include "model/sack_scoreboard.h"

#include <gtest/gtest.h>

#include <vector>

namespace tcpsim::model {
namespace {

constexpr Duration ms = kMillisecond;
using Rule = NextSegment::Rule;

SackScoreboard flight(int n = 10, Seq start = 1000, ScoreboardConfig cfg = {}) {
  cfg.smss = 100;
  SackScoreboard sb(start, cfg);
  for (int i = 0; i < n; ++i) EXPECT_TRUE(sb.on_send(start + 100 * i, 100, i * ms));
  return sb;
}

// ---------------------------------------------------------- §4 IsLost

// DupThresh = 3: three SACKed segments above 1000 make it lost; two
// (200 octets, not more than (3 - 1) * 100) do not.
TEST(SackScoreboard, Rfc6675_4_IsLostAfterDupThreshSackedSegmentsAbove) {
  SackScoreboard sb = flight();
  sb.on_ack(1000, {{1100, 1300}});
  EXPECT_FALSE(sb.is_lost(1000));
  sb.on_ack(1000, {{1100, 1400}});
  EXPECT_TRUE(sb.is_lost(1000));
  EXPECT_FALSE(sb.is_lost(1400)) << "nothing is SACKed above 1400";
}

// The octet criterion: "more than (DupThresh - 1) * SMSS bytes" SACKed
// above. Two SACKed segments of 150 octets (300 > 200) suffice.
TEST(SackScoreboard, Rfc6675_4_IsLostWhenMoreThanTwoSmssOctetsSackedAbove) {
  ScoreboardConfig cfg;
  cfg.smss = 100;
  SackScoreboard sb(1000, cfg);
  sb.on_send(1000, 100, 0);
  sb.on_send(1100, 150, 0);
  sb.on_send(1250, 150, 0);
  sb.on_ack(1000, {{1100, 1400}});
  EXPECT_TRUE(sb.is_lost(1000));
  const auto* p0 = sb.find(1000);
  ASSERT_NE(p0, nullptr);
  EXPECT_TRUE(p0->lost) << "Update() marks what IsLost() says";
}

// ---------------------------------------------------------- §4 SetPipe

// SACK 1100-1400 makes P0 lost. pipe = unSACKed and not lost: P4..P9 =
// 600. After P0's retransmission: + 100 (rule (b): retransmitted) = 700.
TEST(SackScoreboard, Rfc6675_4_SetPipeCountsUnsackedNotLostPlusRetransmitted) {
  SackScoreboard sb = flight();
  EXPECT_EQ(sb.pipe(), 1000u);
  sb.on_ack(1000, {{1100, 1400}});
  EXPECT_EQ(sb.pipe(), 600u);
  sb.on_retransmit(1000, 20 * ms);
  EXPECT_EQ(sb.pipe(), 700u);
}

// ---------------------------------------------------------- §4 NextSeg

// Holes P0 and P2 with P1, P3, P4, P5 SACKed: P0 has 4 SACKed above, P2
// has 3: both lost. Rule (1) picks the lowest first, then the next above
// HighRxt; then rule (2) new data, when there is some.
TEST(SackScoreboard, Rfc6675_4_NextSegRule1RetransmitsLowestLostHole) {
  SackScoreboard sb = flight();
  sb.on_ack(1000, {{1300, 1600}, {1100, 1200}});
  NextSegment n = sb.next_seg(true);
  EXPECT_EQ(n.rule, Rule::LostHole);
  EXPECT_EQ(n.seq, 1000u);
  EXPECT_EQ(n.len, 100u);
  sb.on_retransmit(1000, 20 * ms);
  EXPECT_EQ(sb.high_rxt(), 1100u);
  n = sb.next_seg(true);
  EXPECT_EQ(n.rule, Rule::LostHole);
  EXPECT_EQ(n.seq, 1200u);
  sb.on_retransmit(1200, 21 * ms);
  n = sb.next_seg(true);
  EXPECT_EQ(n.rule, Rule::NewData);
  EXPECT_EQ(n.seq, 2000u);
}

// Rule (3): no lost segment and no new data, but an unSACKed segment below
// the highest SACKed octet: P0 with only P2, P4 SACKed (not lost).
TEST(SackScoreboard, Rfc6675_4_NextSegRule3SendsAnUnsackedHoleBelowTheHighestSack) {
  SackScoreboard sb = flight();
  sb.on_ack(1000, {{1200, 1300}, {1400, 1500}});
  ASSERT_FALSE(sb.is_lost(1000));
  NextSegment n = sb.next_seg(false);
  EXPECT_EQ(n.rule, Rule::UnsackedHole);
  EXPECT_EQ(n.seq, 1000u);
  sb.on_retransmit(1000, 20 * ms);
  n = sb.next_seg(false);
  EXPECT_EQ(n.rule, Rule::UnsackedHole);
  EXPECT_EQ(n.seq, 1100u);
  EXPECT_EQ(sb.next_seg(true).rule, Rule::NewData) << "rule (2) comes before rule (3)";
}

// Rule (4): in recovery with nothing else to send, one rescue
// retransmission of the highest unSACKed segment per episode; it sets
// RescueRxt and leaves HighRxt alone.
TEST(SackScoreboard, Rfc6675_4_NextSegRule4RescueOncePerRecovery) {
  SackScoreboard sb = flight(4);  // 1000..1399
  sb.on_ack(1000, {{1100, 1200}});
  sb.enter_recovery();
  sb.on_retransmit(1000, 10 * ms);
  NextSegment n = sb.next_seg(false);
  EXPECT_EQ(n.rule, Rule::Rescue);
  EXPECT_EQ(n.seq, 1300u) << "the segment holding the highest unSACKed octet";
  const Seq high_rxt = sb.high_rxt();
  sb.on_retransmit(n.seq, 11 * ms, /*rescue=*/true);
  EXPECT_EQ(sb.high_rxt(), high_rxt);
  // P2 is not below the highest SACKed octet (rule (3)'s (1.b)), and
  // HighACK is not above RescueRxt: nothing more.
  EXPECT_EQ(sb.next_seg(false).rule, Rule::None);
  sb.on_ack(1400, {});
  EXPECT_FALSE(sb.in_recovery());
}

// ---------------------------------------------------------- §5

// Three duplicate ACKs, each SACKing a new segment: DupAcks = 3 =
// DupThresh: enter recovery; RecoveryPoint = HighData.
TEST(SackScoreboard, Rfc6675_5_ThreeDupAcksEnterRecovery) {
  SackScoreboard sb = flight();
  EXPECT_TRUE(sb.on_ack(1000, {{1100, 1200}}).dup_ack);
  EXPECT_FALSE(sb.should_enter_recovery());
  EXPECT_TRUE(sb.on_ack(1000, {{1100, 1300}}).dup_ack);
  EXPECT_FALSE(sb.should_enter_recovery());
  EXPECT_TRUE(sb.on_ack(1000, {{1100, 1400}}).dup_ack);
  EXPECT_EQ(sb.dup_acks(), 3);
  EXPECT_TRUE(sb.should_enter_recovery());
  sb.enter_recovery();
  EXPECT_EQ(sb.recovery_point(), 2000u);
  EXPECT_FALSE(sb.should_enter_recovery()) << "already in recovery";
}

// RFC 6675 §5: "(b) ... IsLost (HighACK + 1) returns true" also starts
// recovery: one ACK SACKing three segments is one DupAck but enough.
TEST(SackScoreboard, Rfc6675_5_IsLostOfTheFirstSegmentEntersRecoveryBeforeThreeDupAcks) {
  SackScoreboard sb = flight();
  sb.on_ack(1000, {{1100, 1400}});
  EXPECT_EQ(sb.dup_acks(), 1);
  EXPECT_TRUE(sb.should_enter_recovery());
}

// RFC 6675 §2: a DupAck SACKs new data; the same SACK again is not one.
TEST(SackScoreboard, Rfc6675_2_DupAckMustSackNewData) {
  SackScoreboard sb = flight();
  EXPECT_TRUE(sb.on_ack(1000, {{1100, 1200}}).dup_ack);
  EXPECT_FALSE(sb.on_ack(1000, {{1100, 1200}}).dup_ack);
  EXPECT_EQ(sb.dup_acks(), 1);
}

// RFC 6675 §5 (A): "An incoming cumulative ACK for a sequence number
// greater than RecoveryPoint signals the end of loss recovery"
// (RecoveryPoint = HighData, the octet 1999 here): a partial ACK keeps it,
// the ACK of 2000 ends it although new data (2000..2099) is still out.
TEST(SackScoreboard, Rfc6675_5_RecoveryEndsWhenRecoveryPointIsAcked) {
  SackScoreboard sb = flight();
  sb.on_ack(1000, {{1100, 1400}});
  sb.enter_recovery();
  sb.on_send(2000, 100, 20 * ms);  // new data during recovery
  AckResult r = sb.on_ack(1500, {});
  EXPECT_FALSE(r.recovery_ended);
  EXPECT_TRUE(sb.in_recovery());
  r = sb.on_ack(2000, {});
  EXPECT_TRUE(r.recovery_ended);
  EXPECT_FALSE(sb.in_recovery());
}

// ---------------------------------------------------------- §3 Update

// Cumulative ACK removes segments; the ones not SACKed before are
// delivered (with their send times, RACK's input); SACKed ones come first.
TEST(SackScoreboard, Rfc6675_3_UpdateReportsNewlyDeliveredSegments) {
  SackScoreboard sb = flight();
  sb.on_ack(1000, {{1200, 1300}});
  const AckResult r = sb.on_ack(1200, {{1200, 1300}, {1500, 1600}});
  EXPECT_EQ(r.acked_bytes, 200u);
  EXPECT_EQ(r.sacked_bytes, 100u);
  ASSERT_EQ(r.delivered.size(), 3u);
  EXPECT_EQ(r.delivered[0].seq, 1500u);
  EXPECT_TRUE(r.delivered[0].sacked);
  EXPECT_EQ(r.delivered[0].xmit_ts, 5 * ms);
  EXPECT_EQ(r.delivered[1].seq, 1000u);
  EXPECT_EQ(r.delivered[2].seq, 1100u);
  EXPECT_EQ(sb.high_ack(), 1200u);
  EXPECT_EQ(sb.segments().front().seq, 1200u);
}

// Linux SACKs whole segments only (tcp_match_skb_to_sack() rounds to
// MSSes): packetdrill fast_retransmit/fr-4pkt-fack-last-byte.pkt SACKs
// 4000:4001, the last octet of the 4th 1000-octet segment, and the sender
// neither counts a SACKed segment nor starts recovery (it waits for the TLP).
TEST(SackScoreboard, Linux_SackOfPartOfASegmentSacksNothing) {
  ScoreboardConfig cfg;
  cfg.smss = 1000;
  SackScoreboard sb(1, cfg);
  for (int i = 0; i < 4; ++i) sb.on_send(1 + 1000 * i, 1000, 0);
  const AckResult r = sb.on_ack(1, {{4000, 4001}});
  EXPECT_EQ(r.sacked_bytes, 0u);
  EXPECT_TRUE(r.delivered.empty()) << "nothing for RACK to advance on";
  EXPECT_FALSE(r.dup_ack);
  EXPECT_FALSE(sb.find(3001)->sacked);
  EXPECT_FALSE(sb.should_enter_recovery());
  EXPECT_EQ(sb.pipe(), 4000u);
}

// A partial cumulative ACK trims the segment (Linux tcp_trim_head()).
TEST(SackScoreboard, Rfc6675_3_PartialAckTrimsTheSegment) {
  SackScoreboard sb = flight();
  const AckResult r = sb.on_ack(1050, {});
  EXPECT_EQ(r.acked_bytes, 50u);
  EXPECT_TRUE(r.delivered.empty()) << "P0 is not delivered whole";
  EXPECT_EQ(sb.segments().front().seq, 1050u);
  EXPECT_EQ(sb.segments().front().len, 50u);
  EXPECT_EQ(sb.pipe(), 950u);
}

// A block past SND.NXT is invalid (Linux tcp_is_sackblock_valid()).
TEST(SackScoreboard, Rfc2018_BlockBeyondSndNxtIsIgnored) {
  SackScoreboard sb = flight();
  const AckResult r = sb.on_ack(1000, {{1900, 2100}});
  EXPECT_EQ(r.sacked_bytes, 0u);
  EXPECT_FALSE(sb.find(1900)->sacked);
}

// ---------------------------------------------------------- RFC 2883

// §4.1.1 from the sender's side: ACK 4000 carrying SACK 3000-3500 (below
// the cumulative ACK) is a D-SACK, not a SACK.
TEST(SackScoreboard, Rfc2883_4_DsackBelowTheCumulativeAckIsRecognized) {
  SackScoreboard sb = flight(10, 3000, {});  // 3000..3999
  sb.on_ack(4000, {});
  sb.on_send(4000, 100, 20 * ms);
  const AckResult r = sb.on_ack(4000, {{3000, 3500}});
  EXPECT_TRUE(r.dsack);
  EXPECT_EQ(r.dsack_block, (SackBlock{3000, 3500}));
  EXPECT_EQ(r.sacked_bytes, 0u);
  EXPECT_FALSE(r.dup_ack);
}

// §4.1.3: ACK 4000, SACK 4500-5000, 4500-5500: the first block lies inside
// the second: a D-SACK; the second is an ordinary SACK.
TEST(SackScoreboard, Rfc2883_4_DsackInsideTheSecondBlockIsRecognized) {
  SackScoreboard sb = flight(20, 3500, {});  // 3500..5499
  sb.on_ack(4000, {});
  const AckResult r = sb.on_ack(4000, {{4500, 5000}, {4500, 5500}});
  EXPECT_TRUE(r.dsack);
  EXPECT_EQ(r.sacked_bytes, 1000u);
  EXPECT_TRUE(sb.find(5400)->sacked);
}

TEST(SackScoreboard, Rfc2883_4_OrdinaryFirstBlockIsNotADsack) {
  SackScoreboard sb = flight();
  const AckResult r = sb.on_ack(1000, {{1500, 1600}, {1200, 1300}});
  EXPECT_FALSE(r.dsack);
  EXPECT_EQ(r.sacked_bytes, 200u);
}

// RFC 3708 §2: the one retransmission of the episode is D-SACKed: the
// recovery was spurious (Linux: undo_retrans reaches 0, TCPDSACKUndo).
TEST(SackScoreboard, Rfc3708_2_EveryRetransmissionDsackedMeansSpuriousRecovery) {
  SackScoreboard sb = flight();
  sb.on_ack(1000, {{1100, 1400}});
  sb.enter_recovery();
  sb.on_retransmit(1000, 20 * ms);
  // The original P0 was only delayed: the ACK of everything, then the D-SACK of the copy.
  const AckResult r = sb.on_ack(2000, {{1000, 1100}});
  EXPECT_TRUE(r.dsack);
  EXPECT_TRUE(r.spurious_recovery);
}

TEST(SackScoreboard, Rfc3708_2_OneOfTwoRetransmissionsDsackedIsNotSpurious) {
  SackScoreboard sb = flight();
  sb.on_ack(1000, {{1300, 1600}, {1100, 1200}});
  sb.enter_recovery();
  sb.on_retransmit(1000, 20 * ms);
  sb.on_retransmit(1200, 20 * ms);
  const AckResult r = sb.on_ack(1300, {{1000, 1100}});
  EXPECT_TRUE(r.dsack);
  EXPECT_FALSE(r.spurious_recovery);
  EXPECT_EQ(sb.undo_retrans(), 1);
}

// ---------------------------------------------------------- RACK, RTO hooks

// RACK declares the retransmission of P0 lost (Linux tcp_mark_skb_lost()
// clears SACKED_RETRANS): it leaves the pipe, and NextSeg rule (1) sends
// it again although it lies below HighRxt.
TEST(SackScoreboard, Rfc8985_6_2_LostRetransmissionIsSentAgain) {
  SackScoreboard sb = flight();
  sb.on_ack(1000, {{1100, 1400}});
  sb.on_retransmit(1000, 20 * ms);
  EXPECT_EQ(sb.next_seg(false).rule, Rule::None) << "its retransmission is in flight";
  EXPECT_TRUE(sb.mark_lost(1000));
  EXPECT_EQ(sb.pipe(), 600u);
  const NextSegment n = sb.next_seg(false);
  EXPECT_EQ(n.rule, Rule::LostHole);
  EXPECT_EQ(n.seq, 1000u);
}

// An RTO marks every unSACKed segment lost and forgets retransmissions in
// flight (Linux tcp_timeout_mark_lost()); SACKed segments stay SACKed.
TEST(SackScoreboard, Rfc6675_5_1_RtoMarksEveryUnsackedSegmentLost) {
  SackScoreboard sb = flight();
  sb.on_ack(1000, {{1500, 1600}});
  sb.on_retransmit(1000, 20 * ms);
  sb.on_rto();
  EXPECT_EQ(sb.pipe(), 0u);
  EXPECT_TRUE(sb.find(1500)->sacked);
  EXPECT_EQ(sb.high_rxt(), 1000u);
  const NextSegment n = sb.next_seg(true);
  EXPECT_EQ(n.rule, Rule::LostHole);
  EXPECT_EQ(n.seq, 1000u);
}

// With RACK doing the marking (Linux, tcp_recovery = 1) Update() marks nothing.
TEST(SackScoreboard, Linux_RackMarksLossesNotDupThresh) {
  ScoreboardConfig cfg;
  cfg.mark_lost_by_dupthresh = false;
  SackScoreboard sb = flight(10, 1000, cfg);
  const AckResult r = sb.on_ack(1000, {{1100, 1400}});
  EXPECT_EQ(r.newly_lost, 0);
  EXPECT_FALSE(sb.find(1000)->lost);
  EXPECT_TRUE(sb.is_lost(1000)) << "IsLost() itself still answers";
}

// RFC 9293 §3.4: comparisons hold across 2^32. P0..P9 from 2^32 - 256:
// P2 crosses the wrap (2^32 - 56 .. 44), P3 is 44..144.
TEST(SackScoreboard, Rfc9293_3_4_ScoreboardWorksAcrossSequenceWraparound) {
  const Seq start = 0xFFFFFF00u;
  SackScoreboard sb = flight(10, start);
  const AckResult r = sb.on_ack(start, {{start + 100, start + 400}});
  EXPECT_EQ(r.sacked_bytes, 300u);
  EXPECT_TRUE(sb.find(start)->lost);
  ASSERT_NE(sb.find(44), nullptr);
  EXPECT_TRUE(sb.find(44)->sacked);
  sb.on_ack(start + 400, {});
  EXPECT_EQ(sb.high_ack(), 144u);
  EXPECT_EQ(sb.segments().size(), 6u);
  EXPECT_EQ(sb.pipe(), 600u);
}

}  // namespace
}  // namespace tcpsim::model
