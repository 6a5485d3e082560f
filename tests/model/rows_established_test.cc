// Rows leaving ESTABLISHED: SEGMENT ARRIVES (RFC 9293 §3.10.7.4), CLOSE and
// ABORT (§3.10.4-5), and giving up on retransmissions (§3.8.3).
#include "rows_util.h"

namespace tcpsim::test {
namespace {

// §3.10.7.4 seventh, ESTABLISHED: "Once in the ESTABLISHED state, it is
// possible to deliver segment data to user RECEIVE buffers ... RCV.NXT is
// advanced over the data accepted ... Send an acknowledgment of the form:
// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>".
ROW_TEST(estab_rcv_ack, Rfc9293_3_10_7_4_Established_DataIsDeliveredAndAcked) {
  Endpoint ep = reach(State::Established);
  Outbox out = arrive(ep, seg(kAck | kPsh, kIrs + 1, kIss + 1, "hello"));
  EXPECT_FIRED(out, "estab_rcv_ack");
  EXPECT_EQ(ep.state(), State::Established);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1 + 5));
  EXPECT_EQ(ep.tcb().rcv_nxt, kIrs + 1 + 5);
  EXPECT_TRUE(notified(out, AppEvent::Readable));
  std::string got;
  EXPECT_EQ(ep.receive(100, got, 0, out), Error::None);
  EXPECT_EQ(got, "hello");
}

// §3.10.7.4 fifth, ESTABLISHED: "If SND.UNA < SEG.ACK =< SND.NXT, then set
// SND.UNA <- SEG.ACK. Any segments on the retransmission queue that are
// thereby entirely acknowledged are removed." RFC 6298 §5.2: all data
// acknowledged, turn the timer off. A bare ACK is not answered.
ROW_TEST(estab_rcv_ack, Rfc9293_3_10_7_4_Established_AckAdvancesSndUna) {
  Endpoint ep = reach(State::Established);
  Outbox out;
  ASSERT_EQ(ep.send("abc", 0, out), Error::None);
  ASSERT_EQ(ep.tcb().snd_nxt, kIss + 1 + 3);
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 3));
  EXPECT_FIRED(out, "estab_rcv_ack");
  EXPECT_EQ(ep.state(), State::Established);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(ep.tcb().snd_una, kIss + 1 + 3);
  EXPECT_TRUE(ep.tcb().send_buffer.empty());
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
  EXPECT_TRUE(notified(out, AppEvent::Writable));
}

// §3.10.7.4 eighth: "signal the user "connection closing" ... advance
// RCV.NXT over the FIN, and send an acknowledgment for the FIN ...
// ESTABLISHED STATE: Enter the CLOSE-WAIT state."
ROW_TEST(estab_rcv_fin, Rfc9293_3_10_7_4_Established_FinGoesToCloseWait) {
  Endpoint ep = reach(State::Established);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1));
  EXPECT_FIRED(out, "estab_rcv_fin");
  EXPECT_EQ(ep.state(), State::CloseWait);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1 + 1));
  EXPECT_TRUE(ep.tcb().fin_received);
  EXPECT_TRUE(notified(out, AppEvent::EndOfStream));
  // §3.10.3 RECEIVE after the FIN: end of stream, no bytes, no error.
  std::string got;
  EXPECT_EQ(ep.receive(100, got, 0, out), Error::None);
  EXPECT_TRUE(got.empty());
}

// Data and FIN in one segment: the seventh step delivers the text, the
// eighth takes the FIN after it, and one ACK covers both.
ROW_TEST(estab_rcv_fin, Rfc9293_3_10_7_4_Established_DataThenFinInOneSegment) {
  Endpoint ep = reach(State::Established);
  Outbox out = arrive(ep, seg(kFin | kAck | kPsh, kIrs + 1, kIss + 1, "bye"));
  EXPECT_FIRED(out, "estab_rcv_fin");
  EXPECT_EQ(ep.state(), State::CloseWait);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1 + 3 + 1));
  std::string got;
  EXPECT_EQ(ep.receive(100, got, 0, out), Error::None);
  EXPECT_EQ(got, "bye");
  got.clear();
  EXPECT_EQ(ep.receive(100, got, 0, out), Error::None);
  EXPECT_TRUE(got.empty());  // then end of stream
}

// §3.10.7.4 second, ESTABLISHED: "If the RST bit is set, then any
// outstanding RECEIVEs and SEND should receive "reset" responses ... Users
// should also receive an unsolicited general "connection reset" signal.
// Enter the CLOSED state". RFC 5961 §3.2: the RST is at exactly RCV.NXT.
ROW_TEST(estab_rcv_rst, Rfc9293_3_10_7_4_Established_RstResetsConnection) {
  Endpoint ep = reach(State::Established);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1));
  EXPECT_FIRED(out, "estab_rcv_rst");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
  EXPECT_EQ(ep.failure(), Error::ConnectionReset);
  EXPECT_EQ(ep.send("x", 0, out), Error::ConnectionReset);
}

// RFC 5961 §3.2: an in-window RST not at RCV.NXT gets a challenge ACK and
// leaves the connection alone (the other side of estab_rcv_rst).
TEST(Row_estab_rcv_rst, Rfc5961_3_2_Established_InWindowRstGetsChallengeAck) {
  Endpoint ep = reach(State::Established);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1 + 10));
  EXPECT_FALSE(fired(out, "estab_rcv_rst"));
  EXPECT_EQ(ep.state(), State::Established);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1));
}

// §3.10.7.4 fourth, without RFC 5961: "If the SYN is in the window it is an
// error: send a reset, ... the user should also receive an unsolicited
// general "connection reset" signal, enter the CLOSED state".
ROW_TEST(estab_rcv_syn, Rfc9293_3_10_7_4_Established_InWindowSynResetsWithoutRfc5961) {
  Endpoint ep = reach(State::Established, without_rfc5961());
  Outbox out = arrive(ep, seg(kSyn, kIrs + 1));
  EXPECT_FIRED(out, "estab_rcv_syn");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
}

// With RFC 5961 (RFC 9293 §3.10.7.4 fourth, its MUST): "send a "challenge
// ACK" ... <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", drop the segment.
TEST(Row_estab_rcv_syn, Rfc5961_4_2_Established_SynGetsChallengeAck) {
  Endpoint ep = reach(State::Established);
  Outbox out = arrive(ep, seg(kSyn, kIrs + 1));
  EXPECT_FALSE(fired(out, "estab_rcv_syn"));
  EXPECT_EQ(ep.state(), State::Established);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1));
}

// §3.10.4 CLOSE in ESTABLISHED: "Queue this until all preceding SENDs have
// been segmentized, then form a FIN segment and send it. In any case, enter
// FIN-WAIT-1 state." The FIN takes SND.NXT and is retransmitted like data.
ROW_TEST(estab_close, Rfc9293_3_10_4_Established_CloseSendsFin) {
  Endpoint ep = reach(State::Established);
  Outbox out;
  EXPECT_EQ(ep.close(0, out), Error::None);
  EXPECT_FIRED(out, "estab_close");
  EXPECT_EQ(ep.state(), State::FinWait1);
  EXPECT_TRUE(SentOne(out, kFin | kAck, kIss + 1, kIrs + 1));
  EXPECT_EQ(ep.tcb().snd_nxt, kIss + 1 + 1);
  EXPECT_EQ(ep.tcb().fin_seq, kIss + 1);
  EXPECT_EQ(armed_for(out, TimerKind::Retransmission), 1 * kSecond);
}

// §3.10.5 ABORT in ESTABLISHED: "Send a reset segment: <SEQ=SND.NXT><CTL=RST>
// ... all segments queued for transmission ... or retransmission should be
// flushed. Delete the TCB, enter CLOSED state".
ROW_TEST(estab_abort, Rfc9293_3_10_5_Established_AbortSendsRstAndFlushes) {
  Endpoint ep = reach(State::Established);
  Outbox out;
  ASSERT_EQ(ep.send("unacked", 0, out), Error::None);
  out.clear();
  EXPECT_EQ(ep.abort(0, out), Error::None);
  EXPECT_FIRED(out, "estab_abort");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1 + 7));
  EXPECT_TRUE(ep.tcb().send_buffer.empty());
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
}

// §3.8.3 / RFC 1122 4.2.3.5 R2: retransmissions of data exhausted, the
// connection is closed and the user told; RFC 6298 §5.4-5.5 before that.
ROW_TEST(estab_give_up, Rfc9293_3_8_3_Established_DataRetriesExhaustedTimesOut) {
  Config cfg;
  cfg.data_retries = 1;
  Endpoint ep = reach(State::Established, cfg);
  Outbox out;
  ASSERT_EQ(ep.send("abc", 0, out), Error::None);
  out = expire(ep, TimerKind::Retransmission, 1 * kSecond);
  const auto v = sent(out);
  ASSERT_EQ(v.size(), 1u) << describe(out);
  EXPECT_TRUE(IsSeg(v[0], kAck | kPsh, kIss + 1, kIrs + 1));  // the earliest unacknowledged
  EXPECT_EQ(v[0].payload, "abc");
  EXPECT_EQ(armed_for(out, TimerKind::Retransmission), 2 * kSecond);
  out = expire(ep, TimerKind::Retransmission, 3 * kSecond);
  EXPECT_FIRED(out, "estab_give_up");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::TimedOut));
  EXPECT_EQ(ep.failure(), Error::TimedOut);
}

}  // namespace
}  // namespace tcpsim::test
