// Behaviour that no single row owns: the user calls' error answers (RFC 9293
// §3.10.1-5), receive() semantics, half-close, data and FIN ordering, and
// the fifth step's ACK and window rules (§3.10.7.4).
#include "rows_util.h"

namespace tcpsim::test {
namespace {

// ------------------------------------------------------- user-call errors

// §3.10.1 OPEN, "Otherwise, return "error: connection already exists"".
TEST(UserCalls, Rfc9293_3_10_1_OpenTwiceIsAlreadyExists) {
  Endpoint active = reach(State::SynSent);
  Outbox out;
  EXPECT_EQ(active.open_active(kIss, 0, out), Error::ConnectionAlreadyExists);
  EXPECT_EQ(active.open_passive(kIss, 0, out), Error::ConnectionAlreadyExists);
  Endpoint listening = reach(State::Listen);
  EXPECT_EQ(listening.open_passive(kIss, 0, out), Error::ConnectionAlreadyExists);
  Endpoint estab = reach(State::Established);
  EXPECT_EQ(estab.open_active(kIss, 0, out), Error::ConnectionAlreadyExists);
  EXPECT_TRUE(SentNothing(out));
}

// §3.10.2 SEND, §3.10.3 RECEIVE, §3.10.4 CLOSE, §3.10.5 ABORT in CLOSED:
// "return "error: connection does not exist"".
TEST(UserCalls, Rfc9293_3_10_CallsInClosedAreDoesNotExist) {
  Endpoint ep;
  Outbox out;
  std::string got;
  EXPECT_EQ(ep.send("x", 0, out), Error::ConnectionDoesNotExist);
  EXPECT_EQ(ep.receive(10, got, 0, out), Error::ConnectionDoesNotExist);
  EXPECT_EQ(ep.close(0, out), Error::ConnectionDoesNotExist);
  EXPECT_EQ(ep.abort(0, out), Error::ConnectionDoesNotExist);
  EXPECT_TRUE(out.actions.empty()) << describe(out);
}

// §3.10.4 CLOSE in FIN-WAIT-1/2: "Strictly speaking, this is an error and
// should receive an "error: connection closing" response"; CLOSING, LAST-ACK,
// TIME-WAIT: "Respond with "error: connection closing"". Nothing is sent.
TEST(UserCalls, Rfc9293_3_10_4_CloseAfterCloseIsConnectionClosing) {
  for (State s : {State::FinWait1, State::FinWait2, State::Closing, State::LastAck, State::TimeWait}) {
    SCOPED_TRACE(state_name(s));
    Endpoint ep = reach(s);
    Outbox out;
    EXPECT_EQ(ep.close(0, out), Error::ConnectionClosing);
    EXPECT_EQ(ep.state(), s);
    EXPECT_TRUE(out.actions.empty()) << describe(out);
  }
}

// §3.10.2 SEND in FIN-WAIT-1 ... TIME-WAIT: "Return "error: connection closing"
// and do not service request." Also after CLOSE in CLOSE-WAIT (LAST-ACK).
TEST(UserCalls, Rfc9293_3_10_2_SendAfterCloseIsConnectionClosing) {
  for (State s : {State::FinWait1, State::FinWait2, State::Closing, State::LastAck, State::TimeWait}) {
    SCOPED_TRACE(state_name(s));
    Endpoint ep = reach(s);
    Outbox out;
    EXPECT_EQ(ep.send("x", 0, out), Error::ConnectionClosing);
    EXPECT_TRUE(out.actions.empty()) << describe(out);
  }
}

// §3.10.2 SEND in SYN-SENT: "Queue the data for transmission after entering
// ESTABLISHED state." It follows the SYN: SEQ = ISS+1.
TEST(UserCalls, Rfc9293_3_10_2_SendInSynSentIsQueuedUntilEstablished) {
  Endpoint ep = reach(State::SynSent);
  Outbox out;
  EXPECT_EQ(ep.send("early", 0, out), Error::None);
  EXPECT_TRUE(SentNothing(out));
  out = arrive(ep, seg(kSyn | kAck, kIrs, kIss + 1));
  const auto v = sent(out);
  ASSERT_EQ(v.size(), 1u) << describe(out);
  // The data segment carries the ACK of the SYN,ACK, so no separate ACK.
  EXPECT_TRUE(IsSeg(v[0], kAck | kPsh, kIss + 1, kIrs + 1));
  EXPECT_EQ(v[0].payload, "early");
}

// ---------------------------------------------------------------- receive

// §3.10.3 RECEIVE in ESTABLISHED: "If insufficient incoming segments are
// queued to satisfy the request, queue the request" -- the call would block.
TEST(Receive, Rfc9293_3_10_3_EmptyBufferWouldBlock) {
  for (State s : {State::SynSent, State::Established, State::FinWait1, State::FinWait2}) {
    SCOPED_TRACE(state_name(s));
    Endpoint ep = reach(s);
    Outbox out;
    std::string got;
    EXPECT_EQ(ep.receive(10, got, 0, out), Error::WouldBlock);
    EXPECT_TRUE(got.empty());
  }
}

// After the peer's FIN, RECEIVE returns what is on hand, then end of stream:
// Error::None with no bytes (read() = 0), in every state that has seen it.
TEST(Receive, Rfc9293_3_10_3_EndOfStreamIsNoneWithZeroBytes) {
  for (State s : {State::CloseWait, State::Closing, State::LastAck, State::TimeWait}) {
    SCOPED_TRACE(state_name(s));
    Endpoint ep = reach(s);
    Outbox out;
    std::string got;
    EXPECT_EQ(ep.receive(10, got, 0, out), Error::None);
    EXPECT_TRUE(got.empty());
  }
}

// shutdown(SHUT_RD): nothing is sent; data already queued is still
// delivered, then reads return end of stream though the peer has not closed.
TEST(Receive, ShutdownReadSendsNothingAndEndsTheStreamAfterQueuedData) {
  Endpoint ep = reach(State::Established);
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1, "abc"));
  Outbox out;
  EXPECT_EQ(ep.shutdown_read(0, out), Error::None);
  EXPECT_TRUE(out.actions.empty()) << describe(out);
  EXPECT_EQ(ep.state(), State::Established);
  std::string got;
  EXPECT_EQ(ep.receive(10, got, 0, out), Error::None);
  EXPECT_EQ(got, "abc");
  got.clear();
  EXPECT_EQ(ep.receive(10, got, 0, out), Error::None);
  EXPECT_TRUE(got.empty());
  // Writing still works: only the reading half is shut.
  EXPECT_EQ(ep.send("x", 0, out), Error::None);
}

// -------------------------------------------------------------- half-close

// RFC 9293 §3.6 / RFC 1122 4.2.2.13: after our FIN is acknowledged the peer
// may keep sending; FIN-WAIT-2 delivers it (§3.10.7.4 seventh) until the
// peer's own FIN, after which RECEIVE reports end of stream.
TEST(HalfClose, Rfc9293_3_6_DataKeepsFlowingToUsInFinWait2) {
  Endpoint ep = reach(State::FinWait2);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 1, "one "));
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 4));
  out = arrive(ep, seg(kAck, kIrs + 1 + 4, kIss + 1 + 1, "two"));
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 4 + 3));
  out = arrive(ep, seg(kFin | kAck, kIrs + 1 + 7, kIss + 1 + 1));
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1 + 1, kIrs + 1 + 7 + 1));
  std::string got;
  EXPECT_EQ(ep.receive(100, got, 0, out), Error::None);
  EXPECT_EQ(got, "one two");
  got.clear();
  EXPECT_EQ(ep.receive(100, got, 0, out), Error::None);
  EXPECT_TRUE(got.empty());
}

// The other half: the peer closed first, we keep sending in CLOSE-WAIT, and
// our FIN follows our last data.
TEST(HalfClose, Rfc9293_3_6_WeKeepSendingInCloseWait) {
  Endpoint ep = reach(State::CloseWait);
  Outbox out;
  ASSERT_EQ(ep.send("late reply", 0, out), Error::None);
  EXPECT_EQ(sent(out).size(), 1u);
  ASSERT_EQ(ep.close(0, out = Outbox{}), Error::None);
  EXPECT_TRUE(SentOne(out, kFin | kAck, kIss + 1 + 10, kIrs + 1 + 1));
  EXPECT_EQ(ep.state(), State::LastAck);
}

// ---------------------------------------------------- data before the FIN

// §3.10.4 CLOSE in ESTABLISHED: "Queue this until all preceding SENDs have
// been segmentized, then form a FIN segment". Data held back by a zero send
// window goes first, and the FIN rides on its last segment.
TEST(DataAndFin, Rfc9293_3_10_4_QueuedDataGoesBeforeFinAndFinRidesOnIt) {
  Endpoint ep = reach(State::Established);
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1, {}, /*window=*/0));
  ASSERT_EQ(ep.tcb().snd_wnd, 0u);
  Outbox out;
  ASSERT_EQ(ep.send("hello", 0, out), Error::None);
  EXPECT_TRUE(SentNothing(out));
  ASSERT_EQ(ep.close(0, out = Outbox{}), Error::None);
  EXPECT_EQ(ep.state(), State::FinWait1);  // "In any case, enter FIN-WAIT-1"
  EXPECT_TRUE(SentNothing(out));           // the FIN waits behind the data
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1, {}, /*window=*/1000));
  const auto v = sent(out);
  ASSERT_EQ(v.size(), 1u) << describe(out);
  EXPECT_TRUE(IsSeg(v[0], kFin | kPsh | kAck, kIss + 1, kIrs + 1));
  EXPECT_EQ(v[0].payload, "hello");
  EXPECT_EQ(ep.tcb().fin_seq, kIss + 1 + 5);
  EXPECT_EQ(ep.tcb().snd_nxt, kIss + 1 + 5 + 1);
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 5 + 1));
  EXPECT_EQ(ep.state(), State::FinWait2);
}

// More than one segment of data queued: every data segment first, in order,
// the FIN on the last (peer MSS 536, RFC 9293 §3.7.1's default).
TEST(DataAndFin, Rfc9293_3_10_4_FinFollowsSeveralSegments) {
  Endpoint ep = reach(State::Established);
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1, {}, /*window=*/0));
  Outbox out;
  ASSERT_EQ(ep.send(std::string(600, 'd'), 0, out), Error::None);
  ASSERT_EQ(ep.close(0, out), Error::None);
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1, {}, kWnd));
  const auto v = sent(out);
  ASSERT_EQ(v.size(), 2u) << describe(out);
  EXPECT_TRUE(IsSeg(v[0], kAck, kIss + 1, kIrs + 1));
  EXPECT_EQ(v[0].payload.size(), 536u);
  EXPECT_TRUE(IsSeg(v[1], kFin | kPsh | kAck, kIss + 1 + 536, kIrs + 1));
  EXPECT_EQ(v[1].payload.size(), 600u - 536u);
}

// ---------------------------------------------------- acceptability, ACKs

// §3.10.7.4 first: "If the RCV.WND is zero, no segments will be acceptable,
// but special allowance should be made to accept valid ACKs". Unacceptable:
// "send an acknowledgment in reply ... <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>",
// drop the segment.
TEST(BehaviourAcceptability, Rfc9293_3_10_7_4_ZeroWindowMakesDataUnacceptable) {
  Config cfg;
  cfg.rcv_buffer = 4;
  Endpoint ep = reach(State::Established, cfg);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1, "abcd"));
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1 + 4));
  EXPECT_EQ(sent(out)[0].window, 0);  // the buffer is full
  out = arrive(ep, seg(kAck, kIrs + 1 + 4, kIss + 1, "e"));
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1 + 4));
  EXPECT_FALSE(notified(out, AppEvent::Readable));
  EXPECT_EQ(ep.tcb().rcv_nxt, kIrs + 1 + 4);
  // A bare ACK at RCV.NXT is still acceptable: it acknowledges our data.
  ASSERT_EQ(ep.send("z", 0, out = Outbox{}), Error::None);
  out = arrive(ep, seg(kAck, kIrs + 1 + 4, kIss + 1 + 1));
  EXPECT_EQ(ep.tcb().snd_una, kIss + 1 + 1);
  EXPECT_TRUE(SentNothing(out));
}

// §3.10.7.4 first: an old duplicate (all of it before RCV.NXT) is not
// acceptable: ACK and drop; an unacceptable RST is dropped without a word.
TEST(BehaviourAcceptability, Rfc9293_3_10_7_4_OldDuplicateIsAckedAndDropped) {
  Endpoint ep = reach(State::Established);
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1, "abc"));
  Outbox out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1, "abc"));
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1 + 3));
  EXPECT_FALSE(notified(out, AppEvent::Readable));
  out = arrive(ep, seg(kRst, kIrs + 1));  // before RCV.NXT
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(ep.state(), State::Established);
}

// §3.10.7.4 fifth: "If the ACK is a duplicate (SEG.ACK =< SND.UNA), it can be
// ignored." Neither a duplicate nor an older ACK moves SND.UNA, sends, or
// touches the retransmission timer.
TEST(Acks, Rfc9293_3_10_7_4_DuplicateAndOldAcksAreIgnored) {
  Endpoint ep = reach(State::Established);
  Outbox out;
  ASSERT_EQ(ep.send("abc", 0, out), Error::None);
  ASSERT_EQ(ep.send("def", 0, out), Error::None);
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 3));  // first send acknowledged
  ASSERT_EQ(ep.tcb().snd_una, kIss + 1 + 3);
  for (Seq ack : {kIss + 1 + 3, kIss + 1}) {  // duplicate, then older
    SCOPED_TRACE(ack);
    out = arrive(ep, seg(kAck, kIrs + 1, ack));
    EXPECT_EQ(ep.tcb().snd_una, kIss + 1 + 3);
    EXPECT_TRUE(SentNothing(out));
    EXPECT_FALSE(armed(out, TimerKind::Retransmission));
    EXPECT_FALSE(cancelled(out, TimerKind::Retransmission));
  }
}

// §3.10.7.4 fifth: "If the ACK acks something not yet sent (SEG.ACK >
// SND.NXT), then send an ACK, drop the segment, and return." Its data too.
TEST(Acks, Rfc9293_3_10_7_4_AckOfUnsentDataIsAckedAndDropped) {
  Endpoint ep = reach(State::Established);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 10, "data"));
  EXPECT_TRUE(SentOne(out, kAck, kIss + 1, kIrs + 1));
  EXPECT_EQ(ep.tcb().snd_una, kIss + 1);
  EXPECT_EQ(ep.tcb().rcv_nxt, kIrs + 1);
  EXPECT_FALSE(notified(out, AppEvent::Readable));
  EXPECT_EQ(ep.state(), State::Established);
}

// §3.10.7.4 fifth: "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should
// be updated. If (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =<
// SEG.ACK)), set SND.WND <- SEG.WND, set SND.WL1 <- SEG.SEQ, and set SND.WL2
// <- SEG.ACK." WL1/WL2 keep an old segment's window from overriding a newer one.
TEST(Window, Rfc9293_3_10_7_4_NewerSegmentUpdatesWindow) {
  Endpoint ep = reach(State::Established);
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1, "abc", 2000));  // WL1 < SEG.SEQ
  EXPECT_EQ(ep.tcb().snd_wnd, 2000u);
  EXPECT_EQ(ep.tcb().snd_wl1, kIrs + 1);
  EXPECT_EQ(ep.tcb().snd_wl2, kIss + 1);
  arrive(ep, seg(kAck, kIrs + 1 + 3, kIss + 1, "de", 3000));
  EXPECT_EQ(ep.tcb().snd_wnd, 3000u);
  EXPECT_EQ(ep.tcb().snd_wl1, kIrs + 1 + 3);
}

TEST(Window, Rfc9293_3_10_7_4_SegmentOlderThanWl1DoesNotUpdateWindow) {
  Endpoint ep = reach(State::Established);
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1, "abc", 2000));
  arrive(ep, seg(kAck, kIrs + 1 + 3, kIss + 1, "de", 3000));
  // A retransmission from SEQ=IRS+1 that also carries new bytes: acceptable,
  // its new text is taken, but SEG.SEQ < SND.WL1, so its window is stale.
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1, "abcdefg", 100));
  EXPECT_EQ(ep.tcb().rcv_nxt, kIrs + 1 + 7);
  EXPECT_EQ(ep.tcb().snd_wnd, 3000u);
  EXPECT_EQ(ep.tcb().snd_wl1, kIrs + 1 + 3);
}

TEST(Window, Rfc9293_3_10_7_4_SameSeqNewerAckUpdatesWindow) {
  Endpoint ep = reach(State::Established);
  Outbox out;
  ASSERT_EQ(ep.send("abc", 0, out), Error::None);
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1, {}, 1000));     // WL1 = IRS+1, WL2 = ISS+1
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 3, {}, 500));  // WL1 = SEG.SEQ, WL2 =< SEG.ACK
  EXPECT_EQ(ep.tcb().snd_wnd, 500u);
  EXPECT_EQ(ep.tcb().snd_wl2, kIss + 1 + 3);
  // A duplicate ACK (SEG.ACK = SND.UNA) still updates: a pure window update.
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 3, {}, 700));
  EXPECT_EQ(ep.tcb().snd_wnd, 700u);
}

TEST(Window, Rfc9293_3_10_7_4_OldAckDoesNotUpdateWindow) {
  Endpoint ep = reach(State::Established);
  Outbox out;
  ASSERT_EQ(ep.send("abc", 0, out), Error::None);
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 3, {}, 1000));
  // Newer SEQ, but SEG.ACK < SND.UNA: outside SND.UNA =< SEG.ACK =< SND.NXT.
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1, "x", 9));
  EXPECT_EQ(ep.tcb().rcv_nxt, kIrs + 1 + 1);  // the text is still taken
  EXPECT_EQ(ep.tcb().snd_wnd, 1000u);
}

// ----------------------------------------------------- SYN-SENT and RST

// §3.10.7.3: "If the RST bit is set, ... Otherwise (no ACK), drop the
// segment and return"; and a RST whose ACK is unacceptable is dropped too.
TEST(SynSent, Rfc9293_3_10_7_3_RstWithoutAcceptableAckIsDropped) {
  Endpoint ep = reach(State::SynSent);
  Outbox out = arrive(ep, seg(kRst, 0));
  EXPECT_EQ(ep.state(), State::SynSent);
  EXPECT_TRUE(SentNothing(out));
  out = arrive(ep, seg(kRst | kAck, 0, kIss + 1 + 5));
  EXPECT_EQ(ep.state(), State::SynSent);
  EXPECT_TRUE(SentNothing(out));
}

// ---------------------------------------------- CLOSE in SYN-RECEIVED, then

// After CLOSE in SYN-RECEIVED our SYN,ACK is still unacknowledged: it is the
// earliest segment, and RFC 6298 §5.4 retransmits that one first. When the
// peer's ACK of the SYN arrives, FIN-WAIT-1 goes on waiting for the FIN's.
TEST(SynRcvdClose, Rfc6298_5_4_SynAckIsRetransmittedBeforeTheFin) {
  Endpoint ep = reach(State::SynReceived, Config{}, /*passive=*/true);
  Outbox out;
  ASSERT_EQ(ep.close(0, out), Error::None);
  out = expire(ep, TimerKind::Retransmission, 1 * kSecond);
  EXPECT_TRUE(SentOne(out, kSyn | kAck, kIss, kIrs + 1));
  EXPECT_EQ(ep.state(), State::FinWait1);
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1));
  EXPECT_EQ(ep.state(), State::FinWait1);
  EXPECT_EQ(ep.tcb().snd_una, kIss + 1);
  out = expire(ep, TimerKind::Retransmission, 3 * kSecond);
  EXPECT_TRUE(SentOne(out, kFin | kAck, kIss + 1, kIrs + 1));
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 1));
  EXPECT_EQ(ep.state(), State::FinWait2);
}

// §3.10.4 CLOSE in SYN-RECEIVED with data queued (§3.10.2: SEND there is
// queued): "otherwise, queue for processing after entering ESTABLISHED
// state". Nothing goes out until our SYN is acknowledged; then the data, with
// the FIN on it. (The table enters FIN-WAIT-1 at once where the RFC would
// hold the CLOSE in SYN-RECEIVED; the peer sees the same segments.)
TEST(SynRcvdClose, Rfc9293_3_10_4_QueuedDataAndFinWaitForTheAckOfSyn) {
  Endpoint ep = reach(State::SynReceived, Config{}, /*passive=*/true);
  Outbox out;
  ASSERT_EQ(ep.send("queued", 0, out), Error::None);
  EXPECT_TRUE(SentNothing(out));
  ASSERT_EQ(ep.close(0, out = Outbox{}), Error::None);
  EXPECT_TRUE(SentNothing(out));
  out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1));
  const auto v = sent(out);
  ASSERT_EQ(v.size(), 1u) << describe(out);
  EXPECT_TRUE(IsSeg(v[0], kFin | kPsh | kAck, kIss + 1, kIrs + 1));
  EXPECT_EQ(v[0].payload, "queued");
  EXPECT_EQ(ep.state(), State::FinWait1);
}

// §3.10.7.4 eighth: TIME-WAIT's 2 MSL timer belongs to it: a RST (RFC 1337
// off) or ABORT that ends TIME-WAIT early cancels it with the TCB.
TEST(Timers, Rfc9293_3_10_7_4_LeavingTimeWaitCancelsTheTimer) {
  Endpoint ep = reach(State::TimeWait);
  Outbox out;
  ASSERT_EQ(ep.abort(0, out), Error::None);
  EXPECT_TRUE(cancelled(out, TimerKind::TimeWait));
}

// Linux: an orphan's FIN-WAIT-2 timer ends with FIN-WAIT-2 (the peer's FIN
// moves it to TIME-WAIT, whose own timer takes over).
TEST(Timers, Linux_FinWait2TimerIsCancelledByThePeersFin) {
  Config cfg;
  cfg.fin_wait_2_timeout = 60 * kSecond;
  Endpoint ep = reach(State::FinWait2, cfg);
  Outbox out;
  ep.orphan(0, out);
  out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1 + 1));
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_TRUE(cancelled(out, TimerKind::FinWait2));
  EXPECT_TRUE(armed(out, TimerKind::TimeWait));
}

}  // namespace
}  // namespace tcpsim::test

namespace tcpsim::test {
namespace {

// A reused endpoint (Endpoint::reset) behaves as a new one: CLOSED, a new
// config, and an active open with the new ISS sends the SYN from there.
TEST(Behaviour, ResetEndpointIsAFreshClosedEndpoint) {
  Endpoint ep = reach(State::Established);
  Config cfg;
  cfg.mss = 1000;
  ep.reset(cfg);
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_EQ(ep.config().mss, 1000);
  EXPECT_TRUE(ep.tcb().send_buffer.empty());
  Outbox out;
  ASSERT_EQ(ep.open_active(5000, 0, out), model::Error::None);
  const auto segs = sent(out);
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_EQ(segs[0].seq, 5000u);
  EXPECT_EQ(segs[0].mss, 1000);
}

}  // namespace
}  // namespace tcpsim::test
