// "Jump" fixtures: each of the eleven states entered directly with
// Endpoint::force_state_for_test() and a TCB written out by hand, holding
// the values RFC 9293 §3.3.1's variables have after the standard path
// (our ISS = 100, the peer's = 300, active open unless said otherwise).
// Each is checked against the real path (`reach`): same state, same key
// variables, and the same outputs for one representative next event. The
// jump fixtures let a test start from a state without replaying the path
// (smoltcp's tests do the same); this file keeps them honest.
#include "rows_util.h"

namespace tcpsim::test {
namespace {

// What every TCB holds once OPEN has run: ISS chosen, RTO at its initial
// 1 s (RFC 6298 §2.1), the send buffer's first byte just after the SYN.
Tcb opened(bool passive) {
  Tcb t;
  t.iss = kIss;
  t.snd_una = kIss;
  t.snd_nxt = kIss;
  t.snd_buf_seq = kIss + 1;
  t.rtt.rto = 1 * kSecond;
  t.passive_open = passive;
  return t;
}

// The handshake done (our SYN acknowledged by SEG.ACK = ISS+1, the peer's
// SYN taken: IRS, RCV.NXT = IRS+1, SND.WND and SND.WL1/WL2 from the SYN,ACK).
Tcb established() {
  Tcb t = opened(false);
  t.irs = kIrs;
  t.rcv_nxt = kIrs + 1;
  t.snd_una = kIss + 1;
  t.snd_nxt = kIss + 1;
  t.snd_wnd = kWnd;
  t.snd_wl1 = kIrs;
  t.snd_wl2 = kIss + 1;
  t.peer_mss = 536;         // the peer's SYN carried no MSS option (RFC 9293 §3.7.1)
  t.rtt.has_sample = true;  // the SYN,ACK timed our SYN (RTT 0 in the fixture's time)
  return t;
}

// Our FIN sent at SND.NXT = ISS+1, so SND.NXT = ISS+1+1.
void fin_sent(Tcb& t) {
  t.fin_queued = true;
  t.fin_sent = true;
  t.fin_seq = kIss + 1;
  t.snd_nxt = kIss + 1 + 1;
  t.rexmt_armed = true;  // the FIN is retransmitted until acknowledged
  t.rtt_timing = true;
  t.rtt_seq = kIss + 1;
}

// The peer's FIN at IRS+1 taken: RCV.NXT = IRS+1+1. Its segment (SEQ=IRS+1)
// also updated the window (SND.WL1 < SEG.SEQ).
void fin_received(Tcb& t) {
  t.fin_received = true;
  t.rcv_nxt = kIrs + 1 + 1;
  t.snd_wl1 = kIrs + 1;
}

Tcb jump_tcb(State s) {
  switch (s) {
    case State::Closed: return Tcb{};                     // no TCB at all
    case State::Listen: return opened(/*passive=*/true);  // nothing sent, SND.NXT = ISS
    case State::SynSent: {
      Tcb t = opened(false);
      t.snd_nxt = kIss + 1;  // <SEQ=ISS><CTL=SYN> sent
      t.rexmt_armed = true;
      t.rtt_timing = true;
      t.rtt_seq = kIss;
      return t;
    }
    case State::SynReceived: {
      Tcb t = opened(/*passive=*/true);
      t.irs = kIrs;
      t.rcv_nxt = kIrs + 1;
      t.snd_nxt = kIss + 1;  // <SEQ=ISS><ACK=IRS+1><CTL=SYN,ACK> sent, not yet acknowledged
      t.snd_wnd = kWnd;
      t.snd_wl1 = kIrs;  // from the SYN, which carried no ACK
      t.snd_wl2 = 0;
      t.peer_mss = 536;
      t.rexmt_armed = true;
      t.rtt_timing = true;
      t.rtt_seq = kIss;
      return t;
    }
    case State::Established: return established();
    case State::FinWait1: {
      Tcb t = established();
      fin_sent(t);
      return t;
    }
    case State::FinWait2: {
      Tcb t = established();
      fin_sent(t);
      t.snd_una = kIss + 1 + 1;  // the FIN acknowledged
      t.snd_wl1 = kIrs + 1;
      t.snd_wl2 = kIss + 1 + 1;
      t.rexmt_armed = false;
      t.rtt_timing = false;
      return t;
    }
    case State::CloseWait: {
      Tcb t = established();
      fin_received(t);
      return t;
    }
    case State::Closing: {  // simultaneous close: FINs crossed
      Tcb t = established();
      fin_sent(t);
      fin_received(t);
      return t;
    }
    case State::LastAck: {
      Tcb t = established();
      fin_received(t);
      fin_sent(t);
      return t;
    }
    case State::TimeWait: {  // FIN-WAIT-1, ACK of our FIN, then the peer's FIN
      Tcb t = established();
      fin_sent(t);
      t.snd_una = kIss + 1 + 1;
      fin_received(t);
      t.snd_wl2 = kIss + 1 + 1;
      t.rexmt_armed = false;
      t.rtt_timing = false;
      return t;
    }
  }
  return Tcb{};
}

Endpoint jump(State s, const Config& cfg = Config{}) {
  Endpoint ep(cfg);
  ep.force_state_for_test(s, jump_tcb(s));
  return ep;
}

// The variables RFC 9293 §3.3.1 names, and our FIN/their FIN bookkeeping.
void expect_same_tcb(const Tcb& jumped, const Tcb& real) {
  EXPECT_EQ(jumped.iss, real.iss);
  EXPECT_EQ(jumped.irs, real.irs);
  EXPECT_EQ(jumped.snd_una, real.snd_una);
  EXPECT_EQ(jumped.snd_nxt, real.snd_nxt);
  EXPECT_EQ(jumped.snd_wnd, real.snd_wnd);
  EXPECT_EQ(jumped.snd_wl1, real.snd_wl1);
  EXPECT_EQ(jumped.snd_wl2, real.snd_wl2);
  EXPECT_EQ(jumped.rcv_nxt, real.rcv_nxt);
  EXPECT_EQ(jumped.snd_buf_seq, real.snd_buf_seq);
  EXPECT_EQ(jumped.passive_open, real.passive_open);
  EXPECT_EQ(jumped.fin_queued, real.fin_queued);
  EXPECT_EQ(jumped.fin_sent, real.fin_sent);
  if (real.fin_sent) {
    EXPECT_EQ(jumped.fin_seq, real.fin_seq);
  }
  EXPECT_EQ(jumped.fin_received, real.fin_received);
  EXPECT_EQ(jumped.rexmt_armed, real.rexmt_armed);
  EXPECT_EQ(jumped.rtt.rto, real.rtt.rto);
}

// Both fixtures, then the same event given to each: the outboxes (every
// segment, timer, notification and row, in order) and the states must match.
template <class Event>
void expect_jump_matches_reach(State s, bool passive, Event&& event) {
  Endpoint real = reach(s, Config{}, passive);
  Endpoint jumped = jump(s);
  ASSERT_EQ(jumped.state(), real.state());
  ASSERT_EQ(real.state(), s);
  expect_same_tcb(jumped.tcb(), real.tcb());
  const Outbox from_real = event(real);
  const Outbox from_jump = event(jumped);
  EXPECT_EQ(describe(from_jump), describe(from_real));
  EXPECT_EQ(jumped.state(), real.state());
  EXPECT_FALSE(sent(from_real).empty() && real.state() == s) << "the event should do something";
}

auto segment(Segment s) {
  return [s](Endpoint& ep) { return arrive(ep, s); };
}

TEST(JumpFixture, Closed_MatchesRealPath_ActiveOpen) {
  expect_jump_matches_reach(State::Closed, false, [](Endpoint& ep) {
    Outbox out;
    ep.open_active(kIss, 0, out);
    return out;
  });
}

TEST(JumpFixture, Listen_MatchesRealPath_RcvSyn) {
  expect_jump_matches_reach(State::Listen, true, segment(seg(kSyn, kIrs)));
}

TEST(JumpFixture, SynSent_MatchesRealPath_RcvSynAck) {
  expect_jump_matches_reach(State::SynSent, false, segment(seg(kSyn | kAck, kIrs, kIss + 1)));
}

TEST(JumpFixture, SynReceived_MatchesRealPath_RcvAckOfSyn) {
  expect_jump_matches_reach(State::SynReceived, true, segment(seg(kAck, kIrs + 1, kIss + 1)));
}

TEST(JumpFixture, Established_MatchesRealPath_Close) {
  expect_jump_matches_reach(State::Established, false, [](Endpoint& ep) {
    Outbox out;
    ep.close(0, out);
    return out;
  });
}

TEST(JumpFixture, FinWait1_MatchesRealPath_RcvFinAckOfFin) {
  expect_jump_matches_reach(State::FinWait1, false, segment(seg(kFin | kAck, kIrs + 1, kIss + 1 + 1)));
}

TEST(JumpFixture, FinWait2_MatchesRealPath_RcvFin) {
  expect_jump_matches_reach(State::FinWait2, false, segment(seg(kFin | kAck, kIrs + 1, kIss + 1 + 1)));
}

TEST(JumpFixture, CloseWait_MatchesRealPath_Close) {
  expect_jump_matches_reach(State::CloseWait, false, [](Endpoint& ep) {
    Outbox out;
    ep.close(0, out);
    return out;
  });
}

TEST(JumpFixture, Closing_MatchesRealPath_RetransmittedFinAckingOurs) {
  expect_jump_matches_reach(State::Closing, false, segment(seg(kFin | kAck, kIrs + 1, kIss + 1 + 1)));
}

TEST(JumpFixture, LastAck_MatchesRealPath_RetransmissionTimeout) {
  expect_jump_matches_reach(State::LastAck, false,
                            [](Endpoint& ep) { return expire(ep, TimerKind::Retransmission, 1 * kSecond); });
}

TEST(JumpFixture, TimeWait_MatchesRealPath_RetransmittedFin) {
  expect_jump_matches_reach(State::TimeWait, false, segment(seg(kFin | kAck, kIrs + 1, kIss + 1 + 1)));
}

// The jump fixtures are usable as starting points on their own: a row fires
// from each, as it would from the real path.
TEST(JumpFixture, EveryStateAcceptsAbortOrTheNextRow) {
  for (int i = 1; i < kStateCount; ++i) {  // CLOSED has nothing to abort
    const State s = static_cast<State>(i);
    SCOPED_TRACE(state_name(s));
    Endpoint ep = jump(s);
    Outbox out;
    EXPECT_EQ(ep.abort(0, out), Error::None);
    EXPECT_EQ(ep.state(), State::Closed);
    EXPECT_FALSE(ignored(out)) << describe(out);
  }
}

}  // namespace
}  // namespace tcpsim::test
