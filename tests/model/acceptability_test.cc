// RFC 9293 §3.10.7.4, first step: the four cases of the segment
// acceptability test (Table 6), each with an acceptable and an unacceptable
// example, and what an unacceptable segment gets:
//   "If an incoming segment is not acceptable, an acknowledgment should be
//    sent in reply (unless the RST bit is set, if so drop the segment and
//    return): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"
//
//   Segment Length | Receive Window | Test
//   0              | 0              | SEG.SEQ = RCV.NXT
//   0              | >0             | RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
//   >0             | 0              | not acceptable
//   >0             | >0             | RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND or
//                  |                | RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND
//
// Our side is the harness's: ISS 100, peer ISS 300, so in ESTABLISHED
// SND.NXT = 101 and RCV.NXT = 301 until data moves.
#include <gtest/gtest.h>

#include <string>

#include "harness.h"

namespace tcpsim::test {
namespace {

constexpr Seq kSndNxt = kIss + 1;         // 101
constexpr Seq kRcvNxt = kIrs + 1;         // 301
constexpr std::uint32_t kRcvWnd = 65535;  // Config::rcv_buffer, nothing buffered

// Exactly one segment, an empty ACK <SEQ=seq><ACK=ack><CTL=ACK>.
void expect_only_ack(const Outbox& out, Seq seq, Seq ack) {
  const auto s = sent(out);
  ASSERT_EQ(s.size(), 1u) << describe(out);
  EXPECT_EQ(s[0].flags, kAck) << describe(out);
  EXPECT_EQ(s[0].seq, seq) << describe(out);
  EXPECT_EQ(s[0].ack, ack) << describe(out);
  EXPECT_TRUE(s[0].payload.empty()) << describe(out);
}

void expect_nothing_sent(const Outbox& out) { EXPECT_TRUE(sent(out).empty()) << describe(out); }

// ESTABLISHED with a receive window of zero: Config::rcv_buffer = 10 and
// the peer's 10 octets (301..310) are held, unread. RCV.NXT = 311.
constexpr Seq kFullRcvNxt = kRcvNxt + 10;
Endpoint zero_window() {
  Config cfg;
  cfg.rcv_buffer = 10;
  Endpoint ep = reach(State::Established, cfg);
  Outbox o;
  ep.segment_arrives(seg(kAck, kRcvNxt, kSndNxt, "0123456789"), 0, o);
  EXPECT_EQ(ep.tcb().rcv_nxt, kFullRcvNxt);
  EXPECT_EQ(ep.tcb().recv_buffer.size(), 10u);
  const auto s = sent(o);
  EXPECT_EQ(s.size(), 1u);
  if (!s.empty()) {
    EXPECT_EQ(s[0].window, 0) << "the ACK of the 10 octets closes the window";
  }
  return ep;
}

// ------------------------------------------- case 1: SEG.LEN = 0, RCV.WND = 0

// Acceptable only at SEG.SEQ = RCV.NXT. The example is a window update: an
// acceptable ACK is processed (fifth step), which changes SND.WND.
TEST(Acceptability, Rfc9293_3_10_7_4_Case1_ZeroLengthZeroWindow_SeqAtRcvNxtIsAcceptable) {
  Endpoint ep = zero_window();
  Outbox o;
  ep.segment_arrives(seg(kAck, kFullRcvNxt, kSndNxt, {}, 1234), 0, o);
  expect_nothing_sent(o);
  EXPECT_EQ(ep.tcb().snd_wnd, 1234u) << "the acceptable ACK updated the send window";
  EXPECT_EQ(ep.state(), State::Established);
}

TEST(Acceptability, Rfc9293_3_10_7_4_Case1_ZeroLengthZeroWindow_SeqPastRcvNxtIsAnsweredWithAck) {
  Endpoint ep = zero_window();
  const std::uint32_t wnd_before = ep.tcb().snd_wnd;
  Outbox o;
  ep.segment_arrives(seg(kAck, kFullRcvNxt + 1, kSndNxt, {}, 1234), 0, o);
  expect_only_ack(o, kSndNxt, kFullRcvNxt);
  EXPECT_EQ(ep.tcb().snd_wnd, wnd_before)
      << "an unacceptable segment is dropped before its ACK field is used";
  EXPECT_EQ(ep.state(), State::Established);
}

TEST(Acceptability, Rfc9293_3_10_7_4_Case1_ZeroLengthZeroWindow_SeqBeforeRcvNxtIsAnsweredWithAck) {
  Endpoint ep = zero_window();
  Outbox o;
  ep.segment_arrives(seg(kAck, kFullRcvNxt - 1, kSndNxt), 0, o);
  expect_only_ack(o, kSndNxt, kFullRcvNxt);
}

// A RST is a zero-length segment: acceptable at RCV.NXT ("special allowance
// should be made to accept valid ACKs, URGs, and RSTs"), dropped silently
// elsewhere.
TEST(Acceptability, Rfc9293_3_10_7_4_Case1_ZeroWindow_RstAtRcvNxtResets) {
  Endpoint ep = zero_window();
  Outbox o;
  ep.segment_arrives(seg(kRst, kFullRcvNxt), 0, o);
  expect_nothing_sent(o);
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(notified(o, AppEvent::Reset)) << describe(o);
}

TEST(Acceptability, Rfc9293_3_10_7_4_Case1_ZeroWindow_UnacceptableRstIsDroppedSilently) {
  Endpoint ep = zero_window();
  Outbox o;
  ep.segment_arrives(seg(kRst, kFullRcvNxt + 1), 0, o);
  expect_nothing_sent(o);
  EXPECT_EQ(ep.state(), State::Established);
}

// ------------------------------------------ case 2: SEG.LEN = 0, RCV.WND > 0

TEST(Acceptability, Rfc9293_3_10_7_4_Case2_ZeroLength_SeqInsideWindowIsAcceptable) {
  for (Seq s : {kRcvNxt, kRcvNxt + 100, kRcvNxt + kRcvWnd - 1}) {
    SCOPED_TRACE(s);
    Endpoint ep = reach(State::Established);
    Outbox o;
    ep.segment_arrives(seg(kAck, s, kSndNxt, {}, 777), 0, o);
    expect_nothing_sent(o);
    EXPECT_EQ(ep.tcb().snd_wnd, 777u) << "processed: SND.WL1 < SEG.SEQ updates the window";
  }
}

TEST(Acceptability, Rfc9293_3_10_7_4_Case2_ZeroLength_SeqOutsideWindowIsAnsweredWithAck) {
  for (Seq s : {kRcvNxt - 1, kRcvNxt + kRcvWnd, kRcvNxt - 1000}) {
    SCOPED_TRACE(s);
    Endpoint ep = reach(State::Established);
    Outbox o;
    ep.segment_arrives(seg(kAck, s, kSndNxt, {}, 777), 0, o);
    expect_only_ack(o, kSndNxt, kRcvNxt);
    EXPECT_EQ(ep.tcb().snd_wnd, kWnd) << "dropped: the window is the handshake's";
    EXPECT_EQ(ep.state(), State::Established);
  }
}

TEST(Acceptability, Rfc9293_3_10_7_4_Case2_UnacceptableRstIsDroppedWithoutAnswer) {
  for (Seq s : {kRcvNxt - 1, kRcvNxt + kRcvWnd}) {
    SCOPED_TRACE(s);
    Endpoint ep = reach(State::Established);
    Outbox o;
    ep.segment_arrives(seg(kRst, s), 0, o);
    expect_nothing_sent(o);
    EXPECT_EQ(ep.state(), State::Established);
  }
}

TEST(Acceptability, Rfc9293_3_10_7_4_Case2_AcceptableRstAtRcvNxtResets) {
  Endpoint ep = reach(State::Established);
  Outbox o;
  ep.segment_arrives(seg(kRst, kRcvNxt), 0, o);
  expect_nothing_sent(o);
  EXPECT_EQ(ep.state(), State::Closed);
}

// ------------------------------------------ case 3: SEG.LEN > 0, RCV.WND = 0

// Never acceptable, even at RCV.NXT: the ACK names RCV.NXT, the octet is not
// taken.
TEST(Acceptability, Rfc9293_3_10_7_4_Case3_DataIntoZeroWindowIsNotAcceptable) {
  Endpoint ep = zero_window();
  Outbox o;
  ep.segment_arrives(seg(kAck, kFullRcvNxt, kSndNxt, "x"), 0, o);
  expect_only_ack(o, kSndNxt, kFullRcvNxt);
  EXPECT_EQ(ep.tcb().rcv_nxt, kFullRcvNxt);
  EXPECT_EQ(ep.tcb().recv_buffer, "0123456789");
}

// A FIN occupies sequence space too: SEG.LEN = 1 into a zero window.
TEST(Acceptability, Rfc9293_3_10_7_4_Case3_FinIntoZeroWindowIsNotAcceptable) {
  Endpoint ep = zero_window();
  Outbox o;
  ep.segment_arrives(seg(kFin | kAck, kFullRcvNxt, kSndNxt), 0, o);
  expect_only_ack(o, kSndNxt, kFullRcvNxt);
  EXPECT_EQ(ep.state(), State::Established);
}

// The same segment becomes acceptable (case 4) once the application reads
// and the window opens.
TEST(Acceptability, Rfc9293_3_10_7_4_Case3_SameSegmentAcceptedOnceTheWindowOpens) {
  Endpoint ep = zero_window();
  Outbox o;
  std::string got;
  ASSERT_EQ(ep.receive(10, got, 0, o), model::Error::None);
  o.clear();
  ep.segment_arrives(seg(kAck, kFullRcvNxt, kSndNxt, "x"), 0, o);
  expect_only_ack(o, kSndNxt, kFullRcvNxt + 1);
}

// "If the RCV.WND is zero, no segments will be acceptable, but special
// allowance should be made to accept valid ACKs": a zero-window probe from
// the peer that also acknowledges our data still advances SND.UNA (the text
// is dropped and answered with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>).
TEST(Acceptability, Rfc9293_3_10_7_4_Case3_ZeroWindowStillTakesTheValidAckOfADataSegment) {
  Endpoint ep = zero_window();
  Outbox o;
  ASSERT_EQ(ep.send("abc", 0, o), model::Error::None);  // 101..103 outstanding
  ASSERT_EQ(ep.tcb().snd_nxt, kSndNxt + 3);
  o.clear();
  ep.segment_arrives(seg(kAck, kFullRcvNxt, kSndNxt + 3, "x"), 0, o);
  expect_only_ack(o, kSndNxt + 3, kFullRcvNxt);
  EXPECT_EQ(ep.tcb().recv_buffer, "0123456789") << "the probe's octet is not taken";
  EXPECT_EQ(ep.tcb().snd_una, kSndNxt + 3) << "the valid ACK is accepted (RFC 9293 §3.10.7.4 first step)";
}

// ------------------------------------------ case 4: SEG.LEN > 0, RCV.WND > 0

TEST(Acceptability, Rfc9293_3_10_7_4_Case4_DataStartingAtRcvNxtIsAcceptable) {
  Endpoint ep = reach(State::Established);
  Outbox o;
  ep.segment_arrives(seg(kAck, kRcvNxt, kSndNxt, "hello"), 0, o);
  expect_only_ack(o, kSndNxt, kRcvNxt + 5);
  EXPECT_EQ(ep.tcb().recv_buffer, "hello");
}

// Starts before RCV.NXT, ends inside the window: acceptable by the second
// condition, and "only the new parts are processed".
TEST(Acceptability, Rfc9293_3_10_7_4_Case4_DataStraddlingTheLeftEdgeIsAcceptable) {
  Endpoint ep = reach(State::Established);
  Outbox o;
  ep.segment_arrives(seg(kAck, kRcvNxt, kSndNxt, "ab"), 0, o);
  o.clear();
  ep.segment_arrives(seg(kAck, kRcvNxt, kSndNxt, "abcde"), 0, o);  // 301..305, 301..302 old
  expect_only_ack(o, kSndNxt, kRcvNxt + 5);
  EXPECT_EQ(ep.tcb().recv_buffer, "abcde");
}

TEST(Acceptability, Rfc9293_3_10_7_4_Case4_OldDuplicateDataIsAnsweredWithAck) {
  Endpoint ep = reach(State::Established);
  Outbox o;
  ep.segment_arrives(seg(kAck, kRcvNxt, kSndNxt, "hello"), 0, o);
  o.clear();
  ep.segment_arrives(seg(kAck, kRcvNxt, kSndNxt, "hello"), 0, o);  // ends at RCV.NXT-1
  expect_only_ack(o, kSndNxt, kRcvNxt + 5);
  EXPECT_EQ(ep.tcb().recv_buffer, "hello");
}

TEST(Acceptability, Rfc9293_3_10_7_4_Case4_DataBeyondTheWindowIsAnsweredWithAck) {
  Endpoint ep = reach(State::Established);
  Outbox o;
  ep.segment_arrives(seg(kAck, kRcvNxt + kRcvWnd, kSndNxt, "late"), 0, o);
  expect_only_ack(o, kSndNxt, kRcvNxt);
  EXPECT_TRUE(ep.tcb().recv_buffer.empty());
}

// A RST carrying data is a segment with SEG.LEN > 0; outside the window it
// is dropped without an answer.
TEST(Acceptability, Rfc9293_3_10_7_4_Case4_UnacceptableRstWithDataIsDroppedWithoutAnswer) {
  Endpoint ep = reach(State::Established);
  Outbox o;
  ep.segment_arrives(seg(kRst | kAck, kRcvNxt + kRcvWnd, kSndNxt, "why"), 0, o);
  expect_nothing_sent(o);
  EXPECT_EQ(ep.state(), State::Established);
}

// ------------------------------------------------ the same test in TIME-WAIT

// TIME-WAIT runs the same first step. A retransmission of the peer's FIN
// is the segment TIME-WAIT exists for: "Acknowledge it, and restart the
// 2 MSL timeout" (fifth step, and eighth step TIME-WAIT).
TEST(Acceptability, Rfc9293_3_10_7_4_TimeWait_RetransmittedFinRestarts2Msl) {
  Endpoint ep = reach(State::TimeWait);
  Outbox o;
  ep.segment_arrives(seg(kFin | kAck, kIrs + 1, kIss + 2), 5 * kSecond, o);
  expect_only_ack(o, kIss + 2, kIrs + 2);
  EXPECT_EQ(armed_for(o, TimerKind::TimeWait), ep.config().time_wait) << describe(o);
  EXPECT_EQ(ep.state(), State::TimeWait);
}

TEST(Acceptability, Rfc9293_3_10_7_4_TimeWait_SegmentBeyondTheWindowIsAnsweredWithAck) {
  Endpoint ep = reach(State::TimeWait);
  Outbox o;
  ep.segment_arrives(seg(kAck, kIrs + 2 + kRcvWnd, kIss + 2), 0, o);
  expect_only_ack(o, kIss + 2, kIrs + 2);
  EXPECT_EQ(ep.state(), State::TimeWait);
}

TEST(Acceptability, Rfc9293_3_10_7_4_TimeWait_UnacceptableRstIsDroppedWithoutAnswer) {
  Endpoint ep = reach(State::TimeWait);
  Outbox o;
  ep.segment_arrives(seg(kRst, kIrs + 1), 0, o);  // RCV.NXT - 1
  expect_nothing_sent(o);
  EXPECT_EQ(ep.state(), State::TimeWait);
}

}  // namespace
}  // namespace tcpsim::test
