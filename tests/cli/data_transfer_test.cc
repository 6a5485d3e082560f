// The data path through two simulated hosts (issue 15): loss repaired by
// SACK/fast retransmit, a lossy bulk transfer completing, the receiver's SACK
// blocks, slow start from IW10, the RTO backoff undone by progress. Each
// scenario is written here, run by the real interpreter, and read back from
// the trace.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "model/time.h"
#include "scenario/interpreter.h"
#include "scenario/parser.h"
#include "sim/network.h"

namespace tcpsim::scenario {
namespace {

using model::Seq;
using sim::TraceKind;

RunResult run_text(const std::string& text, const std::string& name) {
  const std::string path = ::testing::TempDir() + name + ".tcpsim";
  std::ofstream(path) << text;
  auto parsed = parse_file(path);
  if (auto* e = std::get_if<ParseError>(&parsed)) throw std::runtime_error(e->message);
  auto sc = std::make_shared<const Scenario>(std::move(std::get<Scenario>(parsed)));
  auto ran = run(sc, RunOptions{});
  if (auto* e = std::get_if<ParseError>(&ran)) throw std::runtime_error(e->message);
  std::remove(path.c_str());
  return std::move(std::get<RunResult>(ran));
}

// A (host 0) writes `bytes` and closes; B (host 1) reads to the end.
std::string bulk(const std::string& profile, int seed, const std::string& link, std::size_t bytes,
                 const std::string& drops = "", const std::string& client_setup = "") {
  return "profile " + profile + "\nseed " + std::to_string(seed) + "\nhost A 10.0.0.1\nhost B 10.0.0.2\n" +
         link + "\n" + drops +
         "\nprogram server on B {\n  s = socket()\n  bind(s, 10.0.0.2:8080) = 0\n  listen(s, 5) = 0\n"
         "  c = accept(s)\n  repeat 4000 {\n    read(c, 65536)\n  }\n  close(c)\n}\n"
         "program client on A {\n  k = socket()\n" +
         client_setup + "  connect(k, 10.0.0.2:8080) = 0\n  write(k, " + std::to_string(bytes) +
         ")\n  close(k) = 0\n}\n";
}

struct Sent {
  Time t;
  const model::Segment* seg;
  bool retransmission;
};

// Segments a host sent, in order.
std::vector<Sent> sent_by(const RunResult& r, int host) {
  std::vector<Sent> out;
  const sim::Trace& tr = r.net->trace();
  for (const sim::TraceRecord& rec : tr.records()) {
    if (rec.kind != TraceKind::Sent || rec.host != host) continue;
    const sim::PacketRecord& p = tr.packet(rec.ref);
    out.push_back({rec.t, &p.packet.seg, p.packet.retransmission});
  }
  return out;
}

// When B's connection reached CLOSE-WAIT: every byte and the FIN were in.
Time completed_at(const RunResult& r) {
  for (const sim::TraceRecord& rec : r.net->trace().records()) {
    if (rec.kind == TraceKind::State && rec.host == 1 && rec.to == model::State::CloseWait) return rec.t;
  }
  return -1;
}

// (a) One data segment lost mid-window, 1 ms each way, no bandwidth limit:
// the segments after it arrive and are SACKed (RFC 2018), three SACKed
// segments above it make it lost (RFC 6675 §4 IsLost, RACK's reo_wnd is 0
// once DupThresh segments are SACKed: RFC 8985 §6.2 step 4), and it is sent
// again when those SACKs return: one round trip (2 ms) after the segments
// behind it left, at most two round trips after the lost one left when it
// ended its burst. An RTO would take at least rto_min, 200 ms.
TEST(DataTransfer, Rfc6675_5_OneLostSegmentRepairedByFastRetransmitNotRto) {
  for (const std::string profile : {"linux", "rfc9293", "bsd"}) {
    const RunResult r = run_text(bulk(profile, 1, "link A <-> B delay 1ms", 200000, "drop A -> B 20th data"),
                                 "one_loss_" + profile);
    ASSERT_GE(completed_at(r), 0) << profile << ": " << r.ending;
    const std::vector<Sent> a = sent_by(r, 0);
    std::vector<Sent> data, again;
    for (const Sent& s : a) {
      if (s.seg->payload.empty()) continue;
      (s.retransmission ? again : data).push_back(s);
    }
    ASSERT_GE(data.size(), 20u);
    ASSERT_EQ(again.size(), 1u) << profile << ": exactly the lost segment is sent again";
    EXPECT_EQ(again[0].seg->seq, data[19].seg->seq) << profile;
    EXPECT_LE(again[0].t - data[19].t, 4 * kMillisecond) << profile << ": within two round trips";
  }
}

// (b) 1 MB over 10 Mbit/s, 20 ms each way, 1 % random loss, 20 seeds: each
// completes. The Mathis et al. estimate MSS/RTT * sqrt(3/(2p)) = 1460 B /
// 40 ms * sqrt(150) = 3.58 Mbit/s puts 8 Mbit at 2.2 s (the link alone
// needs 0.8 s); 5 s leaves room for a timeout or two, and is far from the
// hour a stalled transfer took before.
TEST(DataTransfer, Rfc5681_Rfc6675_OneMegabyteAtOnePercentLossCompletesForTwentySeeds) {
  for (const std::string profile : {"linux", "rfc9293"}) {
    for (int seed = 1; seed <= 20; ++seed) {
      const RunResult r =
          run_text(bulk(profile, seed, "link A <-> B delay 20ms bandwidth 10Mbit loss 1%", 1000000), "mb1");
      const Time done = completed_at(r);
      ASSERT_GE(done, 0) << profile << " seed " << seed << ": " << r.ending;
      EXPECT_LT(done, 5 * kSecond) << profile << " seed " << seed;
    }
  }
}

// (c) RFC 2018 §4: the receiver ACKs an out-of-order segment at once; the
// first SACK block holds the segment that triggered the ACK, extended over
// the contiguous queued data; RCV.NXT (the ACK) stays at the hole.
TEST(DataTransfer, Rfc2018_4_OutOfOrderSegmentsAckedAtOnceWithTheLatestBlockFirst) {
  const RunResult r =
      run_text(bulk("linux", 1, "link A <-> B delay 1ms", 20000, "drop A -> B 2nd data"), "sack");
  ASSERT_GE(completed_at(r), 0) << r.ending;
  std::vector<Sent> data;
  for (const Sent& s : sent_by(r, 0)) {
    if (!s.seg->payload.empty() && !s.retransmission) data.push_back(s);
  }
  ASSERT_GE(data.size(), 5u);
  const Seq hole = data[1].seg->seq;
  std::vector<Sent> sacks;
  for (const Sent& s : sent_by(r, 1)) {
    if (!s.seg->sack.empty()) sacks.push_back(s);
  }
  ASSERT_GE(sacks.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const model::Segment& ack = *sacks[i].seg;
    const model::Segment& trigger = *data[2 + i].seg;
    EXPECT_EQ(ack.ack, hole) << "ACK " << i << " stays at the hole";
    EXPECT_EQ(sacks[i].t, data[2 + i].t + 1 * kMillisecond) << "ACK " << i << " at once, on arrival";
    ASSERT_EQ(ack.sack.size(), 1u);
    EXPECT_EQ(ack.sack[0].left, data[2].seg->seq) << "block " << i << " starts after the hole";
    EXPECT_EQ(ack.sack[0].right, trigger.seq + static_cast<Seq>(trigger.payload.size()))
        << "block " << i << " ends with the segment that triggered it";
  }
}

// (d) RFC 5681 §3.1 slow start from RFC 6928's IW10: each ACKed segment adds
// one to cwnd, so each round trip may send twice the last: 10, then 20. No
// bandwidth limit: a round's segments leave at one instant, one RTT (20 ms)
// after the last. The third round's 40 are not all there yet: when its ACKs
// arrive the 65535-byte send buffer holds 65535 - 20 * 1460 = 36335 unsent
// bytes, 25 segments (the last short); the program refills it after.
TEST(DataTransfer, Rfc5681_3_1_Rfc6928_SlowStartFromIw10DoublesEachRoundTrip) {
  const RunResult r = run_text(bulk("linux", 1, "link A <-> B delay 10ms", 300000), "ss");
  ASSERT_GE(completed_at(r), 0) << r.ending;
  std::vector<Time> times;
  for (const Sent& s : sent_by(r, 0)) {
    if (!s.seg->payload.empty()) times.push_back(s.t);
  }
  ASSERT_FALSE(times.empty());
  const Time t0 = times.front();
  auto in_round = [&](int k) {
    std::size_t n = 0;
    for (Time t : times) n += (t == t0 + k * 20 * kMillisecond) ? 1 : 0;
    return n;
  };
  EXPECT_EQ(in_round(0), 10u);
  EXPECT_EQ(in_round(1), 20u);
  EXPECT_EQ(in_round(2), 25u);
}

// (e) RFC 6298 §5.5 doubles the RTO at a timeout; with Linux's RTO rule the
// next forward ACK undoes it (its timestamps give that ACK an RTT sample and
// tcp_ack_update_rtt() clears icsk_backoff). rfc9293 profile (no loss probe)
// with Linux's rule set: RTO = SRTT + max(4 RTTVAR, rto_min) = 2 ms + 1 s
// after the 2 ms handshake sample. The first data segment is lost: an RTO,
// backed off to 2.004 s; its ACK is progress, so the second write, 3 s
// later, arms the timer at 1.002 s again (RFC 6298 alone would keep 2.004 s
// until a new sample: tests/model/rto_test.cc's Karn test).
TEST(DataTransfer, Rfc6298_5_5_LinuxBackoffUndoneByTheNextForwardAck) {
  const std::string text =
      "profile rfc9293\nset rto_min_on_variance true\nhost A 10.0.0.1\nhost B 10.0.0.2\ndrop A -> B first "
      "data\n"
      "program server on B {\n  s = socket()\n  bind(s, 10.0.0.2:8080) = 0\n  listen(s, 5) = 0\n"
      "  c = accept(s)\n  read(c, 2000)\n  read(c, 2000)\n  read(c, 2000)\n  close(c)\n}\n"
      "program client on A {\n  k = socket()\n  connect(k, 10.0.0.2:8080) = 0\n  write(k, 1000)\n"
      "  sleep(3)\n  write(k, 1000)\n  sleep(3)\n  close(k) = 0\n}\n";
  const RunResult r = run_text(text, "backoff");
  ASSERT_GE(completed_at(r), 0) << r.ending;
  std::vector<Duration> rto_arms;
  for (const sim::TraceRecord& rec : r.net->trace().records()) {
    if (rec.host == 0 && rec.kind == TraceKind::TimerArmed && rec.timer == model::TimerKind::Retransmission &&
        rec.t > 3 * kSecond && rec.t < 4 * kSecond) {
      rto_arms.push_back(rec.after);
    }
  }
  ASSERT_FALSE(rto_arms.empty());
  EXPECT_EQ(rto_arms.front(), 1 * kSecond + 2 * kMillisecond);
}

}  // namespace
// An ACK that only SACKs (no new cumulative ACK) does not grow cwnd, in slow
// start or not: Linux tcp_may_raise_cwnd() asks for FLAG_DATA_ACKED (RFC
// 5681 §3.1 grows cwnd on ACKs of new data; §3.2 and RFC 3042: duplicate
// ACKs only let a segment go for each one that left the network). The kernel
// recording of traces/data-lost-mid-window.tcpsim (`tcpsim kernel --diff`,
// CUBIC, 20 ms links): cwnd 14 after four cumulative ACKs, 14 in flight;
// between the first duplicate ACK and the fast retransmit on the third, one
// new segment was sent (at most one per duplicate ACK: 2); growing cwnd by
// the SACKed segment sent two per duplicate ACK, 26065-28960 and the FIN
// segment.
TEST(DataTransfer, Rfc5681_3_1_ASackOnlyAckDoesNotGrowCwndBeforeFastRetransmit) {
  const std::string text =
      "profile linux\nset mss 1448\nhost A 10.0.0.1\nhost B 10.0.0.2\n"
      "link A <-> B delay 20ms bandwidth 20Mbit\ndrop A -> B 5th data\n"
      "program server on B {\n  s = socket()\n  bind(s, 10.0.0.2:8080) = 0\n  listen(s, 5) = 0\n"
      "  c = accept(s)\n  read_to_end(c) = 30000\n  close(c) = 0\n}\n"
      "program client on A {\n  k = socket()\n  connect(k, 10.0.0.2:8080) = 0\n  write(k, 30000) = 30000\n"
      "  close(k) = 0\n  sleep(2)\n}\n";
  const RunResult r = run_text(text, "sack_only_ack");
  ASSERT_GE(completed_at(r), 0) << r.ending;
  // B's ACKs as they arrive at A: the duplicates (ack 5793) before the fast retransmit.
  const sim::Trace& tr = r.net->trace();
  Time first_dup = -1;
  int dups = 0;
  Time retransmitted = -1;
  for (const sim::TraceRecord& rec : tr.records()) {
    if (rec.kind != TraceKind::Sent && rec.kind != TraceKind::Delivered) continue;
    const sim::PacketRecord& p = tr.packet(rec.ref);
    if (rec.kind == TraceKind::Sent && p.from_host == 0 && p.packet.retransmission && retransmitted < 0)
      retransmitted = rec.t;
    // A duplicate ACK here carries SACK blocks: the hole below them is the lost segment.
    if (rec.kind != TraceKind::Delivered || p.from_host != 1 || retransmitted >= 0) continue;
    if (!p.packet.seg.sack.empty() && ++dups == 1) first_dup = rec.t;
  }
  ASSERT_GE(first_dup, 0);
  ASSERT_GT(retransmitted, first_dup);
  int fresh = 0;
  for (const Sent& s : sent_by(r, 0)) {
    if (!s.seg->payload.empty() && !s.retransmission && s.t >= first_dup && s.t < retransmitted) ++fresh;
  }
  EXPECT_GE(dups, 3);
  EXPECT_LE(fresh, 2) << "new segments sent on the two duplicate ACKs before the fast retransmit";
}

}  // namespace tcpsim::scenario
