// FreeBSD's departures from RFC 9293 that the bsd profile switches on, one
// test per Config value, each from the FreeBSD tcp-testsuite script that
// shows it (../shared/conformance/freebsd-tcp-testsuite/state-event-engine/)
// and the FreeBSD source that does it (sys/netinet/tcp_input.c,
// tcp_output.c, tcp_timewait.c). Our ISS is 100, the peer's 300
// (harness.h): the scripts' "1:1(0) ack 1" is SEQ=101, ACK=301.
#include "rows_util.h"

namespace tcpsim::test {
namespace {

// The scripts' connection: the peer's SYN,ACK carries MSS 1460, the receive
// buffer is net.inet.tcp.recvspace=65536.
Config freebsd_like() {
  Config c;
  c.rcv_buffer = 65536;
  c.rst_ack_on_abort = true;  // tcp_drop(): tcp_outflags[TCPS_CLOSED] is RST|ACK
  return c;
}

Endpoint established_mss_1460(const Config& cfg) {
  Endpoint ep(cfg);
  Outbox out;
  ep.open_active(kIss, 0, out);
  Segment synack = seg(kSyn | kAck, kIrs, kIss + 1, {}, 32767);
  synack.mss = 1460;
  out.clear();
  ep.segment_arrives(synack, 0, out);
  EXPECT_EQ(ep.state(), State::Established);
  return ep;
}

// ------------------------------------------------ insecure_rst, insecure_syn
// tcp_input.c: a RST in the window resets when `V_tcp_insecure_rst ||
// last_ack_sent == th_seq`, else a challenge ACK (RFC 5961 §3.2); a SYN in a
// synchronized state is challenged unless `V_tcp_insecure_syn` and it falls
// in the window, which drops the connection (RFC 5961 §4.2). The two
// sysctls are independent, and so are the two values.

// rcv-rst-established-right-edge-insecure: "destroys the TCP connection".
TEST(FreeBsdInsecureRst, Rfc5961_3_2_OffAnInWindowRstNotAtRcvNxtResetsWhileSynsAreStillChallenged) {
  Config c;
  c.rfc5961_rst = false;
  Endpoint ep = reach(State::Established, c);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1 + 100));
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(notified(out, AppEvent::Reset));
  EXPECT_TRUE(SentNothing(out));

  Endpoint ep2 = reach(State::Established, c);
  Outbox out2 = arrive(ep2, seg(kSyn, kIrs + 1));
  EXPECT_EQ(ep2.state(), State::Established);
  EXPECT_TRUE(SentOne(out2, kAck, kIss + 1, kIrs + 1));  // RFC 5961 §4.2 challenge ACK
}

// rcv-syn-established-left-edge-insecure: `< S 1:1(0)` then `> R. 1:1(0)
// ack 1 win 0` and SO_ERROR ECONNRESET; RSTs stay RFC 5961's.
TEST(FreeBsdInsecureSyn,
     Rfc5961_4_2_OffAnInWindowSynDropsTheConnectionWithRstAckWhileRstsAreStillChallenged) {
  Config c = freebsd_like();
  c.rfc5961_syn = false;
  Endpoint ep = reach(State::Established, c);
  Outbox out = arrive(ep, seg(kSyn, kIrs + 1));
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(notified(out, AppEvent::Reset));
  ASSERT_TRUE(SentOne(out, kRst | kAck, kIss + 1, kIrs + 1));
  EXPECT_EQ(sent(out)[0].window, 0);  // tcp_output(): "If a RST segment is sent, advertise a window of zero"

  Endpoint ep2 = reach(State::Established, c);
  Outbox out2 = arrive(ep2, seg(kRst, kIrs + 1 + 100));
  EXPECT_EQ(ep2.state(), State::Established);
  EXPECT_TRUE(SentOne(out2, kAck, kIss + 1, kIrs + 1));  // RFC 5961 §3.2 challenge ACK
}

// --------------------------------------------------------- rcv_wnd_from_buffer
// tcp_mss() rounds so_rcv's size up to whole segments (the scripts:
// SO_RCVBUF 65536 becomes 65700 = 45 x 1460), and tcp_input() sets rcv_wnd
// to the buffer's free space, beyond the 65535 the header can advertise.
// rcv-rst-established-right-edge-secure: `< R 65700:65700(0)` (RCV.NXT +
// 65699) is in the window and challenged; outside-right (RCV.NXT + 65700) is
// dropped.
TEST(FreeBsdRcvWnd, TheWindowSegmentsAreCheckedAgainstIsTheRoundedFreeBuffer) {
  Config c = freebsd_like();
  c.rcv_wnd_from_buffer = true;
  Endpoint ep = established_mss_1460(c);
  Outbox right_edge = arrive(ep, seg(kRst, kIrs + 1 + 65699));
  EXPECT_EQ(ep.state(), State::Established);
  EXPECT_TRUE(SentOne(right_edge, kAck, kIss + 1, kIrs + 1));
  Outbox outside = arrive(ep, seg(kRst, kIrs + 1 + 65700));
  EXPECT_TRUE(SentNothing(outside));
  EXPECT_EQ(ep.state(), State::Established);

  // Without it the window is the advertised 65535: RCV.NXT + 65699 is out.
  Endpoint rfc = established_mss_1460(freebsd_like());
  EXPECT_TRUE(SentNothing(arrive(rfc, seg(kRst, kIrs + 1 + 65699))));
}

// The syncache (SYN-RECEIVED from LISTEN) checks against the window its
// SYN,ACK advertised, 65535, not the 65536-byte buffer:
// rcv-rst-syn-rcvd-via-listen-outside-right-secure, `< R 65536:65536(0)`
// (RCV.NXT + 65535), gets no answer.
TEST(FreeBsdRcvWnd, ThePassiveOpensSynReceivedChecksAgainstTheAdvertisedWindow) {
  Config c = freebsd_like();
  c.rcv_wnd_from_buffer = true;
  Endpoint ep = reach(State::SynReceived, c, /*passive=*/true);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1 + 65535));
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(ep.state(), State::SynReceived);
  // One octet inside: an RFC 5961 challenge ACK.
  EXPECT_TRUE(SentOne(arrive(ep, seg(kRst, kIrs + 1 + 65534)), kAck, kIss + 1, kIrs + 1));
}

// rcv-syn-ack-with-data-syn-sent-ack-left-edge: three octets on the SYN,ACK
// are buffered and the ACK still advertises 65535 (65700 - 3 free).
TEST(FreeBsdRcvWnd, DataBufferedInTheRoundedBufferLeavesTheAdvertisedWindowAt65535) {
  Config c = freebsd_like();
  c.rcv_wnd_from_buffer = true;
  Endpoint ep(c);
  Outbox out;
  ep.open_active(kIss, 0, out);
  Segment synack = seg(kSyn | kAck, kIrs, kIss + 1, "abc", 32767);
  synack.mss = 1460;
  out.clear();
  ep.segment_arrives(synack, 0, out);
  ASSERT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1 + 3));
  EXPECT_EQ(sent(out)[0].window, 65535);

  Config plain = freebsd_like();
  Endpoint ep2(plain);
  ep2.open_active(kIss, 0, out);
  out.clear();
  ep2.segment_arrives(synack, 0, out);
  ASSERT_EQ(sent(out).size(), 1u);
  EXPECT_EQ(sent(out)[0].window, 65536 - 3);
}

// --------------------------------------------------------- fin_on_output_acks
// tcp_output(): in FIN-WAIT-1 and CLOSING the state's flags include FIN, and
// "If resending a FIN, be sure not to use a new sequence number" (snd_nxt--).
// rcv-rst-closing-*, rcv-syn-closing-*: `< F. 1:1(0) ack 1` in FIN-WAIT-1 is
// answered `> F. 1:1(0) ack 2`.
TEST(FreeBsdFinOnAcks, TheAckOfThePeersFinInFinWait1CarriesOurUnacknowledgedFinAtItsSequenceNumber) {
  Config c;
  c.fin_on_output_acks = true;
  Endpoint ep = reach(State::FinWait1, c);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1));
  EXPECT_EQ(ep.state(), State::Closing);
  EXPECT_TRUE(SentOne(out, kFin | kAck, kIss + 1, kIrs + 1 + 1));

  Endpoint rfc = reach(State::FinWait1);
  EXPECT_TRUE(SentOne(arrive(rfc, seg(kFin | kAck, kIrs + 1, kIss + 1)), kAck, kIss + 1 + 1, kIrs + 1 + 1));
}

// tcp_respond() builds challenge ACKs from scratch: rcv-syn-fin-wait-1-
// left-edge-secure expects `> . 2:2(0) ack 1`, and in CLOSING
// rcv-rst-closing-right-edge-secure `> . 2:2(0) ack 2`.
TEST(FreeBsdFinOnAcks, ChallengeAcksCarryNoFin) {
  Config c;
  c.fin_on_output_acks = true;
  Endpoint ep = reach(State::FinWait1, c);
  EXPECT_TRUE(SentOne(arrive(ep, seg(kSyn, kIrs + 1)), kAck, kIss + 1 + 1, kIrs + 1));
  Endpoint closing = reach(State::Closing, c);
  EXPECT_TRUE(SentOne(arrive(closing, seg(kRst, kIrs + 1 + 1 + 100)), kAck, kIss + 1 + 1, kIrs + 1 + 1));
}

// -------------------------------------------------------- timewait_needs_ack
// tcp_twcheck(): "Drop the segment if it does not contain an ACK" (after
// the RST and new-SYN cases), then ACK whatever is not a duplicate ACK.
// rcv-syn-time-wait-using-shutdown-left-edge-insecure (#ifdef FreeBSD): the
// SYN at RCV.NXT gets nothing and the connection stays in TIME-WAIT, even
// with insecure_syn; rcv-syn-ack-time-wait-...-left-edge-insecure: a
// SYN,ACK gets `> . 2:2(0) ack 2`; rcv-fin-time-wait-...-outside-left: a FIN
// without ACK gets nothing.
TEST(FreeBsdTimeWait, SegmentsWithoutAckAreDroppedAndASynAckIsAcknowledgedNeverReset) {
  Config c;
  c.timewait_needs_ack = true;
  c.rfc5961_syn = false;
  Endpoint ep = reach(State::TimeWait, c);
  EXPECT_TRUE(SentNothing(arrive(ep, seg(kSyn, kIrs + 1 + 1))));
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_TRUE(SentNothing(arrive(ep, seg(kFin, kIrs + 1))));
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_TRUE(SentOne(arrive(ep, seg(kSyn | kAck, kIrs + 1 + 1, kIss)), kAck, kIss + 1 + 1, kIrs + 1 + 1));
  EXPECT_EQ(ep.state(), State::TimeWait);

  // Without it, RFC 9293 with insecure SYNs: the in-window SYN resets.
  Config rfc;
  rfc.rfc5961_syn = false;
  Endpoint ep2 = reach(State::TimeWait, rfc);
  Outbox out = arrive(ep2, seg(kSyn, kIrs + 1 + 1));
  EXPECT_EQ(ep2.state(), State::Closed);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1 + 1));
}

// tcp_twcheck(): "If the segment contains RST: Drop the segment - see
// Stevens, vol. 2, p. 964 and RFC 1337", before any sequence test: an
// in-window RST not at RCV.NXT gets no RFC 5961 challenge either
// (rcv-rst-time-wait-using-shutdown-right-edge-secure).
TEST(FreeBsdTimeWait, Rfc1337_AnInWindowRstIsIgnoredWithoutAChallengeAck) {
  Config c;
  c.rfc1337 = true;
  Endpoint ep = reach(State::TimeWait, c);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1 + 1 + 100));
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(ep.state(), State::TimeWait);
  Endpoint rfc = reach(State::TimeWait);
  EXPECT_TRUE(SentOne(arrive(rfc, seg(kRst, kIrs + 1 + 1 + 100)), kAck, kIss + 1 + 1, kIrs + 1 + 1));
}

// -------------------------------------------------------------- drop_synfin
// net.inet.tcp.drop_synfin=1: rcv-syn-fin-*-listen-dropping-enabled (`< SF`
// then nothing; the later plain SYN gets the SYN,ACK) and
// rcv-syn-fin-*-syn-sent-dropping-enabled (our SYN is retransmitted; the
// SYN,FIN was not taken).
TEST(FreeBsdDropSynFin, ASegmentWithSynAndFinIsDroppedInListenSynSentAndTimeWait) {
  Config c;
  c.drop_synfin = true;
  Endpoint listen = reach(State::Listen, c);
  EXPECT_TRUE(SentNothing(arrive(listen, seg(kSyn | kFin, kIrs))));
  EXPECT_EQ(listen.state(), State::Listen);
  Endpoint syn_sent = reach(State::SynSent, c);
  EXPECT_TRUE(SentNothing(arrive(syn_sent, seg(kSyn | kFin, kIrs))));
  EXPECT_EQ(syn_sent.state(), State::SynSent);
  Endpoint tw = reach(State::TimeWait, c);
  EXPECT_TRUE(SentNothing(arrive(tw, seg(kSyn | kFin, kIrs + 1 + 1))));
  EXPECT_EQ(tw.state(), State::TimeWait);

  // Without it, RFC 9293 §3.10.7.2: the SYN is taken, RCV.NXT = SEG.SEQ+1,
  // the FIN is left for SYN-RECEIVED: SYN,ACK <ACK=IRS+1>.
  Endpoint rfc = reach(State::Listen);
  EXPECT_TRUE(SentOne(arrive(rfc, seg(kSyn | kFin, kIrs)), kSyn | kAck, kIss, kIrs + 1));
  EXPECT_EQ(rfc.state(), State::SynReceived);
}

}  // namespace
}  // namespace tcpsim::test
