// Rows leaving FIN-WAIT-1 and FIN-WAIT-2: we have closed, the peer has not.
// RFC 9293 §3.10.7.4 for segments, §3.10.5 for ABORT, §3.8.3 for giving up,
// and Linux's two additions: RST for data after the reading side is shut,
// and the orphaned FIN-WAIT-2 timeout.
#include <utility>
#include <vector>

#include "rows_util.h"

namespace tcpsim::test {
namespace {

// Reading shut and Linux's RST for data after close switched on.
Config rst_on_data() {
  Config c;
  c.rst_on_data_after_close = true;
  return c;
}

// -------------------------------------------------------------- FIN-WAIT-1

// §3.10.7.4 fifth, FIN-WAIT-1: "In addition to the processing for the
// ESTABLISHED state, if the FIN segment is now acknowledged, then enter
// FIN-WAIT-2". Here the ACK covers the data before our FIN, not the FIN:
// SND.UNA advances, the FIN stays outstanding (timer restarted, §5.3).
ROW_TEST(fw1_rcv_ack, Rfc9293_3_10_7_4_FinWait1_AckOfDataButNotFinStays) {
  Endpoint ep = reach(State::Established);
  Outbox out;
  ASSERT_EQ(ep.send("abc", 0, out), Error::None);
  ASSERT_EQ(ep.close(0, out), Error::None);
  ASSERT_EQ(ep.tcb().fin_seq, kIss + 1 + 3);
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 3));
  EXPECT_FIRED(out, "fw1_rcv_ack");
  EXPECT_FALSE(fired(out, "fw1_rcv_ack_of_fin"));
  EXPECT_EQ(ep.state(), State::FinWait1);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(ep.tcb().snd_una, kIss + 1 + 3);
  EXPECT_TRUE(armed(out, TimerKind::Retransmission));
}

// §3.10.7.4 seventh: FIN-WAIT-1 still delivers text ("ESTABLISHED STATE,
// FIN-WAIT-1 STATE, FIN-WAIT-2 STATE: ... deliver segment data") and ACKs it.
ROW_TEST(fw1_rcv_ack, Rfc9293_3_10_7_4_FinWait1_DataIsStillDelivered) {
  Endpoint ep = reach(State::FinWait1);
  Outbox out = arrive(ep, seg(kAck | kPsh, kIrs + 1, kIss + 1, "xy"));
  EXPECT_FIRED(out, "fw1_rcv_ack");
  EXPECT_EQ(ep.state(), State::FinWait1);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 2));
  EXPECT_TRUE(notified(out, AppEvent::Readable));
}

// Other guard: the ACK covers the FIN. No answer; RFC 6298 §5.2 stops the timer.
ROW_TEST(fw1_rcv_ack_of_fin, Rfc9293_3_10_7_4_FinWait1_AckOfFinGoesToFinWait2) {
  Endpoint ep = reach(State::FinWait1);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 1));
  EXPECT_FIRED(out, "fw1_rcv_ack_of_fin");
  EXPECT_FALSE(fired(out, "fw1_rcv_ack"));
  EXPECT_EQ(ep.state(), State::FinWait2);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(ep.tcb().snd_una, kIss + 1 + 1);
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
  EXPECT_FALSE(armed(out, TimerKind::FinWait2));  // not orphaned: RFC 9293 waits forever
}

// §3.10.7.4 eighth, FIN-WAIT-1: "If our FIN has been ACKed (perhaps in this
// segment), then enter TIME-WAIT ...; otherwise, enter the CLOSING state."
// The FIN is acknowledged: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
ROW_TEST(fw1_rcv_fin, Rfc9293_3_10_7_4_FinWait1_FinWithoutAckOfOursGoesToClosing) {
  Endpoint ep = reach(State::FinWait1);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1));
  EXPECT_FIRED(out, "fw1_rcv_fin");
  EXPECT_FALSE(fired(out, "fw1_rcv_ack_of_fin"));
  EXPECT_EQ(ep.state(), State::Closing);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 1));
  EXPECT_TRUE(notified(out, AppEvent::EndOfStream));
  EXPECT_FALSE(cancelled(out, TimerKind::Retransmission));  // our FIN is still out
}

// A FIN,ACK that acknowledges our FIN takes both arrows, in the order of
// §3.10.7.4's steps: the fifth ("if the FIN segment is now acknowledged,
// then enter FIN-WAIT-2"), then the eighth in FIN-WAIT-2 ("Enter the
// TIME-WAIT state. Start the time-wait timer, turn off the other timers").
// Linux does the same (tcp_rcv_state_process() sets TCP_FIN_WAIT2 before
// tcp_data_queue() reaches tcp_fin()); one ACK answers the FIN.
ROW_TEST(fw1_rcv_ack_of_fin, Rfc9293_3_10_7_4_FinWait1_FinAckPassesFinWait2ToTimeWait) {
  Endpoint ep = reach(State::FinWait1);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1 + 1));
  EXPECT_FIRED(out, "fw1_rcv_ack_of_fin");
  EXPECT_FIRED(out, "fw2_rcv_fin");
  EXPECT_FALSE(fired(out, "fw1_rcv_fin"));
  std::vector<std::pair<State, State>> steps;
  for (const Action& a : out.actions) {
    if (a.kind == ActionKind::StateChange) steps.emplace_back(a.from, a.to);
  }
  const std::vector<std::pair<State, State>> want = {{State::FinWait1, State::FinWait2},
                                                     {State::FinWait2, State::TimeWait}};
  EXPECT_EQ(steps, want) << describe(out);
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 1));
  EXPECT_EQ(armed_for(out, TimerKind::TimeWait), 240 * kSecond);  // 2 MSL, MSL = 2 min
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
  EXPECT_TRUE(notified(out, AppEvent::EndOfStream));
}

// The same with data before the FIN: the fifth step, then the text
// (delivered in FIN-WAIT-2), then the FIN; the one ACK covers both.
ROW_TEST(fw2_rcv_fin, Rfc9293_3_10_7_4_FinWait1_DataFinAckDeliversThenTimeWait) {
  Endpoint ep = reach(State::FinWait1);
  Outbox out = arrive(ep, seg(kFin | kAck | kPsh, kIrs + 1, kIss + 1 + 1, "xyz"));
  EXPECT_FIRED(out, "fw1_rcv_ack_of_fin");
  EXPECT_FIRED(out, "fw2_rcv_fin");
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_EQ(ep.tcb().recv_buffer, "xyz");
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 3 + 1));
}

// §3.10.7.4 second, FIN-WAIT-1 is with ESTABLISHED: "connection reset", CLOSED.
ROW_TEST(fw1_rcv_rst, Rfc9293_3_10_7_4_FinWait1_RstResetsConnection) {
  Endpoint ep = reach(State::FinWait1);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1));
  EXPECT_FIRED(out, "fw1_rcv_rst");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
}

// §3.10.7.4 fourth, without RFC 5961: in-window SYN, RST <SEQ=SND.NXT>, reset.
ROW_TEST(fw1_rcv_syn, Rfc9293_3_10_7_4_FinWait1_InWindowSynResetsWithoutRfc5961) {
  Endpoint ep = reach(State::FinWait1, without_rfc5961());
  Outbox out = arrive(ep, seg(kSyn, kIrs + 1));
  EXPECT_FIRED(out, "fw1_rcv_syn");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1 + 1));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
}

// RFC 1122 4.2.2.13: "if new data is received after CLOSE is called, its
// TCP SHOULD send a RST to show that data was lost" (Linux and BSD do it
// when the reading side is shut). The RST answers the segment, as for a
// connection that no longer exists (§3.5.2): <SEQ=SEG.ACK><CTL=RST>.
ROW_TEST(fw1_rcv_data_after_close, Rfc1122_4_2_2_13_FinWait1_DataAfterReadShutGetsRst) {
  Endpoint ep = reach(State::FinWait1, rst_on_data());
  Outbox out;
  ASSERT_EQ(ep.shutdown_read(0, out), Error::None);
  out = arrive(ep, seg(kAck | kPsh, kIrs + 1, kIss + 1, "late"));
  EXPECT_FIRED(out, "fw1_rcv_data_after_close");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1));
  EXPECT_FALSE(notified(out, AppEvent::Readable));
}

// §3.10.5 ABORT in FIN-WAIT-1: <SEQ=SND.NXT><CTL=RST>, after our FIN.
ROW_TEST(fw1_abort, Rfc9293_3_10_5_FinWait1_AbortSendsRst) {
  Endpoint ep = reach(State::FinWait1);
  Outbox out;
  EXPECT_EQ(ep.abort(0, out), Error::None);
  EXPECT_FIRED(out, "fw1_abort");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1 + 1));
}

// §3.8.3: the FIN is retransmitted like data (RFC 6298 §5.4) until the
// retries run out, then the connection is given up.
ROW_TEST(fw1_give_up, Rfc9293_3_8_3_FinWait1_FinRetriesExhaustedTimesOut) {
  Config cfg;
  cfg.data_retries = 1;
  Endpoint ep = reach(State::FinWait1, cfg);
  Outbox out = expire(ep, TimerKind::Retransmission, 1 * kSecond);
  EXPECT_TRUE(SentOne(out, kFin | kAck, kIss + 1, kIrs + 1));
  out = expire(ep, TimerKind::Retransmission, 3 * kSecond);
  EXPECT_FIRED(out, "fw1_give_up");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::TimedOut));
}

// -------------------------------------------------------------- FIN-WAIT-2

// §3.10.7.4 seventh: FIN-WAIT-2 delivers text (the half-close of RFC 1122
// 4.2.2.13: the peer keeps sending after our FIN was acknowledged).
ROW_TEST(fw2_rcv_ack, Rfc9293_3_10_7_4_FinWait2_DataIsDeliveredAndAcked) {
  Endpoint ep = reach(State::FinWait2);
  Outbox out = arrive(ep, seg(kAck | kPsh, kIrs + 1, kIss + 1 + 1, "more"));
  EXPECT_FIRED(out, "fw2_rcv_ack");
  EXPECT_EQ(ep.state(), State::FinWait2);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 4));
  EXPECT_TRUE(notified(out, AppEvent::Readable));
  std::string got;
  EXPECT_EQ(ep.receive(100, got, 0, out), Error::None);
  EXPECT_EQ(got, "more");
}

// §3.10.7.4 eighth, FIN-WAIT-2: "Enter the TIME-WAIT state. Start the
// time-wait timer, turn off the other timers." The FIN is acknowledged.
ROW_TEST(fw2_rcv_fin, Rfc9293_3_10_7_4_FinWait2_FinGoesToTimeWait) {
  Endpoint ep = reach(State::FinWait2);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1 + 1));
  EXPECT_FIRED(out, "fw2_rcv_fin");
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 1));
  EXPECT_EQ(armed_for(out, TimerKind::TimeWait), 240 * kSecond);
  EXPECT_TRUE(notified(out, AppEvent::EndOfStream));
}

ROW_TEST(fw2_rcv_rst, Rfc9293_3_10_7_4_FinWait2_RstResetsConnection) {
  Endpoint ep = reach(State::FinWait2);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1));
  EXPECT_FIRED(out, "fw2_rcv_rst");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
}

ROW_TEST(fw2_rcv_syn, Rfc9293_3_10_7_4_FinWait2_InWindowSynResetsWithoutRfc5961) {
  Endpoint ep = reach(State::FinWait2, without_rfc5961());
  Outbox out = arrive(ep, seg(kSyn, kIrs + 1));
  EXPECT_FIRED(out, "fw2_rcv_syn");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1 + 1));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
}

// RFC 1122 4.2.2.13 again, for an orphan (the application closed its socket:
// reading is shut too). RST answers the segment: <SEQ=SEG.ACK><CTL=RST>.
ROW_TEST(fw2_rcv_data_after_close, Rfc1122_4_2_2_13_FinWait2_DataToOrphanGetsRst) {
  Endpoint ep = reach(State::FinWait2, rst_on_data());
  Outbox out;
  ep.orphan(0, out);
  out = arrive(ep, seg(kAck | kPsh, kIrs + 1, kIss + 1 + 1, "late"));
  EXPECT_FIRED(out, "fw2_rcv_data_after_close");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1 + 1));
}

// Without the option, the same data is delivered (RFC 9293's reading).
TEST(Row_fw2_rcv_data_after_close, Rfc9293_3_10_7_4_FinWait2_DataAfterReadShutIsAckedWithoutOption) {
  Endpoint ep = reach(State::FinWait2);
  Outbox out;
  ASSERT_EQ(ep.shutdown_read(0, out), Error::None);
  out = arrive(ep, seg(kAck | kPsh, kIrs + 1, kIss + 1 + 1, "late"));
  EXPECT_FIRED(out, "fw2_rcv_ack");
  EXPECT_EQ(ep.state(), State::FinWait2);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 4));
}

// Linux tcp_fin_timeout: an orphaned FIN-WAIT-2 is not kept forever. The
// timer starts when the connection is orphaned, and on expiry the TCB is
// deleted silently (Linux's FIN-WAIT-2 timewait socket just disappears).
ROW_TEST(fw2_timeout, Linux_TcpFinTimeout_OrphanedFinWait2IsDeleted) {
  Config cfg;
  cfg.fin_wait_2_timeout = 60 * kSecond;
  Endpoint ep = reach(State::FinWait2, cfg);
  Outbox out;
  ep.orphan(0, out);
  EXPECT_EQ(armed_for(out, TimerKind::FinWait2), 60 * kSecond);
  out = expire(ep, TimerKind::FinWait2, 60 * kSecond);
  EXPECT_FIRED(out, "fw2_timeout");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::Closed));
}

// Orphaned while still in FIN-WAIT-1: the timer starts on entering FIN-WAIT-2.
ROW_TEST(fw2_timeout, Linux_TcpFinTimeout_OrphanedInFinWait1ArmsOnAckOfFin) {
  Config cfg;
  cfg.fin_wait_2_timeout = 60 * kSecond;
  Endpoint ep = reach(State::FinWait1, cfg);
  Outbox out;
  ep.orphan(0, out);
  EXPECT_FALSE(armed(out, TimerKind::FinWait2));
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 1));
  ASSERT_EQ(ep.state(), State::FinWait2);
  EXPECT_EQ(armed_for(out, TimerKind::FinWait2), 60 * kSecond);
  out = expire(ep, TimerKind::FinWait2, 60 * kSecond);
  EXPECT_FIRED(out, "fw2_timeout");
  EXPECT_EQ(ep.state(), State::Closed);
}

ROW_TEST(fw2_abort, Rfc9293_3_10_5_FinWait2_AbortSendsRst) {
  Endpoint ep = reach(State::FinWait2);
  Outbox out;
  EXPECT_EQ(ep.abort(0, out), Error::None);
  EXPECT_FIRED(out, "fw2_abort");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1 + 1));
}

}  // namespace
}  // namespace tcpsim::test
