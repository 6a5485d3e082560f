// The linux profile's recovery from loss, against what the kernel on this
// project's machines did (docs/linux-observations.md §1-§5, measured on
// loopback). Links here take 10 us each way, so the RTT sample is 20 us and
// the figures are the kernel's nominal ones: the kernel adds 2-10 % of
// timer-wheel rounding (a 200 ms timer fires after 204-208 ms), which tcpsim
// does not model.
//
// Derivations used below, RTT sample R = 20 us:
//   SRTT = 20 us, RTTVAR = 10 us (RFC 6298 2.2), or 7.5 us after a second
//   sample of 20 us; Linux RTO = SRTT + max(4 RTTVAR, rto_min) = 200.020 ms.
//   Tail-loss probe with one segment out: 2 SRTT + rto_min = 200.040 ms, but
//   never later than the RTO: so 200.020 ms.
#include <gtest/gtest.h>

#include "exchange.h"
#include "sim/profile.h"

namespace tcpsim::test {
namespace {

using model::AppEvent;
using model::State;
using namespace model;  // flags
constexpr Duration us = kMicrosecond;
constexpr Duration ms = kMillisecond;
constexpr Duration s = kSecond;
constexpr Duration kRto = 200 * ms + 20 * us;

DropRule rule(std::uint8_t required, std::uint8_t forbidden = 0,
              sim::PacketMatch::Payload payload = sim::PacketMatch::Payload::kAny, std::uint64_t nth = 1,
              std::uint64_t count = 1) {
  DropRule r;
  r.match.required = required;
  r.match.forbidden = forbidden;
  r.match.payload = payload;
  r.nth = nth;
  r.count = count;
  return r;
}
const auto kData = sim::PacketMatch::Payload::kWith;
const auto kNoData = sim::PacketMatch::Payload::kWithout;

template <class F>
std::unique_ptr<Exchange> run(F&& setup) {
  ExchangeOptions o;
  o.profile = "linux";
  o.delay = 10 * us;
  setup(o);
  auto e = std::make_unique<Exchange>(std::move(o));
  e->run();
  return e;
}

std::vector<Duration> gaps(const std::vector<Time>& t) {
  std::vector<Duration> g;
  for (std::size_t i = 1; i < t.size(); ++i) g.push_back(t[i] - t[i - 1]);
  return g;
}

bool probed(const Exchange& e) { return e.trace_text().find("tail-loss probe") != std::string::npos; }

TEST(LossLinux, LostFinIsResentByATailLossProbeAfterAbout200ms) {
  // Kernel: 206 ms, counted as TCPLossProbes, not TCPTimeouts (§3).
  auto e = run([](ExchangeOptions& o) { o.a_to_b = {rule(kFin)}; });
  const auto fins = e->sent(true, kFin);
  ASSERT_EQ(fins.size(), 2u) << e->trace_text();
  EXPECT_EQ(fins[1] - fins[0], kRto);
  EXPECT_TRUE(probed(*e));
}

TEST(LossLinux, DataBackoffIsAProbeThenRtoDoublingAndDeathByTimeBudget) {
  // §4: a probe at +RTO, then RTO, 2 RTO, 4 RTO ... (kernel: +206, +208,
  // +428, +832, +1664 ms).
  auto e = run([](ExchangeOptions& o) {
    o.a_to_b = {rule(kAck, 0, kData, 1, DropRule::kAll)};
    o.client_close_after = 100000 * s;
    o.run_for = 60 * s;
  });
  const auto copies = e->sent(true, kAck, 0, true);
  ASSERT_GE(copies.size(), 2u) << e->trace_text();
  // With the default tcp_retries2 = 15 (a 924.6 s budget) the series goes on:
  // within the 60 s run the copies reach 256 RTO = 51.2 s; the next is at 102 s.
  EXPECT_EQ(gaps(copies), (std::vector<Duration>{kRto, kRto, 2 * kRto, 4 * kRto, 8 * kRto, 16 * kRto,
                                                 32 * kRto, 64 * kRto, 128 * kRto}));
}

TEST(LossLinux, Retries2OfThreeGivesUpAtTheFirstTimeoutPastThreeSeconds) {
  ExchangeOptions o;
  o.profile = "linux";
  o.delay = 10 * us;
  o.a_to_b = {rule(kAck, 0, kData, 1, DropRule::kAll)};
  o.client_close_after = 100000 * s;
  o.run_for = 60 * s;
  auto e = std::make_unique<Exchange>(o);
  ASSERT_FALSE(sim::set_profile_value(e->a->profile(), "data_retries", "3"));
  e->run();
  const auto copies = e->sent(true, kAck, 0, true);
  ASSERT_EQ(copies.size(), 6u) << e->trace_text();
  EXPECT_EQ(gaps(copies), (std::vector<Duration>{kRto, kRto, 2 * kRto, 4 * kRto, 8 * kRto}));
  // The next timeout, 16 RTO after the last copy: 6400.640 ms after the original.
  EXPECT_EQ(e->entered(true, State::Closed) - copies[0], 32 * kRto);
  EXPECT_TRUE(e->told(true, AppEvent::TimedOut));
  EXPECT_EQ(e->entered(false, State::Closed), -1);  // B never knew: still ESTABLISHED
}

TEST(LossLinux, SynRetransmissionsAreFiveOneSecondGapsThenDoublingAndRetriesAreATimeBudget) {
  // §1: tcp_syn_retries = 3 gives 8 SYNs, at 0 1 2 3 4 5 7 11 s, and
  // connect() fails at 19 s, the first expiry past (2^4 - 1) x 1 s = 15 s.
  ExchangeOptions o;
  o.profile = "linux";
  o.delay = 10 * us;
  o.a_to_b = {rule(kSyn, kAck, sim::PacketMatch::Payload::kAny, 1, DropRule::kAll)};
  o.run_for = 300 * s;
  auto e = std::make_unique<Exchange>(o);
  ASSERT_FALSE(sim::set_profile_value(e->a->profile(), "syn_retries", "3"));
  e->run();
  EXPECT_EQ(e->sent(true, kSyn, kAck),
            (std::vector<Time>{0, 1 * s, 2 * s, 3 * s, 4 * s, 5 * s, 7 * s, 11 * s}));
  EXPECT_EQ(e->entered(true, State::Closed), 19 * s);
  EXPECT_TRUE(e->told(true, AppEvent::TimedOut));
}

TEST(LossLinux, DefaultSynRetriesSendElevenSynsAndGiveUpAt131s) {
  auto e = run([](ExchangeOptions& o) {
    o.a_to_b = {rule(kSyn, kAck, sim::PacketMatch::Payload::kAny, 1, DropRule::kAll)};
    o.run_for = 300 * s;
  });
  EXPECT_EQ(e->sent(true, kSyn, kAck),
            (std::vector<Time>{0, 1 * s, 2 * s, 3 * s, 4 * s, 5 * s, 7 * s, 11 * s, 19 * s, 35 * s, 67 * s}));
  EXPECT_EQ(e->entered(true, State::Closed), 131 * s);
}

TEST(LossLinux, LostSynAckIsResentWhenTheSynIsRetransmitted) {
  // Linux answers the client's retransmitted SYN (1 s) with the SYN,ACK at once.
  auto e = run([](ExchangeOptions& o) { o.b_to_a = {rule(kSyn | kAck)}; });
  const auto synacks = e->sent(false, kSyn | kAck);
  ASSERT_GE(synacks.size(), 2u) << e->trace_text();
  EXPECT_EQ(synacks[1], 1 * s + 10 * us);
  EXPECT_EQ(e->entered(true, State::Established), 1 * s + 20 * us);
}

TEST(LossLinux, SynAckRetriesAreCountedAndTheHalfOpenConnectionVanishes) {
  // §2, tcp_synack_retries = 3, the client's ACKs all lost: SYN,ACKs at 0, 1,
  // 3, 7 s; the half-open connection disappears at 15 s. The client believes
  // it is connected throughout.
  ExchangeOptions o;
  o.profile = "linux";
  o.delay = 10 * us;
  o.bytes = 0;
  o.client_close_after = 100000 * s;
  o.a_to_b = {rule(kAck, kSyn | kFin | kRst, kNoData, 1, DropRule::kAll)};
  o.run_for = 60 * s;
  auto e = std::make_unique<Exchange>(o);
  ASSERT_FALSE(sim::set_profile_value(e->b->profile(), "synack_retries", "3"));
  e->run();
  const Time t0 = 10 * us;
  EXPECT_EQ(e->sent(false, kSyn | kAck), (std::vector<Time>{t0, t0 + 1 * s, t0 + 3 * s, t0 + 7 * s}));
  EXPECT_EQ(e->entered(false, State::Closed), t0 + 15 * s);
  EXPECT_EQ(e->a->conn(e->client)->state(), State::Established);
}

TEST(LossLinux, LostLastAckIsRepairedByAProbeFromLastAckAndTimeWaitRestarts) {
  // §3c: B in LAST-ACK re-sends its FIN ~200 ms later (a TLP); A in
  // TIME-WAIT re-ACKs at once and its 60 s start again.
  DropRule last_ack = rule(kAck, kSyn | kFin | kRst, kNoData, 2);  // A's pure ACKs: handshake, last
  auto e = run([&](ExchangeOptions& o) { o.a_to_b = {last_ack}; });
  const auto fins = e->sent(false, kFin);
  ASSERT_EQ(fins.size(), 2u) << e->trace_text();
  EXPECT_EQ(fins[1] - fins[0], kRto);
  EXPECT_EQ(e->entered(true, State::Closed), fins[1] + 10 * us + 60 * s);
}

TEST(DelayedAckLinux, FinAfterDataIsAcknowledgedAfterTheDelayedAckTimer) {
  // §5b: after A sent 100 bytes, B's ACK of A's FIN comes ~41 ms later.
  auto e = run([](ExchangeOptions&) {});
  const Time fin = e->sent(true, kFin).at(0);
  // B's ACKs: of the data, then of the FIN.
  const auto acks = e->sent(false, kAck, kSyn | kFin);
  ASSERT_EQ(acks.size(), 2u) << e->trace_text();
  // TCP_ATO_MIN is 10 jiffies of HZ = 250, counted from the jiffy the FIN
  // arrived in (tcp_send_delayed_ack(): jiffies + ato), so the timer fires
  // on a tick: just under 40 ms after the arrival.
  const Time arrival = fin + 10 * us;
  EXPECT_EQ(acks[1], (arrival / (4 * ms) + 10) * 4 * ms);
}

TEST(DelayedAckLinux, Rfc1122_4_2_3_2_FinWithoutDataIsAcknowledgedOnTheNextTick) {
  // §5a: no data ever exchanged: tcp_fin() enters pingpong and ato is 0,
  // so the delayed-ACK timer fires on the next tick of HZ = 250 (the kernel
  // recording of traces/lost-fin.tcpsim: 4.0 ms after the FIN).
  auto e = run([](ExchangeOptions& o) { o.bytes = 0; });
  const Time fin = e->sent(true, kFin).at(0);
  const auto acks = e->sent(false, kAck, kSyn | kFin);
  ASSERT_EQ(acks.size(), 1u) << e->trace_text();
  const Time arrival = fin + 10 * us;
  EXPECT_EQ(acks[0], (arrival / (4 * ms) + 1) * 4 * ms);
}

TEST(DelayedAckLinux, ProgramThatClosesAtOnceAnswersTheFinWithOneFinAck) {
  // §5d: B closes as soon as read() returns 0: one FIN,ACK, no separate ACK.
  auto e = run([](ExchangeOptions& o) { o.server_close_after = 0; });
  const Time fin = e->sent(true, kFin).at(0);
  EXPECT_EQ(e->sent(false, kAck, kSyn | kFin).size(), 1u) << "only the ACK of the data";
  EXPECT_EQ(e->sent(false, kFin | kAck), std::vector<Time>{fin + 10 * us});
  // RFC 9293 §3.10.7.4: the ACK of our FIN (fifth step: FIN-WAIT-2), then
  // the FIN (eighth: TIME-WAIT), in the same instant.
  EXPECT_EQ(e->entered(true, State::FinWait2), e->entered(true, State::TimeWait));
  EXPECT_NE(e->entered(true, State::FinWait2), -1);
}

}  // namespace
}  // namespace tcpsim::test
