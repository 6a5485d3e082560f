// sim::LoadRun, the busy-server load: counts per state and failures
// derived by hand from the arrival spacing, the link delay and the
// profile's TIME-WAIT, plus the two facts that shape S4 at scale: the
// side that closes first holds TIME-WAIT, and Linux reopens a TIME-WAIT
// 4-tuple for a new SYN (RFC 9293 §3.6.1 MAY-2) while RFC 9293 alone does not.
#include "sim/load.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tcpsim::sim {
namespace {

struct World {
  Network net{1};
  Host* a;
  Host* b;
  explicit World(const char* profile = "linux", Duration delay = kMillisecond) {
    a = &net.add_host("A", ipv4(10, 1, 0, 1), *profile_named(profile));
    b = &net.add_host("B", ipv4(10, 0, 0, 2), *profile_named(profile));
    net.trace().set_enabled(false);
    LinkConfig lc;
    lc.delay = delay;
    net.default_link = lc;
  }
};

std::uint32_t at(const LoadSample& s, bool client, model::State st) {
  return (client ? s.client_states : s.server_states)[static_cast<int>(st)];
}

// Clients on A (host 0) opening `rate` connections a second to B (host 1)
// for `length`.
LoadSpec a_to_b(std::uint64_t rate, Duration length, bool server_closes = false) {
  LoadSpec l;
  l.client = 0;
  l.server = 1;
  l.rate = rate;
  l.length = length;
  l.server_closes = server_closes;
  return l;
}

// 1000/s for 1 s, 1 ms each way, client closes first. Connection k opens at
// k ms; the handshake takes 2 ms, request and response 2 more, the
// client's FIN reaches B at +5 ms and B's FIN reaches A at +6 ms: A is in
// TIME-WAIT from k + 6 ms for 60 s, B's side is gone at k + 7 ms.
TEST(Load, ClientClosesFirst_TimeWaitCountFollowsArrivals) {
  World w;
  LoadSpec l = a_to_b(1000, kSecond);
  LoadRun run(w.net, {l}, 500 * kMillisecond);
  run.start();
  w.net.run();
  const auto& v = run.samples(0);
  ASSERT_GE(v.size(), 4u);
  EXPECT_EQ(v[1].t, 500 * kMillisecond);
  // At 500 ms: k + 6 < 500 (the sample comes first at equal times): k <= 493.
  EXPECT_EQ(at(v[1], true, model::State::TimeWait), 494u);
  EXPECT_EQ(at(v[1], false, model::State::TimeWait), 0u);
  // At 2 s every connection is done: 1000 in TIME-WAIT on A, none on B.
  EXPECT_EQ(v[4].t, 2 * kSecond);
  EXPECT_EQ(at(v[4], true, model::State::TimeWait), 1000u);
  EXPECT_EQ(v[4].client_ports, 1000u);  // TIME-WAIT holds the port
  const LoadCounters& t = run.totals(0);
  EXPECT_EQ(t.attempted, 1000u);
  EXPECT_EQ(t.completed, 1000u);
  EXPECT_EQ(t.no_port, 0u);
  // TIME-WAIT k ends at k + 6 ms + 60 s: at 61 s, k = 995..999 remain (the
  // last ends at 61.005 s); the next sample, at 61.5 s, sees none, and
  // sampling stops as nothing else is left.
  ASSERT_EQ(v.size(), 124u);
  EXPECT_EQ(v[122].t, 61 * kSecond);
  EXPECT_EQ(at(v[122], true, model::State::TimeWait), 5u);
  EXPECT_EQ(v.back().t, 61500 * kMillisecond);
  EXPECT_EQ(at(v.back(), true, model::State::TimeWait), 0u);
}

// S4's port exhaustion: 28,232 ephemeral ports (32768-60999), each held
// 60 s in TIME-WAIT. At 10,000/s, connection 28,232 (at 2.8232 s) is the
// first with no port; afterwards every connect fails until the first
// TIME-WAIT ends at 60.006 s.
TEST(Load, ClientClosesFirst_RunsOutOfEphemeralPorts) {
  World w;
  LoadSpec l = a_to_b(10000, 5 * kSecond);
  LoadRun run(w.net, {l}, kSecond);
  run.start();
  w.net.run();
  EXPECT_EQ(run.first_no_port(0), 2'823'200 * kMicrosecond);
  const LoadCounters& t = run.totals(0);
  EXPECT_EQ(t.attempted, 50000u);
  EXPECT_EQ(t.completed, 28232u);
  EXPECT_EQ(t.no_port, 50000u - 28232u);
}

// Server closes first: B holds the TIME-WAIT. A's ports come back at
// once, so with one address A reuses a port 28,232 connections later
// (2.8 s at 10,000/s) while B still has that 4-tuple in TIME-WAIT. Linux
// takes the new SYN and reopens it: nothing fails and B never holds more
// than one TIME-WAIT per client port.
TEST(Load, Linux_ServerClosesFirst_NewSynReopensTimeWait) {
  World w;
  LoadSpec l = a_to_b(10000, 5 * kSecond, true);
  LoadRun run(w.net, {l}, kSecond);
  run.start();
  w.net.run();
  const LoadCounters& t = run.totals(0);
  EXPECT_EQ(t.completed, 50000u);
  EXPECT_EQ(t.no_port + t.reset + t.refused + t.timed_out, 0u);
  std::uint32_t most = 0;
  for (const auto& s : run.samples(0)) most = std::max(most, at(s, false, model::State::TimeWait));
  EXPECT_EQ(most, 28232u);
}

// The same clients reopen TIME-WAITs all the time: a record brought back is
// dead weight until its 2MSL would have ended, and without sweeping them out
// the server would hold all 200,000 connections of these 20 s instead of
// the 28,232 TIME-WAITs alive.
TEST(Load, Linux_ReopenedTimeWaits_MemoryFollowsTheTimeWaitsAlive) {
  World w;
  LoadSpec l = a_to_b(10000, 20 * kSecond, true);
  LoadRun run(w.net, {l}, 10 * kSecond);
  run.start();
  std::size_t most_records = 0, most_alive = 0;
  for (Time t = kSecond; t <= 21 * kSecond; t += kSecond) {
    w.net.run_until(t);
    most_records = std::max(most_records, w.b->time_wait_records());
    most_alive = std::max(most_alive, w.b->compact_time_waits());
  }
  w.net.run();
  EXPECT_EQ(run.totals(0).completed, 200000u);
  EXPECT_EQ(most_alive, 28232u);
  EXPECT_LE(most_records, 2 * most_alive + 1);
  EXPECT_EQ(w.b->time_wait_records(), 0u);
}

// The same under rfc9293 (no MAY-2): the SYN meets TIME-WAIT's challenge
// ACK, A answers it with a RST that ends TIME-WAIT (RFC 1337 off), and the
// SYN is sent again after the 1 s initial RTO: connections still complete,
// but those that met a TIME-WAIT complete 1 s late.
TEST(Load, Rfc9293_ServerClosesFirst_ReusedPortWaitsForSynRetransmission) {
  World w("rfc9293");
  LoadSpec l = a_to_b(10000, 5 * kSecond, true);
  LoadRun run(w.net, {l}, kSecond);
  run.start();
  w.net.run();
  EXPECT_EQ(run.totals(0).completed, 50000u);
  // At 4 s, reused ports (from 2.8232 s on) are waiting out their 1 s RTO:
  // about 10,000 connections in SYN-SENT at once.
  const auto& v = run.samples(0);
  ASSERT_GT(v.size(), 4u);
  EXPECT_GT(at(v[4], true, model::State::SynSent), 9000u);
}

// Spread over 4 source addresses, each address has its own 28,232 ports
// towards B: 4 x 28,232 connections before the first EADDRNOTAVAIL.
TEST(Load, ClientAddressesEachHaveTheirOwnPorts) {
  World w;
  w.a->set_addresses(4);
  LoadSpec l = a_to_b(40000, 4 * kSecond);
  l.client_addresses = 4;
  LoadRun run(w.net, {l}, kSecond);
  run.start();
  w.net.run();
  EXPECT_EQ(run.totals(0).completed, 4u * 28232u);
  EXPECT_EQ(run.first_no_port(0), static_cast<Time>(4u * 28232u) * 25 * kMicrosecond);
}

// A server accepting 100/s while 1,000/s arrive: the accept queue fills
// (backlog 10: Linux drops the SYN when more than backlog wait) and SYNs
// are dropped; clients retransmit them.
TEST(Load, SlowAccept_FullQueueDropsSyns) {
  World w;
  LoadSpec l = a_to_b(1000, kSecond);
  l.backlog = 10;
  l.accept_rate = 100;
  LoadRun run(w.net, {l}, kSecond);
  run.start();
  w.net.run();
  const LoadCounters& t = run.totals(0);
  EXPECT_GT(t.syn_drops, 0u);
  EXPECT_EQ(t.accepted, t.completed + t.timed_out + t.reset);
  EXPECT_EQ(t.attempted, 1000u);
}

// TIME-WAIT kept compactly (a TCB and its timer, as Linux's timewait sock)
// must not change anything a load shows: the same series, sample for
// sample, as whole connections. With 3% loss, retransmitted FINs and new
// SYNs reach TIME-WAITs and bring them back; both closers, one address
// (ports reused while the old 4-tuple is in TIME-WAIT).
std::vector<LoadSample> series(bool server_closes, bool compact) {
  World w;
  LinkConfig lc;
  lc.delay = kMillisecond;
  lc.loss = *Probability::parse("3%");
  w.net.set_link(*w.a, *w.b, lc);
  w.net.set_link(*w.b, *w.a, lc);
  LoadSpec l = a_to_b(20000, 2 * kSecond, server_closes);
  LoadRun run(w.net, {l}, 100 * kMillisecond);
  run.start();
  w.a->compact_time_wait(compact);
  w.b->compact_time_wait(compact);
  w.net.run();
  return run.samples(0);
}

void expect_same(const std::vector<LoadSample>& x, const std::vector<LoadSample>& y) {
  ASSERT_EQ(x.size(), y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(x[i].t, y[i].t);
    EXPECT_EQ(x[i].client_states, y[i].client_states);
    EXPECT_EQ(x[i].server_states, y[i].server_states);
    EXPECT_EQ(x[i].client_ports, y[i].client_ports);
    EXPECT_EQ(x[i].totals.completed, y[i].totals.completed);
    EXPECT_EQ(x[i].totals.no_port, y[i].totals.no_port);
    EXPECT_EQ(x[i].totals.reset, y[i].totals.reset);
    EXPECT_EQ(x[i].totals.timed_out, y[i].totals.timed_out);
  }
}

TEST(Load, CompactTimeWait_SameSeriesAsWholeConnections_ServerCloses) {
  const auto whole = series(true, false);
  const auto compact = series(true, true);
  expect_same(whole, compact);
  // The test means something only if TIME-WAIT was there and loss hit it.
  std::uint32_t most = 0;
  for (const auto& s : whole) most = std::max(most, at(s, false, model::State::TimeWait));
  EXPECT_GT(most, 20000u);
}

TEST(Load, CompactTimeWait_SameSeriesAsWholeConnections_ClientCloses) {
  expect_same(series(false, false), series(false, true));
}

}  // namespace
}  // namespace tcpsim::sim
