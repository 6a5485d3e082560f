// Rows leaving CLOSE-WAIT and LAST-ACK: the peer closed first (RFC 9293
// §3.10.7.4, §3.10.4-5, §3.8.3). In both, RCV.NXT = IRS + 1 + 1 (SYN, FIN).
#include "rows_util.h"

namespace tcpsim::test {
namespace {

// ---------------------------------------------------------------- CLOSE-WAIT

// §3.10.7.4 fifth, CLOSE-WAIT: "Do the same processing as for the
// ESTABLISHED state": an ACK of our data advances SND.UNA; we may still send.
ROW_TEST(closewait_rcv_ack, Rfc9293_3_10_7_4_CloseWait_AckOfOurDataAdvancesSndUna) {
  Endpoint ep = reach(State::CloseWait);
  Outbox out;
  ASSERT_EQ(ep.send("reply", 0, out), Error::None);
  {
    const auto v = sent(out);
    ASSERT_EQ(v.size(), 1u) << describe(out);
    EXPECT_TRUE(IsSeg(v[0], kAck | kPsh, kIss + 1, kIrs + 1 + 1));
  }
  out = arrive(ep, seg(kAck, kIrs + 1 + 1, kIss + 1 + 5));
  EXPECT_FIRED(out, "closewait_rcv_ack");
  EXPECT_EQ(ep.state(), State::CloseWait);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(ep.tcb().snd_una, kIss + 1 + 5);
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
}

// §3.10.7.4 seventh, CLOSE-WAIT: "This should not occur since a FIN has been
// received from the remote side. Ignore the segment text."
ROW_TEST(closewait_rcv_ack, Rfc9293_3_10_7_4_CloseWait_TextAfterFinIsIgnored) {
  Endpoint ep = reach(State::CloseWait);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1 + 1, kIss + 1, "junk"));
  EXPECT_FIRED(out, "closewait_rcv_ack");
  EXPECT_EQ(ep.state(), State::CloseWait);
  EXPECT_EQ(ep.tcb().rcv_nxt, kIrs + 1 + 1);
  EXPECT_FALSE(notified(out, AppEvent::Readable));
}

// §3.10.7.4 eighth, CLOSE-WAIT: "Remain in the CLOSE-WAIT state." A
// retransmitted FIN (our ACK was lost) is acknowledged again.
ROW_TEST(closewait_rcv_fin, Rfc9293_3_10_7_4_CloseWait_RetransmittedFinIsReacked) {
  Endpoint ep = reach(State::CloseWait);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1));
  EXPECT_FIRED(out, "closewait_rcv_fin");
  EXPECT_EQ(ep.state(), State::CloseWait);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1 + 1));
  EXPECT_EQ(ep.tcb().rcv_nxt, kIrs + 1 + 1);  // the FIN is not counted twice
  EXPECT_FALSE(notified(out, AppEvent::EndOfStream));
}

ROW_TEST(closewait_rcv_rst, Rfc9293_3_10_7_4_CloseWait_RstResetsConnection) {
  Endpoint ep = reach(State::CloseWait);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1 + 1));
  EXPECT_FIRED(out, "closewait_rcv_rst");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
}

ROW_TEST(closewait_rcv_syn, Rfc9293_3_10_7_4_CloseWait_InWindowSynResetsWithoutRfc5961) {
  Endpoint ep = reach(State::CloseWait, without_rfc5961());
  Outbox out = arrive(ep, seg(kSyn, kIrs + 1 + 1));
  EXPECT_FIRED(out, "closewait_rcv_syn");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
}

// §3.10.4 CLOSE in CLOSE-WAIT: "Queue this request until all preceding SENDs
// have been segmentized; then send a FIN segment, enter LAST-ACK state."
ROW_TEST(closewait_close, Rfc9293_3_10_4_CloseWait_CloseSendsFinAndGoesToLastAck) {
  Endpoint ep = reach(State::CloseWait);
  Outbox out;
  EXPECT_EQ(ep.close(0, out), Error::None);
  EXPECT_FIRED(out, "closewait_close");
  EXPECT_EQ(ep.state(), State::LastAck);
  EXPECT_TRUE(SentOne(out, kFin | kAck, kIss + 1, kIrs + 1 + 1));
  EXPECT_EQ(ep.tcb().snd_nxt, kIss + 1 + 1);
  EXPECT_TRUE(armed(out, TimerKind::Retransmission));
}

ROW_TEST(closewait_abort, Rfc9293_3_10_5_CloseWait_AbortSendsRst) {
  Endpoint ep = reach(State::CloseWait);
  Outbox out;
  EXPECT_EQ(ep.abort(0, out), Error::None);
  EXPECT_FIRED(out, "closewait_abort");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1));
}

ROW_TEST(closewait_give_up, Rfc9293_3_8_3_CloseWait_DataRetriesExhaustedTimesOut) {
  Config cfg;
  cfg.data_retries = 1;
  Endpoint ep = reach(State::CloseWait, cfg);
  Outbox out;
  ASSERT_EQ(ep.send("abc", 0, out), Error::None);
  out = expire(ep, TimerKind::Retransmission, 1 * kSecond);
  EXPECT_EQ(sent(out).size(), 1u) << describe(out);
  out = expire(ep, TimerKind::Retransmission, 3 * kSecond);
  EXPECT_FIRED(out, "closewait_give_up");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::TimedOut));
}

// ------------------------------------------------------------------ LAST-ACK
// Our FIN is at ISS+1, so SND.NXT = ISS+1+1.

// §3.10.7.4 fifth, LAST-ACK: "The only thing that can arrive in this state
// is an acknowledgment of our FIN." One that does not cover it changes nothing.
ROW_TEST(lastack_rcv_ack, Rfc9293_3_10_7_4_LastAck_AckNotOfFinStays) {
  Endpoint ep = reach(State::LastAck);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1 + 1, kIss + 1));
  EXPECT_FIRED(out, "lastack_rcv_ack");
  EXPECT_FALSE(fired(out, "lastack_rcv_ack_of_fin"));
  EXPECT_EQ(ep.state(), State::LastAck);
  EXPECT_TRUE(SentNothing(out));
}

// Other guard: "If our FIN is now acknowledged, delete the TCB, enter the
// CLOSED state, and return."
ROW_TEST(lastack_rcv_ack_of_fin, Rfc9293_3_10_7_4_LastAck_AckOfFinCloses) {
  Endpoint ep = reach(State::LastAck);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1 + 1, kIss + 1 + 1));
  EXPECT_FIRED(out, "lastack_rcv_ack_of_fin");
  EXPECT_FALSE(fired(out, "lastack_rcv_ack"));
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
  EXPECT_TRUE(notified(out, AppEvent::Closed));
  EXPECT_FALSE(notified(out, AppEvent::Reset));
}

// §3.10.7.4 eighth, LAST-ACK: "Remain in the LAST-ACK state." A retransmitted
// FIN not covering ours is acknowledged again.
ROW_TEST(lastack_rcv_fin, Rfc9293_3_10_7_4_LastAck_RetransmittedFinIsReacked) {
  Endpoint ep = reach(State::LastAck);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1));
  EXPECT_FIRED(out, "lastack_rcv_fin");
  EXPECT_FALSE(fired(out, "lastack_rcv_fin_ack_of_fin"));
  EXPECT_EQ(ep.state(), State::LastAck);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 1));
}

// Other guard: the retransmitted FIN carries the ACK of our FIN, which the
// fifth step takes: delete the TCB. Nothing is owed to a peer that has seen
// our FIN (it carried the ACK of theirs).
ROW_TEST(lastack_rcv_fin_ack_of_fin, Rfc9293_3_10_7_4_LastAck_RetransmittedFinAckingOursCloses) {
  Endpoint ep = reach(State::LastAck);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1 + 1));
  EXPECT_FIRED(out, "lastack_rcv_fin_ack_of_fin");
  EXPECT_FALSE(fired(out, "lastack_rcv_fin"));
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::Closed));
}

// §3.10.7.4 second, "CLOSING STATE, LAST-ACK STATE, TIME-WAIT: If the RST bit
// is set, then enter the CLOSED state, delete the TCB, and return." No
// "connection reset" signal in these states.
// §3.10.7.4 second step: "enter the CLOSED state, delete the TCB"; the user
// is told it was a reset, not a normal close (§3.6 MUST-12; Linux tcp_reset
// gives ECONNRESET, FreeBSD's rcv-rst-last-ack scripts expect it too).
ROW_TEST(lastack_rcv_rst, Rfc9293_3_10_7_4_LastAck_RstClosesAsAReset) {
  Endpoint ep = reach(State::LastAck);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1 + 1));
  EXPECT_FIRED(out, "lastack_rcv_rst");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
  EXPECT_TRUE(notified(out, AppEvent::Closed));
}

// §3.10.7.4 fourth, without RFC 5961, applies to every synchronized state:
// "send a reset, ... the user should also receive an unsolicited general
// "connection reset" signal, enter the CLOSED state".
ROW_TEST(lastack_rcv_syn, Rfc9293_3_10_7_4_LastAck_InWindowSynResetsWithoutRfc5961) {
  Endpoint ep = reach(State::LastAck, without_rfc5961());
  Outbox out = arrive(ep, seg(kSyn, kIrs + 1 + 1));
  EXPECT_FIRED(out, "lastack_rcv_syn");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1 + 1));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
}

// §3.10.5 ABORT, "CLOSING STATE, LAST-ACK STATE, TIME-WAIT STATE: Respond
// with "ok" and delete the TCB, enter CLOSED state" -- no RST.
ROW_TEST(lastack_abort, Rfc9293_3_10_5_LastAck_AbortDeletesTcbWithoutRst) {
  Endpoint ep = reach(State::LastAck);
  Outbox out;
  EXPECT_EQ(ep.abort(0, out), Error::None);
  EXPECT_FIRED(out, "lastack_abort");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
}

ROW_TEST(lastack_give_up, Rfc9293_3_8_3_LastAck_FinRetriesExhaustedTimesOut) {
  Config cfg;
  cfg.data_retries = 1;
  Endpoint ep = reach(State::LastAck, cfg);
  Outbox out = expire(ep, TimerKind::Retransmission, 1 * kSecond);
  EXPECT_TRUE(SentOne(out, kFin | kAck, kIss + 1, kIrs + 1 + 1));
  out = expire(ep, TimerKind::Retransmission, 3 * kSecond);
  EXPECT_FIRED(out, "lastack_give_up");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::TimedOut));
}

}  // namespace
}  // namespace tcpsim::test
