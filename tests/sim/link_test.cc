#include "sim/link.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/packet.h"

namespace tcpsim::sim {
namespace {

using model::kAck;
using model::kFin;
using model::kRst;
using model::kSyn;

Packet make(std::uint8_t flags, std::size_t payload = 0, bool retransmission = false) {
  Packet p;
  p.seg.flags = flags;
  p.seg.payload.assign(payload, 'x');
  p.retransmission = retransmission;
  return p;
}

Link link_with(LinkConfig cfg, std::uint64_t seed = 1) { return Link(std::move(cfg), Rng(seed)); }

TEST(Addr, FormatsAsDottedQuadAndPort) {
  const Addr a{ipv4(127, 0, 0, 1), 9090};
  EXPECT_EQ(to_string(a), "127.0.0.1:9090");
  EXPECT_EQ(fmt::format("{}", Addr{ipv4(10, 1, 255, 0), 80}), "10.1.255.0:80");
  EXPECT_EQ(a, (Addr{0x7f000001, 9090}));
  EXPECT_NE(a, (Addr{0x7f000001, 9091}));
}

TEST(Link, PropagationDelayOnly) {
  LinkConfig cfg;
  cfg.delay = 5 * kMillisecond;
  Link l = link_with(cfg);
  const LinkOutcome o = l.offer(make(kSyn), 1 * kMillisecond);
  ASSERT_FALSE(o.dropped());
  ASSERT_EQ(o.deliveries, 1);
  EXPECT_EQ(o.at[0], 6 * kMillisecond);
}

TEST(Link, BandwidthSerialisesAndQueuesPackets) {
  // 85 bytes of payload + 40 of headers = 125 bytes = 1000 bits: 1 ms at 1 Mbit/s.
  LinkConfig cfg;
  cfg.delay = 10 * kMillisecond;
  cfg.bandwidth_bps = 1000000;
  Link l = link_with(cfg);
  EXPECT_EQ(l.serialisation(125), kMillisecond);
  EXPECT_EQ(l.offer(make(kAck, 85), 0).at[0], 11 * kMillisecond);  // 0 + 1 + 10
  EXPECT_EQ(l.offer(make(kAck, 85), 0).at[0], 12 * kMillisecond);  // waits 1 ms behind the first
  EXPECT_EQ(l.offer(make(kAck, 85), 5 * kMillisecond).at[0], 16 * kMillisecond);  // idle again
  // A bare 40-byte segment: 320 bits, 320 us.
  EXPECT_EQ(l.offer(make(kAck), 20 * kMillisecond).at[0], 30320 * kMicrosecond);
}

TEST(Link, SerialisationRoundsUp) {
  LinkConfig cfg;
  cfg.bandwidth_bps = 3;
  // 320 bits / 3 bps = 106.666... s
  EXPECT_EQ(link_with(cfg).serialisation(40), 106666666667);
  cfg.bandwidth_bps = 1000000000;  // 1 bit per ns
  EXPECT_EQ(link_with(cfg).serialisation(40), 320);
  cfg.bandwidth_bps = 100000000000;  // 100 Gbit/s: 320 bits = 3.2 ns -> 4
  EXPECT_EQ(link_with(cfg).serialisation(40), 4);
}

TEST(Link, JitterStaysInBoundsAndKeepsFifo) {
  LinkConfig cfg;
  cfg.delay = 10 * kMillisecond;
  cfg.jitter = 5 * kMillisecond;
  Link l = link_with(cfg, 77);
  Time prev = 0;
  int held_back = 0, late = 0;
  for (int i = 0; i < 10000; ++i) {
    const Time sent = i * kMicrosecond;  // far closer together than the jitter
    const LinkOutcome o = l.offer(make(kAck, 100), sent);
    ASSERT_EQ(o.deliveries, 1);
    // Raising an arrival to the previous one never exceeds sent + delay + jitter:
    // the previous one was sent earlier.
    ASSERT_GE(o.at[0], sent + cfg.delay);
    ASSERT_LE(o.at[0], sent + cfg.delay + cfg.jitter);
    ASSERT_GE(o.at[0], prev) << "packet " << i << " overtook its predecessor";
    held_back += o.at[0] == prev;
    late += o.at[0] > sent + cfg.delay + cfg.jitter / 2;
    prev = o.at[0];
  }
  // Both effects really happen: jitter spreads arrivals and FIFO holds some back.
  EXPECT_GT(late, 1000);
  EXPECT_GT(held_back, 1000);
}

TEST(Link, ReorderedPacketsAreOvertakenOthersStayInOrder) {
  LinkConfig cfg;
  cfg.delay = 1 * kMillisecond;
  cfg.reorder = Probability::ratio(1, 10);
  cfg.reorder_delay = 3 * kMillisecond;
  Link l = link_with(cfg, 5);
  Time prev_in_order = 0;
  int reordered = 0, overtaken = 0;
  std::vector<Time> reordered_at;
  for (int i = 0; i < 1000; ++i) {
    const Time sent = i * 100 * kMicrosecond;
    const LinkOutcome o = l.offer(make(kAck, 10), sent);
    if (o.reordered) {
      ++reordered;
      EXPECT_EQ(o.at[0], sent + cfg.delay + cfg.reorder_delay);
      reordered_at.push_back(o.at[0]);
    } else {
      EXPECT_EQ(o.at[0], sent + cfg.delay);
      ASSERT_GE(o.at[0], prev_in_order);
      prev_in_order = o.at[0];
      for (Time r : reordered_at) overtaken += o.at[0] < r;
    }
  }
  EXPECT_EQ(l.stats().reordered, static_cast<std::uint64_t>(reordered));
  EXPECT_NEAR(reordered, 100, 5 * 9.5);  // sigma = sqrt(1000 * 0.1 * 0.9)
  EXPECT_GT(overtaken, 0);
}

TEST(Link, DropsExactlyTheNthPacket) {
  LinkConfig cfg;
  cfg.rules.push_back(DropRule{{}, 3, 1, true});
  Link l = link_with(cfg);
  for (int n = 1; n <= 10; ++n) {
    const LinkOutcome o = l.offer(make(kAck, 10), n);
    EXPECT_EQ(o.dropped(), n == 3) << "packet " << n;
    if (n == 3) {
      EXPECT_EQ(o.drop, DropReason::kRule);
      EXPECT_EQ(o.index, 0u);
      EXPECT_EQ(o.deliveries, 0);
    }
  }
  EXPECT_EQ(l.stats().offered, 10u);
  EXPECT_EQ(l.stats().dropped, 1u);
  EXPECT_EQ(l.stats().rule_drops[0], 1u);
  EXPECT_EQ(l.stats().dropped_by[static_cast<std::size_t>(DropReason::kRule)], 1u);
  EXPECT_EQ(l.stats().delivered, 9u);
}

TEST(Link, DropsARangeOrEveryLaterMatch) {
  LinkConfig cfg;
  cfg.rules.push_back(DropRule{{}, 4, 2, true});               // 4th and 5th
  cfg.rules.push_back(DropRule{{}, 8, DropRule::kAll, true});  // 8th onwards
  Link l = link_with(cfg);
  std::string pattern;
  for (int n = 1; n <= 10; ++n) pattern += l.offer(make(kAck), 0).dropped() ? 'x' : '.';
  EXPECT_EQ(pattern, "...xx..xxx");
}

// What one side might send: its first FIN goes out twice (the second time as
// a retransmission), then a later, new FIN.
std::vector<Packet> fin_sequence() {
  return {
      make(kSyn),                  // 1
      make(kAck),                  // 2
      make(kAck, 100),             // 3 data
      make(kFin | kAck),           // 4 FIN #1
      make(kFin | kAck, 0, true),  // 5 FIN #1 again, a retransmission
      make(kFin | kAck),           // 6 a later FIN (new connection, say)
      make(kAck),                  // 7
  };
}

std::string drop_pattern(Link& l, const std::vector<Packet>& ps) {
  std::string s;
  for (const Packet& p : ps) s += l.offer(p, 0).dropped() ? 'x' : '.';
  return s;
}

TEST(Link, FlagRuleExcludingRetransmissionsSkipsThem) {
  LinkConfig cfg;
  DropRule second_fin;
  second_fin.match.required = kFin;
  second_fin.nth = 2;
  second_fin.include_retransmissions = false;
  cfg.rules.push_back(second_fin);
  Link l = link_with(cfg);
  EXPECT_EQ(drop_pattern(l, fin_sequence()), ".....x.");
}

TEST(Link, FlagRuleIncludingRetransmissionsCountsThem) {
  LinkConfig cfg;
  DropRule second_fin;
  second_fin.match.required = kFin;
  second_fin.nth = 2;
  second_fin.include_retransmissions = true;
  cfg.rules.push_back(second_fin);
  Link l = link_with(cfg);
  EXPECT_EQ(drop_pattern(l, fin_sequence()), "....x..");
}

// "drop A -> B first retransmission of 3rd data": the 3rd original data
// segment passes, and so does everything until a later segment carries its
// first octet again; that one is dropped, the next copy passes. A
// retransmission of another segment (the 2nd's) neither counts nor drops,
// nor does a later segment that starts past it.
Packet data_at(std::uint32_t seq, std::size_t len, bool retransmission) {
  Packet p = make(kAck, len, retransmission);
  p.seg.seq = seq;
  return p;
}

TEST(Link, RetransmissionOfTheNthDataSegmentIsTheOneDropped) {
  LinkConfig cfg;
  DropRule r;
  r.match.payload = PacketMatch::Payload::kWith;
  r.nth = 3;
  r.retransmission = 1;
  cfg.rules.push_back(r);
  Link l = link_with(cfg);
  const std::vector<Packet> ps = {
      data_at(1, 100, false),
      data_at(101, 100, false),
      data_at(201, 100, false),  // 3rd original: passes
      make(kAck),
      data_at(301, 100, false),
      data_at(101, 100, true),  // the 2nd's copy: passes
      data_at(151, 200, true),  // carries octet 201 again: the first retransmission of the 3rd, dropped
      data_at(201, 100, true),  // its second copy passes
  };
  EXPECT_EQ(drop_pattern(l, ps), "......x.");
  EXPECT_EQ(l.describe_rule(0), "rule #0: 1st retransmission of the 3rd packet (with payload)");
}

TEST(Link, SecondRetransmissionAcrossSequenceWrap) {
  // The watched octet just below 2^32; its copies straddle the wrap.
  LinkConfig cfg;
  DropRule r;
  r.match.payload = PacketMatch::Payload::kWith;
  r.nth = 1;
  r.retransmission = 2;
  cfg.rules.push_back(r);
  Link l = link_with(cfg);
  const std::vector<Packet> ps = {data_at(0xfffffff0u, 100, false), data_at(0xffffffe0u, 100, true),
                                  data_at(0xfffffff0u, 100, true), data_at(0xfffffff0u, 100, true)};
  EXPECT_EQ(drop_pattern(l, ps), "..x.");
}

TEST(Link, MatchUsesRequiredForbiddenAndPayload) {
  PacketMatch syn_ack{kSyn | kAck, 0, PacketMatch::Payload::kAny};
  EXPECT_TRUE(syn_ack.matches(make(kSyn | kAck).seg));
  EXPECT_FALSE(syn_ack.matches(make(kSyn).seg));
  EXPECT_FALSE(syn_ack.matches(make(kAck).seg));

  PacketMatch pure_ack{kAck, kSyn | kFin | kRst, PacketMatch::Payload::kWithout};
  EXPECT_TRUE(pure_ack.matches(make(kAck).seg));
  EXPECT_FALSE(pure_ack.matches(make(kAck, 1).seg));
  EXPECT_FALSE(pure_ack.matches(make(kFin | kAck).seg));
  EXPECT_FALSE(pure_ack.matches(make(kSyn | kAck).seg));

  PacketMatch data{0, 0, PacketMatch::Payload::kWith};
  EXPECT_TRUE(data.matches(make(kAck, 1).seg));
  EXPECT_FALSE(data.matches(make(kAck).seg));
}

TEST(Link, EveryRuleCountsPacketsAnotherRuleDropped) {
  // Rule 0 drops the 1st FIN; rule 1 still counts it, so its "2nd FIN" is the
  // next one.
  LinkConfig cfg;
  DropRule r0;
  r0.match.required = kFin;
  DropRule r1 = r0;
  r1.nth = 2;
  cfg.rules = {r0, r1};
  Link l = link_with(cfg);
  const LinkOutcome a = l.offer(make(kFin), 0);
  const LinkOutcome b = l.offer(make(kFin), 0);
  const LinkOutcome c = l.offer(make(kFin), 0);
  EXPECT_EQ(a.index, 0u);
  EXPECT_EQ(b.index, 1u);
  EXPECT_TRUE(a.dropped() && b.dropped());
  EXPECT_FALSE(c.dropped());
}

TEST(Link, WindowDropsFromStartInclusiveToEndExclusive) {
  LinkConfig cfg;
  cfg.windows.push_back(DropWindow{100, 200});
  Link l = link_with(cfg);
  EXPECT_FALSE(l.offer(make(kAck), 99).dropped());
  const LinkOutcome at_start = l.offer(make(kAck), 100);
  EXPECT_EQ(at_start.drop, DropReason::kWindow);
  EXPECT_EQ(at_start.index, 0u);
  EXPECT_TRUE(l.offer(make(kAck), 199).dropped());
  EXPECT_FALSE(l.offer(make(kAck), 200).dropped());
  EXPECT_EQ(l.stats().window_drops[0], 2u);
}

TEST(Link, MtuDropsOnlyPacketsLargerThanIt) {
  LinkConfig cfg;
  cfg.mtu = 1500;
  Link l = link_with(cfg);
  EXPECT_FALSE(l.offer(make(kAck, 1460), 0).dropped());  // 1500 bytes on the wire
  const LinkOutcome o = l.offer(make(kAck, 1461), 0);
  EXPECT_EQ(o.drop, DropReason::kMtu);
  EXPECT_EQ(std::string(to_string(o.drop)), "mtu");
  EXPECT_EQ(l.describe_drop(o), "mtu 1500 exceeded");
}

TEST(Link, LostPacketsOccupyTheTransmitterMtuDropsDoNot) {
  LinkConfig cfg;
  cfg.bandwidth_bps = 1000000;  // 125-byte packet: 1 ms
  cfg.mtu = 1500;
  cfg.rules.push_back(DropRule{});  // drops the 1st packet
  Link l = link_with(cfg);
  EXPECT_TRUE(l.offer(make(kAck, 85), 0).dropped());
  EXPECT_EQ(l.offer(make(kAck, 85), 0).at[0], 2 * kMillisecond);  // behind the lost one
  EXPECT_TRUE(l.offer(make(kAck, 5000), 10 * kMillisecond).dropped());
  EXPECT_EQ(l.offer(make(kAck, 85), 10 * kMillisecond).at[0], 11 * kMillisecond);
}

TEST(Link, DuplicationYieldsTwoDeliveries) {
  LinkConfig cfg;
  cfg.delay = 2 * kMillisecond;
  cfg.duplicate = Probability::one();
  cfg.duplicate_gap = 3 * kMicrosecond;
  Link l = link_with(cfg);
  const LinkOutcome o = l.offer(make(kAck), 0);
  ASSERT_EQ(o.deliveries, 2);
  EXPECT_EQ(o.at[0], 2 * kMillisecond);
  EXPECT_EQ(o.at[1], 2 * kMillisecond + 3 * kMicrosecond);
  EXPECT_EQ(l.stats().duplicated, 1u);
  EXPECT_EQ(l.stats().delivered, 1u);
}

TEST(Link, IndependentLossRateIsWithinFiveSigma) {
  // p = 0.1, N = 200000: sigma of the count = sqrt(N p (1-p)) = 134.2.
  LinkConfig cfg;
  cfg.loss = *Probability::parse("0.1");
  Link l = link_with(cfg, 123);
  for (int i = 0; i < 200000; ++i) l.offer(make(kAck), i);
  EXPECT_NEAR(static_cast<double>(l.stats().dropped_by[static_cast<int>(DropReason::kLoss)]), 20000,
              5 * 134.2);
}

TEST(Link, GilbertElliottMatchesTheStationaryLossRate) {
  // p = P(good->bad) = 0.01, r = P(bad->good) = 0.1, loss 0.001 in good, 0.5 in bad.
  // Stationary P(bad) = p / (p + r) = 1/11, so the loss rate is
  // (r * 0.001 + p * 0.5) / (p + r) = 0.0051 / 0.11 = 0.046364.
  // Losses are correlated, so the binomial sigma is too small. For a two-state
  // chain with lambda = 1 - p - r = 0.89, the variance of the mean of the state
  // indicator is pi_b pi_g (1 + lambda) / (1 - lambda) / N = 1.42 / N; the loss
  // mean adds 0.499^2 * 1.42 / N + E[l(1 - l)] / N = 0.377 / N. With N = 10^6,
  // sigma = 0.00061; the bound below is 5 sigma.
  LinkConfig cfg;
  cfg.burst.p_good_to_bad = Probability::ratio(1, 100);
  cfg.burst.p_bad_to_good = Probability::ratio(1, 10);
  cfg.burst.loss_good = Probability::ratio(1, 1000);
  cfg.burst.loss_bad = Probability::ratio(1, 2);
  Link l = link_with(cfg, 9);
  const int kN = 1000000;
  int losses = 0, loss_after_loss = 0;
  bool prev = false;
  for (int i = 0; i < kN; ++i) {
    const bool lost = l.offer(make(kAck), i).drop == DropReason::kBurstLoss;
    losses += lost;
    loss_after_loss += lost && prev;
    prev = lost;
  }
  EXPECT_NEAR(static_cast<double>(losses) / kN, 0.0051 / 0.11, 5 * 0.00061);
  // Burstiness: a loss means the bad state with P = (1/11 * 0.5) / 0.046364 = 0.980,
  // which stays bad with P = 0.9, so P(loss | previous loss) =
  // 0.980 * (0.9 * 0.5 + 0.1 * 0.001) + 0.020 * (0.01 * 0.5 + 0.99 * 0.001) = 0.441,
  // ten times the mean rate. Losses number ~46000: allow +-0.02 (about 8 sigma).
  EXPECT_NEAR(static_cast<double>(loss_after_loss) / losses, 0.441, 0.02);
}

TEST(Link, SameSeedSameOutcomesDifferentSeedDifferent) {
  LinkConfig cfg;
  cfg.delay = kMillisecond;
  cfg.jitter = kMillisecond;
  cfg.loss = Probability::ratio(1, 5);
  cfg.duplicate = Probability::ratio(1, 10);
  cfg.reorder = Probability::ratio(1, 10);
  Link a = link_with(cfg, 31), b = link_with(cfg, 31), c = link_with(cfg, 32);
  int differ = 0;
  for (int i = 0; i < 5000; ++i) {
    const LinkOutcome oa = a.offer(make(kAck, 10), i * 1000);
    const LinkOutcome ob = b.offer(make(kAck, 10), i * 1000);
    const LinkOutcome oc = c.offer(make(kAck, 10), i * 1000);
    ASSERT_EQ(oa.drop, ob.drop);
    ASSERT_EQ(oa.deliveries, ob.deliveries);
    ASSERT_EQ(oa.at, ob.at);
    differ += oa.drop != oc.drop || oa.at != oc.at;
  }
  EXPECT_GT(differ, 1000);
}

TEST(Link, ATargetedRuleChangesOnlyThePacketItTargets) {
  LinkConfig cfg;
  cfg.delay = kMillisecond;
  cfg.jitter = 100 * kMicrosecond;
  cfg.bandwidth_bps = 10000000;
  cfg.loss = Probability::ratio(1, 5);
  cfg.duplicate = Probability::ratio(1, 10);
  LinkConfig with_rule = cfg;
  with_rule.rules.push_back(DropRule{{}, 5, 1, true});
  Link plain = link_with(cfg, 4), ruled = link_with(with_rule, 4);
  for (int n = 1; n <= 2000; ++n) {
    const LinkOutcome a = plain.offer(make(kAck, 100), n * 50 * kMicrosecond);
    const LinkOutcome b = ruled.offer(make(kAck, 100), n * 50 * kMicrosecond);
    if (n == 5) {
      EXPECT_EQ(b.drop, DropReason::kRule);
      continue;
    }
    ASSERT_EQ(a.drop, b.drop) << "packet " << n;
    ASSERT_EQ(a.deliveries, b.deliveries) << "packet " << n;
    ASSERT_EQ(a.at, b.at) << "packet " << n;
  }
}

TEST(Link, DescribesRulesAndWindows) {
  LinkConfig cfg;
  DropRule fin;
  fin.match.required = kFin;
  fin.include_retransmissions = false;
  DropRule syn_ack;
  syn_ack.match.required = kSyn | kAck;
  syn_ack.nth = 2;
  DropRule pure_acks;
  pure_acks.match = {kAck, kSyn | kFin, PacketMatch::Payload::kWithout};
  pure_acks.nth = 3;
  pure_acks.count = DropRule::kAll;
  DropRule range;
  range.nth = 11;
  range.count = 3;
  cfg.rules = {fin, syn_ack, pure_acks, range};
  cfg.windows.push_back(DropWindow{100 * kMillisecond, 2 * kSecond});
  cfg.windows.push_back(DropWindow{1500 * kMicrosecond, 1500 * kMicrosecond + 7});
  Link l = link_with(cfg);
  EXPECT_EQ(l.describe_rule(0), "rule #0: 1st FIN (retransmissions excluded)");
  EXPECT_EQ(l.describe_rule(1), "rule #1: 2nd SYN,ACK (retransmissions included)");
  EXPECT_EQ(l.describe_rule(2),
            "rule #2: 3rd and every later ACK (no SYN/FIN, no payload, "
            "retransmissions included)");
  EXPECT_EQ(l.describe_rule(3), "rule #3: 11th to 13th packet (retransmissions included)");
  EXPECT_EQ(l.describe_window(0), "window #0: sent in [100ms, 2s)");
  EXPECT_EQ(l.describe_window(1), "window #1: sent in [1500us, 1500007ns)");
  const LinkOutcome o = l.offer(make(kFin | kAck), 0);
  EXPECT_EQ(l.describe_drop(o), "rule #0: 1st FIN (retransmissions excluded)");
}

}  // namespace
}  // namespace tcpsim::sim
