// RFC 6298, Computing TCP's Retransmission Timer, through the Endpoint API
// with explicit `now`. The RTO is read where the model arms the timer
// (armed_for), the estimator from the TCB.
//
//   §2.1  before any measurement, RTO <- 1 s (Config::rto_initial)
//   §2.2  first measurement R: SRTT <- R, RTTVAR <- R/2,
//         RTO <- SRTT + max(G, K*RTTVAR), K = 4
//   §2.3  later R': RTTVAR <- (1 - 1/4)*RTTVAR + 1/4*|SRTT - R'|,
//         SRTT <- (1 - 1/8)*SRTT + 1/8*R'  (RTTVAR first, with the old SRTT)
//   §2.4  RTO < 1 s is rounded up to 1 s (Config::rto_min)
//   §2.5  a maximum may be placed on RTO, at least 60 s (Config::rto_max)
//   §3    Karn: RTT samples MUST NOT be made using retransmitted segments
//   §5.2  all outstanding data acknowledged: turn off the timer
//   §5.5  on expiry, RTO <- RTO * 2 ("back off the timer"), §2.5's cap applies
//   §5.7  SYN timed out and RTO < 3 s: RTO <- 3 s when data transmission begins
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace tcpsim::test {
namespace {

constexpr Duration ms = kMillisecond;
constexpr Duration s = kSecond;

// An active open at t = 0 answered by a SYN,ACK at `rtt`.
Endpoint connected(const Config& cfg, Duration rtt, Outbox* last = nullptr) {
  Endpoint ep(cfg);
  Outbox o;
  ep.open_active(kIss, 0, o);
  o.clear();
  ep.segment_arrives(seg(kSyn | kAck, kIrs, kIss + 1), rtt, o);
  EXPECT_EQ(ep.state(), State::Established);
  if (last) *last = o;
  return ep;
}

// Sends `n` octets at `now` and returns the RTO the model armed for them.
Duration send_and_rto(Endpoint& ep, Time now, std::size_t n = 10) {
  Outbox o;
  EXPECT_EQ(ep.send(std::string(n, 'x'), now, o), model::Error::None);
  EXPECT_EQ(sent(o).size(), 1u) << describe(o);
  return armed_for(o, TimerKind::Retransmission);
}

// ------------------------------------------------------------- §2.1

TEST(Rto, Rfc6298_2_1_InitialRtoOfOneSecondIsArmedWithTheSyn) {
  Endpoint ep;
  Outbox o;
  ep.open_active(kIss, 0, o);
  ASSERT_EQ(sent(o).size(), 1u);
  EXPECT_EQ(armed_for(o, TimerKind::Retransmission), 1 * s) << describe(o);
}

TEST(Rto, Rfc6298_2_1_InitialRtoComesFromConfig) {
  Config cfg;
  cfg.rto_initial = 3 * s;  // RFC 1122's old value
  Endpoint ep(cfg);
  Outbox o;
  ep.open_active(kIss, 0, o);
  EXPECT_EQ(armed_for(o, TimerKind::Retransmission), 3 * s) << describe(o);
}

TEST(Rto, Rfc6298_2_1_InitialRtoIsArmedWithThePassiveSideSynAck) {
  Endpoint ep;
  Outbox o;
  ep.open_passive(kIss, 0, o);
  o.clear();
  ep.segment_arrives(seg(kSyn, kIrs), 0, o);
  ASSERT_EQ(sent(o).size(), 1u);
  EXPECT_EQ(armed_for(o, TimerKind::Retransmission), 1 * s) << describe(o);
}

// ------------------------------------------------------------- §2.2, §2.4

// SYN,ACK 10 ms after the SYN: R = 10 ms, SRTT = 10 ms, RTTVAR = 5 ms;
// SRTT + 4*RTTVAR = 30 ms, below rto_min = 1 s, so the data's RTO is 1 s.
TEST(Rto, Rfc6298_2_2_FirstSampleFromTheHandshake_RtoClampedToRtoMin) {
  Endpoint ep = connected(Config{}, 10 * ms);
  EXPECT_TRUE(ep.tcb().rtt.has_sample);
  EXPECT_EQ(ep.tcb().rtt.srtt, 10 * ms);
  EXPECT_EQ(ep.tcb().rtt.rttvar, 5 * ms);
  EXPECT_EQ(send_and_rto(ep, 20 * ms), 1 * s);
}

// The same sample with rto_min lowered: RTO = SRTT + 4*RTTVAR = 30 ms.
TEST(Rto, Rfc6298_2_2_FirstSampleFromTheHandshake_RtoIsSrttPlusFourRttvar) {
  Config cfg;
  cfg.rto_min = 1 * ms;
  Endpoint ep = connected(cfg, 10 * ms);
  EXPECT_EQ(send_and_rto(ep, 20 * ms), 30 * ms);
}

// A large sample: max(rto_min, SRTT + 4*RTTVAR) = 2 s + 4 s = 6 s.
TEST(Rto, Rfc6298_2_2_FirstSampleAboveRtoMinIsNotClamped) {
  Endpoint ep = connected(Config{}, 2 * s);
  EXPECT_EQ(send_and_rto(ep, 3 * s), 6 * s);
}

// ------------------------------------------------------------- §2.3

// R = 10 ms, then R' = 30 ms on the first data segment:
//   RTTVAR = 3/4 * 5 ms + 1/4 * |10 ms - 30 ms| = 8.75 ms
//   SRTT   = 7/8 * 10 ms + 1/8 * 30 ms         = 12.5 ms
//   RTO    = 12.5 ms + 4 * 8.75 ms              = 47.5 ms
TEST(Rto, Rfc6298_2_3_SecondSampleUpdatesRttvarThenSrtt) {
  Config cfg;
  cfg.rto_min = 1 * ms;
  Endpoint ep = connected(cfg, 10 * ms);
  ASSERT_EQ(send_and_rto(ep, 100 * ms), 30 * ms);
  Outbox o;
  ep.segment_arrives(seg(kAck, kIrs + 1, kIss + 1 + 10), 130 * ms, o);
  EXPECT_EQ(ep.tcb().rtt.rttvar, 8750 * kMicrosecond);
  EXPECT_EQ(ep.tcb().rtt.srtt, 12500 * kMicrosecond);
  EXPECT_EQ(send_and_rto(ep, 200 * ms), 47500 * kMicrosecond);
}

// ------------------------------------------------------------- §5.2

TEST(Rto, Rfc6298_5_2_TimerTurnedOffWhenAllDataIsAcknowledged) {
  Endpoint ep = connected(Config{}, 10 * ms);
  send_and_rto(ep, 20 * ms);
  Outbox o;
  ep.segment_arrives(seg(kAck, kIrs + 1, kIss + 1 + 10), 40 * ms, o);
  EXPECT_TRUE(cancelled(o, TimerKind::Retransmission)) << describe(o);
  EXPECT_FALSE(armed(o, TimerKind::Retransmission)) << describe(o);
}

// ------------------------------------------------------------- §3 Karn

// The data segment times out and is retransmitted; its ACK then arrives
// 400 ms after the first transmission. That ACK is ambiguous and gives no
// sample: SRTT and RTTVAR keep the handshake's values, and the backed-off
// RTO stays until a fresh segment is timed.
TEST(Rto, Rfc6298_3_KarnNoSampleFromARetransmittedSegment) {
  Config cfg;
  cfg.rto_min = 1 * ms;
  Endpoint ep = connected(cfg, 10 * ms);
  ASSERT_EQ(send_and_rto(ep, 100 * ms), 30 * ms);
  Outbox o;
  ep.timeout(TimerKind::Retransmission, 130 * ms, o);
  ASSERT_EQ(sent(o).size(), 1u) << describe(o);
  EXPECT_EQ(armed_for(o, TimerKind::Retransmission), 60 * ms) << "§5.5 backoff";
  o.clear();
  ep.segment_arrives(seg(kAck, kIrs + 1, kIss + 1 + 10), 500 * ms, o);
  EXPECT_EQ(ep.tcb().rtt.srtt, 10 * ms) << "Karn: no sample from the retransmitted segment";
  EXPECT_EQ(ep.tcb().rtt.rttvar, 5 * ms);
  // "the backed-off RTO is kept until a valid sample" (RFC 6298 §5 note):
  // the next segment is timed with 60 ms ...
  EXPECT_EQ(send_and_rto(ep, 600 * ms), 60 * ms);
  // ... and its ACK 20 ms later is a valid sample that collapses the RTO:
  //   RTTVAR = 3/4 * 5 + 1/4 * |10 - 20| = 6.25 ms, SRTT = 7/8 * 10 + 1/8 * 20 = 11.25 ms
  o.clear();
  ep.segment_arrives(seg(kAck, kIrs + 1, kIss + 1 + 20), 620 * ms, o);
  EXPECT_EQ(ep.tcb().rtt.srtt, 11250 * kMicrosecond);
  EXPECT_EQ(ep.tcb().rtt.rttvar, 6250 * kMicrosecond);
  EXPECT_EQ(send_and_rto(ep, 700 * ms), 11250 * kMicrosecond + 4 * 6250 * kMicrosecond);
}

// Karn for the SYN: after a SYN retransmission the SYN,ACK gives no sample.
TEST(Rto, Rfc6298_3_KarnNoSampleFromARetransmittedSyn) {
  Endpoint ep;
  Outbox o;
  ep.open_active(kIss, 0, o);
  o.clear();
  ep.timeout(TimerKind::Retransmission, 1 * s, o);
  o.clear();
  ep.segment_arrives(seg(kSyn | kAck, kIrs, kIss + 1), 1 * s + 10 * ms, o);
  ASSERT_EQ(ep.state(), State::Established);
  EXPECT_FALSE(ep.tcb().rtt.has_sample);
}

// ------------------------------------------------------------- §5.7

// "If the timer expires awaiting the ACK of a SYN segment and the TCP
// implementation is using an RTO less than 3 seconds, the RTO MUST be
// re-initialized to 3 seconds when data transmission begins (i.e., after
// the three-way handshake completes)."
TEST(Rto, Rfc6298_5_7_RtoReinitializedToThreeSecondsAfterSynTimeout) {
  Endpoint ep;  // rto_initial = 1 s < 3 s
  Outbox o;
  ep.open_active(kIss, 0, o);
  o.clear();
  ep.timeout(TimerKind::Retransmission, 1 * s, o);
  o.clear();
  ep.segment_arrives(seg(kSyn | kAck, kIrs, kIss + 1), 1 * s + 10 * ms, o);
  ASSERT_EQ(ep.state(), State::Established);
  EXPECT_EQ(send_and_rto(ep, 2 * s), 3 * s);
}

// ------------------------------------------------------------- §5.5, §2.5

// Each expiry doubles the RTO: 1, 2, 4, 8, 16, 32, 64 s, then the 120 s cap.
TEST(Rto, Rfc6298_5_5_SynBackoffDoublesUpToRtoMax) {
  Config cfg;
  cfg.syn_retries = 20;
  Endpoint ep(cfg);
  Outbox o;
  ep.open_active(kIss, 0, o);
  ASSERT_EQ(armed_for(o, TimerKind::Retransmission), 1 * s);
  const std::vector<Duration> expect = {2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 64 * s, 120 * s, 120 * s};
  Time now = 0;
  Duration rto = 1 * s;
  for (Duration want : expect) {
    now += rto;
    o.clear();
    ep.timeout(TimerKind::Retransmission, now, o);
    const auto segs = sent(o);
    ASSERT_EQ(segs.size(), 1u) << describe(o);
    EXPECT_EQ(segs[0].flags, kSyn);
    EXPECT_EQ(segs[0].seq, kIss) << "§3.10.8: the segment at the front of the queue again";
    rto = armed_for(o, TimerKind::Retransmission);
    EXPECT_EQ(rto, want) << "at t=" << now;
    EXPECT_EQ(ep.state(), State::SynSent);
  }
}

TEST(Rto, Rfc6298_5_5_DataBackoffDoublesUpToAConfiguredRtoMax) {
  Config cfg;
  cfg.rto_max = 5 * s;
  Endpoint ep = connected(cfg, 10 * ms);
  ASSERT_EQ(send_and_rto(ep, 20 * ms), 1 * s);
  const std::vector<Duration> expect = {2 * s, 4 * s, 5 * s, 5 * s};
  Time now = 20 * ms;
  Duration rto = 1 * s;
  for (Duration want : expect) {
    now += rto;
    Outbox o;
    ep.timeout(TimerKind::Retransmission, now, o);
    const auto segs = sent(o);
    ASSERT_EQ(segs.size(), 1u) << describe(o);
    EXPECT_EQ(segs[0].seq, kIss + 1);
    EXPECT_EQ(segs[0].payload.size(), 10u);
    rto = armed_for(o, TimerKind::Retransmission);
    EXPECT_EQ(rto, want);
  }
}

// ------------------------------------------------- Linux syn_linear_timeouts

// Linux tcp_syn_linear_timeouts = 4: the first four SYN timeouts re-arm the
// initial RTO, the fifth starts doubling.
TEST(Rto, Linux_SynLinearTimeoutsKeepTheInitialRtoForTheFirstN) {
  Config cfg;
  cfg.syn_linear_timeouts = 4;
  cfg.syn_retries = 10;
  Endpoint ep(cfg);
  Outbox o;
  ep.open_active(kIss, 0, o);
  const std::vector<Duration> expect = {1 * s, 1 * s, 1 * s, 1 * s, 2 * s, 4 * s, 8 * s};
  Time now = 0;
  Duration rto = armed_for(o, TimerKind::Retransmission);
  for (std::size_t i = 0; i < expect.size(); ++i) {
    now += rto;
    o.clear();
    ep.timeout(TimerKind::Retransmission, now, o);
    ASSERT_EQ(sent(o).size(), 1u) << describe(o);
    rto = armed_for(o, TimerKind::Retransmission);
    EXPECT_EQ(rto, expect[i]) << "after timeout " << i + 1;
  }
}

// Linear timeouts are for SYN-SENT only; data keeps RFC 6298's doubling.
TEST(Rto, Linux_SynLinearTimeoutsDoNotApplyToData) {
  Config cfg;
  cfg.syn_linear_timeouts = 4;
  Endpoint ep = connected(cfg, 10 * ms);
  ASSERT_EQ(send_and_rto(ep, 20 * ms), 1 * s);
  Outbox o;
  ep.timeout(TimerKind::Retransmission, 1 * s + 20 * ms, o);
  EXPECT_EQ(armed_for(o, TimerKind::Retransmission), 2 * s);
}

// ------------------------------------------------------- giving up

// With syn_retries = N the SYN is retransmitted N times; the next timeout
// gives up: "connection timed out", CLOSED.
TEST(Rto, Rfc9293_3_8_3_SynRetriesExhaustedGivesUp) {
  Config cfg;
  cfg.syn_retries = 3;
  Endpoint ep(cfg);
  Outbox o;
  ep.open_active(kIss, 0, o);
  int syns = static_cast<int>(sent(o).size());
  Time now = 0;
  Duration rto = armed_for(o, TimerKind::Retransmission);
  for (int i = 0; i < 3; ++i) {
    now += rto;
    o.clear();
    ep.timeout(TimerKind::Retransmission, now, o);
    syns += static_cast<int>(sent(o).size());
    rto = armed_for(o, TimerKind::Retransmission);
    ASSERT_EQ(ep.state(), State::SynSent);
  }
  EXPECT_EQ(syns, 1 + 3);
  o.clear();
  ep.timeout(TimerKind::Retransmission, now + rto, o);
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(sent(o).empty()) << describe(o);
  EXPECT_TRUE(notified(o, AppEvent::TimedOut)) << describe(o);
  EXPECT_EQ(ep.failure(), model::Error::TimedOut);
}

TEST(Rto, Rfc9293_3_8_3_SynAckRetriesExhaustedGivesUp) {
  Config cfg;
  cfg.synack_retries = 2;
  Endpoint ep = reach(State::SynReceived, cfg, /*passive=*/true);
  Time now = 0;
  Duration rto = 1 * s;
  int synacks = 0;
  for (int i = 0; i < 2; ++i) {
    now += rto;
    Outbox o;
    ep.timeout(TimerKind::Retransmission, now, o);
    const auto segs = sent(o);
    ASSERT_EQ(segs.size(), 1u) << describe(o);
    EXPECT_EQ(segs[0].flags, kSyn | kAck);
    EXPECT_EQ(segs[0].seq, kIss);
    EXPECT_EQ(segs[0].ack, kIrs + 1);
    ++synacks;
    rto = armed_for(o, TimerKind::Retransmission);
    ASSERT_EQ(ep.state(), State::SynReceived);
  }
  EXPECT_EQ(synacks, 2);
  Outbox o;
  ep.timeout(TimerKind::Retransmission, now + rto, o);
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(sent(o).empty()) << describe(o);
  EXPECT_TRUE(notified(o, AppEvent::TimedOut)) << describe(o);
}

TEST(Rto, Rfc9293_3_8_3_DataRetriesExhaustedGivesUp) {
  Config cfg;
  cfg.data_retries = 4;
  Endpoint ep = connected(cfg, 10 * ms);
  Duration rto = send_and_rto(ep, 20 * ms);
  Time now = 20 * ms;
  for (int i = 0; i < 4; ++i) {
    now += rto;
    Outbox o;
    ep.timeout(TimerKind::Retransmission, now, o);
    ASSERT_EQ(sent(o).size(), 1u) << describe(o);
    rto = armed_for(o, TimerKind::Retransmission);
    ASSERT_EQ(ep.state(), State::Established);
  }
  Outbox o;
  ep.timeout(TimerKind::Retransmission, now + rto, o);
  EXPECT_EQ(ep.state(), State::Closed);
  EXPECT_TRUE(notified(o, AppEvent::TimedOut)) << describe(o);
  EXPECT_EQ(ep.failure(), model::Error::TimedOut);
  std::size_t accepted = 1;
  Outbox o2;
  EXPECT_EQ(ep.send("more", now + rto, o2, &accepted), model::Error::TimedOut);
  EXPECT_EQ(accepted, 0u);
}

// An ACK of new data resets the retry count (the limit is on consecutive
// timeouts of the same segment).
TEST(Rto, Rfc9293_3_8_3_AckOfNewDataResetsTheRetryCount) {
  Config cfg;
  cfg.data_retries = 2;
  Endpoint ep = connected(cfg, 10 * ms);
  send_and_rto(ep, 20 * ms);
  Outbox o;
  ep.timeout(TimerKind::Retransmission, 1 * s, o);
  ep.timeout(TimerKind::Retransmission, 3 * s, o);
  ep.segment_arrives(seg(kAck, kIrs + 1, kIss + 1 + 10), 4 * s, o);
  send_and_rto(ep, 5 * s);
  o.clear();
  ep.timeout(TimerKind::Retransmission, 9 * s, o);
  ep.timeout(TimerKind::Retransmission, 17 * s, o);
  EXPECT_EQ(ep.state(), State::Established) << describe(o);
}

// ------------------------------------------------- Linux rto_min_on_variance

// Linux: RTO = SRTT + max(4*RTTVAR, rto_min). With rto_min = 200 ms and a
// 10 ms handshake: 10 + max(20, 200) = 210 ms, where RFC 6298 gives
// max(200, 10 + 20) = 200 ms.
TEST(Rto, Linux_RtoMinOnVarianceAddsRtoMinToSrtt) {
  Config cfg;
  cfg.rto_min = 200 * ms;
  cfg.rto_min_on_variance = true;
  Endpoint ep = connected(cfg, 10 * ms);
  EXPECT_EQ(send_and_rto(ep, 20 * ms), 210 * ms);
}

TEST(Rto, Rfc6298_2_4_RtoMinIsAFloorNotAnAddend) {
  Config cfg;
  cfg.rto_min = 200 * ms;
  Endpoint ep = connected(cfg, 10 * ms);
  EXPECT_EQ(send_and_rto(ep, 20 * ms), 200 * ms);
}

// When 4*RTTVAR exceeds rto_min the Linux formula is SRTT + 4*RTTVAR:
// R = 100 ms gives 100 + max(200, 200) = 300 ms, the RFC value too.
TEST(Rto, Linux_RtoMinOnVarianceEqualsRfcWhenVarianceDominates) {
  Config cfg;
  cfg.rto_min = 200 * ms;
  cfg.rto_min_on_variance = true;
  Endpoint ep = connected(cfg, 100 * ms);
  EXPECT_EQ(send_and_rto(ep, 200 * ms), 300 * ms);
}

}  // namespace
}  // namespace tcpsim::test
