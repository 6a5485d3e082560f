// The events the endpoint tells a host explicitly (model/outbox.h), so that
// the host needs neither state pairs nor rule names to know them: a passive
// connection's handshake completing (it joins the accept queue) and a
// TIME-WAIT connection closed by a new SYN (the listener takes the SYN).
#include <gtest/gtest.h>

#include "harness.h"
#include "rows_util.h"

namespace tcpsim::test {
namespace {

int count(const Outbox& out, ActionKind k) {
  int n = 0;
  for (const auto& a : out.actions) n += a.kind == k;
  return n;
}

// RFC 9293 §3.10.7.4 fifth step, SYN-RECEIVED: an acceptable ACK "enter[s]
// ESTABLISHED state": the three-way handshake is complete, once.
TEST(ModelEvents, Rfc9293_3_10_7_4_AckOfSynAckCompletesTheHandshakeOnce) {
  Endpoint ep = reach(State::SynReceived, Config{}, /*passive=*/true);
  Outbox out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1));
  EXPECT_EQ(count(out, ActionKind::HandshakeComplete), 1) << describe(out);
  // A later ACK in ESTABLISHED completes nothing.
  Outbox again = arrive(ep, seg(kAck, kIrs + 1, kIss + 1));
  EXPECT_EQ(count(again, ActionKind::HandshakeComplete), 0) << describe(again);
}

// The completing ACK carries the peer's FIN: SYN-RECEIVED -> CLOSE-WAIT
// without passing ESTABLISHED, and the handshake is complete all the same
// (the listener must still queue the connection for accept()).
TEST(ModelEvents, Rfc9293_3_10_7_4_AckWithFinCompletesTheHandshake) {
  Endpoint ep = reach(State::SynReceived, Config{}, /*passive=*/true);
  Outbox out = arrive(ep, seg(kFin | kAck, kIrs + 1, kIss + 1));
  EXPECT_EQ(ep.state(), State::CloseWait);
  EXPECT_EQ(count(out, ActionKind::HandshakeComplete), 1) << describe(out);
}

// A RST in SYN-RECEIVED (from a passive OPEN) returns to LISTEN (§3.10.7.4
// second step): no handshake completed.
TEST(ModelEvents, Rfc9293_3_10_7_4_RstInSynReceivedCompletesNothing) {
  Endpoint ep = reach(State::SynReceived, Config{}, /*passive=*/true);
  Outbox out = arrive(ep, seg(kRst, kIrs + 1));
  EXPECT_EQ(ep.state(), State::Listen);
  EXPECT_EQ(count(out, ActionKind::HandshakeComplete), 0) << describe(out);
}

// RFC 9293 §3.6.1 MAY-2 / RFC 1122 4.2.2.13: a new SYN reopens from
// TIME-WAIT only if the new connection's ISS is above the old sequence space.
// Linux (tcp_timewait_state_process, TCP_TW_SYN) takes
// isn = tw_snd_nxt + 65535 + 2.
TEST(ModelEvents, Rfc9293_3_6_1_May2_NewSynReopensWithAnIssAboveTheOldSndNxt) {
  Config cfg;
  cfg.timewait_reopen = true;
  Endpoint ep = reach(State::TimeWait, cfg);
  const Seq snd_nxt = ep.tcb().snd_nxt;
  Outbox out = arrive(ep, seg(kSyn, ep.tcb().rcv_nxt + 100000));
  ASSERT_EQ(count(out, ActionKind::TimeWaitReopened), 1) << describe(out);
  for (const auto& a : out.actions) {
    if (a.kind == ActionKind::TimeWaitReopened) {
      EXPECT_EQ(a.iss, snd_nxt + 65537);
    }
  }
}

// An old duplicate SYN (below RCV.NXT, RFC 1122's test) reopens nothing.
TEST(ModelEvents, Rfc9293_3_6_1_May2_OldSynReopensNothing) {
  Config cfg;
  cfg.timewait_reopen = true;
  Endpoint ep = reach(State::TimeWait, cfg);
  Outbox out = arrive(ep, seg(kSyn, ep.tcb().rcv_nxt - 100000));
  EXPECT_EQ(ep.state(), State::TimeWait);
  EXPECT_EQ(count(out, ActionKind::TimeWaitReopened), 0) << describe(out);
}

}  // namespace
}  // namespace tcpsim::test
