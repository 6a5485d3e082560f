// Rows leaving CLOSED and LISTEN: OPEN (RFC 9293 §3.10.1), SEND in LISTEN
// (§3.10.2), CLOSE and ABORT (§3.10.4-5), and SEGMENT ARRIVES in CLOSED and
// LISTEN (§3.10.7.1-2).
#include "rows_util.h"

namespace tcpsim::test {
namespace {

// ------------------------------------------------------------------ CLOSED

// §3.10.1: "passive ... create TCB", enter LISTEN; nothing is sent.
ROW_TEST(closed_open_passive, Rfc9293_3_10_1_PassiveOpenCreatesTcbAndListens) {
  Endpoint ep;
  Outbox out;
  EXPECT_EQ(ep.open_passive(kIss, 0, out), Error::None);
  EXPECT_FIRED(out, "closed_open_passive");
  EXPECT_EQ(ep.state(), State::Listen);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_FALSE(armed(out, TimerKind::Retransmission));
  EXPECT_TRUE(ep.tcb().passive_open);
  EXPECT_EQ(ep.tcb().iss, kIss);
}

// §3.10.1: "A SYN segment of the form <SEQ=ISS><CTL=SYN> is sent. Set
// SND.UNA to ISS, SND.NXT to ISS+1, enter SYN-SENT state"; RFC 6298 §5.1
// starts the retransmission timer, at the initial RTO of 1 s (§2.1).
ROW_TEST(closed_open_active, Rfc9293_3_10_1_ActiveOpenSendsSynAndEntersSynSent) {
  Endpoint ep;
  Outbox out;
  EXPECT_EQ(ep.open_active(kIss, 0, out), Error::None);
  EXPECT_FIRED(out, "closed_open_active");
  EXPECT_EQ(ep.state(), State::SynSent);
  EXPECT_TRUE(SentOne(out, kSyn, kIss));
  EXPECT_EQ(ep.tcb().snd_una, kIss);
  EXPECT_EQ(ep.tcb().snd_nxt, kIss + 1);
  EXPECT_EQ(armed_for(out, TimerKind::Retransmission), 1 * kSecond);
  EXPECT_FALSE(ep.tcb().passive_open);
}

// §3.10.7.1: "If the ACK bit is off, sequence number zero is used,
// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>".
ROW_TEST(closed_rcv_segment, Rfc9293_3_10_7_1_Closed_SegmentWithoutAckGetsRstAck) {
  Endpoint ep;
  Outbox out = arrive(ep, seg(kSyn, kIrs, 0, "abc"));
  EXPECT_FIRED(out, "closed_rcv_segment");
  EXPECT_EQ(ep.state(), State::Closed);
  // SEG.LEN counts the SYN and the three octets.
  EXPECT_TRUE(SentOne(out, kRst | kAck, 0, kIrs + 1 + 3));
}

// §3.10.7.1: "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>".
ROW_TEST(closed_rcv_segment, Rfc9293_3_10_7_1_Closed_SegmentWithAckGetsRstAtSegAck) {
  Endpoint ep;
  Outbox out = arrive(ep, seg(kAck, kIrs, 555));
  EXPECT_FIRED(out, "closed_rcv_segment");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, 555));
}

// §3.10.7.1: "An incoming segment containing a RST is discarded."
ROW_TEST(closed_rcv_segment, Rfc9293_3_10_7_1_Closed_RstIsDiscarded) {
  Endpoint ep;
  Outbox out = arrive(ep, seg(kRst | kAck, kIrs, 555));
  EXPECT_FIRED(out, "closed_rcv_segment");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
}

// ------------------------------------------------------------------ LISTEN

// §3.10.7.2 fourth: "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ ...
// <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> ... SND.NXT is set to ISS+1 and
// SND.UNA to ISS. The connection state should be changed to SYN-RECEIVED."
ROW_TEST(listen_rcv_syn, Rfc9293_3_10_7_2_Listen_SynIsAnsweredWithSynAck) {
  Endpoint ep = reach(State::Listen);
  Outbox out = arrive(ep, seg(kSyn, kIrs, 0, {}, 4000));
  EXPECT_FIRED(out, "listen_rcv_syn");
  EXPECT_EQ(ep.state(), State::SynReceived);
  EXPECT_TRUE(SentOne(out, kSyn | kAck, kIss, kIrs + 1));
  EXPECT_EQ(ep.tcb().irs, kIrs);
  EXPECT_EQ(ep.tcb().rcv_nxt, kIrs + 1);
  EXPECT_EQ(ep.tcb().snd_una, kIss);
  EXPECT_EQ(ep.tcb().snd_nxt, kIss + 1);
  EXPECT_EQ(ep.tcb().snd_wnd, 4000u);
  // The SYN,ACK is retransmitted until acknowledged (RFC 6298 §5.1).
  EXPECT_EQ(armed_for(out, TimerKind::Retransmission), 1 * kSecond);
  EXPECT_FALSE(notified(out, AppEvent::Connected));
}

// §3.10.7.2 second: "Any acknowledgment is bad if it arrives on a connection
// still in the LISTEN state ... <SEQ=SEG.ACK><CTL=RST>"; LISTEN stays.
ROW_TEST(listen_rcv_ack, Rfc9293_3_10_7_2_Listen_AckIsAnsweredWithRstAtSegAck) {
  Endpoint ep = reach(State::Listen);
  Outbox out = arrive(ep, seg(kAck, kIrs, 777));
  EXPECT_FIRED(out, "listen_rcv_ack");
  EXPECT_EQ(ep.state(), State::Listen);
  EXPECT_TRUE(SentOne(out, kRst, 777));
}

// §3.10.7.2 first: "An incoming RST should be ignored."
ROW_TEST(listen_rcv_rst, Rfc9293_3_10_7_2_Listen_RstIsIgnored) {
  Endpoint ep = reach(State::Listen);
  Outbox out = arrive(ep, seg(kRst, kIrs));
  EXPECT_FIRED(out, "listen_rcv_rst");
  EXPECT_EQ(ep.state(), State::Listen);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_FALSE(notified(out, AppEvent::Reset));
}

// §3.10.2 SEND in LISTEN: "change the connection from passive to active,
// select an ISS. Send a SYN segment, set SND.UNA to ISS, SND.NXT to ISS+1.
// Enter SYN-SENT state." The data waits for ESTABLISHED.
ROW_TEST(listen_send, Rfc9293_3_10_2_Listen_SendTurnsActiveAndSendsSyn) {
  Endpoint ep = reach(State::Listen);
  Outbox out;
  EXPECT_EQ(ep.send("hi", 0, out), Error::None);
  EXPECT_FIRED(out, "listen_send");
  EXPECT_EQ(ep.state(), State::SynSent);
  EXPECT_TRUE(SentOne(out, kSyn, kIss));
  EXPECT_EQ(ep.tcb().snd_una, kIss);
  EXPECT_EQ(ep.tcb().snd_nxt, kIss + 1);
  EXPECT_FALSE(ep.tcb().passive_open) << "SEND makes the connection active";

  // The queued data follows the handshake, right after the SYN.
  out = arrive(ep, seg(kSyn | kAck, kIrs, kIss + 1));
  EXPECT_EQ(ep.state(), State::Established);
  const auto v = sent(out);
  ASSERT_EQ(v.size(), 1u) << describe(out);
  EXPECT_TRUE(IsSeg(v[0], kAck | kPsh, kIss + 1, kIrs + 1));
  EXPECT_EQ(v[0].payload, "hi");
}

// §3.10.4 CLOSE in LISTEN: "Delete TCB, enter CLOSED state"; nothing is sent.
ROW_TEST(listen_close, Rfc9293_3_10_4_Listen_CloseDeletesTcb) {
  Endpoint ep = reach(State::Listen);
  Outbox out;
  EXPECT_EQ(ep.close(0, out), Error::None);
  EXPECT_FIRED(out, "listen_close");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_TRUE(notified(out, AppEvent::Closed));
}

// §3.10.5 ABORT in LISTEN: "Delete TCB, enter CLOSED state"; no RST, there
// is no peer.
ROW_TEST(listen_abort, Rfc9293_3_10_5_Listen_AbortDeletesTcbWithoutRst) {
  Endpoint ep = reach(State::Listen);
  Outbox out;
  EXPECT_EQ(ep.abort(0, out), Error::None);
  EXPECT_FIRED(out, "listen_abort");
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(SentNothing(out));
}

}  // namespace
}  // namespace tcpsim::test
