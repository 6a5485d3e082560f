// model/rack: RACK-TLP (RFC 8985) as Linux's tcp_recovery.c and
// tcp_schedule_loss_probe()/tcp_process_tlp_ack() run it. The oracles:
// RFC 8985 §3.4's worked example (Figure 1), RFC 8985 §6.2/§7's rules and
// the Linux functions named, with the arithmetic in the comments.
#include "model/rack.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace tcpsim::test {
namespace {

using model::AckResult;
using model::Rack;
using model::RackConfig;
using model::RackLoss;
using model::SackBlock;
using model::SackScoreboard;
using model::ScoreboardConfig;
using model::TailLossProbe;
using model::TlpConfig;
using model::TlpProbe;

constexpr Duration ms = kMillisecond;
using Outcome = TailLossProbe::Outcome;

ScoreboardConfig rack_marks() {
  ScoreboardConfig c;
  c.smss = 100;
  c.mark_lost_by_dupthresh = false;  // Linux: RACK marks losses
  return c;
}

// One ACK through the scoreboard and RACK, as the sender's ACK path would.
AckResult deliver(SackScoreboard& sb, Rack& rack, Seq ack, const std::vector<SackBlock>& blocks, Time now,
                  Duration min_rtt) {
  const AckResult r = sb.on_ack(ack, blocks);
  rack.on_ack(r, now, min_rtt, sb.high_ack(), sb.high_data());
  return r;
}

int sacked_segments(const SackScoreboard& sb) {
  int n = 0;
  for (const auto& s : sb.segments()) n += s.sacked ? 1 : 0;
  return n;
}

// ------------------------------------------------ RFC 8985 §3.4, Figure 1

// RTT 100 ms (SRTT = min_RTT = 100 ms); P0..P3 = 1000..1399 sent at 0..3 ms.
//  1. P1, P2, P3 are dropped.            2. ACK of P0 at 100 ms.
//  3. the TLP fires 2 SRTT + 2 ms after (2): 302 ms; it resends P3.
//  4. SACK of P3 at 402 ms. 5. RACK: P1 and P2 were sent before P3's
//     retransmission and 100 + 25 (min_RTT/4, not in recovery, 1 SACKed)
//     ms have passed since: both lost, both resent at 402 ms; P1 is dropped.
//  6. SACK of P2 and P3 at 502 ms. 7. RACK (in recovery: reo_wnd 0): P1's
//     retransmission, sent at 402 ms with P2's but before it in sequence,
//     has waited RACK.rtt = 100 ms: lost again; resent at 502 ms.
//  8. ACK of everything at 602 ms.
TEST(Rack, Rfc8985_3_4_FastRecoveryExampleRepairsTailAndLostRetransmission) {
  SackScoreboard sb(1000, rack_marks());
  Rack rack;
  TailLossProbe tlp;
  const Duration srtt = 100 * ms, min_rtt = 100 * ms;
  for (int i = 0; i < 4; ++i) sb.on_send(1000 + 100 * i, 100, i * ms);

  deliver(sb, rack, 1100, {}, 100 * ms, min_rtt);  // (2)
  EXPECT_TRUE(rack.detect_loss(sb.segments(), 100 * ms, 25 * ms).lost.empty())
      << "P1..P3 were sent after P0: no evidence yet";

  // (3) the probe
  ASSERT_TRUE(model::tlp_allowed(true, 3, false, tlp.outstanding()));
  const Duration pto = model::tlp_pto(TlpConfig{}, true, srtt, 3, 300 * ms);
  EXPECT_EQ(pto, 202 * ms);
  const Time t3 = 100 * ms + pto;
  ASSERT_EQ(model::tlp_choose_probe(false, true), TlpProbe::LastSegment);
  sb.on_retransmit(1300, t3);
  tlp.on_probe_sent(sb.high_data(), true);

  // (4)-(5) SACK of the probe
  const Time t5 = t3 + 100 * ms;
  const AckResult r5 = deliver(sb, rack, 1100, {{1300, 1400}}, t5, min_rtt);
  EXPECT_EQ(rack.xmit_ts(), t3) << "RACK.xmit_ts is the probe's";
  EXPECT_EQ(tlp.on_ack(1100, std::nullopt, !r5.dup_ack && r5.sacked_bytes == 0), Outcome::Pending);
  Duration reo = rack.reo_wnd(min_rtt, srtt, sb.in_recovery(), sacked_segments(sb));
  EXPECT_EQ(reo, 25 * ms);
  RackLoss loss = rack.detect_loss(sb.segments(), t5, reo);
  EXPECT_EQ(loss.lost, (std::vector<Seq>{1100, 1200}));
  for (Seq s : loss.lost) sb.mark_lost(s);
  sb.enter_recovery();
  tlp.reset();  // Linux tcp_init_cwnd_reduction(): tlp_high_seq = 0
  for (Seq want : {1100u, 1200u}) {
    const auto n = sb.next_seg(false);
    ASSERT_EQ(n.rule, model::NextSegment::Rule::LostHole);
    ASSERT_EQ(n.seq, want);
    sb.on_retransmit(n.seq, t5);
  }

  // (6)-(7) SACK of P2's retransmission
  const Time t7 = t5 + 100 * ms;
  deliver(sb, rack, 1100, {{1200, 1400}}, t7, min_rtt);
  reo = rack.reo_wnd(min_rtt, srtt, sb.in_recovery(), sacked_segments(sb));
  EXPECT_EQ(reo, 0) << "no reordering seen, in recovery";
  loss = rack.detect_loss(sb.segments(), t7, reo);
  EXPECT_EQ(loss.lost, (std::vector<Seq>{1100})) << "the retransmission of P1 is lost";
  for (Seq s : loss.lost) sb.mark_lost(s);
  const auto n = sb.next_seg(false);
  EXPECT_EQ(n.rule, model::NextSegment::Rule::LostHole);
  EXPECT_EQ(n.seq, 1100u);
  sb.on_retransmit(1100, t7);

  // (8)
  const AckResult r8 = deliver(sb, rack, 1400, {}, t7 + 100 * ms, min_rtt);
  EXPECT_TRUE(r8.recovery_ended);
  EXPECT_TRUE(sb.segments().empty());
}

// ------------------------------------------------ packetdrill scripts

// A Linux sender as the scripts in ../shared/conformance/packetdrill/tcp/
// drive it: scoreboard marking left to RACK, RTT 100 ms from the handshake
// (SYN,ACK at 0, its ACK at 0.1 s), the data written at 0.1 s in one burst.
struct LinuxSender {
  SackScoreboard sb;
  Rack rack;
  Duration min_rtt = 100 * ms, srtt = 100 * ms;
  explicit LinuxSender(int segments, std::uint32_t mss = 1000, Time sent = 100 * ms)
      : sb(1, rack_marks_mss(mss)) {
    for (int i = 0; i < segments; ++i) sb.on_send(1 + mss * static_cast<Seq>(i), mss, sent);
  }
  static ScoreboardConfig rack_marks_mss(std::uint32_t mss) {
    ScoreboardConfig c = rack_marks();
    c.smss = mss;
    return c;
  }
  // tcp_ack() -> tcp_fastretrans_alert() -> tcp_identify_packet_loss():
  // RACK marks; recovery starts when something is lost.
  RackLoss ack(Time now, Seq cum, const std::vector<SackBlock>& blocks) {
    deliver(sb, rack, cum, blocks, now, min_rtt);
    return detect(now);
  }
  RackLoss detect(Time now) {
    const Duration reo = rack.reo_wnd(min_rtt, srtt, sb.in_recovery(), sacked_segments(sb));
    RackLoss l = rack.detect_loss(sb.segments(), now, reo);
    for (Seq s : l.lost) sb.mark_lost(s);
    if (!l.lost.empty() && !sb.in_recovery()) sb.enter_recovery();
    return l;
  }
  Seq retransmit_next(Time now) {
    const auto n = sb.next_seg(false);
    if (n.rule != model::NextSegment::Rule::LostHole) return 0;
    sb.on_retransmit(n.seq, now);
    return n.seq;
  }
  int lost() const {  // tcpi_lost: segments marked lost (retransmitted or not)
    int n = 0;
    for (const auto& seg : sb.segments()) n += seg.lost ? 1 : 0;
    return n;
  }
};

// fast_retransmit/fr-4pkt-sack.pkt: 4 segments of 1460; SACKs of
// 1461:2921, 1461:4381, 1461:5841 at 0.3 s: the third (3 SACKed =
// tp->reordering: reo_wnd 0) retransmits 1:1461 at once, not before.
TEST(Rack, Packetdrill_Fr4pktSack_ThirdSackRetransmitsTheFirstSegment) {
  LinuxSender tx(4, 1460);
  EXPECT_TRUE(tx.ack(300 * ms, 1, {{1461, 2921}}).lost.empty());
  EXPECT_TRUE(tx.ack(300 * ms, 1, {{1461, 4381}}).lost.empty());
  EXPECT_EQ(tx.ack(300 * ms, 1, {{1461, 5841}}).lost, (std::vector<Seq>{1}));
  EXPECT_EQ(tx.retransmit_next(300 * ms), 1u);
  EXPECT_TRUE(tx.sb.on_ack(5841, {}).recovery_ended);
}

// The same script under RFC 6675's DupThresh marking (the rfc9293 profile's
// way): the third duplicate ACK makes IsLost(1) true and enters recovery.
TEST(Rack, Packetdrill_Fr4pktSack_Rfc6675ScoreboardAgrees) {
  ScoreboardConfig cfg;
  cfg.smss = 1460;
  SackScoreboard sb(1, cfg);
  for (int i = 0; i < 4; ++i) sb.on_send(1 + 1460 * i, 1460, 100 * ms);
  sb.on_ack(1, {{1461, 2921}});
  sb.on_ack(1, {{1461, 4381}});
  EXPECT_FALSE(sb.should_enter_recovery());
  sb.on_ack(1, {{1461, 5841}});
  EXPECT_TRUE(sb.should_enter_recovery());
  EXPECT_EQ(sb.next_seg(false).seq, 1u);
}

// sack/sack-shift-sacked-7-5-6-8-9-fack.pkt: 10 segments of 1000. The
// SACK of 7001:8001 at 0.2 s: reo_wnd = min_RTT/4 = 25 ms, so RACK arms
// its timer (25 + 2 ms) instead: "+.027 > . 1:1001"; then tcpi_lost == 7
// ("RACK thinks 1:7001 are lost"). SACKs of 5001:6001 (reordering: below
// 8001, never retransmitted), 6001:7001, 8001:9001, 9001:10001 each
// release the next retransmission; lost 6, 5, 5, 5.
TEST(Rack, Packetdrill_SackShift75689_RackTimerThenOneRetransmissionPerSack) {
  LinuxSender tx(10);
  RackLoss l = tx.ack(200 * ms, 1, {{7001, 8001}});
  EXPECT_TRUE(l.lost.empty());
  EXPECT_EQ(l.timer, 27 * ms);
  const Time t = 227 * ms;
  l = tx.detect(t);  // the reordering timer fires
  EXPECT_EQ(l.lost.size(), 7u);
  EXPECT_TRUE(tx.sb.in_recovery());
  EXPECT_EQ(tx.lost(), 7);
  EXPECT_EQ(tx.retransmit_next(t), 1u);
  tx.ack(t, 1, {{5001, 6001}, {7001, 8001}});
  EXPECT_EQ(tx.lost(), 6);
  EXPECT_TRUE(tx.rack.reordering_seen());
  EXPECT_EQ(tx.retransmit_next(t), 1001u);
  tx.ack(t, 1, {{5001, 8001}});
  EXPECT_EQ(tx.lost(), 5);
  EXPECT_EQ(tx.retransmit_next(t), 2001u);
  tx.ack(t, 1, {{5001, 9001}});
  EXPECT_EQ(tx.lost(), 5);
  EXPECT_EQ(tx.retransmit_next(t), 3001u);
  tx.ack(t, 1, {{5001, 10001}});
  EXPECT_EQ(tx.retransmit_next(t), 4001u);
  const AckResult done = tx.sb.on_ack(10001, {});
  EXPECT_TRUE(done.recovery_ended);
  EXPECT_TRUE(tx.sb.segments().empty());
}

// sack/sack-shift-sacked-2-6-8-3-9-nofack.pkt: SACKs of 2001:3001 (0.2 s),
// 6001:7001 (0.201), 8001:9001 (0.202). The third makes 3 SACKed
// (reo_wnd 0): everything sent before 8001:9001 and not SACKed is lost:
// 1, 1001, 3001, 4001, 5001, 7001: tcpi_lost == 6; 1:1001 is resent.
// 3001:4001 SACKed at 0.209: lost 5, 1001:2001 resent. 9001:10001 SACKed
// at 0.219: lost 5. ACK 1001 at 0.302: 4; ACK 4001 at 0.319: 3.
TEST(Rack, Packetdrill_SackShift26839_LostCountsFollowTheScript) {
  LinuxSender tx(10);
  tx.ack(200 * ms, 1, {{2001, 3001}});
  tx.ack(201 * ms, 1, {{2001, 3001}, {6001, 7001}});
  tx.ack(202 * ms, 1, {{2001, 3001}, {6001, 7001}, {8001, 9001}});
  EXPECT_TRUE(tx.sb.in_recovery());
  EXPECT_EQ(tx.lost(), 6);
  EXPECT_EQ(tx.retransmit_next(202 * ms), 1u);
  tx.ack(209 * ms, 1, {{2001, 4001}, {6001, 7001}, {8001, 9001}});
  EXPECT_EQ(tx.retransmit_next(209 * ms), 1001u);
  EXPECT_EQ(tx.lost(), 5);
  tx.ack(219 * ms, 1, {{2001, 4001}, {6001, 7001}, {8001, 10001}});
  EXPECT_EQ(tx.lost(), 5);
  tx.ack(302 * ms, 1001, {{2001, 4001}, {6001, 7001}, {8001, 10001}});
  EXPECT_EQ(tx.lost(), 4);
  tx.ack(319 * ms, 4001, {{6001, 7001}, {8001, 10001}});
  EXPECT_EQ(tx.lost(), 3);
  tx.ack(429 * ms, 10001, {});
  EXPECT_FALSE(tx.sb.in_recovery());
  EXPECT_EQ(tx.lost(), 0);
}

// fast_retransmit/fr-4pkt-fack-last-byte.pkt (handshake RTT 100 ms, data
// at 0.2 s): a SACK of 4000:4001 only (part of the 4th segment) at 0.3 s
// SACKs nothing, so RACK has nothing to go on; the TLP armed when the data
// went out fires at 0.2 + 2 * 0.1 + 0.002 = 0.402 s, inside the script's
// "+.1~+.105" after the SACK, and resends the last segment 3001:4001.
TEST(Rack, Packetdrill_Fr4pktFackLastByte_PartialSackWaitsForTheProbe) {
  LinuxSender tx(4, 1000, 200 * ms);
  const RackLoss l = tx.ack(300 * ms, 1, {{4000, 4001}});
  EXPECT_TRUE(l.lost.empty());
  EXPECT_EQ(l.timer, 0) << "no reordering timer either";
  EXPECT_FALSE(tx.rack.advanced());
  const TailLossProbe tlp;
  ASSERT_TRUE(model::tlp_allowed(true, 4, tx.sb.in_recovery(), tlp.outstanding()));
  const Time data_sent = 200 * ms;
  EXPECT_EQ(data_sent + model::tlp_pto(TlpConfig{}, true, tx.srtt, 4, 300 * ms), 402 * ms);
  EXPECT_EQ(model::tlp_choose_probe(false, true), TlpProbe::LastSegment);
}

// ------------------------------------------------ §6.2 step 5: the rule

// P0 sent at 0, P1 at 10 ms; P1 SACKed at 110 ms: RACK.rtt = 100 ms. With
// reo_wnd 10 ms, P0 is lost once 0 + 100 + 10 <= now: not at 109.999999 ms
// (the timer is armed for what remains), at 110 ms yes.
TEST(Rack, Rfc8985_6_2_SegmentSentBeforeTheDeliveredOneIsLostAfterRttPlusReoWnd) {
  SackScoreboard sb(1000, rack_marks());
  Rack rack;
  sb.on_send(1000, 100, 0);
  sb.on_send(1100, 100, 10 * ms);
  deliver(sb, rack, 1000, {{1100, 1200}}, 110 * ms, 100 * ms);
  EXPECT_EQ(rack.rtt(), 100 * ms);
  RackLoss l = rack.detect_loss(sb.segments(), 110 * ms - 1, 10 * ms);
  EXPECT_TRUE(l.lost.empty());
  EXPECT_EQ(l.wait_min, 1);
  l = rack.detect_loss(sb.segments(), 110 * ms, 10 * ms);
  EXPECT_EQ(l.lost, (std::vector<Seq>{1000}));
}

// A segment sent after RACK.xmit_ts is never lost by RACK, however late.
TEST(Rack, Rfc8985_6_2_SegmentSentAfterTheDeliveredOneIsNotJudged) {
  SackScoreboard sb(1000, rack_marks());
  Rack rack;
  sb.on_send(1000, 100, 0);
  sb.on_send(1100, 100, 10 * ms);
  sb.on_send(1200, 100, 20 * ms);
  deliver(sb, rack, 1000, {{1100, 1200}}, 110 * ms, 100 * ms);
  const RackLoss l = rack.detect_loss(sb.segments(), 10 * kSecond, 0);
  EXPECT_EQ(l.lost, (std::vector<Seq>{1000}));
}

// Linux tcp_rack_mark_lost(): the reordering timer is armed for the
// segment that waits longest, plus TCP_TIMEOUT_MIN_US (2 ms), in jiffies.
// P0 at 0, P1 at 2 ms, P2 at 10 ms; P2 SACKed at 100 ms (RACK.rtt 90 ms),
// reo_wnd 15 ms, now 100 ms: P0 remains 90 + 15 - 100 = 5 ms, P1 7 ms.
// Linux: 7 + 2 = 9 ms, at HZ=250 12 ms; RFC 8985 (earliest, no slack): 5 ms.
TEST(Rack, Linux_ReorderingTimerWaitsForTheLastSegmentPlusTwoMs) {
  auto timer = [](const RackConfig& cfg) {
    SackScoreboard sb(1000, rack_marks());
    sb.on_send(1000, 100, 0);
    sb.on_send(1100, 100, 2 * ms);
    sb.on_send(1200, 100, 10 * ms);
    Rack rack(cfg);
    deliver(sb, rack, 1000, {{1200, 1300}}, 100 * ms, 50 * ms);
    const RackLoss l = rack.detect_loss(sb.segments(), 100 * ms, 15 * ms);
    EXPECT_TRUE(l.lost.empty());
    EXPECT_EQ(l.wait_min, 5 * ms);
    EXPECT_EQ(l.wait_max, 7 * ms);
    return l.timer;
  };
  EXPECT_EQ(timer(RackConfig{}), 9 * ms);
  RackConfig hz250;
  hz250.jiffy = 4 * ms;
  EXPECT_EQ(timer(hz250), 12 * ms);
  RackConfig rfc;
  rfc.wait_for_last = false;
  rfc.timer_slack = 0;
  EXPECT_EQ(timer(rfc), 5 * ms);
}

// ------------------------------------------------ §6.2 step 2

// A retransmission (re)sent at 150 ms and ACKed at 160 ms, with min_RTT
// 100 ms: the ACK must be for the original; RACK does not advance.
TEST(Rack, Rfc8985_6_2_RetransmissionAckedSoonerThanMinRttIsAmbiguous) {
  SackScoreboard sb(1000, rack_marks());
  Rack rack;
  sb.on_send(1000, 100, 0);
  sb.on_send(1100, 100, 0);
  sb.on_retransmit(1000, 150 * ms);
  deliver(sb, rack, 1100, {}, 160 * ms, 100 * ms);
  EXPECT_FALSE(rack.advanced());
  // The timestamp says the same thing: TSecr echoes the first transmission.
  SackScoreboard sb2(1000, rack_marks());
  Rack rack2;
  sb2.on_send(1000, 100, 0);
  sb2.on_retransmit(1000, 50 * ms);
  rack2.on_ack(sb2.on_ack(1100, {}), 200 * ms, 100 * ms, 1100, 1100, Time{0});
  EXPECT_FALSE(rack2.advanced()) << "150 ms >= min_RTT, but TSecr predates the retransmission";
}

// RACK.xmit_ts follows the most recently SENT segment delivered, not the
// highest in sequence (a retransmission of a low segment is more recent).
TEST(Rack, Rfc8985_6_2_XmitTsIsTheLatestSentOfTheDeliveredSegments) {
  SackScoreboard sb(1000, rack_marks());
  Rack rack;
  sb.on_send(1000, 100, 0);
  sb.on_send(1100, 100, 1 * ms);
  sb.on_retransmit(1000, 300 * ms);
  deliver(sb, rack, 1000, {{1100, 1200}}, 101 * ms, 100 * ms);
  EXPECT_EQ(rack.xmit_ts(), 1 * ms);
  deliver(sb, rack, 1200, {}, 400 * ms, 100 * ms);
  EXPECT_EQ(rack.xmit_ts(), 300 * ms);
  EXPECT_EQ(rack.end_seq(), 1100u);
}

// ------------------------------------------------ §6.2 steps 3, 4

// Step 3: P1 SACKed first, then P0 (never retransmitted) delivered below
// it: the network reordered them.
TEST(Rack, Rfc8985_6_2_OriginalDeliveredBelowTheHighestDeliveredIsReordering) {
  SackScoreboard sb(1000, rack_marks());
  Rack rack;
  sb.on_send(1000, 100, 0);
  sb.on_send(1100, 100, 0);
  sb.on_send(1200, 100, 0);
  deliver(sb, rack, 1000, {{1100, 1200}}, 100 * ms, 100 * ms);
  EXPECT_FALSE(rack.reordering_seen());
  deliver(sb, rack, 1200, {}, 101 * ms, 100 * ms);
  EXPECT_TRUE(rack.reordering_seen());
}

// In-order delivery is no evidence of reordering; nor is a retransmission
// filling the hole.
TEST(Rack, Rfc8985_6_2_RetransmissionFillingTheHoleIsNotReordering) {
  SackScoreboard sb(1000, rack_marks());
  Rack rack;
  sb.on_send(1000, 100, 0);
  sb.on_send(1100, 100, 0);
  deliver(sb, rack, 1000, {{1100, 1200}}, 100 * ms, 100 * ms);
  sb.mark_lost(1000);
  sb.on_retransmit(1000, 130 * ms);
  deliver(sb, rack, 1200, {}, 230 * ms, 100 * ms);
  EXPECT_FALSE(rack.reordering_seen());
}

// Step 4: min_RTT / 4, capped by SRTT: 40 ms / 4 = 10 ms.
TEST(Rack, Rfc8985_6_2_ReorderingWindowIsQuarterMinRtt) {
  Rack rack;
  EXPECT_EQ(rack.reo_wnd(40 * ms, 50 * ms, false, 0), 10 * ms);
  EXPECT_EQ(rack.reo_wnd(40 * ms, 8 * ms, false, 0), 8 * ms) << "capped by SRTT";
}

// Step 4: with no reordering seen, RACK is as quick as DupThresh: zero in
// recovery, zero once 3 segments are SACKed.
TEST(Rack, Rfc8985_6_2_ReorderingWindowIsZeroInRecoveryOrAfterDupThreshSacks) {
  Rack rack;
  EXPECT_EQ(rack.reo_wnd(40 * ms, 50 * ms, true, 0), 0);
  EXPECT_EQ(rack.reo_wnd(40 * ms, 50 * ms, false, 2), 10 * ms);
  EXPECT_EQ(rack.reo_wnd(40 * ms, 50 * ms, false, 3), 0);
}

TEST(Rack, Rfc8985_6_2_ReorderingSeenKeepsTheWindowInRecovery) {
  SackScoreboard sb(1000, rack_marks());
  Rack rack;
  for (int i = 0; i < 3; ++i) sb.on_send(1000 + 100 * i, 100, 0);
  deliver(sb, rack, 1000, {{1100, 1200}}, 100 * ms, 40 * ms);
  deliver(sb, rack, 1200, {}, 100 * ms, 40 * ms);
  ASSERT_TRUE(rack.reordering_seen());
  EXPECT_EQ(rack.reo_wnd(40 * ms, 50 * ms, true, 5), 10 * ms);
}

// Step 4's adaptation: a D-SACK widens the window by min_RTT/4, once per
// round trip (a second D-SACK before SND.UNA passes the round's SND.NXT
// does nothing); 10, 20, then 30 ms.
TEST(Rack, Rfc8985_6_2_DsackWidensTheWindowOncePerRound) {
  Rack rack;
  AckResult dsack;
  dsack.dsack = true;
  rack.on_ack(dsack, 0, 40 * ms, 1000, 2000);
  EXPECT_EQ(rack.reo_wnd_mult(), 2);
  EXPECT_EQ(rack.reo_wnd(40 * ms, 100 * ms, false, 0), 20 * ms);
  rack.on_ack(dsack, 0, 40 * ms, 1500, 2500);
  EXPECT_EQ(rack.reo_wnd_mult(), 2) << "same round";
  rack.on_ack(dsack, 0, 40 * ms, 2000, 3000);
  EXPECT_EQ(rack.reo_wnd_mult(), 3);
  EXPECT_EQ(rack.reo_wnd(40 * ms, 100 * ms, false, 0), 30 * ms);
}

// "Reset the window after 16 DSACK-free recoveries": 15 recoveries keep
// the widened window, the 16th returns it to one step.
TEST(Rack, Rfc8985_6_2_WidenedWindowPersistsSixteenRecoveries) {
  Rack rack;
  AckResult dsack;
  dsack.dsack = true;
  rack.on_ack(dsack, 0, 40 * ms, 1000, 2000);
  ASSERT_EQ(rack.reo_wnd_persist(), 16);
  const AckResult plain;
  for (int i = 0; i < 15; ++i) {
    rack.on_recovery_end(false);
    rack.on_ack(plain, 0, 40 * ms, 3000, 3000);
  }
  EXPECT_EQ(rack.reo_wnd_mult(), 2);
  rack.on_recovery_end(false);
  rack.on_ack(plain, 0, 40 * ms, 3000, 3000);
  EXPECT_EQ(rack.reo_wnd_mult(), 1);
}

// ------------------------------------------------ §7.2 the PTO

// SRTT 10 ms. One segment out: 2 SRTT + 200 ms (Linux tcp_rto_min_us(),
// RFC 8985 WCDelAckT) = 220 ms. More: 2 SRTT + 2 ms (TCP_TIMEOUT_MIN_US)
// = 22 ms; RFC 8985 adds nothing: 20 ms.
TEST(Rack, Rfc8985_7_2_PtoIsTwoSrttPlusDelayedAckAllowanceForOneSegment) {
  const TlpConfig linux_tlp;
  EXPECT_EQ(model::tlp_pto(linux_tlp, true, 10 * ms, 1, 0), 220 * ms);
  EXPECT_EQ(model::tlp_pto(linux_tlp, true, 10 * ms, 2, 0), 22 * ms);
  TlpConfig rfc;
  rfc.slack = 0;
  EXPECT_EQ(model::tlp_pto(rfc, true, 10 * ms, 2, 0), 20 * ms);
}

TEST(Rack, Rfc8985_7_2_PtoIsNeverLaterThanTheRto) {
  EXPECT_EQ(model::tlp_pto(TlpConfig{}, true, 100 * ms, 1, 300 * ms), 300 * ms);
  EXPECT_EQ(model::tlp_pto(TlpConfig{}, true, 100 * ms, 2, 300 * ms), 202 * ms);
}

TEST(Rack, Rfc8985_7_2_PtoWithoutAnRttSampleIsOneSecond) {
  EXPECT_EQ(model::tlp_pto(TlpConfig{}, false, 0, 3, 0), 1 * kSecond);
}

// usecs_to_jiffies() rounds up: 2 * 10.5 + 2 = 23 ms -> 24 ms at HZ=250.
TEST(Rack, Linux_PtoIsRoundedUpToJiffies) {
  TlpConfig c;
  c.jiffy = 4 * ms;
  EXPECT_EQ(model::tlp_pto(c, true, 10500 * kMicrosecond, 2, 0), 24 * ms);
}

// RFC 8985 §7.2 / tcp_schedule_loss_probe(): no probe in recovery (a hole
// is known), none while one is out, none without SACK or without data out.
TEST(Rack, Rfc8985_7_2_NoProbeWhileAHoleIsKnown) {
  EXPECT_TRUE(model::tlp_allowed(true, 2, false, false));
  EXPECT_FALSE(model::tlp_allowed(true, 2, true, false)) << "in recovery";
  EXPECT_FALSE(model::tlp_allowed(true, 2, false, true)) << "a probe is out";
  EXPECT_FALSE(model::tlp_allowed(false, 2, false, false)) << "no SACK (Linux)";
  EXPECT_FALSE(model::tlp_allowed(true, 0, false, false)) << "nothing in flight";
}

// RFC 8985 §7.3: "new data if available and the window allows, else the
// last segment sent".
TEST(Rack, Rfc8985_7_3_ProbeSendsNewDataElseTheLastSegment) {
  EXPECT_EQ(model::tlp_choose_probe(true, true), TlpProbe::NewData);
  EXPECT_EQ(model::tlp_choose_probe(false, true), TlpProbe::LastSegment);
  EXPECT_EQ(model::tlp_choose_probe(false, false), TlpProbe::Nothing);
}

// What model/engine.cc arms today (arm_rexmt_or_probe(): 2 SRTT + rto_min
// for one segment, + tlp_min = 8 ms otherwise, capped by the RTO) is
// tlp_pto() with slack 8 ms: integration keeps the linux goldens.
TEST(Rack, Linux_PtoReproducesTheEngineWithItsEightMsSlack) {
  Config cfg;
  cfg.rto_min = 200 * ms;
  cfg.rto_min_on_variance = true;
  cfg.tail_loss_probe = true;
  Endpoint ep(cfg);
  Outbox o;
  ep.open_active(kIss, 0, o);
  ep.segment_arrives(seg(kSyn | kAck, kIrs, kIss + 1), 10 * ms, o);
  ASSERT_EQ(ep.state(), State::Established);
  TlpConfig engine_tlp;
  engine_tlp.delayed_ack_allowance = cfg.rto_min;
  engine_tlp.slack = cfg.tlp_min;
  const Duration srtt = ep.tcb().rtt.srtt, rto = ep.tcb().rtt.rto;
  o.clear();
  ASSERT_EQ(ep.send(std::string(10, 'x'), 20 * ms, o), model::Error::None);
  EXPECT_EQ(armed_for(o, TimerKind::LossProbe), model::tlp_pto(engine_tlp, true, srtt, 1, rto))
      << describe(o);
  o.clear();
  ASSERT_EQ(ep.send(std::string(3000, 'x'), 21 * ms, o), model::Error::None);
  ASSERT_GE(sent(o).size(), 2u) << describe(o);
  EXPECT_EQ(armed_for(o, TimerKind::LossProbe), model::tlp_pto(engine_tlp, true, srtt, 3, rto))
      << describe(o);
}

// ------------------------------------------------ §7.4 the probe's ACK

// The probe retransmitted the last segment (TLP.end_seq = 1400). An ACK
// beyond it: the probe repaired a loss (Linux: TCPLossProbeRecovery, CWR).
TEST(Rack, Rfc8985_7_4_AckBeyondARetransmittedProbeMeansItRepairedALoss) {
  TailLossProbe tlp;
  tlp.on_probe_sent(1400, true);
  EXPECT_EQ(tlp.on_ack(1300, std::nullopt, false), Outcome::Pending);
  EXPECT_TRUE(tlp.outstanding());
  EXPECT_EQ(tlp.on_ack(1500, std::nullopt, false), Outcome::LossRepaired);
  EXPECT_FALSE(tlp.outstanding());
}

// A D-SACK of the probe: the original arrived too; no loss, no cwnd cut.
TEST(Rack, Rfc8985_7_4_DsackOfTheProbeMeansNoLoss) {
  TailLossProbe tlp;
  tlp.on_probe_sent(1400, true);
  EXPECT_EQ(tlp.on_ack(1400, SackBlock{1300, 1400}, false), Outcome::NoLoss);
}

// A pure duplicate ACK at TLP.end_seq (the original was ACKed, the probe
// made a dup ACK): no loss. An ACK at end_seq that advanced SND.UNA is not
// evidence either way: still pending (Linux).
TEST(Rack, Rfc8985_7_4_PureDupAckAtTheProbeEndMeansNoLoss) {
  TailLossProbe tlp;
  tlp.on_probe_sent(1400, true);
  EXPECT_EQ(tlp.on_ack(1400, std::nullopt, false), Outcome::Pending);
  EXPECT_EQ(tlp.on_ack(1400, std::nullopt, true), Outcome::NoLoss);
}

TEST(Rack, Rfc8985_7_4_ProbeOfNewDataDeliveredTeachesNothing) {
  TailLossProbe tlp;
  tlp.on_probe_sent(1500, false);
  EXPECT_EQ(tlp.on_ack(1600, std::nullopt, false), Outcome::Delivered);
}

}  // namespace
}  // namespace tcpsim::test
