// Rows leaving CLOSING and TIME-WAIT: both FINs have been exchanged (RFC
// 9293 §3.10.7.4, §3.10.5, §3.10.8, RFC 1337). In both, SND.NXT = ISS+1+1
// and RCV.NXT = IRS+1+1.
#include "rows_util.h"

namespace tcpsim::test {
namespace {

// ------------------------------------------------------------------ CLOSING
// Reached by simultaneous close: our FIN at ISS+1 is not acknowledged yet.

// §3.10.7.4 fifth, CLOSING: "if the ACK acknowledges our FIN, then enter the
// TIME-WAIT state; otherwise, ignore the segment."
ROW_TEST(closing_rcv_ack, Rfc9293_3_10_7_4_Closing_AckNotOfFinIsIgnored) {
  Endpoint ep = reach(State::Closing);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1 + 1, kIss + 1));
  EXPECT_FIRED(out, "closing_rcv_ack");
  EXPECT_FALSE(fired(out, "closing_rcv_ack_of_fin"));
  EXPECT_EQ(ep.state(), State::Closing);
  EXPECT_TRUE(SentNothing(out));
}

// Other guard: "enter the TIME-WAIT state"; the eighth step's TIME-WAIT
// entry starts the time-wait timer and turns off the other timers.
ROW_TEST(closing_rcv_ack_of_fin, Rfc9293_3_10_7_4_Closing_AckOfFinGoesToTimeWait) {
  Endpoint ep = reach(State::Closing);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1 + 1, kIss + 1 + 1));
  EXPECT_FIRED(out, "closing_rcv_ack_of_fin");
  EXPECT_FALSE(fired(out, "closing_rcv_ack"));
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(armed_for(out, TimerKind::TimeWait), 240 * kSecond);
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
}

// §3.10.7.4 eighth, CLOSING: "Remain in the CLOSING state." The peer's FIN,
// retransmitted, is acknowledged again.
ROW_TEST(closing_rcv_fin, Rfc9293_3_10_7_4_Closing_RetransmittedFinIsReacked) {
  Endpoint ep = reach(State::Closing);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1));
  EXPECT_FIRED(out, "closing_rcv_fin");
  EXPECT_FALSE(fired(out, "closing_rcv_fin_ack_of_fin"));
  EXPECT_EQ(ep.state(), State::Closing);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 1));
}

// Other guard: the retransmitted FIN now acknowledges ours: TIME-WAIT, and
// its FIN is acknowledged.
ROW_TEST(closing_rcv_fin_ack_of_fin, Rfc9293_3_10_7_4_Closing_RetransmittedFinAckingOursGoesToTimeWait) {
  Endpoint ep = reach(State::Closing);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1 + 1));
  EXPECT_FIRED(out, "closing_rcv_fin_ack_of_fin");
  EXPECT_FALSE(fired(out, "closing_rcv_fin"));
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 1));
  EXPECT_EQ(armed_for(out, TimerKind::TimeWait), 240 * kSecond);
}

// §3.10.7.4 second, "CLOSING STATE, LAST-ACK STATE, TIME-WAIT: If the RST bit
// is set, then enter the CLOSED state, delete the TCB, and return."
// As in LAST-ACK: CLOSED, and the user hears of a reset (§3.6 MUST-12, Linux tcp_reset).
ROW_TEST(closing_rcv_rst, Rfc9293_3_10_7_4_Closing_RstClosesAsAReset) {
  Endpoint ep = reach(State::Closing);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1 + 1));
  EXPECT_FIRED(out, "closing_rcv_rst");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
}

ROW_TEST(closing_rcv_syn, Rfc9293_3_10_7_4_Closing_InWindowSynResetsWithoutRfc5961) {
  Endpoint ep = reach(State::Closing, without_rfc5961());
  Outbox out = arrive(ep, seg(kSyn, kIrs + 1 + 1));
  EXPECT_FIRED(out, "closing_rcv_syn");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1 + 1));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
}

// §3.10.5 ABORT in CLOSING: "Respond with "ok" and delete the TCB" -- no RST.
ROW_TEST(closing_abort, Rfc9293_3_10_5_Closing_AbortDeletesTcbWithoutRst) {
  Endpoint ep = reach(State::Closing);
  Outbox out;
  EXPECT_EQ(ep.abort(0, out), Error::None);
  EXPECT_FIRED(out, "closing_abort");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
}

ROW_TEST(closing_give_up, Rfc9293_3_8_3_Closing_FinRetriesExhaustedTimesOut) {
  Config cfg;
  cfg.data_retries = 1;
  Endpoint ep = reach(State::Closing, cfg);
  Outbox out = expire(ep, TimerKind::Retransmission, 1 * kSecond);
  EXPECT_TRUE(SentOne(out, kFin | kAck, kIss + 1, kIrs + 1 + 1));
  out = expire(ep, TimerKind::Retransmission, 3 * kSecond);
  EXPECT_FIRED(out, "closing_give_up");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::TimedOut));
}

// ---------------------------------------------------------------- TIME-WAIT

// §3.10.7.4 fifth, TIME-WAIT: "The only thing that can arrive in this state
// is a retransmission of the remote FIN." A bare ACK changes nothing, and in
// particular does not restart the 2 MSL timer.
// Fifth step, TIME-WAIT: "The only thing that can arrive in this state is a
// retransmission of the remote FIN. Acknowledge it, and restart the 2 MSL
// timeout." So an acceptable ACK gets an ACK and a fresh 2 MSL.
ROW_TEST(timewait_rcv_ack, Rfc9293_3_10_7_4_TimeWait_AckIsAcknowledgedAndRestarts2Msl) {
  Endpoint ep = reach(State::TimeWait);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1 + 1, kIss + 1 + 1), 5 * kSecond);
  EXPECT_FIRED(out, "timewait_rcv_ack");
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 1)) << describe(out);
  EXPECT_EQ(armed_for(out, TimerKind::TimeWait), Config{}.time_wait);
}

// Linux (tcp_timewait_state_process) ignores a bare ACK at RCV.NXT instead.
TEST(Row_timewait_rcv_ack, LinuxIgnoresABareAckAtRcvNxt) {
  Config cfg;
  cfg.timewait_ignores_bare_ack = true;
  Endpoint ep = reach(State::TimeWait, cfg);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1 + 1, kIss + 1 + 1));
  EXPECT_FIRED(out, "timewait_rcv_ack");
  EXPECT_TRUE(SentNothing(out));
  EXPECT_FALSE(armed(out, TimerKind::TimeWait));
}

// "Acknowledge it, and restart the 2 MSL timeout" (fifth and eighth steps).
ROW_TEST(timewait_rcv_fin, Rfc9293_3_10_7_4_TimeWait_RetransmittedFinIsReackedAndRestarts2Msl) {
  Endpoint ep = reach(State::TimeWait);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1 + 1), 10 * kSecond);
  EXPECT_FIRED(out, "timewait_rcv_fin");
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 1));
  EXPECT_EQ(armed_for(out, TimerKind::TimeWait), 240 * kSecond);
}

// §3.10.7.4 second: "If the RST bit is set, then enter the CLOSED state,
// delete the TCB" (RFC 1337 off, the RFC 9293 default).
ROW_TEST(timewait_rcv_rst, Rfc9293_3_10_7_4_TimeWait_RstClosesWithoutRfc1337) {
  Endpoint ep = reach(State::TimeWait);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1 + 1));
  EXPECT_FIRED(out, "timewait_rcv_rst");
  EXPECT_FALSE(fired(out, "timewait_rcv_rst_rfc1337"));
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(cancelled(out, TimerKind::TimeWait));
}

// RFC 1337 §3 (fix F1): "Ignore RST segments in TIME-WAIT state", so an old
// RST cannot assassinate TIME-WAIT before 2 MSL.
ROW_TEST(timewait_rcv_rst_rfc1337, Rfc1337_3_TimeWait_RstIsIgnored) {
  Config cfg;
  cfg.rfc1337 = true;
  Endpoint ep = reach(State::TimeWait, cfg);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1 + 1));
  EXPECT_FIRED(out, "timewait_rcv_rst_rfc1337");
  EXPECT_FALSE(fired(out, "timewait_rcv_rst"));
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_FALSE(cancelled(out, TimerKind::TimeWait));
}

ROW_TEST(timewait_rcv_syn, Rfc9293_3_10_7_4_TimeWait_InWindowSynResetsWithoutRfc5961) {
  Endpoint ep = reach(State::TimeWait, without_rfc5961());
  Outbox out = arrive(ep, seg(kSyn, kIrs + 1 + 1));
  EXPECT_FIRED(out, "timewait_rcv_syn");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1 + 1));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
}

// With RFC 5961 the SYN gets a challenge ACK and TIME-WAIT stays.
TEST(Row_timewait_rcv_syn, Rfc5961_4_2_TimeWait_SynGetsChallengeAck) {
  Endpoint ep = reach(State::TimeWait);
  Outbox out = arrive(ep, seg(kSyn, kIrs + 1 + 1));
  EXPECT_FALSE(fired(out, "timewait_rcv_syn"));
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 1));
}

// §3.10.8: "If the time-wait timeout expires on a connection, delete the
// TCB, enter the CLOSED state, and return." Nothing is sent.
ROW_TEST(timewait_2msl, Rfc9293_3_10_8_TimeWait_2MslTimeoutCloses) {
  Endpoint ep = reach(State::TimeWait);
  Outbox out = expire(ep, TimerKind::TimeWait, 240 * kSecond);
  EXPECT_FIRED(out, "timewait_2msl");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::Closed));
}

// §3.10.5 ABORT in TIME-WAIT: "Respond with "ok" and delete the TCB" -- no RST.
ROW_TEST(timewait_abort, Rfc9293_3_10_5_TimeWait_AbortDeletesTcbWithoutRst) {
  Endpoint ep = reach(State::TimeWait);
  Outbox out;
  EXPECT_EQ(ep.abort(0, out), Error::None);
  EXPECT_FIRED(out, "timewait_abort");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
}

// RFC 9293 §3.6.1 MAY-2: TIME-WAIT "MAY accept a new SYN from the remote TCP
// endpoint to reopen the connection directly from TIME-WAIT state", if the
// new ISS is above the old sequence space (the host does that) -- RFC 1122's
// test for a new SYN is a sequence number above RCV.NXT. The TCB goes; the
// host hands the SYN to its listener. Nothing is sent from TIME-WAIT.
ROW_TEST(timewait_rcv_new_syn, Rfc9293_3_6_1_May2_TimeWait_SynAboveRcvNxtReopens) {
  Config cfg;
  cfg.timewait_reopen = true;
  Endpoint ep = reach(State::TimeWait, cfg);
  const Seq rcv_nxt = ep.tcb().rcv_nxt;
  Outbox out = arrive(ep, seg(kSyn, rcv_nxt + 100000));
  EXPECT_FIRED(out, "timewait_rcv_new_syn");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
}

// The same SYN below RCV.NXT is an old duplicate for RFC 1122's test: TIME-WAIT stays.
TEST(Row_timewait_rcv_new_syn, Rfc9293_3_6_1_May2_TimeWait_SynBelowRcvNxtDoesNotReopen) {
  Config cfg;
  cfg.timewait_reopen = true;
  Endpoint ep = reach(State::TimeWait, cfg);
  Outbox out = arrive(ep, seg(kSyn, ep.tcb().rcv_nxt - 100000));
  EXPECT_FALSE(fired(out, "timewait_rcv_new_syn"));
  EXPECT_EQ(ep.state(), State::TimeWait);
}

// Linux takes any new SYN, as its timestamp is newer (tcp_timestamps = 1):
// even one below RCV.NXT.
TEST(Row_timewait_rcv_new_syn, Linux_TimeWait_SynBelowRcvNxtReopensByTimestamp) {
  Config cfg;
  cfg.timewait_reopen = true;
  cfg.timewait_reopen_by_timestamp = true;
  Endpoint ep = reach(State::TimeWait, cfg);
  Outbox out = arrive(ep, seg(kSyn, ep.tcb().rcv_nxt - 100000));
  EXPECT_FIRED(out, "timewait_rcv_new_syn");
  EXPECT_EQ(ep.state(), State::Closed);
}

// Off (the rfc9293 profile), a SYN in TIME-WAIT gets RFC 5961's challenge ACK.
TEST(Row_timewait_rcv_new_syn, Rfc9293_TimeWait_WithoutMay2TheSynIsNotTaken) {
  Endpoint ep = reach(State::TimeWait);
  Outbox out = arrive(ep, seg(kSyn, ep.tcb().rcv_nxt + 100000));
  EXPECT_FALSE(fired(out, "timewait_rcv_new_syn"));
  EXPECT_EQ(ep.state(), State::TimeWait);
}

}  // namespace
}  // namespace tcpsim::test
