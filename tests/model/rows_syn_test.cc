// Rows leaving SYN-SENT (RFC 9293 §3.10.7.3) and SYN-RECEIVED (§3.10.7.4),
// and the user calls and timeouts of the handshake (§3.10.4-5, §3.8.3).
#include <algorithm>

#include "rows_util.h"

namespace tcpsim::test {
namespace {

// ---------------------------------------------------------------- SYN-SENT

// §3.10.7.3: "RCV.NXT is set to SEG.SEQ+1, IRS is set to SEG.SEQ. SND.UNA
// should be advanced to equal SEG.ACK ... If SND.UNA > ISS ... change the
// connection state to ESTABLISHED, form an ACK segment
// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it"; the window comes from
// the segment (SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK).
ROW_TEST(synsent_rcv_syn_ack, Rfc9293_3_10_7_3_SynSent_SynAckCompletesOpen) {
  Endpoint ep = reach(State::SynSent);
  Outbox out = arrive(ep, seg(kSyn | kAck, kIrs, kIss + 1, {}, 5000));
  EXPECT_FIRED(out, "synsent_rcv_syn_ack");
  EXPECT_EQ(ep.state(), State::Established);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1));
  EXPECT_EQ(ep.tcb().irs, kIrs);
  EXPECT_EQ(ep.tcb().rcv_nxt, kIrs + 1);
  EXPECT_EQ(ep.tcb().snd_una, kIss + 1);
  EXPECT_EQ(ep.tcb().snd_wnd, 5000u);
  EXPECT_EQ(ep.tcb().snd_wl1, kIrs);
  EXPECT_EQ(ep.tcb().snd_wl2, kIss + 1);
  // Nothing is outstanding any more: RFC 6298 §5.2 turns the timer off.
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
  EXPECT_TRUE(notified(out, AppEvent::Connected));
}

// §3.10.7.3: "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment
// <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and send it" (simultaneous open).
ROW_TEST(synsent_rcv_syn, Rfc9293_3_10_7_3_SynSent_SynAloneIsSimultaneousOpen) {
  Endpoint ep = reach(State::SynSent);
  Outbox out = arrive(ep, seg(kSyn, kIrs, 0, {}, 6000));
  EXPECT_FIRED(out, "synsent_rcv_syn");
  EXPECT_EQ(ep.state(), State::SynReceived);
  EXPECT_TRUE(SentOne(out, kSyn | kAck, kIss, kIrs + 1));
  EXPECT_EQ(ep.tcb().rcv_nxt, kIrs + 1);
  EXPECT_EQ(ep.tcb().snd_una, kIss);  // our SYN is still unacknowledged
  EXPECT_EQ(ep.tcb().snd_nxt, kIss + 1);
  EXPECT_EQ(ep.tcb().snd_wnd, 6000u);
  EXPECT_TRUE(armed(out, TimerKind::Retransmission));
  EXPECT_FALSE(ep.tcb().passive_open);
}

// §3.10.7.3: "If the ACK was acceptable, then signal to the user ... drop
// the segment, enter CLOSED state, delete TCB". The signal is "connection
// refused", as §3.10.7.4 words it for SYN-RECEIVED reached from SYN-SENT and
// as every socket API reports it (RFC 9293's SYN-SENT text says "reset").
ROW_TEST(synsent_rcv_rst, Rfc9293_3_10_7_3_SynSent_RstWithAcceptableAckIsRefusal) {
  Endpoint ep = reach(State::SynSent);
  Outbox out = arrive(ep, seg(kRst | kAck, 0, kIss + 1));
  EXPECT_FIRED(out, "synsent_rcv_rst");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::Refused));
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
  EXPECT_EQ(ep.failure(), Error::ConnectionRefused);
}

// §3.10.7.3 first: "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset
// <SEQ=SEG.ACK><CTL=RST> and discard the segment." Both ends of the range.
ROW_TEST(synsent_rcv_bad_ack, Rfc9293_3_10_7_3_SynSent_UnacceptableAckGetsRst) {
  for (const Seq bad : {kIss, kIss + 1 + 1}) {
    SCOPED_TRACE(bad);
    Endpoint ep = reach(State::SynSent);
    Outbox out = arrive(ep, seg(kSyn | kAck, kIrs, bad));
    EXPECT_FIRED(out, "synsent_rcv_bad_ack");
    EXPECT_EQ(ep.state(), State::SynSent);
    EXPECT_TRUE(SentOne(out, kRst, bad));
    EXPECT_EQ(ep.tcb().snd_una, kIss);
  }
}

// §3.10.4 CLOSE in SYN-SENT: "Delete the TCB"; nothing to tell the peer.
ROW_TEST(synsent_close, Rfc9293_3_10_4_SynSent_CloseDeletesTcb) {
  Endpoint ep = reach(State::SynSent);
  Outbox out;
  EXPECT_EQ(ep.close(0, out), Error::None);
  EXPECT_FIRED(out, "synsent_close");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
}

// §3.10.5 ABORT in SYN-SENT: "delete the TCB, enter CLOSED state"; no RST.
ROW_TEST(synsent_abort, Rfc9293_3_10_5_SynSent_AbortDeletesTcbWithoutRst) {
  Endpoint ep = reach(State::SynSent);
  Outbox out;
  EXPECT_EQ(ep.abort(0, out), Error::None);
  EXPECT_FIRED(out, "synsent_abort");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
}

// §3.8.3 (RFC 1122 4.2.3.5 R2): after the SYN retransmissions allowed, the
// connection is given up and the user told it timed out; no RST is sent.
ROW_TEST(synsent_give_up, Rfc9293_3_8_3_SynSent_SynRetriesExhaustedTimesOut) {
  Config cfg;
  cfg.syn_retries = 1;
  Endpoint ep = reach(State::SynSent, cfg);
  Outbox out = expire(ep, TimerKind::Retransmission, 1 * kSecond);
  EXPECT_TRUE(SentOne(out, kSyn, kIss));                              // the one retransmission allowed
  EXPECT_EQ(armed_for(out, TimerKind::Retransmission), 2 * kSecond);  // RFC 6298 §5.5 backoff
  out = expire(ep, TimerKind::Retransmission, 3 * kSecond);
  EXPECT_FIRED(out, "synsent_give_up");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::TimedOut));
  EXPECT_EQ(ep.failure(), Error::TimedOut);
}

// ------------------------------------------------------------ SYN-RECEIVED

// §3.10.7.4 fifth, SYN-RECEIVED: "If SND.UNA < SEG.ACK =< SND.NXT, then
// enter ESTABLISHED state and continue processing with ... SND.WND <-
// SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK". A bare ACK needs no answer.
ROW_TEST(synrcvd_rcv_ack, Rfc9293_3_10_7_4_SynRcvd_AckOfSynEstablishes) {
  Endpoint ep = reach(State::SynReceived, Config{}, /*passive=*/true);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1, {}, 7000));
  EXPECT_FIRED(out, "synrcvd_rcv_ack");
  EXPECT_EQ(ep.state(), State::Established);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(ep.tcb().snd_una, kIss + 1);
  EXPECT_EQ(ep.tcb().snd_wnd, 7000u);
  EXPECT_EQ(ep.tcb().snd_wl1, kIrs + 1);
  EXPECT_EQ(ep.tcb().snd_wl2, kIss + 1);
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
  EXPECT_TRUE(notified(out, AppEvent::Connected));
}

// Figure 7 (simultaneous open), line 6: the peer's SYN,ACK reaches us in
// SYN-RECEIVED; its ACK covers our SYN, so we are ESTABLISHED, and (line 7)
// we acknowledge it: <SEQ=ISS+1><ACK=IRS+1><CTL=ACK>.
ROW_TEST(synrcvd_rcv_ack, Rfc9293_Figure7_SynRcvd_SimultaneousOpenSynAckIsAcked) {
  Endpoint ep = reach(State::SynReceived);  // active: SYN-SENT, then the peer's SYN
  Outbox out = arrive(ep, seg(kSyn | kAck, kIrs, kIss + 1));
  EXPECT_FIRED(out, "synrcvd_rcv_ack");
  EXPECT_EQ(ep.state(), State::Established);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1));
  EXPECT_TRUE(notified(out, AppEvent::Connected));
}

// §3.10.7.4: the ACK completing the handshake carries the peer's FIN. Fifth
// step: ESTABLISHED; eighth step: "SYN-RECEIVED STATE, ESTABLISHED STATE:
// Enter the CLOSE-WAIT state", ACK the FIN, signal "connection closing".
// The application was connected on the way, and must be told so.
ROW_TEST(synrcvd_rcv_fin, Rfc9293_3_10_7_4_SynRcvd_AckWithFinGoesToCloseWait) {
  Endpoint ep = reach(State::SynReceived, Config{}, /*passive=*/true);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1));
  EXPECT_FIRED(out, "synrcvd_rcv_fin");
  EXPECT_EQ(ep.state(), State::CloseWait);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1 + 1));
  EXPECT_EQ(ep.tcb().snd_una, kIss + 1);
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
  EXPECT_TRUE(notified(out, AppEvent::Connected));
  EXPECT_TRUE(notified(out, AppEvent::EndOfStream));
}

// §3.10.7.4 fifth, SYN-RECEIVED: "If the segment acknowledgment is not
// acceptable, form a reset segment <SEQ=SEG.ACK><CTL=RST> and send it."
// Acceptable is SND.UNA < SEG.ACK =< SND.NXT: test both sides.
ROW_TEST(synrcvd_rcv_bad_ack, Rfc9293_3_10_7_4_SynRcvd_UnacceptableAckGetsRst) {
  for (const Seq bad : {kIss, kIss + 1 + 1}) {
    SCOPED_TRACE(bad);
    Endpoint ep = reach(State::SynReceived, Config{}, /*passive=*/true);
    Outbox out = arrive(ep, seg(kAck, kIrs + 1, bad));
    EXPECT_FIRED(out, "synrcvd_rcv_bad_ack");
    EXPECT_EQ(ep.state(), State::SynReceived);
    EXPECT_TRUE(SentOne(out, kRst, bad));
  }
}

// §3.10.7.4 second, SYN-RECEIVED: "If this connection was initiated with a
// passive OPEN (i.e., came from the LISTEN state), then return this
// connection to LISTEN state and return. The user need not be informed."
// "In either case, the retransmission queue should be flushed."
ROW_TEST(synrcvd_rcv_rst_passive, Rfc9293_3_10_7_4_SynRcvd_RstFromPassiveOpenReturnsToListen) {
  Endpoint ep = reach(State::SynReceived, Config{}, /*passive=*/true);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1));
  EXPECT_FIRED(out, "synrcvd_rcv_rst_passive");
  EXPECT_FALSE(fired(out, "synrcvd_rcv_rst_active"));
  EXPECT_EQ(ep.state(), State::Listen);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
  EXPECT_FALSE(notified(out, AppEvent::Reset));
  EXPECT_FALSE(notified(out, AppEvent::Refused));
  // Ready for the next SYN, from anyone.
  out = arrive(ep, seg(kSyn, 900));
  EXPECT_EQ(ep.state(), State::SynReceived);
  EXPECT_TRUE(SentOne(out, kSyn | kAck, kIss, 900 + 1));
}

// RFC 7413 §4.2.2: a SYN with a valid Fast Open cookie makes a child that
// takes the SYN's data and acknowledges it in the SYN,ACK, and is the
// application's at once. A RST in that SYN-RECEIVED does not return to
// LISTEN (the application may hold the child, and its data): the child
// closes with "connection reset", as Linux's tcp_reset() leaves ECONNRESET
// (linux-selftests tcp_fastopen_server_reset-after-accept.pkt).
ROW_TEST(synrcvd_rcv_rst_fast_open, Rfc7413_4_2_2_FastOpenChild_RstInSynRcvdClosesWithReset) {
  Endpoint ep;
  Outbox out;
  ep.open_passive(kIss, 0, out);
  ep.accept_syn_data();
  out = arrive(ep, seg(kSyn, kIrs, 0, "0123456789"));
  EXPECT_EQ(ep.state(), State::SynReceived);
  EXPECT_TRUE(SentOne(out, kSyn | kAck, kIss, kIrs + 1 + 10));  // the data is acknowledged
  EXPECT_EQ(ep.tcb().recv_buffer, "0123456789");
  EXPECT_TRUE(notified(out, AppEvent::Readable));
  EXPECT_TRUE(std::any_of(out.actions.begin(), out.actions.end(),
                          [](const Action& a) { return a.kind == ActionKind::HandshakeComplete; }));
  out = arrive(ep, seg(kRst | kAck, kIrs + 11, kIss + 1));
  EXPECT_FIRED(out, "synrcvd_rcv_rst_fast_open");
  EXPECT_FALSE(fired(out, "synrcvd_rcv_rst_passive"));
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
  EXPECT_FALSE(notified(out, AppEvent::Refused));
  EXPECT_EQ(ep.failure(), Error::ConnectionReset);
  EXPECT_EQ(ep.tcb().recv_buffer, "0123456789");  // still readable before the error
}

// Without Fast Open, data on a SYN is not taken (RFC 9293 §3.10.7.2 lets it
// be queued; Linux drops it): the SYN,ACK acknowledges the SYN alone.
TEST(SynData, WithoutFastOpenTheSynAckAcknowledgesOnlyTheSyn) {
  Endpoint ep;
  Outbox out;
  ep.open_passive(kIss, 0, out);
  out = arrive(ep, seg(kSyn, kIrs, 0, "0123456789"));
  EXPECT_TRUE(SentOne(out, kSyn | kAck, kIss, kIrs + 1));
  EXPECT_TRUE(ep.tcb().recv_buffer.empty());
}

// Same event, other guard: "If this connection was initiated with an active
// OPEN (i.e., came from SYN-SENT state), then the connection was refused;
// signal the user "connection refused"." ... enter CLOSED.
ROW_TEST(synrcvd_rcv_rst_active, Rfc9293_3_10_7_4_SynRcvd_RstFromActiveOpenIsRefusal) {
  Endpoint ep = reach(State::SynReceived);  // simultaneous open
  Outbox out = arrive(ep, seg(kRst, kIrs + 1));
  EXPECT_FIRED(out, "synrcvd_rcv_rst_active");
  EXPECT_FALSE(fired(out, "synrcvd_rcv_rst_passive"));
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::Refused));
  EXPECT_EQ(ep.failure(), Error::ConnectionRefused);
}

// A connection that left LISTEN by SEND became active (§3.10.2), so a RST in
// its SYN-RECEIVED is a refusal, not a return to LISTEN.
ROW_TEST(synrcvd_rcv_rst_active, Rfc9293_3_10_2_SynRcvd_ListenThenSendIsActive) {
  Endpoint ep = reach(State::Listen);
  Outbox out;
  ASSERT_EQ(ep.send("x", 0, out), Error::None);
  arrive(ep, seg(kSyn, kIrs));
  ASSERT_EQ(ep.state(), State::SynReceived);
  out = arrive(ep, seg(kRst, kIrs + 1));
  EXPECT_FIRED(out, "synrcvd_rcv_rst_active");
  EXPECT_EQ(ep.state(), State::Closed);
}

// §3.10.7.4 fourth, SYN-RECEIVED: "If the connection was initiated with a
// passive OPEN, then return this connection to the LISTEN state and return."
// (This comes before, and regardless of, RFC 5961's challenge ACK.)
ROW_TEST(synrcvd_rcv_syn_passive, Rfc9293_3_10_7_4_SynRcvd_InWindowSynFromPassiveOpenReturnsToListen) {
  Endpoint ep = reach(State::SynReceived, Config{}, /*passive=*/true);
  Outbox out = arrive(ep, seg(kSyn, kIrs + 5));
  EXPECT_FIRED(out, "synrcvd_rcv_syn_passive");
  EXPECT_FALSE(fired(out, "synrcvd_rcv_syn"));
  EXPECT_EQ(ep.state(), State::Listen);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
}

// Other guard, RFC 5961 off: "Otherwise, handle per the directions for
// synchronized states": "If the SYN is in the window it is an error: send a
// reset, ... the user should also receive an unsolicited general
// "connection reset" signal, enter the CLOSED state". The RST is ABORT's:
// <SEQ=SND.NXT><CTL=RST>.
ROW_TEST(synrcvd_rcv_syn, Rfc9293_3_10_7_4_SynRcvd_InWindowSynFromActiveOpenResets) {
  Endpoint ep = reach(State::SynReceived, without_rfc5961());  // simultaneous open
  Outbox out = arrive(ep, seg(kSyn, kIrs + 5));
  EXPECT_FIRED(out, "synrcvd_rcv_syn");
  EXPECT_FALSE(fired(out, "synrcvd_rcv_syn_passive"));
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1));
  EXPECT_TRUE(notified(out, AppEvent::Reset));
  EXPECT_EQ(ep.failure(), Error::ConnectionReset);
}

// With RFC 5961 (§4.2) the same SYN gets a challenge ACK
// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and changes nothing.
TEST(Row_synrcvd_rcv_syn, Rfc5961_4_2_SynRcvd_ActiveOpenSynGetsChallengeAck) {
  Endpoint ep = reach(State::SynReceived);
  Outbox out = arrive(ep, seg(kSyn, kIrs + 5));
  EXPECT_FALSE(fired(out, "synrcvd_rcv_syn"));
  EXPECT_EQ(ep.state(), State::SynReceived);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1));
}

// §3.10.4 CLOSE in SYN-RECEIVED: "If no SENDs have been issued and there is
// no pending data to send, then form a FIN segment and send it, and enter
// FIN-WAIT-1 state." The FIN follows the SYN: SEQ = ISS+1.
ROW_TEST(synrcvd_close, Rfc9293_3_10_4_SynRcvd_CloseSendsFin) {
  Endpoint ep = reach(State::SynReceived, Config{}, /*passive=*/true);
  Outbox out;
  EXPECT_EQ(ep.close(0, out), Error::None);
  EXPECT_FIRED(out, "synrcvd_close");
  EXPECT_EQ(ep.state(), State::FinWait1);
  EXPECT_TRUE(SentOne(out, kFin | kAck, kIss + 1, kIrs + 1));
  EXPECT_EQ(ep.tcb().snd_nxt, kIss + 1 + 1);
  EXPECT_TRUE(ep.tcb().fin_sent);
  EXPECT_EQ(ep.tcb().fin_seq, kIss + 1);
}

// §3.10.5 ABORT in SYN-RECEIVED: "Send a reset segment: <SEQ=SND.NXT><CTL=RST>
// ... Delete the TCB, enter CLOSED state".
ROW_TEST(synrcvd_abort, Rfc9293_3_10_5_SynRcvd_AbortSendsRst) {
  Endpoint ep = reach(State::SynReceived, Config{}, /*passive=*/true);
  Outbox out;
  EXPECT_EQ(ep.abort(0, out), Error::None);
  EXPECT_FIRED(out, "synrcvd_abort");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1));
  EXPECT_TRUE(cancelled(out, TimerKind::Retransmission));
}

// §3.8.3: SYN,ACK retransmissions exhausted: the connection is given up.
ROW_TEST(synrcvd_give_up, Rfc9293_3_8_3_SynRcvd_SynAckRetriesExhaustedTimesOut) {
  Config cfg;
  cfg.synack_retries = 1;
  Endpoint ep = reach(State::SynReceived, cfg, /*passive=*/true);
  Outbox out = expire(ep, TimerKind::Retransmission, 1 * kSecond);
  EXPECT_TRUE(SentOne(out, kSyn | kAck, kIss, kIrs + 1));  // the retransmission allowed
  out = expire(ep, TimerKind::Retransmission, 3 * kSecond);
  EXPECT_FIRED(out, "synrcvd_give_up");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::TimedOut));
}

}  // namespace
}  // namespace tcpsim::test
