// RFC 9293 §3.4: sequence numbers live in a 2^32 space and every
// comparison is modulo 2^32. First the arithmetic of model/seq.h, then a
// whole connection (handshake, data both ways, close) whose sequence
// numbers wrap through zero on both sides.
#include "model/seq.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace tcpsim::test {
namespace {

using model::seq_diff;
using model::seq_ge;
using model::seq_gt;
using model::seq_in_range;
using model::seq_le;
using model::seq_lt;

// ---------------------------------------------------------------- arithmetic

TEST(Seq, Rfc9293_3_4_ComparisonsWithoutWrap) {
  EXPECT_TRUE(seq_lt(100, 101));
  EXPECT_FALSE(seq_lt(101, 100));
  EXPECT_FALSE(seq_lt(100, 100));
  EXPECT_TRUE(seq_le(100, 100));
  EXPECT_TRUE(seq_le(100, 101));
  EXPECT_FALSE(seq_le(101, 100));
  EXPECT_TRUE(seq_gt(101, 100));
  EXPECT_FALSE(seq_gt(100, 100));
  EXPECT_TRUE(seq_ge(100, 100));
  EXPECT_FALSE(seq_ge(99, 100));
}

// "2**32 - 1 is the largest number ... 0 follows it": the number after
// 0xFFFFFFFF is 0, so 0xFFFFFFFF < 0 < 1.
TEST(Seq, Rfc9293_3_4_ComparisonsAcrossWraparound) {
  EXPECT_TRUE(seq_lt(0xFFFFFFFFu, 0u));
  EXPECT_TRUE(seq_gt(0u, 0xFFFFFFFFu));
  EXPECT_TRUE(seq_lt(0xFFFFFFF0u, 0x10u));
  EXPECT_TRUE(seq_le(0xFFFFFFF0u, 0x10u));
  EXPECT_FALSE(seq_ge(0xFFFFFFF0u, 0x10u));
  EXPECT_TRUE(seq_gt(0x10u, 0xFFFFFFF0u));
  EXPECT_FALSE(seq_lt(0x10u, 0xFFFFFFF0u));
}

// The comparisons hold for numbers less than 2^31 apart (the window limits
// guarantee it): at 2^31 - 1 apart the order is still the expected one.
TEST(Seq, Rfc9293_3_4_ComparisonsUpToHalfTheSpaceApart) {
  const Seq half = 0x7FFFFFFFu;  // 2^31 - 1
  EXPECT_TRUE(seq_lt(0u, half));
  EXPECT_TRUE(seq_gt(half, 0u));
  EXPECT_TRUE(seq_lt(0xFFFFFFFFu, 0xFFFFFFFFu + half));  // wraps to 0x7FFFFFFE
  EXPECT_TRUE(seq_gt(0x80000000u + 5u, 0x00000006u));    // exactly 2^31 - 1 apart
}

TEST(Seq, Rfc9293_3_4_ComparisonsAreAntisymmetric) {
  const std::vector<Seq> points = {0u, 1u, 100u, 0x7FFFFFFEu, 0x80000001u, 0xFFFFFFF0u, 0xFFFFFFFFu};
  for (Seq a : points) {
    for (Seq b : points) {
      if (b - a == 0x80000000u) continue;  // exactly 2^31 apart: undefined by §3.4
      EXPECT_EQ(seq_lt(a, b), seq_gt(b, a)) << a << " " << b;
      EXPECT_EQ(seq_le(a, b), seq_ge(b, a)) << a << " " << b;
      EXPECT_NE(seq_lt(a, b) || a == b, seq_gt(a, b)) << a << " " << b;
    }
  }
}

// The window test of §3.10.7.4, RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND, with
// a window that straddles zero.
TEST(Seq, Rfc9293_3_4_WindowTestAcrossWraparound) {
  const Seq nxt = 0xFFFFFFF0u;
  const Seq end = nxt + 0x20u;  // 0x10 after the wrap
  EXPECT_EQ(end, 0x10u);
  EXPECT_TRUE(seq_in_range(nxt, 0xFFFFFFF0u, end));
  EXPECT_TRUE(seq_in_range(nxt, 0xFFFFFFFFu, end));
  EXPECT_TRUE(seq_in_range(nxt, 0u, end));
  EXPECT_TRUE(seq_in_range(nxt, 0xFu, end));
  EXPECT_FALSE(seq_in_range(nxt, 0x10u, end));        // RCV.NXT+RCV.WND itself is outside
  EXPECT_FALSE(seq_in_range(nxt, 0xFFFFFFEFu, end));  // RCV.NXT-1
  EXPECT_FALSE(seq_in_range(nxt, nxt, nxt));          // zero window: empty range
}

// §3.4's acceptable ACK, SND.UNA < SEG.ACK =< SND.NXT, across the wrap.
TEST(Seq, Rfc9293_3_4_AcceptableAckAcrossWraparound) {
  const Seq una = 0xFFFFFFFEu;
  const Seq nxt = 0x3u;
  auto acceptable = [&](Seq ack) { return seq_lt(una, ack) && seq_le(ack, nxt); };
  EXPECT_FALSE(acceptable(0xFFFFFFFEu));
  EXPECT_TRUE(acceptable(0xFFFFFFFFu));
  EXPECT_TRUE(acceptable(0u));
  EXPECT_TRUE(acceptable(3u));
  EXPECT_FALSE(acceptable(4u));
}

// Octets between two sequence numbers, the later one past the wrap.
TEST(Seq, Rfc9293_3_4_DistanceAcrossWraparound) {
  EXPECT_EQ(seq_diff(0x5u, 0xFFFFFFFBu), 10u);
  EXPECT_EQ(seq_diff(0u, 0xFFFFFFFFu), 1u);
  EXPECT_EQ(seq_diff(0xFFFFFFFFu, 0xFFFFFFFFu), 0u);
}

// ------------------------------------------------- a connection through zero

void expect_segment(const Segment& s, std::uint8_t ctl, Seq seq, Seq ack, std::size_t len, const char* what) {
  SCOPED_TRACE(what);
  // PSH may ride on data segments; the control bits RFC 9293 figures show are
  // SYN, ACK, FIN, RST.
  EXPECT_EQ(s.flags & (kSyn | kAck | kFin | kRst), ctl) << flags_label(s.flags);
  EXPECT_EQ(s.seq, seq);
  if (ctl & kAck) {
    EXPECT_EQ(s.ack, ack);
  }
  EXPECT_EQ(s.payload.size(), len);
}

// A with ISS = 0xFFFFFFF0 connects to B (ISS = 0xFFFFFFFE). A sends 20
// octets that cross zero (0xFFFFFFF1 .. 0x4), B sends 5 that start at
// 0xFFFFFFFF and cross zero too; then a normal close. Every number below
// is ISS + the octets (SYN, data, FIN) sent before it, modulo 2^32.
TEST(Seq, Rfc9293_3_4_FullConnectionWithSequenceNumbersWrappingThroughZero) {
  constexpr Seq kIssA = 0xFFFFFFF0u;
  constexpr Seq kIssB = 0xFFFFFFFEu;
  Endpoint a, b;
  Outbox oa, ob;

  ASSERT_EQ(b.open_passive(kIssB, 0, ob), model::Error::None);
  ASSERT_EQ(a.open_active(kIssA, 0, oa), model::Error::None);
  auto syn = sent(oa);
  ASSERT_EQ(syn.size(), 1u);
  expect_segment(syn[0], kSyn, 0xFFFFFFF0u, 0, 0, "A: SYN");
  ob.clear();
  b.segment_arrives(syn[0], 0, ob);
  EXPECT_EQ(b.state(), State::SynReceived);
  auto synack = sent(ob);
  ASSERT_EQ(synack.size(), 1u);
  expect_segment(synack[0], kSyn | kAck, 0xFFFFFFFEu, 0xFFFFFFF1u, 0, "B: SYN,ACK");

  oa.clear();
  a.segment_arrives(synack[0], 0, oa);
  EXPECT_EQ(a.state(), State::Established);
  auto ack = sent(oa);
  ASSERT_EQ(ack.size(), 1u);
  expect_segment(ack[0], kAck, 0xFFFFFFF1u, 0xFFFFFFFFu, 0, "A: ACK of SYN,ACK (RCV.NXT = 0xFFFFFFFE + 1)");
  ob.clear();
  b.segment_arrives(ack[0], 0, ob);
  EXPECT_EQ(b.state(), State::Established);
  EXPECT_TRUE(sent(ob).empty());

  // A -> B: 20 octets 0xFFFFFFF1 .. 0x00000004.
  const std::string a_data = "abcdefghijklmnopqrst";
  oa.clear();
  ASSERT_EQ(a.send(a_data, 0, oa), model::Error::None);
  auto data_a = sent(oa);
  ASSERT_EQ(data_a.size(), 1u);
  expect_segment(data_a[0], kAck, 0xFFFFFFF1u, 0xFFFFFFFFu, 20, "A: data");
  EXPECT_EQ(a.tcb().snd_nxt, 0x5u);  // 0xFFFFFFF1 + 20, wrapped
  ob.clear();
  b.segment_arrives(data_a[0], 0, ob);
  auto ack_b = sent(ob);
  ASSERT_EQ(ack_b.size(), 1u);
  expect_segment(ack_b[0], kAck, 0xFFFFFFFFu, 0x5u, 0, "B: ACK of A's data, past zero");
  std::string got;
  ob.clear();
  ASSERT_EQ(b.receive(100, got, 0, ob), model::Error::None);
  EXPECT_EQ(got, a_data);
  oa.clear();
  a.segment_arrives(ack_b[0], 0, oa);
  EXPECT_EQ(a.tcb().snd_una, 0x5u);  // the wrapped ACK acknowledged everything
  EXPECT_TRUE(a.tcb().send_buffer.empty());
  EXPECT_TRUE(cancelled(oa, TimerKind::Retransmission)) << describe(oa);

  // B -> A: 5 octets 0xFFFFFFFF, 0, 1, 2, 3.
  const std::string b_data = "VWXYZ";
  ob.clear();
  ASSERT_EQ(b.send(b_data, 0, ob), model::Error::None);
  auto data_b = sent(ob);
  ASSERT_EQ(data_b.size(), 1u);
  expect_segment(data_b[0], kAck, 0xFFFFFFFFu, 0x5u, 5, "B: data");
  oa.clear();
  a.segment_arrives(data_b[0], 0, oa);
  auto ack_a = sent(oa);
  ASSERT_EQ(ack_a.size(), 1u);
  expect_segment(ack_a[0], kAck, 0x5u, 0x4u, 0, "A: ACK of B's data, past zero");
  got.clear();
  oa.clear();
  ASSERT_EQ(a.receive(100, got, 0, oa), model::Error::None);
  EXPECT_EQ(got, b_data);
  ob.clear();
  b.segment_arrives(ack_a[0], 0, ob);
  EXPECT_EQ(b.tcb().snd_una, 0x4u);

  // Close (RFC 9293 Figure 12's order): A's FIN occupies 0x5, B's 0x4.
  oa.clear();
  ASSERT_EQ(a.close(0, oa), model::Error::None);
  auto fin_a = sent(oa);
  ASSERT_EQ(fin_a.size(), 1u);
  expect_segment(fin_a[0], kFin | kAck, 0x5u, 0x4u, 0, "A: FIN");
  EXPECT_EQ(a.state(), State::FinWait1);
  ob.clear();
  b.segment_arrives(fin_a[0], 0, ob);
  EXPECT_EQ(b.state(), State::CloseWait);
  auto ack_fin_a = sent(ob);
  ASSERT_EQ(ack_fin_a.size(), 1u);
  expect_segment(ack_fin_a[0], kAck, 0x4u, 0x6u, 0, "B: ACK of A's FIN");
  oa.clear();
  a.segment_arrives(ack_fin_a[0], 0, oa);
  EXPECT_EQ(a.state(), State::FinWait2);

  ob.clear();
  ASSERT_EQ(b.close(0, ob), model::Error::None);
  auto fin_b = sent(ob);
  ASSERT_EQ(fin_b.size(), 1u);
  expect_segment(fin_b[0], kFin | kAck, 0x4u, 0x6u, 0, "B: FIN");
  EXPECT_EQ(b.state(), State::LastAck);
  oa.clear();
  a.segment_arrives(fin_b[0], 0, oa);
  EXPECT_EQ(a.state(), State::TimeWait);
  auto last = sent(oa);
  ASSERT_EQ(last.size(), 1u);
  expect_segment(last[0], kAck, 0x6u, 0x5u, 0, "A: ACK of B's FIN");
  ob.clear();
  b.segment_arrives(last[0], 0, ob);
  EXPECT_EQ(b.state(), State::Closed);
}

// The retransmission of a segment that straddles zero carries the same
// (wrapped) sequence number, and its ACK past zero stops the timer.
TEST(Seq, Rfc9293_3_4_RetransmissionAcrossWraparoundKeepsItsSequenceNumber) {
  Endpoint a;
  Outbox o;
  a.open_active(0xFFFFFFFAu, 0, o);
  o.clear();
  a.segment_arrives(seg(kSyn | kAck, kIrs, 0xFFFFFFFBu), 0, o);
  ASSERT_EQ(a.state(), State::Established);
  o.clear();
  a.send("0123456789", 0, o);  // 0xFFFFFFFB .. 0x4
  ASSERT_EQ(sent(o).size(), 1u);
  EXPECT_EQ(sent(o)[0].seq, 0xFFFFFFFBu);
  o.clear();
  a.timeout(TimerKind::Retransmission, 1 * kSecond, o);
  auto re = sent(o);
  ASSERT_EQ(re.size(), 1u);
  EXPECT_EQ(re[0].seq, 0xFFFFFFFBu);
  EXPECT_EQ(re[0].payload, "0123456789");
  o.clear();
  a.segment_arrives(seg(kAck, kIrs + 1, 0x5u), 2 * kSecond, o);
  EXPECT_EQ(a.tcb().snd_una, 0x5u);
  EXPECT_TRUE(cancelled(o, TimerKind::Retransmission)) << describe(o);
}

}  // namespace
}  // namespace tcpsim::test
