// Proportional Rate Reduction, RFC 6937 §3 and Linux's tcp_cwnd_reduction.
//
// The scenario is RFC 6937's own example: cwnd = FlightSize = pipe = 20
// segments, standard AIMD so ssthresh = 10, one segment lost; counted in
// segments (mss = 1). Each ACK below delivers one segment; `pipe` is the
// test's own RFC 6675 bookkeeping: it falls by what the ACK delivered and
// rises by what PRR let us send. Every expected sndcnt is worked out by hand
// from §3's pseudocode in the comments.
#include "model/prr.h"

#include <gtest/gtest.h>

#include <vector>

#include "model/congestion_control.h"
#include "model/cubic.h"

namespace tcpsim::model {
namespace {

TEST(Prr, Rfc6937_3_PrrSendsProportionallyDuringRecovery) {
  // RecoverFS 20, ssthresh 10. Recovery starts on the third duplicate ACK,
  // pipe then 18 (20 + 2 limited-transmit segments - 3 SACKed - 1 lost).
  // While pipe > ssthresh: sndcnt = CEIL(prr_delivered * 10 / 20) - prr_out
  //   ACK 1: ceil(10/20) = 1 - 0 = 1 (the retransmission), pipe 18 -> 19
  //   ACK 2: pipe 18, ceil(20/20) = 1 - 1 = 0
  //   ACK 3: pipe 17, ceil(30/20) = 2 - 1 = 1 ... one segment per two ACKs,
  //   pipe falling by one every other ACK, until
  //   ACK 16: pipe 11, ceil(160/20) = 8 - 8 = 0
  //   ACK 17: pipe 10 = ssthresh: the reduction bound (SSRB):
  //           MIN(ssthresh - pipe = 0, ...) = 0
  //   ACK 18: pipe 9: MIN(1, MAX(18 - 8, 1) + 1 = 11) = 1, pipe back to 10
  //   ACK 19, 20: likewise 1: the flight holds at ssthresh.
  Prr prr;
  prr.start(10, 20);
  const std::vector<std::uint64_t> want = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1};
  std::uint64_t pipe = 19;
  for (std::size_t i = 0; i < want.size(); ++i) {
    pipe -= 1;
    const std::uint64_t sndcnt = prr.on_ack(1, pipe, Prr::Bound::SlowStart, 1);
    EXPECT_EQ(sndcnt, want[i]) << "ACK " << i + 1 << " pipe " << pipe;
    prr.on_sent(sndcnt);
    pipe += sndcnt;
  }
  EXPECT_EQ(pipe, 10u);  // recovery ends with the flight at ssthresh
  EXPECT_EQ(prr.prr_delivered(), 20u);
  EXPECT_EQ(prr.prr_out(), 11u);
}

TEST(Prr, Rfc6937_3_ProportionalPartSendsSsthreshPerRecoverFsDelivered) {
  // While pipe stays above ssthresh the total sent tracks
  // prr_delivered * ssthresh / RecoverFS, rounded up: after delivering 30
  // of RecoverFS 40 at ssthresh 28 (Linux CUBIC's 40 * 717 / 1024),
  // prr_out = ceil(30 * 28 / 40) = 21.
  Prr prr;
  prr.start(28, 40);
  for (int i = 0; i < 30; ++i) prr.on_sent(prr.on_ack(1, 35, Prr::Bound::SlowStart, 1));
  EXPECT_EQ(prr.prr_out(), 21u);
}

TEST(Prr, Rfc6937_3_SlowStartReductionBoundCatchesUpAfterBurstLoss) {
  // A burst of losses leaves pipe = 4 < ssthresh 10. SSRB:
  //   ACK 1: limit = MAX(1 - 0, 1) + 1 = 2; MIN(10 - 4, 2) = 2 -> pipe 5
  //   ACK 2: pipe 5: owed = 2 - 2 = 0, limit = MAX(0, 1) + 1 = 2: two out
  //   per one in, the flight grows by one per ACK as in slow start:
  //   ACKs 1..5 see pipe 4, 5, 6, 7, 8 and send 2 each; ACK 6 sees pipe 9:
  //   MIN(10 - 9, 2) = 1, and from then on the flight holds at ssthresh.
  Prr prr;
  prr.start(10, 20);
  std::uint64_t pipe = 5;
  const std::vector<std::uint64_t> want = {2, 2, 2, 2, 2, 1, 1, 1};
  for (std::size_t i = 0; i < want.size(); ++i) {
    pipe -= 1;
    const std::uint64_t sndcnt = prr.on_ack(1, pipe, Prr::Bound::SlowStart, 1);
    EXPECT_EQ(sndcnt, want[i]) << "ACK " << i + 1 << " pipe " << pipe;
    prr.on_sent(sndcnt);
    pipe += sndcnt;
  }
  EXPECT_EQ(pipe, 10u);
}

TEST(Prr, Rfc6937_3_ConservativeReductionBoundNeverSendsMoreThanDelivered) {
  // PRR-CRB: limit = prr_delivered - prr_out: one out per one in, the flight
  // stays at 4 (packet conservation).
  Prr prr;
  prr.start(10, 20);
  std::uint64_t pipe = 4;
  for (int i = 0; i < 8; ++i) {
    pipe -= 1;
    const std::uint64_t sndcnt = prr.on_ack(1, pipe, Prr::Bound::Conservative, 1);
    EXPECT_EQ(sndcnt, 1u);
    prr.on_sent(sndcnt);
    pipe += sndcnt;
    EXPECT_LE(prr.prr_out(), prr.prr_delivered());
  }
  EXPECT_EQ(pipe, 4u);
}

TEST(Prr, Rfc6937_3_BytesWithMss) {
  // In bytes: SSRB's "+ MSS" is one SMSS. pipe 5840 < ssthresh 14600,
  // 1460 delivered: MIN(14600 - 5840, MAX(1460, 1460) + 1460) = 2920.
  Prr prr;
  prr.start(14600, 29200);
  EXPECT_EQ(prr.on_ack(1460, 5840, Prr::Bound::SlowStart, 1460), 2920u);
}

// ------------------------------------------------------------- Linux

TEST(Prr, LinuxCwndReduction_ForcesTheFastRetransmitOnEntry) {
  // tcp_cwnd_reduction: sndcnt = max(sndcnt, prr_out ? 0 : 1). Entering
  // recovery with in_flight = ssthresh = 7 (prior_cwnd 10): delta 0, so
  // MIN(0, ...) = 0, forced to 1; the next ACK, prr_out 1: 0.
  Prr prr;
  prr.start(7, 10);
  EXPECT_EQ(prr.on_ack_linux(1, 7, false, false), std::optional<std::uint64_t>(1));
  prr.on_sent(1);
  EXPECT_EQ(prr.on_ack_linux(1, 7, false, false), std::optional<std::uint64_t>(0));
}

TEST(Prr, LinuxCwndReduction_SsrbAddsOneOnlyWhenSndUnaAdvancesWithoutNewLoss) {
  // RFC 9937 / Linux: in_flight 6 <= ssthresh 10, prr_delivered 1 + 2 = 3,
  // prr_out 1: MAX(3 - 1, 2) = 2, + 1 if the ACK advanced SND.UNA and marked
  // nothing newly lost, then MIN(10 - 6, .) -> 3; otherwise 2.
  for (bool advanced : {true, false}) {
    for (bool lost : {true, false}) {
      Prr prr;
      prr.start(10, 20);
      ASSERT_EQ(prr.on_ack_linux(1, 12, false, false), std::optional<std::uint64_t>(1));  // ceil(10/20)
      prr.on_sent(1);
      const auto sndcnt = prr.on_ack_linux(2, 6, advanced, lost);
      EXPECT_EQ(sndcnt, std::optional<std::uint64_t>(advanced && !lost ? 3 : 2))
          << "advanced " << advanced << " lost " << lost;
    }
  }
}

TEST(Prr, LinuxCwndReduction_AckDeliveringNothingLeavesCwndAlone) {
  // "if (newly_acked_sacked <= 0 ...) return;"
  Prr prr;
  prr.start(10, 20);
  EXPECT_EQ(prr.on_ack_linux(0, 15, false, false), std::nullopt);
  EXPECT_EQ(prr.prr_delivered(), 0u);
}

TEST(Prr, LinuxCwndReduction_ProportionalUsesPriorCwndAsRecoverFs) {
  // Linux's RecoverFS is prior_cwnd. prior_cwnd 100, ssthresh 70 (CUBIC),
  // in flight above 70: after 10 delivered, ceil(10 * 70 / 100) = 7 sent.
  Prr prr;
  prr.start(70, 100);
  std::uint64_t total = 0;
  for (int i = 0; i < 10; ++i) {
    const auto s = prr.on_ack_linux(1, 90, false, false);
    ASSERT_TRUE(s.has_value());
    prr.on_sent(*s);
    total += *s;
  }
  EXPECT_EQ(total, 7u);
}

TEST(Prr, PacketdrillFr4PktSack_ThirdSackRetransmitsOneSegmentThenCwndIsSsthresh) {
  // fast_retransmit/fr-4pkt-sack.pkt (CUBIC, IW10): 4 segments out, SACKs
  // for 2, 3, 4. Not cwnd-limited (cwnd 10 >= 2 * 4), so the first two
  // SACKs grow nothing. The third enters recovery: CUBIC's ssthresh
  // max(10 * 717 / 1024, 2) = 7, PRR with RecoverFS = prior_cwnd 10.
  // In flight: 4 out - 3 SACKed - 1 lost = 0 <= 7: sndcnt = MIN(7 - 0,
  // MAX(1 - 0, 1)) = 1 (SND.UNA did not move): cwnd = 0 + 1, the one
  // retransmission the script expects ("> . 1:1461(1460)"). The ACK of
  // everything ends recovery: cwnd = ssthresh = 7.
  cc::Cubic c;
  cc::Path p;
  c.init(p);
  cc::Delivery sacked;
  sacked.segments = 1;
  sacked.cwnd_limited = cc::linux_is_cwnd_limited(c.cwnd(), c.ssthresh(), 4, false);
  ASSERT_FALSE(sacked.cwnd_limited);
  c.on_ack(p, sacked);
  c.on_ack(p, sacked);
  ASSERT_EQ(c.cwnd(), 10u);
  const std::uint32_t prior_cwnd = c.cwnd();
  c.on_congestion_event(p);
  EXPECT_EQ(c.ssthresh(), 7u);
  Prr prr;
  prr.start(c.ssthresh(), prior_cwnd);
  const auto sndcnt = prr.on_ack_linux(1, 0, false, false);
  ASSERT_EQ(sndcnt, std::optional<std::uint64_t>(1));
  c.set_cwnd(static_cast<std::uint32_t>(0 + *sndcnt));
  EXPECT_EQ(c.cwnd(), 1u);
  c.on_recovery_end(p);
  EXPECT_EQ(c.cwnd(), 7u);
}

}  // namespace
}  // namespace tcpsim::model
