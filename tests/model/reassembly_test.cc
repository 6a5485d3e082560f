// model/reassembly: the receiver's out-of-order queue, SACK and D-SACK
// blocks. The oracles: RFC 2018 §6's examples (8 segments of 500 octets
// from 5000), RFC 2883 §4's examples, RFC 9293 §3.10.7.4's text and Linux's
// tcp_data_queue_ofo()/tcp_sack_new_ofo_skb() (net/ipv4/tcp_input.c).
#include "model/reassembly.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tcpsim::model {
namespace {

constexpr std::uint32_t kWindow = 65535;
using Blocks = std::vector<SackBlock>;

ReassemblyArrival data(ReassemblyQueue& q, Seq seq, std::uint32_t len) {
  return q.arrive(seq, len, false, kWindow);
}

// What the ACK sent after an arrival says: the blocks, then the D-SACK is
// spent (RFC 2883 §4: reported once).
Blocks ack(ReassemblyQueue& q, std::size_t max_blocks = 4) {
  Blocks b = q.sack_blocks(max_blocks);
  q.ack_sent();
  return b;
}

// ---------------------------------------------------------- RFC 2018 §6

// Case 1: the first 4 segments arrive, the last 4 are lost: a plain ACK of
// 7000, no SACK option.
TEST(Reassembly, Rfc2018_6_Case1_InOrderDataGivesNoSackBlock) {
  ReassemblyQueue q(5000);
  for (Seq s = 5000; s < 7000; s += 500) {
    const auto a = data(q, s, 500);
    EXPECT_EQ(a.delivered, 500u);
    EXPECT_FALSE(a.out_of_order);
  }
  EXPECT_EQ(q.rcv_nxt(), 7000u);
  EXPECT_TRUE(ack(q).empty());
}

// Case 2: the first segment is lost, the other 7 arrive: each ACK is 5000
// with one block 5500..(its right edge).
TEST(Reassembly, Rfc2018_6_Case2_OneBlockGrowsBehindTheHole) {
  ReassemblyQueue q(5000);
  for (Seq s = 5500; s < 9000; s += 500) {
    const auto a = data(q, s, 500);
    EXPECT_TRUE(a.out_of_order);
    EXPECT_EQ(a.delivered, 0u);
    EXPECT_EQ(q.rcv_nxt(), 5000u);
    EXPECT_EQ(ack(q), (Blocks{{5500, s + 500}}));
  }
  EXPECT_EQ(q.queued_ranges(), 1u) << "contiguous segments are one range";
  EXPECT_EQ(q.queued_bytes(), 3500u);
}

// Case 3: segments 2, 4, 6 and 8 are lost. The 3rd, 5th and 7th give:
//   6000: 6000-6500
//   7000: 7000-7500 6000-6500
//   8000: 8000-8500 7000-7500 6000-6500
TEST(Reassembly, Rfc2018_4_FirstBlockHoldsMostRecentSegment) {
  ReassemblyQueue q(5000);
  data(q, 5000, 500);
  EXPECT_TRUE(ack(q).empty());
  data(q, 6000, 500);
  EXPECT_EQ(ack(q), (Blocks{{6000, 6500}}));
  data(q, 7000, 500);
  EXPECT_EQ(ack(q), (Blocks{{7000, 7500}, {6000, 6500}}));
  data(q, 8000, 500);
  EXPECT_EQ(ack(q), (Blocks{{8000, 8500}, {7000, 7500}, {6000, 6500}}));
}

// Case 3 continued: the 4th segment (6500) arrives out of order: it joins
// 6000-6500 and 7000-7500 into the first block; then the 2nd (5500)
// arrives: ACK 7500 and one block 8000-8500.
TEST(Reassembly, Rfc2018_6_Case3_SegmentJoiningTwoBlocksReportsTheJoinedBlockFirst) {
  ReassemblyQueue q(5000);
  for (Seq s : {5000u, 6000u, 7000u, 8000u}) data(q, s, 500);
  ack(q);
  data(q, 6500, 500);
  EXPECT_EQ(ack(q), (Blocks{{6000, 7500}, {8000, 8500}}));
  const auto a = data(q, 5500, 500);
  EXPECT_EQ(q.rcv_nxt(), 7500u);
  EXPECT_EQ(a.delivered, 2000u);
  EXPECT_TRUE(a.filled_hole);
  EXPECT_EQ(ack(q), (Blocks{{8000, 8500}}));
}

// RFC 2018 §3: with the timestamp option (10 + 2 octets) only 3 blocks fit
// in the 40 octets of options; the oldest reported block is left out.
TEST(Reassembly, Rfc2018_3_ThreeBlocksWithTimestampsFourWithout) {
  ReassemblyQueue q(5000);
  for (Seq s : {5500u, 6500u, 7500u, 8500u}) data(q, s, 500);
  EXPECT_EQ(q.sack_blocks(3), (Blocks{{8500, 9000}, {7500, 8000}, {6500, 7000}}));
  EXPECT_EQ(q.sack_blocks(4), (Blocks{{8500, 9000}, {7500, 8000}, {6500, 7000}, {5500, 6000}}));
}

// RFC 2018 §4: the receiver "SHOULD" repeat the most recently reported
// blocks; Linux remembers 4 (TCP_NUM_SACKS): a 5th hole's block pushes the
// oldest out of the list.
TEST(Reassembly, Rfc2018_4_AtMostFourBlocksAreRemembered) {
  ReassemblyQueue q(5000);
  for (Seq s : {5500u, 6500u, 7500u, 8500u, 9500u}) data(q, s, 500);
  EXPECT_EQ(q.sack_blocks(4), (Blocks{{9500, 10000}, {8500, 9000}, {7500, 8000}, {6500, 7000}}));
  EXPECT_EQ(q.queued_ranges(), 5u) << "the data is still queued";
}

// ---------------------------------------------------------- RFC 2883 §4

// §4.1.1: ACKs of 3000-3499 and 3500-3999 are lost; the sender resends
// 3000-3499: ACK 4000 with D-SACK 3000-3500.
TEST(Reassembly, Rfc2883_4_1_1_DuplicateBelowRcvNxtIsReportedAsFirstBlock) {
  ReassemblyQueue q(3000);
  data(q, 3000, 500);
  ack(q);
  data(q, 3500, 500);
  ack(q);
  const auto a = data(q, 3000, 500);
  EXPECT_TRUE(a.duplicate);
  EXPECT_EQ(a.delivered, 0u);
  EXPECT_EQ(q.rcv_nxt(), 4000u);
  EXPECT_EQ(ack(q), (Blocks{{3000, 3500}}));
  EXPECT_TRUE(ack(q).empty()) << "§4: each duplicate is reported in at most one D-SACK block";
}

// §4.1.2: 4000-4499 is lost, 4500-4999 arrives (SACK 4500-5000), then the
// duplicate 3000-3499: ACK 4000, D-SACK 3000-3500, then SACK 4500-5000.
TEST(Reassembly, Rfc2883_4_1_2_DsackFirstThenTheQueuedBlock) {
  ReassemblyQueue q(3000);
  data(q, 3000, 500);
  data(q, 3500, 500);
  data(q, 4500, 500);
  EXPECT_EQ(ack(q), (Blocks{{4500, 5000}}));
  data(q, 3000, 500);
  EXPECT_EQ(ack(q), (Blocks{{3000, 3500}, {4500, 5000}}));
}

// §4.1.3: 4000-4499 lost, 4500-4999 and 5000-5499 queued, then 4500-4999
// again: ACK 4000, D-SACK 4500-5000, then the block holding it 4500-5500.
TEST(Reassembly, Rfc2883_4_1_3_DuplicateOfQueuedDataIsFollowedByItsBlock) {
  ReassemblyQueue q(3000);
  for (Seq s : {3000u, 3500u, 4500u, 5000u}) data(q, s, 500);
  EXPECT_EQ(ack(q), (Blocks{{4500, 5500}}));
  const auto a = data(q, 4500, 500);
  EXPECT_TRUE(a.duplicate);
  EXPECT_TRUE(a.out_of_order);
  EXPECT_EQ(ack(q), (Blocks{{4500, 5000}, {4500, 5500}}));
}

// §4 (2) with several blocks: the duplicate's block moves to second place
// (Linux: tcp_data_queue_ofo's "All the bits are present" goes to add_sack).
TEST(Reassembly, Rfc2883_4_DuplicateInAnOlderBlockMovesThatBlockSecond) {
  ReassemblyQueue q(1000);
  data(q, 2000, 500);
  data(q, 3000, 500);
  data(q, 2000, 500);
  EXPECT_EQ(ack(q), (Blocks{{2000, 2500}, {2000, 2500}, {3000, 3500}}));
}

// A segment that straddles RCV.NXT: the part below is the duplicate
// (Linux tcp_data_queue: tcp_dsack_set(seq, rcv_nxt)), the rest is new.
TEST(Reassembly, Rfc2883_4_PartlyDuplicateSegmentReportsOnlyTheOldOctets) {
  ReassemblyQueue q(1000);
  data(q, 1000, 500);
  const auto a = data(q, 1200, 500);
  EXPECT_EQ(a.delivered, 200u);
  EXPECT_EQ(q.rcv_nxt(), 1700u);
  EXPECT_EQ(ack(q), (Blocks{{1200, 1500}}));
}

// Overlap with a queued range on both sides: only the new octets are
// queued, and the D-SACK is the first overlapping run.
TEST(Reassembly, Rfc9293_3_10_7_4_OverlapsAreTrimmedToTheNewOctets) {
  ReassemblyQueue q(1000);
  data(q, 1500, 100);                 // 1500-1600
  data(q, 1700, 100);                 // 1700-1800
  const auto a = data(q, 1550, 300);  // 1550-1850: new 1600-1700, 1800-1850
  EXPECT_TRUE(a.duplicate);
  EXPECT_EQ(q.queued_bytes(), 350u);
  EXPECT_EQ(q.queued_ranges(), 1u);
  EXPECT_EQ(ack(q), (Blocks{{1550, 1600}, {1500, 1850}}));
}

// ---------------------------------------------------------- RFC 9293 / 1122

// RFC 1122 §4.2.2.20 (g): out-of-order segments SHOULD be queued; when the
// gap fills, all of it is delivered at once, in order, with its bytes.
TEST(Reassembly, Rfc1122_4_2_2_20_QueuedBytesAreDeliveredInOrderWhenTheGapFills) {
  ReassemblyQueue q(100);
  q.arrive(105, 5, false, kWindow, "fghij");
  q.arrive(110, 3, false, kWindow, "klm");
  const auto a = q.arrive(100, 5, false, kWindow, "abcde");
  EXPECT_EQ(a.delivered, 13u);
  EXPECT_EQ(a.data, "abcdefghijklm");
  EXPECT_TRUE(a.filled_hole);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.queued_bytes(), 0u);
}

TEST(Reassembly, Rfc9293_3_10_7_4_OverlappingPayloadKeepsTheFirstArrivedBytes) {
  ReassemblyQueue q(100);
  q.arrive(103, 4, false, kWindow, "DEFG");
  const auto a = q.arrive(100, 8, false, kWindow, "abcdefgh");
  EXPECT_EQ(a.data, "abcDEFGh");
}

// A payload that is not the segment's length is not its bytes: the
// octets are taken as numbers only (never a read past the payload).
TEST(Reassembly, PayloadOfTheWrongLengthIsNotStored) {
  ReassemblyQueue q(100);
  q.arrive(105, 5, false, kWindow, "xy");
  const auto a = q.arrive(100, 5, false, kWindow, "abcde");
  EXPECT_EQ(a.delivered, 10u);
  EXPECT_EQ(a.data, "abcde") << "only the stored octets come back";
}

// An out-of-order FIN is kept until the gap before it fills; RCV.NXT then
// passes it (RFC 9293 §3.10.7.4 eighth step). Linux's block covers it.
TEST(Reassembly, Rfc9293_3_10_7_4_OutOfOrderFinIsKeptUntilTheGapFills) {
  ReassemblyQueue q(1000);
  auto a = q.arrive(1500, 100, true, kWindow);
  EXPECT_FALSE(a.fin);
  EXPECT_TRUE(a.out_of_order);
  EXPECT_EQ(ack(q), (Blocks{{1500, 1601}})) << "end_seq counts the FIN";
  a = data(q, 1000, 500);
  EXPECT_TRUE(a.fin);
  EXPECT_EQ(a.delivered, 600u);
  EXPECT_EQ(q.rcv_nxt(), 1601u);
}

TEST(Reassembly, Rfc9293_3_10_7_4_NothingIsQueuedPastAKnownFin) {
  ReassemblyQueue q(1000);
  q.arrive(1500, 0, true, kWindow);  // a bare FIN at 1500
  data(q, 1400, 300);                // 1400-1700: only 1400-1500 is data
  EXPECT_EQ(q.queued_bytes(), 100u);
  const auto a = data(q, 1000, 400);
  EXPECT_EQ(a.delivered, 500u);
  EXPECT_TRUE(a.fin);
  EXPECT_EQ(q.rcv_nxt(), 1501u);
}

// The queue is bounded by the receive window: octets past RCV.NXT + RCV.WND
// are dropped, and a FIN after them too.
TEST(Reassembly, Rfc9293_3_10_7_4_DataBeyondTheWindowIsNotQueued) {
  ReassemblyQueue q(1000);
  const auto a = q.arrive(1500, 1000, true, 1000);  // 1500-2500, window ends at 2000
  EXPECT_EQ(a.beyond_window, 500u);
  EXPECT_EQ(q.queued_bytes(), 500u);
  EXPECT_EQ(ack(q), (Blocks{{1500, 2000}}));
  const auto b = q.arrive(2000, 100, false, 1000);
  EXPECT_EQ(b.beyond_window, 100u);
  EXPECT_EQ(q.queued_bytes(), 500u);
}

// RFC 9293 §3.4: sequence numbers wrap; the queue orders across 2^32.
TEST(Reassembly, Rfc9293_3_4_QueueOrdersAcrossSequenceWraparound) {
  const Seq start = 0xFFFFFF00u;
  ReassemblyQueue q(start);
  data(q, start + 0x200, 0x100);  // 0x100..0x200, past the wrap
  data(q, start + 0x80, 0x100);   // 0xFFFFFF80..0x80, across it
  EXPECT_EQ(ack(q), (Blocks{{start + 0x80, start + 0x180}, {start + 0x200, start + 0x300}}));
  const auto a = data(q, start, 0x80);
  EXPECT_EQ(a.delivered, 0x180u);
  EXPECT_EQ(q.rcv_nxt(), start + 0x180);
  EXPECT_EQ(ack(q), (Blocks{{0x100, 0x200}}));
}

// A bulk transfer that stores no bytes: a million segments behind one hole
// stay one range of numbers (the 1 GB transfer must not hold 1 GB).
TEST(Reassembly, BulkTransferWithoutPayloadHoldsOneRangePerHole) {
  ReassemblyQueue q(0);
  const std::uint32_t mss = 1000;
  for (std::uint32_t i = 1; i < 1000; ++i) q.arrive(i * mss, mss, false, 2'000'000'000u);
  EXPECT_EQ(q.queued_ranges(), 1u);
  EXPECT_EQ(q.queued_bytes(), 999u * mss);
  const auto a = q.arrive(0, mss, false, 2'000'000'000u);
  EXPECT_EQ(a.delivered, 1000u * mss);
  EXPECT_TRUE(a.data.empty());
}

}  // namespace
}  // namespace tcpsim::model
