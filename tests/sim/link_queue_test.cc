// The drop-tail queue in front of a link's transmitter (sim/link.h). The
// convention is Linux's: the limit counts what waits in the qdisc, not the
// packet being serialised (that one is in the driver), so with a limit of N
// packets a burst puts 1 on the wire, N in the queue and drops the rest.
// pfifo_enqueue admits while qlen < limit; bfifo_enqueue while
// backlog + len <= limit (net/sched/sch_fifo.c). Default: txqueuelen, 1000.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/link.h"
#include "sim/network.h"
#include "sim/profile.h"
#include "sim/trace_text.h"

namespace tcpsim::sim {
namespace {

using model::kAck;

// A packet of `wire` bytes on the wire (40 bytes of headers + payload).
Packet sized(std::uint32_t wire) {
  Packet p;
  p.seg.flags = kAck;
  p.seg.payload.assign(wire - kHeaderBytes, 'x');
  return p;
}

Link link_with(LinkConfig cfg, std::uint64_t seed = 1) { return Link(std::move(cfg), Rng(seed)); }

// 1 Mbit/s: a 1000-byte packet is 8000 bits, 8 ms on the wire.
LinkConfig one_megabit(QueueLimit q) {
  LinkConfig cfg;
  cfg.delay = 10 * kMillisecond;
  cfg.bandwidth_bps = 1000000;
  cfg.queue = q;
  return cfg;
}

TEST(LinkQueue, BurstOfTenIntoFivePacketQueueSendsOneQueuesFiveDropsFour) {
  // Ten back-to-back 1000-byte packets at t = 0, queue limit 5 packets:
  //   #1 finds the transmitter idle: on the wire 0..8 ms, arrives 18 ms.
  //   #2..#6 wait (queue 1..5): on the wire from 8, 16, 24, 32, 40 ms,
  //          arriving 26, 34, 42, 50, 58 ms.
  //   #7..#10 find 5 waiting: dropped, and occupy nothing.
  Link l = link_with(one_megabit(QueueLimit::packets(5)));
  for (int i = 1; i <= 10; ++i) {
    const LinkOutcome o = l.offer(sized(1000), 0);
    if (i <= 6) {
      ASSERT_FALSE(o.dropped()) << "packet " << i;
      EXPECT_EQ(o.at[0], (8 * i + 10) * kMillisecond) << "packet " << i;
    } else {
      EXPECT_EQ(o.drop, DropReason::kQueue) << "packet " << i;
      EXPECT_EQ(o.deliveries, 0) << "packet " << i;
    }
  }
  EXPECT_EQ(l.stats().dropped, 4u);
  EXPECT_EQ(l.stats().dropped_by[static_cast<std::size_t>(DropReason::kQueue)], 4u);
  EXPECT_EQ(l.stats().delivered, 6u);
  // At 8 ms #2 leaves the queue for the wire: 4 wait, so one more fits. The
  // dropped four took no transmitter time: it starts after #6, at 48 ms.
  const LinkOutcome late = l.offer(sized(1000), 8 * kMillisecond);
  ASSERT_FALSE(late.dropped());
  EXPECT_EQ(late.at[0], (48 + 8 + 10) * kMillisecond);
  EXPECT_EQ(l.offer(sized(1000), 8 * kMillisecond).drop, DropReason::kQueue);  // 5 wait again
  // Just before 16 ms #3 still waits; at 16 ms it is on the wire and one fits.
  EXPECT_EQ(l.offer(sized(1000), 16 * kMillisecond - 1).drop, DropReason::kQueue);
  EXPECT_FALSE(l.offer(sized(1000), 16 * kMillisecond).dropped());
}

TEST(LinkQueue, ByteLimitCountsWaitingWireBytesAndAdmitsUpToTheLimitExactly) {
  // Limit 3500 bytes. #1 (1000) goes to the wire; 1000 + 1000 + 1000 wait
  // (3000); another 1000 would make 4000 > 3500: dropped; 500 makes exactly
  // 3500 <= 3500: waits; a bare 40-byte ACK would make 3540: dropped.
  Link l = link_with(one_megabit(QueueLimit::bytes(3500)));
  for (int i = 0; i < 4; ++i) ASSERT_FALSE(l.offer(sized(1000), 0).dropped()) << "packet " << i + 1;
  EXPECT_EQ(l.offer(sized(1000), 0).drop, DropReason::kQueue);
  const LinkOutcome half = l.offer(sized(500), 0);
  ASSERT_FALSE(half.dropped());
  // Behind four 8 ms packets; 500 bytes take 4 ms; then 10 ms of delay.
  EXPECT_EQ(half.at[0], (32 + 4 + 10) * kMillisecond);
  EXPECT_EQ(l.offer(sized(40), 0).drop, DropReason::kQueue);
  // At 8 ms #2 is on the wire: 2500 bytes wait, a 1000-byte packet fits.
  EXPECT_FALSE(l.offer(sized(1000), 8 * kMillisecond).dropped());
  EXPECT_EQ(l.describe_drop(LinkOutcome{DropReason::kQueue}), "queue full (limit 3500 bytes)");
}

TEST(LinkQueue, DefaultIsLinuxTxQueueLenOfThousandPackets) {
  // A link configured with only a bandwidth: 1 on the wire + 1000 waiting,
  // the 1002nd packet of a burst is the first dropped.
  LinkConfig cfg;
  cfg.bandwidth_bps = 1000000;
  Link l = link_with(cfg);
  for (int i = 1; i <= 1001; ++i) ASSERT_FALSE(l.offer(sized(40), 0).dropped()) << "packet " << i;
  const LinkOutcome o = l.offer(sized(40), 0);
  EXPECT_EQ(o.drop, DropReason::kQueue);
  EXPECT_EQ(l.describe_drop(o), "queue full (limit 1000 packets)");
  EXPECT_EQ(to_string(LinkConfig{}.queue), "1000 packets");
}

TEST(LinkQueue, WithoutBandwidthNothingWaitsSoNothingIsDroppedEvenWithAZeroLimit) {
  LinkConfig cfg;
  cfg.delay = kMillisecond;
  Link by_default = link_with(cfg);
  cfg.queue = QueueLimit::packets(0);
  Link zero = link_with(cfg);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_FALSE(by_default.offer(sized(1500), 0).dropped()) << "packet " << i;
    ASSERT_FALSE(zero.offer(sized(1500), 0).dropped()) << "packet " << i;
  }
}

TEST(LinkQueue, AnIdleTransmitterTakesAPacketWhateverTheLimit) {
  // Limit 0 packets: no waiting room, but a packet that finds the transmitter
  // idle goes straight onto the wire (Linux's qdisc bypass).
  Link none = link_with(one_megabit(QueueLimit::packets(0)));
  EXPECT_FALSE(none.offer(sized(1000), 0).dropped());
  EXPECT_EQ(none.offer(sized(1000), 7 * kMillisecond).drop, DropReason::kQueue);  // busy until 8 ms
  EXPECT_FALSE(none.offer(sized(1000), 8 * kMillisecond).dropped());              // idle again
  // A byte limit smaller than the packet: the same.
  Link tiny = link_with(one_megabit(QueueLimit::bytes(100)));
  EXPECT_FALSE(tiny.offer(sized(1000), 0).dropped());
  EXPECT_EQ(tiny.offer(sized(1000), 0).drop, DropReason::kQueue);
}

TEST(LinkQueue, PacketsLostInFlightHaveOccupiedTheQueueAndAFullQueueComesFirst) {
  // Every packet is lost in flight (loss 100 %), queue 2: #1 on the wire, #2
  // and #3 wait, all three lost in flight; #4 never gets in: the queue's drop.
  LinkConfig cfg = one_megabit(QueueLimit::packets(2));
  cfg.loss = Probability::one();
  Link l = link_with(cfg);
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(l.offer(sized(1000), 0).drop, DropReason::kLoss) << "packet " << i;
  EXPECT_EQ(l.offer(sized(1000), 0).drop, DropReason::kQueue);
}

TEST(LinkQueue, TargetedRuleKeepsItsReasonAndCountWhenTheQueueIsFull) {
  // Rule: drop the 3rd packet. Queue 1: #1 on the wire, #2 waits, #3 finds
  // the queue full; it is reported as the rule's drop (the rule is what the
  // scenario asked for) and, never queued, occupies nothing. #4 is also
  // queue-dropped; the rule's count went on, so "3rd" meant the 3rd offered.
  LinkConfig cfg = one_megabit(QueueLimit::packets(1));
  cfg.rules.push_back(DropRule{{}, 3, 1, true});
  Link l = link_with(cfg);
  EXPECT_FALSE(l.offer(sized(1000), 0).dropped());
  EXPECT_FALSE(l.offer(sized(1000), 0).dropped());
  EXPECT_EQ(l.offer(sized(1000), 0).drop, DropReason::kRule);
  EXPECT_EQ(l.offer(sized(1000), 0).drop, DropReason::kQueue);
  EXPECT_EQ(l.stats().rule_drops[0], 1u);
  // At 8 ms #2 goes to the wire, the queue has room: #5 waits behind #2.
  EXPECT_EQ(l.offer(sized(1000), 8 * kMillisecond).at[0], (16 + 8 + 10) * kMillisecond);
}

TEST(LinkQueue, QueueDropsLeaveEveryOtherPacketsRandomFateAsBefore) {
  // Each packet draws from its own stream, in a fixed order, whether or not
  // the queue drops it, and the burst channel moves once per offered packet.
  // So a queue changes when packets arrive but not which of the others are
  // randomly lost, burst-lost or duplicated: the seeds of existing scenarios
  // keep their meaning. Offered at 2x the link's rate, the queue of 20 fills.
  LinkConfig cfg = one_megabit(QueueLimit::unlimited());
  cfg.loss = Probability::ratio(1, 10);
  cfg.burst = GilbertElliott{Probability::ratio(1, 20), Probability::ratio(1, 3), Probability::zero(),
                             Probability::ratio(1, 2)};
  cfg.duplicate = Probability::ratio(1, 10);
  cfg.jitter = kMillisecond;
  LinkConfig queued = cfg;
  queued.queue = QueueLimit::packets(20);
  Link open = link_with(cfg, 9), bounded = link_with(queued, 9);
  int queue_drops = 0;
  for (int n = 0; n < 4000; ++n) {
    const Time now = n * 4 * kMillisecond;  // 1000-byte packets take 8 ms
    const LinkOutcome a = open.offer(sized(1000), now);
    const LinkOutcome b = bounded.offer(sized(1000), now);
    ASSERT_NE(a.drop, DropReason::kQueue);
    if (b.drop == DropReason::kQueue) {
      ++queue_drops;
      continue;
    }
    ASSERT_EQ(a.drop, b.drop) << "packet " << n;
    ASSERT_EQ(a.deliveries, b.deliveries) << "packet " << n;
  }
  // About half the packets cannot be carried; random losses before the queue
  // fills and in flight lighten it a little.
  EXPECT_GT(queue_drops, 1000);
}

TEST(LinkQueue, QueueDropIsTracedLikeAnyLossWithItsOwnReason) {
  Network net(1);
  const Profile p = *profile_named("linux");
  Host& a = net.add_host("A", ipv4(10, 0, 0, 1), p);
  Host& b = net.add_host("B", ipv4(10, 0, 0, 2), p);
  net.set_link(a, b, one_megabit(QueueLimit::packets(1)));
  for (int i = 0; i < 3; ++i) {
    Packet pkt = sized(1000);
    pkt.src = Addr{a.ip(), 40000};
    pkt.dst = Addr{b.ip(), 9};
    pkt.seg.seq = static_cast<model::Seq>(1000 * i);
    net.transmit(a, kNoConn, pkt);
  }
  std::vector<const TraceRecord*> dropped;
  for (const TraceRecord& r : net.trace().records()) {
    if (r.kind == TraceKind::Dropped) dropped.push_back(&r);
  }
  ASSERT_EQ(dropped.size(), 1u) << format_trace(net);
  EXPECT_EQ(dropped[0]->ref, 2u);  // the third packet sent
  EXPECT_EQ(static_cast<DropReason>(dropped[0]->drop), DropReason::kQueue);
  const std::string line = format_record(net, *dropped[0]);
  EXPECT_NE(line.find("LOST"), std::string::npos) << line;
  EXPECT_NE(line.find("(queue-full)"), std::string::npos) << line;
}

}  // namespace
}  // namespace tcpsim::sim
