// Losing each segment of the standard exchange (tests/sim/exchange.h) in
// turn under the rfc9293 profile: RTO 1 s initial and minimum (RFC 6298 2.1,
// 2.4), doubling on each timeout (5.5), no delayed ACK. Every expected time
// below is derived in the comment beside it from the 10 ms one-way delay.
#include <gtest/gtest.h>

#include "exchange.h"

namespace tcpsim::test {
namespace {

using model::AppEvent;
using model::State;
using namespace model;  // flags
constexpr Duration ms = kMillisecond;
constexpr Duration s = kSecond;

DropRule first(std::uint8_t required, std::uint8_t forbidden = 0,
               sim::PacketMatch::Payload payload = sim::PacketMatch::Payload::kAny) {
  DropRule r;
  r.match.required = required;
  r.match.forbidden = forbidden;
  r.match.payload = payload;
  return r;
}
const auto kData = sim::PacketMatch::Payload::kWith;
const auto kNoData = sim::PacketMatch::Payload::kWithout;

// Runs the exchange with the options `setup` sets.
template <class F>
std::unique_ptr<Exchange> run(F&& setup) {
  ExchangeOptions o;
  setup(o);
  auto e = std::make_unique<Exchange>(std::move(o));
  e->run();
  return e;
}
std::unique_ptr<Exchange> run() {
  return run([](ExchangeOptions&) {});
}

TEST(LossRfc9293, NoLossFollowsTheBaseTimeline) {
  auto e = run();
  EXPECT_EQ(e->sent(true, kSyn), std::vector<Time>{0});
  EXPECT_EQ(e->sent(false, kSyn | kAck), std::vector<Time>{10 * ms});
  EXPECT_EQ(e->sent(true, kAck, kSyn | kFin, true), std::vector<Time>{20 * ms});
  EXPECT_EQ(e->sent(true, kFin), std::vector<Time>{1 * s + 20 * ms});
  EXPECT_EQ(e->sent(false, kFin), std::vector<Time>{2 * s + 30 * ms});
  EXPECT_EQ(e->entered(true, State::TimeWait), 2 * s + 40 * ms);
  EXPECT_EQ(e->entered(false, State::Closed), 2 * s + 50 * ms);
  // RFC 9293 §3.4.2: TIME-WAIT is 2 MSL = 240 s.
  EXPECT_EQ(e->entered(true, State::Closed), 2 * s + 40 * ms + 240 * s);
  EXPECT_TRUE(e->retransmitted(true).empty());
  EXPECT_TRUE(e->retransmitted(false).empty());
  EXPECT_EQ(e->received.size(), 100u);
}

TEST(LossRfc9293, Rfc6298_2_1_LostSynIsRetransmittedAfterOneSecond) {
  auto e = run([&](ExchangeOptions& o) { o.a_to_b = {first(kSyn)}; });
  EXPECT_EQ(e->sent(true, kSyn), (std::vector<Time>{0, 1 * s})) << e->trace_text();
  EXPECT_EQ(e->entered(true, State::Established), 1 * s + 20 * ms);
  EXPECT_EQ(e->received.size(), 100u);
}

TEST(LossRfc9293, LostSynAckIsRetransmittedByTheServerAfterOneSecond) {
  // B's SYN,ACK (10 ms) is lost. A's SYN timer and B's SYN,ACK timer both run
  // 1 s: A's SYN again at 1 s; B's SYN,ACK again at 1.010 (its timer was
  // armed first, so it fires before the duplicate SYN is processed, which B
  // answers with an ACK: an old sequence number, RFC 9293 §3.10.7.4 first check).
  auto e = run([&](ExchangeOptions& o) { o.b_to_a = {first(kSyn | kAck)}; });
  EXPECT_EQ(e->sent(false, kSyn | kAck), (std::vector<Time>{10 * ms, 1 * s + 10 * ms})) << e->trace_text();
  EXPECT_EQ(e->sent(true, kSyn), (std::vector<Time>{0, 1 * s}));
  EXPECT_EQ(e->entered(true, State::Established), 1 * s + 20 * ms);
  EXPECT_EQ(e->received.size(), 100u);
}

TEST(LossRfc9293, LostHandshakeAckIsRepairedByTheDataSegmentsAck) {
  // A's ACK and its data leave together at 20 ms; the data segment carries
  // the same ACK, so B reaches ESTABLISHED at 30 ms and nothing is resent.
  auto e = run([&](ExchangeOptions& o) { o.a_to_b = {first(kAck, kSyn | kFin, kNoData)}; });
  EXPECT_EQ(e->entered(false, State::Established), 30 * ms) << e->trace_text();
  EXPECT_TRUE(e->retransmitted(true).empty());
  EXPECT_TRUE(e->retransmitted(false).empty());
  EXPECT_EQ(e->received.size(), 100u);
}

TEST(LossRfc9293, Rfc6298_5_4_LostDataIsRetransmittedAtTheRto) {
  // The handshake gave A one RTT sample of 20 ms: RTO = max(1 s, 20 + 4*10 ms) = 1 s.
  auto e = run([&](ExchangeOptions& o) { o.a_to_b = {first(kAck, 0, kData)}; });
  EXPECT_EQ(e->sent(true, kAck, 0, true), (std::vector<Time>{20 * ms, 1 * s + 20 * ms})) << e->trace_text();
  EXPECT_EQ(e->received.size(), 100u);
}

TEST(LossRfc9293, LostAckOfDataMakesTheSenderRetransmitTheData) {
  auto e = run([&](ExchangeOptions& o) { o.b_to_a = {first(kAck, kSyn | kFin, kNoData)}; });
  EXPECT_EQ(e->sent(true, kAck, 0, true), (std::vector<Time>{20 * ms, 1 * s + 20 * ms})) << e->trace_text();
  EXPECT_EQ(e->received.size(), 100u);  // the duplicate is not delivered twice
}

TEST(LossRfc9293, LostFinIsRetransmittedAtTheRto) {
  // A's FIN at 1.020 is lost; RTO still 1 s (SRTT 20 ms): again at 2.020.
  auto e = run([&](ExchangeOptions& o) { o.a_to_b = {first(kFin)}; });
  EXPECT_EQ(e->sent(true, kFin), (std::vector<Time>{1 * s + 20 * ms, 2 * s + 20 * ms})) << e->trace_text();
  EXPECT_EQ(e->entered(false, State::CloseWait), 2 * s + 30 * ms);
  EXPECT_EQ(e->entered(true, State::TimeWait), 3 * s + 40 * ms);
}

TEST(LossRfc9293, Rfc9293_3_10_7_4_LostAckOfFinThenFinAckPassesFinWait2ToTimeWait) {
  // B's ACK of A's FIN (1.030) is lost. A resends its FIN at 2.020; at 2.030
  // B closes (1 s after end of stream) and its FIN,ACK acknowledges A's FIN,
  // so A goes FIN-WAIT-1 -> FIN-WAIT-2 (fifth step) -> TIME-WAIT (eighth
  // step) on that one segment, at the same instant (RFC 9293 §3.10.7.4).
  DropRule ack_of_fin = first(kAck, kSyn | kFin, kNoData);
  ack_of_fin.nth = 2;  // B's 1st pure ACK acknowledges the data, the 2nd the FIN
  auto f = run([&](ExchangeOptions& o) { o.b_to_a = {ack_of_fin}; });
  EXPECT_EQ(f->sent(true, kFin), (std::vector<Time>{1 * s + 20 * ms, 2 * s + 20 * ms})) << f->trace_text();
  EXPECT_EQ(f->entered(true, State::FinWait2), 2 * s + 40 * ms);
  EXPECT_EQ(f->entered(true, State::TimeWait), 2 * s + 40 * ms);
}

TEST(LossRfc9293, LostServerFinIsRetransmittedFromLastAck) {
  auto e = run([&](ExchangeOptions& o) { o.b_to_a = {first(kFin)}; });
  EXPECT_EQ(e->sent(false, kFin), (std::vector<Time>{2 * s + 30 * ms, 3 * s + 30 * ms})) << e->trace_text();
  EXPECT_EQ(e->entered(true, State::TimeWait), 3 * s + 40 * ms);
  EXPECT_EQ(e->entered(false, State::Closed), 3 * s + 50 * ms);
}

TEST(LossRfc9293, Rfc9293_3_10_7_4_LostLastAckIsRepeatedFromTimeWaitWhichRestarts2Msl) {
  // A's last ACK (2.040) is lost; B in LAST-ACK resends its FIN at 3.030; A
  // in TIME-WAIT acknowledges it at 3.040 and restarts 2 MSL from there.
  DropRule last_ack = first(kAck, kSyn | kFin, kNoData);
  last_ack.nth = 2;  // A's pure ACKs: the handshake's, then the last one
  auto e = run([&](ExchangeOptions& o) { o.a_to_b = {last_ack}; });
  EXPECT_EQ(e->sent(false, kFin), (std::vector<Time>{2 * s + 30 * ms, 3 * s + 30 * ms})) << e->trace_text();
  EXPECT_EQ(e->entered(false, State::Closed), 3 * s + 50 * ms);
  EXPECT_EQ(e->entered(true, State::TimeWait), 2 * s + 40 * ms);
  EXPECT_EQ(e->entered(true, State::Closed), 3 * s + 40 * ms + 240 * s);
}

TEST(LossRfc9293, Rfc6298_5_5_SynBackoffUntilGivenUp) {
  // Every SYN lost. RTO 1, 2, 4, ..., 64 s, then 128 s capped at rto_max 120 s.
  // 7 retransmissions (syn_retries): SYNs at 0,1,3,7,15,31,63,127 s; the 8th
  // timeout at 247 s gives up and tells the application.
  DropRule all_syn = first(kSyn);
  all_syn.count = DropRule::kAll;
  auto e = run([&](ExchangeOptions& o) {
    o.a_to_b = {all_syn};
    o.run_for = 400 * s;
  });
  EXPECT_EQ(e->sent(true, kSyn), (std::vector<Time>{0, 1 * s, 3 * s, 7 * s, 15 * s, 31 * s, 63 * s, 127 * s}))
      << e->trace_text();
  EXPECT_EQ(e->entered(true, State::Closed), 247 * s);
  EXPECT_TRUE(e->told(true, AppEvent::TimedOut));
}

TEST(LossRfc9293, Rfc6298_5_5_DataBackoffUntilGivenUp) {
  // Every data segment lost, A never closes. RTO 1 s doubling to the 120 s
  // cap: 15 retransmissions at 20 ms + 1, 3, 7, 15, 31, 63, 127, 247, 367, ...,
  // 967 s; the 16th timeout, 120 s later, gives up: 1087.020 s + 120 s.
  DropRule all_data = first(kAck, 0, kData);
  all_data.count = DropRule::kAll;
  auto e = run([&](ExchangeOptions& o) {
    o.a_to_b = {all_data};
    o.client_close_after = 100000 * s;
    o.run_for = 2000 * s;
  });
  std::vector<Time> expect{20 * ms};
  Duration rto = 1 * s;
  Time t = 20 * ms;
  for (int i = 0; i < 15; ++i) {
    t += rto;
    expect.push_back(t);
    rto = std::min(rto * 2, 120 * s);
  }
  EXPECT_EQ(e->sent(true, kAck, 0, true), expect) << e->trace_text();
  EXPECT_EQ(e->entered(true, State::Closed), t + rto);
  EXPECT_EQ(t + rto, 1207 * s + 20 * ms);
  EXPECT_TRUE(e->told(true, AppEvent::TimedOut));
  EXPECT_EQ(e->entered(false, State::Closed), -1);  // B never hears of it: half-open
}

TEST(LossRfc9293, OrphanedFinWait2WaitsForever) {
  // RFC 9293 has no FIN-WAIT-2 timer: B never closes, A stays in FIN-WAIT-2.
  auto e = run([&](ExchangeOptions& o) {
    o.server_close_after = 100000 * s;
    o.run_for = 3600 * s;
  });
  EXPECT_EQ(e->entered(true, State::FinWait2), 1 * s + 40 * ms);
  EXPECT_EQ(e->entered(true, State::Closed), -1);
  EXPECT_EQ(e->a->conn(e->client)->state(), State::FinWait2);
}

}  // namespace
}  // namespace tcpsim::test
