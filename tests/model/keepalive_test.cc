// Keep-alives (RFC 1122 §4.2.3.6) as Linux's tcp_keepalive_timer() sends
// them (model/keepalive.h): off unless asked; after the idle time with
// nothing heard, an empty ACK at SND.UNA - 1, then one per interval; after
// the count of unanswered probes the connection is reset and times out.
// Config here: idle 10 s, interval 1 s, 3 probes (the trace
// keepalive-peer-vanishes uses the same); every step at time 0 until the
// handshake is done, so the idle time counts from 0.
#include "model/keepalive.h"

#include "harness.h"
#include "rows_util.h"

namespace tcpsim::test {
namespace {

constexpr Duration s = kSecond, ms = kMillisecond;

Config keepalive_config() {
  Config c;
  c.keepalive = true;
  c.keepalive_time = 10 * s;
  c.keepalive_intvl = 1 * s;
  c.keepalive_probes = 3;
  return c;
}

// A probe: ACK, SEQ = SND.UNA - 1 (= ISS here: SND.UNA is ISS + 1), ACK =
// RCV.NXT, no data.
::testing::AssertionResult SentProbe(const Outbox& out, Seq snd_una = kIss + 1, Seq rcv_nxt = kIrs + 1) {
  auto r = SentOne(out, kAck, snd_una - 1, rcv_nxt);
  if (r && !sent(out)[0].payload.empty()) return ::testing::AssertionFailure() << "the probe carries data";
  return r;
}

TEST(Keepalive, Rfc1122_4_2_3_6_KeepAlivesDefaultToOff) {
  Outbox last;
  reach(State::Established, Config{}, false, &last);
  EXPECT_FALSE(armed(last, TimerKind::Keepalive)) << describe(last);
}

TEST(Keepalive, Rfc1122_4_2_3_6_TimerArmedForTheIdleTimeOnEnteringEstablished) {
  Outbox last;
  reach(State::Established, keepalive_config(), false, &last);
  EXPECT_EQ(armed_for(last, TimerKind::Keepalive), 10 * s) << describe(last);
  // Passive side too (Linux tcp_create_openreq_child()).
  reach(State::Established, keepalive_config(), true, &last);
  EXPECT_EQ(armed_for(last, TimerKind::Keepalive), 10 * s) << describe(last);
}

TEST(Keepalive, Rfc1122_4_2_3_6_ProbeAfterIdleIsEmptyAckAtSndUnaMinusOne) {
  Endpoint ep = reach(State::Established, keepalive_config());
  Outbox out = expire(ep, TimerKind::Keepalive, 10 * s);
  EXPECT_TRUE(SentProbe(out));
  EXPECT_EQ(armed_for(out, TimerKind::Keepalive), 1 * s) << describe(out);  // the interval
  EXPECT_EQ(ep.state(), State::Established);
}

// Linux: probes at 10, 11, 12 s; at 13 s three are unanswered: RST (at
// SND.NXT, tcp_send_active_reset()) and ETIMEDOUT (tcp_write_err()).
TEST(Keepalive, Rfc1122_4_2_3_6_CountUnansweredProbesThenResetAndTimedOut) {
  Endpoint ep = reach(State::Established, keepalive_config());
  for (int i = 0; i < 3; ++i) {
    Outbox out = expire(ep, TimerKind::Keepalive, (10 + i) * s);
    EXPECT_TRUE(SentProbe(out)) << "probe " << i + 1;
    EXPECT_FALSE(notified(out, AppEvent::TimedOut));
  }
  Outbox out = expire(ep, TimerKind::Keepalive, 13 * s);
  EXPECT_TRUE(SentOne(out, kRst, kIss + 1));
  EXPECT_TRUE(notified(out, AppEvent::TimedOut)) << describe(out);
  EXPECT_TRUE(fired(out, "estab_give_up"));
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_EQ(ep.failure(), model::Error::TimedOut);
}

// An answer zeroes the count and restarts the idle time: the next expiry
// (at 11 s, the interval) waits out the rest, 10.5 + 10 - 11 = 9.5 s.
TEST(Keepalive, Rfc1122_4_2_3_6_AnsweredProbeRestartsTheIdleTime) {
  Endpoint ep = reach(State::Established, keepalive_config());
  expire(ep, TimerKind::Keepalive, 10 * s);
  expire(ep, TimerKind::Keepalive, 11 * s);
  expire(ep, TimerKind::Keepalive, 12 * s);  // third probe out
  arrive(ep, seg(kAck, kIrs + 1, kIss + 1), 12 * s + 500 * ms);
  Outbox out = expire(ep, TimerKind::Keepalive, 13 * s);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(armed_for(out, TimerKind::Keepalive), 9500 * ms) << describe(out);
  EXPECT_EQ(ep.state(), State::Established);
  // Idle again from 12.5 s: probes at 22.5, 23.5, 24.5, reset at 25.5.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(SentProbe(expire(ep, TimerKind::Keepalive, 22500 * ms + i * s)));
  EXPECT_TRUE(notified(expire(ep, TimerKind::Keepalive, 25500 * ms), AppEvent::TimedOut));
}

// "Only when no data or acknowledgement packets have been received": data
// heard at 4 s puts the first probe at 14 s.
TEST(Keepalive, Rfc1122_4_2_3_6_SegmentHeardRestartsTheIdleTime) {
  Endpoint ep = reach(State::Established, keepalive_config());
  arrive(ep, seg(kAck | kPsh, kIrs + 1, kIss + 1, "hi"), 4 * s);
  Outbox out = expire(ep, TimerKind::Keepalive, 10 * s);
  EXPECT_TRUE(sent(out).empty() || sent(out)[0].seq == kIss + 1) << describe(out);  // an ACK of "hi" at most
  EXPECT_EQ(armed_for(out, TimerKind::Keepalive), 4 * s);
  EXPECT_TRUE(SentProbe(expire(ep, TimerKind::Keepalive, 14 * s), kIss + 1, kIrs + 3));
}

// Linux: "it is alive without keepalive" while data is in flight; the
// timer waits the whole idle time again and no probe goes.
TEST(Keepalive, LinuxNoProbeWhileDataIsInFlight) {
  Endpoint ep = reach(State::Established, keepalive_config());
  Outbox w;
  EXPECT_EQ(ep.send("abc", 9 * s, w), model::Error::None);
  Outbox out = expire(ep, TimerKind::Keepalive, 10 * s);
  EXPECT_TRUE(SentNothing(out));
  EXPECT_EQ(armed_for(out, TimerKind::Keepalive), 10 * s);
}

// SO_KEEPALIVE on an ESTABLISHED connection arms the idle time from now
// (tcp_set_keepalive()), off stops it; a new TCP_KEEPIDLE while on waits the
// rest of it since the last segment heard (tcp_sock_set_keepidle_locked()).
TEST(Keepalive, LinuxSocketOptionsOnALiveConnection) {
  Endpoint ep = reach(State::Established);
  model::KeepaliveOptions o = model::keepalive_options(keepalive_config());
  Outbox out;
  ep.set_keepalive(o, 3 * s, out);
  EXPECT_EQ(armed_for(out, TimerKind::Keepalive), 10 * s) << describe(out);
  out.clear();
  o.idle = 5 * s;
  ep.set_keepalive(o, 3 * s, out);
  EXPECT_EQ(armed_for(out, TimerKind::Keepalive), 2 * s) << describe(out);  // heard at 0
  out.clear();
  o.on = false;
  ep.set_keepalive(o, 4 * s, out);
  EXPECT_TRUE(cancelled(out, TimerKind::Keepalive)) << describe(out);
  // Off: an expiry that was already due sends nothing.
  EXPECT_TRUE(SentNothing(expire(ep, TimerKind::Keepalive, 5 * s)));
}

// A half-closed connection (shutdown(SHUT_WR), our FIN acknowledged) is
// probed in FIN-WAIT-2 as in ESTABLISHED, and given up the same way.
ROW_TEST(fw2_give_up, Rfc1122_4_2_3_6_FinWait2_KeepalivesUnansweredTimesOut) {
  Endpoint ep = reach(State::FinWait2, keepalive_config());
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(SentProbe(expire(ep, TimerKind::Keepalive, (10 + i) * s), kIss + 2));
  Outbox out = expire(ep, TimerKind::Keepalive, 13 * s);
  EXPECT_FIRED(out, "fw2_give_up");
  EXPECT_TRUE(notified(out, AppEvent::TimedOut));
  EXPECT_EQ(ep.state(), State::Closed);
}

// The decision alone (model/keepalive.h).
TEST(KeepaliveDecision, Rfc1122_4_2_3_6_WaitProbeAbort) {
  const model::KeepaliveOptions o{true, 10 * s, 1 * s, 3};
  using model::KeepaliveAction;
  EXPECT_EQ(model::keepalive_on_timer(o, 9 * s, 0, 0, false).action, KeepaliveAction::Wait);
  EXPECT_EQ(model::keepalive_on_timer(o, 9 * s, 0, 0, false).next, 1 * s);
  EXPECT_EQ(model::keepalive_on_timer(o, 10 * s, 0, 0, false).action, KeepaliveAction::Probe);
  EXPECT_EQ(model::keepalive_on_timer(o, 12 * s, 0, 2, false).action, KeepaliveAction::Probe);
  EXPECT_EQ(model::keepalive_on_timer(o, 13 * s, 0, 3, false).action, KeepaliveAction::Abort);
  EXPECT_EQ(model::keepalive_on_timer(o, 13 * s, 0, 3, true).action, KeepaliveAction::Wait);
  EXPECT_EQ(model::keepalive_probe_seq(0), 0xffffffffu);  // wraps as sequence space does
}

}  // namespace
}  // namespace tcpsim::test
