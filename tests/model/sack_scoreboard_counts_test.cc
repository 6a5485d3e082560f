// model/sack_scoreboard: the counts the scoreboard keeps as its segments
// change (pipe in octets and segments, SACKed, lost, retransmissions out)
// must equal a recount of its segments by RFC 6675's definitions after any
// sequence of operations. The recount here is written from RFC 6675 §3-4,
// not from the scoreboard:
//   SACKed      a segment a SACK block covers (§3: "the SACKed octets")
//   lost        IsLost() or RACK/RTO said so, and not SACKed since
//   SetPipe()   for each octet from HighACK to HighData not SACKed:
//               (a) one if it is not lost, (b) one if it was retransmitted
//               (that retransmission still out: Linux retrans_out)
//   IsLost(S)   DupThresh SACKed segments above S, or more than
//               (DupThresh - 1) * SMSS SACKed octets above it
//   NextSeg (1) the lowest unSACKed lost segment not yet resent
// The operations are drawn at random (fixed seeds) from everything a sender
// does: new segments of any length, retransmissions at any octet (which
// split segments), cumulative ACKs inside segments, SACK and D-SACK blocks,
// RACK's marks, timeouts, recovery episodes; the sequence space starts just
// below 2^32 so that it wraps.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "model/sack_scoreboard.h"

namespace tcpsim::model {
namespace {

struct Recount {
  std::uint64_t pipe_bytes = 0;
  std::uint32_t pipe_segments = 0;
  std::uint32_t sacked = 0;
  std::uint64_t sacked_octets = 0;
  std::uint32_t lost = 0;
  std::uint32_t lost_unretransmitted = 0;
  std::uint32_t retransmitted_out = 0;
  const SentSegment* first_hole = nullptr;
};

Recount recount(const SackScoreboard& sb) {
  Recount r;
  for (const SentSegment& s : sb.segments()) {
    if (s.sacked) {
      ++r.sacked;
      r.sacked_octets += s.len;
      continue;
    }
    const std::uint32_t copies = (s.lost ? 0 : 1) + (s.rexmit_out ? 1 : 0);
    r.pipe_bytes += std::uint64_t{s.len} * copies;
    r.pipe_segments += copies;
    if (s.lost) ++r.lost;
    if (s.rexmit_out) ++r.retransmitted_out;
    if (s.lost && !s.rexmit_out) {
      ++r.lost_unretransmitted;
      if (!r.first_hole) r.first_hole = &s;
    }
  }
  return r;
}

bool is_lost_recounted(const SackScoreboard& sb, Seq seq, const ScoreboardConfig& cfg) {
  int segs = 0;
  std::uint64_t octets = 0;
  for (const SentSegment& s : sb.segments()) {
    if (!s.sacked || !seq_gt(s.seq, seq)) continue;
    ++segs;
    octets += s.len;
  }
  return segs >= cfg.dup_thresh ||
         octets > std::uint64_t{cfg.smss} * static_cast<std::uint64_t>(cfg.dup_thresh - 1);
}

void expect_counts_match(const SackScoreboard& sb, const ScoreboardConfig& cfg, int step) {
  const Recount r = recount(sb);
  ASSERT_EQ(sb.pipe_bytes(), r.pipe_bytes) << "step " << step;
  ASSERT_EQ(sb.pipe(), static_cast<std::uint32_t>(r.pipe_bytes)) << "step " << step;
  ASSERT_EQ(sb.pipe_segments(), r.pipe_segments) << "step " << step;
  ASSERT_EQ(sb.sacked_segments(), r.sacked) << "step " << step;
  ASSERT_EQ(sb.sacked_octets(), r.sacked_octets) << "step " << step;
  ASSERT_EQ(sb.lost_segments(), r.lost) << "step " << step;
  ASSERT_EQ(sb.lost_unretransmitted(), r.lost_unretransmitted) << "step " << step;
  ASSERT_EQ(sb.retransmitted_out(), r.retransmitted_out) << "step " << step;
  ASSERT_EQ(sb.is_lost(sb.high_ack()), is_lost_recounted(sb, sb.high_ack(), cfg)) << "step " << step;
  const NextSegment n = sb.next_seg(false);
  if (r.first_hole) {
    ASSERT_EQ(n.rule, NextSegment::Rule::LostHole) << "step " << step;
    ASSERT_EQ(n.seq, r.first_hole->seq) << "step " << step;
  } else {
    ASSERT_NE(n.rule, NextSegment::Rule::LostHole) << "step " << step;
  }
}

// A random octet in [from, to) (to - from > 0), as an offset walk so that
// it holds across 2^32.
Seq octet_in(std::mt19937_64& rng, Seq from, Seq to) {
  return from + static_cast<std::uint32_t>(rng() % (to - from));
}

void random_walk(std::uint64_t seed, bool rack_marks) {
  std::mt19937_64 rng(seed);
  ScoreboardConfig cfg;
  cfg.smss = 1000;
  cfg.mark_lost_by_dupthresh = !rack_marks;
  SackScoreboard sb(0xFFFF0000u, cfg);
  Time now = 0;
  for (int step = 0; step < 20000; ++step) {
    now += 1000;
    const Seq una = sb.high_ack(), nxt = sb.high_data();
    const bool has_flight = nxt != una;
    switch (rng() % 10) {
      case 0:
      case 1:
      case 2:  // new data, a full or a short segment
        if (nxt - una < 200'000) sb.on_send(nxt, rng() % 4 == 0 ? 1 + rng() % cfg.smss : cfg.smss, now);
        break;
      case 3:  // a retransmission from any octet: the segment splits there
        if (has_flight) sb.on_retransmit(octet_in(rng, una, nxt), now, rng() % 8 == 0);
        break;
      case 4:  // RACK or a probe marks a segment lost
        if (has_flight) sb.mark_lost(octet_in(rng, una, nxt));
        break;
      case 5:
      case 6:
      case 7: {  // an ACK: cumulative point anywhere, up to three SACK blocks
        const Seq ack = has_flight && rng() % 3 == 0 ? octet_in(rng, una, nxt + 1) : una;
        std::vector<SackBlock> blocks;
        if (rng() % 5 == 0 && seq_gt(ack, una)) blocks.push_back({una, ack});  // D-SACK below the ACK
        const int n = static_cast<int>(rng() % 4);
        for (int i = 0; i < n && seq_lt(ack, nxt); ++i) {
          const Seq l = octet_in(rng, ack, nxt);
          blocks.push_back({l, octet_in(rng, l, nxt) + 1});
        }
        sb.on_ack(ack, blocks);
        break;
      }
      case 8:
        if (sb.should_enter_recovery()) sb.enter_recovery();
        break;
      default:
        if (rng() % 20 == 0) sb.on_rto();
        break;
    }
    expect_counts_match(sb, cfg, step);
    if (testing::Test::HasFatalFailure()) return;
  }
}

TEST(SackScoreboardCounts, Rfc6675_3_4_CountsEqualARecountAfterRandomOperations) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    SCOPED_TRACE(seed);
    random_walk(seed, false);
    if (HasFatalFailure()) return;
  }
}

// With RACK marking losses (Linux tcp_recovery = 1) instead of IsLost().
TEST(SackScoreboardCounts, Rfc6675_3_4_CountsEqualARecountWithRackMarkingLosses) {
  for (std::uint64_t seed = 11; seed <= 15; ++seed) {
    SCOPED_TRACE(seed);
    random_walk(seed, true);
    if (HasFatalFailure()) return;
  }
}

// NextSeg() rule 1 remembers where the lowest lost segment was; after more
// than 2^32 octets of progress with no loss, a new loss must still be found
// (a remembered sequence number compared across a wrap would hide it).
TEST(SackScoreboardCounts, Rfc6675_4_NextSegFindsALossAfterTheSequenceSpaceWrapped) {
  ScoreboardConfig cfg;
  cfg.smss = 60000;
  SackScoreboard sb(1000, cfg);
  sb.on_send(1000, 60000, 0);
  sb.on_send(61000, 60000, 0);
  sb.mark_lost(1000);
  ASSERT_EQ(sb.next_seg(false).seq, 1000u);
  sb.on_retransmit(1000, 1);
  std::uint64_t progress = 0;
  Seq s = sb.high_data();
  while (progress < (std::uint64_t{1} << 32) + 1'000'000) {
    sb.on_send(s, 60000, 2);
    s += 60000;
    sb.on_ack(sb.high_ack() + 60000, {});
    progress += 60000;
  }
  const Seq una = sb.high_ack();
  ASSERT_TRUE(sb.mark_lost(una));
  const NextSegment n = sb.next_seg(false);
  EXPECT_EQ(n.rule, NextSegment::Rule::LostHole);
  EXPECT_EQ(n.seq, una);
}

}  // namespace
}  // namespace tcpsim::model
