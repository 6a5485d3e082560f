// RFC 9293's connection figures replayed between two Endpoints, line by
// line: every segment's <SEQ><ACK><CTL> and each side's state after each
// numbered line, as the figure shows them.
//
// Reading the figures (RFC 9293 §3.5): "-->" is a segment leaving TCP Peer A
// for TCP Peer B (or arriving at B), "<--" the reverse, "..." a segment still
// in the network; the states are those AFTER the departure or arrival of the
// line's segment. CTL lists the control bits; our data segments also carry
// PSH, which the figures leave out with the other fields ("window,
// addresses, lengths, and text have been left out"), so only SYN, ACK, FIN
// and RST are compared.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace tcpsim::test {
namespace {

constexpr std::uint8_t kCtlMask = kSyn | kAck | kFin | kRst;

// The one segment an input produced.
#define ONE_SEGMENT(out, var)                       \
  const std::vector<Segment> var##_all = sent(out); \
  ASSERT_EQ(var##_all.size(), 1u) << describe(out); \
  const Segment& var = var##_all[0]

// <SEQ=seq><ACK=ack><CTL=ctl> (ACK compared only when CTL has ACK).
void expect_seg(const Segment& s, Seq seq, std::uint8_t ctl, Seq ack = 0) {
  EXPECT_EQ(s.flags & kCtlMask, ctl) << "CTL=" << flags_label(s.flags);
  EXPECT_EQ(s.seq, seq);
  if (ctl & kAck) {
    EXPECT_EQ(s.ack, ack);
  }
}

// Figure 6 as a helper, for the close figures: A (active, ISS issA) and B
// (passive, ISS issB) end up ESTABLISHED with SND.NXT = ISS + 1.
void handshake(Endpoint& a, Endpoint& b, Seq issA, Seq issB) {
  Outbox oa, ob;
  b.open_passive(issB, 0, ob);
  a.open_active(issA, 0, oa);
  ONE_SEGMENT(oa, syn);
  ob.clear();
  b.segment_arrives(syn, 0, ob);
  ONE_SEGMENT(ob, synack);
  oa.clear();
  a.segment_arrives(synack, 0, oa);
  ONE_SEGMENT(oa, ack);
  ob.clear();
  b.segment_arrives(ack, 0, ob);
  ASSERT_EQ(a.state(), State::Established);
  ASSERT_EQ(b.state(), State::Established);
}

// RFC 9293 §3.5, Figure 6: Basic Three-Way Handshake for Connection
// Synchronization.
//
//       TCP Peer A                                           TCP Peer B
//   1.  CLOSED                                               LISTEN
//   2.  SYN-SENT    --> <SEQ=100><CTL=SYN>               --> SYN-RECEIVED
//   3.  ESTABLISHED <-- <SEQ=300><ACK=101><CTL=SYN,ACK>  <-- SYN-RECEIVED
//   4.  ESTABLISHED --> <SEQ=101><ACK=301><CTL=ACK>       --> ESTABLISHED
//   5.  ESTABLISHED --> <SEQ=101><ACK=301><CTL=ACK><DATA> --> ESTABLISHED
TEST(RfcFigures, Rfc9293_3_5_Figure6_ThreeWayHandshake) {
  Endpoint a, b;
  Outbox oa, ob;

  // Line 1.
  b.open_passive(300, 0, ob);
  EXPECT_EQ(a.state(), State::Closed);
  EXPECT_EQ(b.state(), State::Listen);

  // Line 2.
  a.open_active(100, 0, oa);
  ONE_SEGMENT(oa, l2);
  expect_seg(l2, 100, kSyn);
  EXPECT_EQ(a.state(), State::SynSent);
  ob.clear();
  b.segment_arrives(l2, 0, ob);
  EXPECT_EQ(b.state(), State::SynReceived);

  // Line 3.
  ONE_SEGMENT(ob, l3);
  expect_seg(l3, 300, kSyn | kAck, 101);
  oa.clear();
  a.segment_arrives(l3, 0, oa);
  EXPECT_EQ(a.state(), State::Established);
  EXPECT_EQ(b.state(), State::SynReceived);

  // Line 4.
  ONE_SEGMENT(oa, l4);
  expect_seg(l4, 101, kAck, 301);
  EXPECT_TRUE(l4.payload.empty());
  ob.clear();
  b.segment_arrives(l4, 0, ob);
  EXPECT_EQ(b.state(), State::Established);
  EXPECT_TRUE(sent(ob).empty()) << "an ACK is not ACKed: " << describe(ob);

  // Line 5: same SEQ as line 4, "the ACK does not occupy sequence number space".
  oa.clear();
  a.send("data", 0, oa);
  ONE_SEGMENT(oa, l5);
  expect_seg(l5, 101, kAck, 301);
  EXPECT_EQ(l5.payload, "data");
  ob.clear();
  b.segment_arrives(l5, 0, ob);
  EXPECT_EQ(a.state(), State::Established);
  EXPECT_EQ(b.state(), State::Established);
  // Beyond the figure: B acknowledges the four octets (§3.10.7.4 seventh step).
  ONE_SEGMENT(ob, l5_ack);
  expect_seg(l5_ack, 301, kAck, 105);
}

// RFC 9293 §3.5, Figure 7: Simultaneous Connection Synchronization.
//
//       TCP Peer A                                       TCP Peer B
//   1.  CLOSED                                           CLOSED
//   2.  SYN-SENT     --> <SEQ=100><CTL=SYN>              ...
//   3.  SYN-RECEIVED <-- <SEQ=300><CTL=SYN>              <-- SYN-SENT
//   4.               ... <SEQ=100><CTL=SYN>              --> SYN-RECEIVED
//   5.  SYN-RECEIVED --> <SEQ=100><ACK=301><CTL=SYN,ACK> ...
//   6.  ESTABLISHED  <-- <SEQ=300><ACK=101><CTL=SYN,ACK> <-- SYN-RECEIVED
//   7.               ... <SEQ=100><ACK=301><CTL=SYN,ACK> --> ESTABLISHED
//
// Beyond the figure: on lines 6 and 7 each side also sends
// <SEQ=ISS+1><ACK=peer ISS+1><CTL=ACK>. The SYN,ACK arriving there has
// SEG.SEQ = RCV.NXT - 1 (its SYN was taken on line 3 or 4), which the
// first-step acceptability test of §3.10.7.4 answers with exactly this
// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; the figure omits it. The model
// takes the SYN,ACK's ACK (line 6 goes to ESTABLISHED, as the figure shows)
// and sends that ACK. The crossing ACKs change nothing.
TEST(RfcFigures, Rfc9293_3_5_Figure7_SimultaneousOpen) {
  Endpoint a, b;
  Outbox oa, ob;

  // Line 1.
  EXPECT_EQ(a.state(), State::Closed);
  EXPECT_EQ(b.state(), State::Closed);

  // Line 2: A's SYN leaves (and stays in the network until line 4).
  a.open_active(100, 0, oa);
  ONE_SEGMENT(oa, l2);
  expect_seg(l2, 100, kSyn);
  EXPECT_EQ(a.state(), State::SynSent);

  // Line 3: B's SYN, sent from SYN-SENT, reaches A.
  b.open_active(300, 0, ob);
  ONE_SEGMENT(ob, l3);
  expect_seg(l3, 300, kSyn);
  EXPECT_EQ(b.state(), State::SynSent);
  oa.clear();
  a.segment_arrives(l3, 0, oa);
  EXPECT_EQ(a.state(), State::SynReceived);
  ONE_SEGMENT(oa, l5);  // A's answer is line 5's segment

  // Line 4: A's delayed SYN reaches B.
  ob.clear();
  b.segment_arrives(l2, 0, ob);
  EXPECT_EQ(b.state(), State::SynReceived);
  ONE_SEGMENT(ob, l6);  // B's answer is line 6's segment

  // Line 5.
  expect_seg(l5, 100, kSyn | kAck, 301);
  EXPECT_EQ(a.state(), State::SynReceived);

  // Line 6.
  expect_seg(l6, 300, kSyn | kAck, 101);
  oa.clear();
  a.segment_arrives(l6, 0, oa);
  EXPECT_EQ(a.state(), State::Established);
  EXPECT_EQ(b.state(), State::SynReceived);
  ONE_SEGMENT(oa, a_ack);
  expect_seg(a_ack, 101, kAck, 301);

  // Line 7.
  ob.clear();
  b.segment_arrives(l5, 0, ob);
  EXPECT_EQ(b.state(), State::Established);
  ONE_SEGMENT(ob, b_ack);
  expect_seg(b_ack, 301, kAck, 101);

  // The two ACKs cross; both sides stay ESTABLISHED and send nothing.
  oa.clear();
  a.segment_arrives(b_ack, 0, oa);
  ob.clear();
  b.segment_arrives(a_ack, 0, ob);
  EXPECT_TRUE(sent(oa).empty()) << describe(oa);
  EXPECT_TRUE(sent(ob).empty()) << describe(ob);
  EXPECT_EQ(a.state(), State::Established);
  EXPECT_EQ(b.state(), State::Established);
}

// RFC 9293 §3.5, Figure 8: Recovery from Old Duplicate SYN.
//
//       TCP Peer A                                           TCP Peer B
//   1.  CLOSED                                               LISTEN
//   2.  SYN-SENT    --> <SEQ=100><CTL=SYN>               ...
//   3.  (duplicate) ... <SEQ=90><CTL=SYN>               --> SYN-RECEIVED
//   4.  SYN-SENT    <-- <SEQ=300><ACK=91><CTL=SYN,ACK>  <-- SYN-RECEIVED
//   5.  SYN-SENT    --> <SEQ=91><CTL=RST>               --> LISTEN
//   6.              ... <SEQ=100><CTL=SYN>               --> SYN-RECEIVED
//   7.  ESTABLISHED <-- <SEQ=400><ACK=101><CTL=SYN,ACK>  <-- SYN-RECEIVED
//   8.  ESTABLISHED --> <SEQ=101><ACK=401><CTL=ACK>      --> ESTABLISHED
//
// Where the model differs: on line 7 the figure's B picks a new ISS (400)
// for the new incarnation. tcpsim has no clock-driven ISN generator (§3.4.1):
// the ISS is the caller's choice, given to open_passive(), and B keeps it
// when it returns to LISTEN. So B's SYN,ACK is <SEQ=300><ACK=101>, and A's
// ACK on line 8 is <SEQ=101><ACK=301>. Everything else is as drawn,
// including A's RST on line 5 taking its SEQ from the bad ACK (§3.10.7.3:
// "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset <SEQ=SEG.ACK><CTL=RST>").
TEST(RfcFigures, Rfc9293_3_5_Figure8_RecoveryFromOldDuplicateSyn) {
  Endpoint a, b;
  Outbox oa, ob;

  // Line 1.
  b.open_passive(300, 0, ob);
  EXPECT_EQ(a.state(), State::Closed);
  EXPECT_EQ(b.state(), State::Listen);

  // Line 2: A's SYN is delayed in the network until line 6.
  a.open_active(100, 0, oa);
  ONE_SEGMENT(oa, l2);
  expect_seg(l2, 100, kSyn);
  EXPECT_EQ(a.state(), State::SynSent);

  // Line 3: an old duplicate SYN from an earlier incarnation reaches B.
  ob.clear();
  b.segment_arrives(seg(kSyn, 90), 0, ob);
  EXPECT_EQ(b.state(), State::SynReceived);

  // Line 4.
  ONE_SEGMENT(ob, l4);
  expect_seg(l4, 300, kSyn | kAck, 91);
  oa.clear();
  a.segment_arrives(l4, 0, oa);
  EXPECT_EQ(a.state(), State::SynSent);

  // Line 5.
  ONE_SEGMENT(oa, l5);
  expect_seg(l5, 91, kRst);
  ob.clear();
  b.segment_arrives(l5, 0, ob);
  EXPECT_EQ(b.state(), State::Listen);
  EXPECT_TRUE(sent(ob).empty()) << describe(ob);

  // Line 6.
  ob.clear();
  b.segment_arrives(l2, 0, ob);
  EXPECT_EQ(b.state(), State::SynReceived);

  // Line 7 (SEQ=300, not the figure's 400: see above).
  ONE_SEGMENT(ob, l7);
  expect_seg(l7, 300, kSyn | kAck, 101);
  oa.clear();
  a.segment_arrives(l7, 0, oa);
  EXPECT_EQ(a.state(), State::Established);

  // Line 8 (ACK=301 for the same reason).
  ONE_SEGMENT(oa, l8);
  expect_seg(l8, 101, kAck, 301);
  ob.clear();
  b.segment_arrives(l8, 0, ob);
  EXPECT_EQ(a.state(), State::Established);
  EXPECT_EQ(b.state(), State::Established);
}

// RFC 9293 §3.6, Figure 12: Normal Close Sequence.
//
//       TCP Peer A                                           TCP Peer B
//   1.  ESTABLISHED                                          ESTABLISHED
//   2.  (Close)
//       FIN-WAIT-1  --> <SEQ=100><ACK=300><CTL=FIN,ACK>  --> CLOSE-WAIT
//   3.  FIN-WAIT-2  <-- <SEQ=300><ACK=101><CTL=ACK>      <-- CLOSE-WAIT
//   4.                                                       (Close)
//       TIME-WAIT   <-- <SEQ=300><ACK=101><CTL=FIN,ACK>  <-- LAST-ACK
//   5.  TIME-WAIT   --> <SEQ=101><ACK=301><CTL=ACK>      --> CLOSED
//   6.  (2 MSL)
//       CLOSED
//
// The figure starts in ESTABLISHED with A's SND.NXT = 100 and B's = 300:
// a handshake from ISS 99 and 299 (Figure 6 with every number one lower)
// leaves exactly that.
TEST(RfcFigures, Rfc9293_3_6_Figure12_NormalClose) {
  Endpoint a, b;
  handshake(a, b, 99, 299);
  Outbox oa, ob;

  // Line 1.
  EXPECT_EQ(a.tcb().snd_nxt, 100u);
  EXPECT_EQ(b.tcb().snd_nxt, 300u);

  // Line 2.
  a.close(0, oa);
  ONE_SEGMENT(oa, l2);
  expect_seg(l2, 100, kFin | kAck, 300);
  EXPECT_EQ(a.state(), State::FinWait1);
  ob.clear();
  b.segment_arrives(l2, 0, ob);
  EXPECT_EQ(b.state(), State::CloseWait);
  EXPECT_TRUE(notified(ob, AppEvent::EndOfStream)) << "\"connection closing\": " << describe(ob);

  // Line 3.
  ONE_SEGMENT(ob, l3);
  expect_seg(l3, 300, kAck, 101);
  oa.clear();
  a.segment_arrives(l3, 0, oa);
  EXPECT_EQ(a.state(), State::FinWait2);
  EXPECT_EQ(b.state(), State::CloseWait);

  // Line 4.
  ob.clear();
  b.close(0, ob);
  ONE_SEGMENT(ob, l4);
  expect_seg(l4, 300, kFin | kAck, 101);
  EXPECT_EQ(b.state(), State::LastAck);
  oa.clear();
  a.segment_arrives(l4, 0, oa);
  EXPECT_EQ(a.state(), State::TimeWait);
  EXPECT_EQ(armed_for(oa, TimerKind::TimeWait), 240 * kSecond) << "2 MSL, MSL = 2 minutes (§3.4.2)";

  // Line 5.
  ONE_SEGMENT(oa, l5);
  expect_seg(l5, 101, kAck, 301);
  ob.clear();
  b.segment_arrives(l5, 0, ob);
  EXPECT_EQ(a.state(), State::TimeWait);
  EXPECT_EQ(b.state(), State::Closed);
  EXPECT_TRUE(sent(ob).empty()) << describe(ob);

  // Line 6.
  oa.clear();
  a.timeout(TimerKind::TimeWait, 240 * kSecond, oa);
  EXPECT_EQ(a.state(), State::Closed);
  EXPECT_TRUE(sent(oa).empty()) << describe(oa);
}

// RFC 9293 §3.6, Figure 13: Simultaneous Close Sequence.
//
//       TCP Peer A                                           TCP Peer B
//   1.  ESTABLISHED                                          ESTABLISHED
//   2.  (Close)                                              (Close)
//       FIN-WAIT-1  --> <SEQ=100><ACK=300><CTL=FIN,ACK>  ... FIN-WAIT-1
//                   <-- <SEQ=300><ACK=100><CTL=FIN,ACK>  <--
//                   ... <SEQ=100><ACK=300><CTL=FIN,ACK>  -->
//   3.  CLOSING     --> <SEQ=101><ACK=301><CTL=ACK>      ... CLOSING
//                   <-- <SEQ=301><ACK=101><CTL=ACK>      <--
//                   ... <SEQ=101><ACK=301><CTL=ACK>      -->
//   4.  TIME-WAIT                                            TIME-WAIT
//       (2 MSL)                                              (2 MSL)
//       CLOSED                                               CLOSED
//
// Same starting point as Figure 12 (ISS 99 and 299).
TEST(RfcFigures, Rfc9293_3_6_Figure13_SimultaneousClose) {
  Endpoint a, b;
  handshake(a, b, 99, 299);
  Outbox oa, ob;

  // Line 2: both users close; the FINs cross.
  a.close(0, oa);
  ONE_SEGMENT(oa, fin_a);
  expect_seg(fin_a, 100, kFin | kAck, 300);
  EXPECT_EQ(a.state(), State::FinWait1);
  b.close(0, ob);
  ONE_SEGMENT(ob, fin_b);
  expect_seg(fin_b, 300, kFin | kAck, 100);
  EXPECT_EQ(b.state(), State::FinWait1);

  oa.clear();
  a.segment_arrives(fin_b, 0, oa);  // B's FIN does not acknowledge A's
  ob.clear();
  b.segment_arrives(fin_a, 0, ob);

  // Line 3.
  EXPECT_EQ(a.state(), State::Closing);
  EXPECT_EQ(b.state(), State::Closing);
  ONE_SEGMENT(oa, ack_a);
  expect_seg(ack_a, 101, kAck, 301);
  ONE_SEGMENT(ob, ack_b);
  expect_seg(ack_b, 301, kAck, 101);

  // Line 4: the ACKs cross.
  oa.clear();
  a.segment_arrives(ack_b, 0, oa);
  ob.clear();
  b.segment_arrives(ack_a, 0, ob);
  EXPECT_EQ(a.state(), State::TimeWait);
  EXPECT_EQ(b.state(), State::TimeWait);
  EXPECT_TRUE(sent(oa).empty()) << describe(oa);
  EXPECT_TRUE(sent(ob).empty()) << describe(ob);
  EXPECT_EQ(armed_for(oa, TimerKind::TimeWait), 240 * kSecond);
  EXPECT_EQ(armed_for(ob, TimerKind::TimeWait), 240 * kSecond);

  oa.clear();
  a.timeout(TimerKind::TimeWait, 240 * kSecond, oa);
  ob.clear();
  b.timeout(TimerKind::TimeWait, 240 * kSecond, ob);
  EXPECT_EQ(a.state(), State::Closed);
  EXPECT_EQ(b.state(), State::Closed);
}

}  // namespace
}  // namespace tcpsim::test
