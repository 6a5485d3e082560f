// The pieces of `tcpsim sweep` that are arithmetic: Wilson intervals,
// nearest-rank percentiles, exact parameter grids, shard slices and seeds.
// Expected values come from the literature or by hand, not from the code.
#include <gtest/gtest.h>

#include "cli/sweep/axis.h"
#include "cli/sweep/progress.h"
#include "cli/sweep/runner.h"
#include "cli/sweep/spec.h"
#include "cli/sweep/stats.h"
#include "sim/rng.h"
#include "sim/units.h"

namespace tcpsim::sweep {
namespace {

std::vector<std::string> values_of(std::variant<Axis, std::string> r) {
  if (auto* e = std::get_if<std::string>(&r)) return {"error: " + *e};
  return std::get<Axis>(r).values;
}

std::string error_of(std::variant<Axis, std::string> r) {
  auto* e = std::get_if<std::string>(&r);
  return e ? *e : "";
}

// --- Wilson score interval

// Newcombe (1998), "Two-sided confidence intervals for the single
// proportion", Table I: 81/263 gives 0.2553 to 0.3662 by Wilson's method.
TEST(Wilson, MatchesNewcombe1998_81of263) {
  const Share s = wilson95(81, 263);
  EXPECT_NEAR(s.p, 81.0 / 263, 1e-12);
  EXPECT_NEAR(s.lo, 0.2553, 5e-5);
  EXPECT_NEAR(s.hi, 0.3662, 5e-5);
}

// By hand: at k = 0 the upper bound is z^2 / (n + z^2) = 3.84146 / 13.84146.
TEST(Wilson, NoSuccesses_LowerBoundZero_UpperZ2OverNPlusZ2) {
  const Share s = wilson95(0, 10);
  EXPECT_EQ(s.lo, 0.0);
  EXPECT_NEAR(s.hi, 3.841459 / 13.841459, 1e-6);
}

// Symmetric about 1/2 at k = n/2; the textbook 5/10 interval is 0.2366 to 0.7634.
TEST(Wilson, HalfOfTen_SymmetricTextbookValues) {
  const Share s = wilson95(5, 10);
  EXPECT_NEAR(s.lo, 0.2366, 5e-5);
  EXPECT_NEAR(s.hi, 0.7634, 5e-5);
  EXPECT_NEAR(s.lo + s.hi, 1.0, 1e-12);
}

TEST(Wilson, AllSuccesses_UpperBoundExactlyOne) {
  const Share s = wilson95(10, 10);
  EXPECT_EQ(s.hi, 1.0);
  EXPECT_NEAR(s.lo, 1 - 3.841459 / 13.841459, 1e-6);
}

TEST(Wilson, NoRuns_AllZero) {
  const Share s = wilson95(0, 0);
  EXPECT_EQ(s.p, 0.0);
  EXPECT_EQ(s.hi, 0.0);
}

// --- nearest-rank percentiles

// The classic example (15, 20, 35, 40, 50): p30 -> rank 2 = 20, p40 -> rank 2
// = 20, p50 -> rank 3 = 35, p100 -> 50, p1 -> rank 1 = 15.
TEST(Percentile, NearestRank_FiveValues) {
  TimeHistogram h;
  for (Time t : {50, 15, 40, 20, 35}) ASSERT_TRUE(h.add(t));
  ASSERT_TRUE(h.fold());
  EXPECT_EQ(h.percentile(1), 15);
  EXPECT_EQ(h.percentile(30), 20);
  EXPECT_EQ(h.percentile(40), 20);
  EXPECT_EQ(h.percentile(50), 35);
  EXPECT_EQ(h.percentile(100), 50);
}

// p99 of 1..100 is 99 (rank 99); p99 of 1..1000 is 990.
TEST(Percentile, NearestRank_RanksAreCeilings) {
  TimeHistogram a, b;
  for (Time t = 1; t <= 100; ++t) ASSERT_TRUE(a.add(t));
  for (Time t = 1; t <= 1000; ++t) ASSERT_TRUE(b.add(t));
  ASSERT_TRUE(a.fold());
  ASSERT_TRUE(b.fold());
  EXPECT_EQ(a.percentile(99), 99);
  EXPECT_EQ(a.percentile(90), 90);
  EXPECT_EQ(b.percentile(99), 990);
  EXPECT_EQ(b.percentile(50), 500);
}

TEST(Percentile, Empty_None) {
  TimeHistogram h;
  EXPECT_FALSE(h.percentile(50).has_value());
}

// Merging histograms in any grouping gives the same counts: what makes
// shards and threads exact.
TEST(Percentile, MergeOfHalvesEqualsWhole) {
  TimeHistogram whole, a, b;
  for (Time t = 0; t < 10000; ++t) {
    const Time v = (t * 7919) % 613;  // repeated values, out of order
    ASSERT_TRUE(whole.add(v));
    ASSERT_TRUE((t % 3 ? a : b).add(v));
  }
  ASSERT_TRUE(whole.fold());
  ASSERT_TRUE(a.merge(b));
  ASSERT_TRUE(a.fold());
  EXPECT_EQ(a.counts(), whole.counts());
  EXPECT_EQ(a.total(), 10000u);
}

// Sums that do not fit in 64 bits are refused, never wrapped: two points
// of 2^63 retransmissions would add up to 0, a histogram of 2^64-1 runs
// plus 2 to 1 (p50 then became whatever time had the 2).
TEST(Overflow, PointStatsMerge_SumBeyond64Bits_False) {
  PointStats a, b;
  a.retransmissions = b.retransmissions = std::uint64_t{1} << 63;
  EXPECT_FALSE(a.merge(b));
  PointStats c, d;
  c.kinds[0] = UINT64_MAX;
  d.kinds[0] = 1;
  EXPECT_FALSE(c.merge(d));
}

TEST(Overflow, HistogramCounts_SumBeyond64Bits_False) {
  TimeHistogram h;
  ASSERT_TRUE(h.add(5, UINT64_MAX - 1));
  EXPECT_FALSE(h.add(1, 2));
  TimeHistogram g;
  ASSERT_TRUE(g.add(7, 2));
  EXPECT_FALSE(g.merge(h));
}

TEST(Overflow, PointStatsAdd_RunCountAtTheLimit_False) {
  PointStats p;
  p.segments = UINT64_MAX;
  scenario::Outcome o;
  o.segments = 1;
  EXPECT_FALSE(p.add(o));
}

// --- axes

TEST(Axis, Loss_0To0_3By0_1_IsExactlyFourPoints) {
  EXPECT_EQ(values_of(parse_loss_axis("0:0.3:0.1")), (std::vector<std::string>{"0", "0.1", "0.2", "0.3"}));
  // Each point is the probability `tcpsim run --loss 0.3` uses, bit for bit.
  EXPECT_EQ(sim::Probability::parse(values_of(parse_loss_axis("0:0.3:0.1")).back()),
            sim::Probability::parse("0.3"));
}

// 0.02 * 15 = 0.3 exactly: no float drift loses the last point.
TEST(Axis, Loss_0To0_3By0_02_Has16PointsEndingAt0_3) {
  const auto v = values_of(parse_loss_axis("0:0.3:0.02"));
  ASSERT_EQ(v.size(), 16u);
  EXPECT_EQ(v[1], "0.02");
  EXPECT_EQ(v[15], "0.3");
}

TEST(Axis, Loss_PercentagesGiveTheSameDecimals) {
  EXPECT_EQ(values_of(parse_loss_axis("0%:30%:10%")), values_of(parse_loss_axis("0:0.3:0.1")));
  EXPECT_EQ(values_of(parse_loss_axis("0.5%:1.5%:0.5%")),
            (std::vector<std::string>{"0.005", "0.01", "0.015"}));
}

TEST(Axis, Loss_StepNotDividingRange_StopsBelowEnd) {
  EXPECT_EQ(values_of(parse_loss_axis("0.1:0.35:0.1")), (std::vector<std::string>{"0.1", "0.2", "0.3"}));
}

TEST(Axis, Loss_OneValue_OnePoint) {
  EXPECT_EQ(values_of(parse_loss_axis("5%")), (std::vector<std::string>{"5%"}));
}

TEST(Axis, Loss_BadRanges_Refused) {
  EXPECT_NE(error_of(parse_loss_axis("0:0.3:0")).find("step must be greater than 0"), std::string::npos);
  EXPECT_NE(error_of(parse_loss_axis("0.3:0:0.1")).find("end is below the start"), std::string::npos);
  EXPECT_NE(error_of(parse_loss_axis("0:1.5:0.5")).find("above 1"), std::string::npos);
  EXPECT_NE(error_of(parse_loss_axis("0:1:1/3")), "");
  EXPECT_NE(error_of(parse_loss_axis("0:x:0.1")), "");
  EXPECT_NE(error_of(parse_loss_axis("-0.1:0.3:0.1")), "");
  EXPECT_NE(error_of(parse_loss_axis("0:1:0.00001")).find("at most"), std::string::npos);
  EXPECT_NE(error_of(parse_loss_axis("banana")), "");
}

TEST(Axis, Param_DurationRange) {
  EXPECT_EQ(values_of(parse_param_axis("time_wait=10s:60s:10s")),
            (std::vector<std::string>{"10s", "20s", "30s", "40s", "50s", "60s"}));
  EXPECT_EQ(values_of(parse_param_axis("rto_min=200ms:1s:400ms")),
            (std::vector<std::string>{"200ms", "600ms", "1s"}));
}

TEST(Axis, Param_CountRangeAndLists) {
  EXPECT_EQ(values_of(parse_param_axis("syn_retries=1:3:1")), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(values_of(parse_param_axis("delayed_ack=on,off")), (std::vector<std::string>{"on", "off"}));
  EXPECT_EQ(values_of(parse_param_axis("profile=linux,bsd")), (std::vector<std::string>{"linux", "bsd"}));
}

TEST(Axis, Param_BadSpecs_Refused) {
  EXPECT_NE(error_of(parse_param_axis("no_such_key=1:2:1")).find("unknown setting"), std::string::npos);
  EXPECT_NE(error_of(parse_param_axis("time_wait")).find("expected key="), std::string::npos);
  EXPECT_NE(error_of(parse_param_axis("delayed_ack=0:1:1")).find("takes a list"), std::string::npos);
  EXPECT_NE(error_of(parse_param_axis("syn_retries=1:2000:1")).find("syn_retries takes 1..127"),
            std::string::npos);
  EXPECT_NE(error_of(parse_param_axis("time_wait=10s:5s:1s")).find("below the start"), std::string::npos);
  EXPECT_NE(error_of(parse_param_axis("delayed_ack=on,maybe")).find("on or off"), std::string::npos);
  EXPECT_NE(error_of(parse_param_axis("profile=linux,windows")).find("unknown profile"), std::string::npos);
  EXPECT_NE(error_of(parse_param_axis("loss=0:1:0.1")).find("--loss"), std::string::npos);
}

// --- grids, slices, seeds

TEST(Spec, GridPointsAreRowMajorLastAxisFastest) {
  SweepSpec s;
  s.axes.push_back(std::get<Axis>(parse_loss_axis("0:0.2:0.1")));
  s.axes.push_back(std::get<Axis>(parse_param_axis("delayed_ack=on,off")));
  ASSERT_EQ(s.points(), 6u);
  EXPECT_EQ(s.point_values(0), (std::vector<std::string>{"0", "on"}));
  EXPECT_EQ(s.point_values(1), (std::vector<std::string>{"0", "off"}));
  EXPECT_EQ(s.point_values(5), (std::vector<std::string>{"0.2", "off"}));
}

// The documented derivation: the (r+1)-th output of SplitMix64 from the base.
TEST(Spec, RunSeedIsSplitMix64SequenceOfBase) {
  sim::SplitMix64 g(42);
  for (std::uint64_t r = 0; r < 5; ++r) EXPECT_EQ(run_seed(42, r), g.next()) << r;
  EXPECT_NE(run_seed(1, 0), run_seed(2, 0));
}

TEST(Slice, ParseAndRefuse) {
  auto ok = parse_slice("3/8");
  ASSERT_TRUE(std::holds_alternative<Slice>(ok));
  EXPECT_EQ(std::get<Slice>(ok).k, 3u);
  EXPECT_EQ(std::get<Slice>(ok).n, 8u);
  for (const char* bad : {"0/8", "9/8", "1/0", "3", "a/b", "/", "3/8/1", "-1/8"})
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_slice(bad))) << bad;
}

// Every run in exactly one shard: the slices' sizes add up to the sweep.
TEST(Slice, SizesAddUpToTheWholeSweep) {
  SweepSpec s;
  s.runs = 1001;
  s.axes.push_back(std::get<Axis>(parse_loss_axis("0:0.2:0.1")));
  for (std::uint64_t n : {1u, 2u, 7u, 5000u}) {
    std::uint64_t sum = 0;
    for (std::uint64_t k = 1; k <= n; ++k) sum += slice_size(s, Slice{k, n});
    EXPECT_EQ(sum, 3003u) << n;
  }
}

TEST(Hash, Fnv1a64KnownValues) {
  // From the FNV reference test suite: "" and "a".
  EXPECT_EQ(fnv1a64_hex(""), "cbf29ce484222325");
  EXPECT_EQ(fnv1a64_hex("a"), "af63dc4c8601ec8c");
}

// --- progress bar

TEST(Progress, LineShowsCellsPercentRunsAndTime) {
  EXPECT_EQ(progress_line(35, 100, 1.26, 20), "[#######.............]  35%  35/100 runs  1.3 s");
  EXPECT_EQ(progress_line(0, 7, 0, 4), "[....]   0%  0/7 runs  0.0 s");
  EXPECT_EQ(progress_line(7, 7, 2, 4), "[####] 100%  7/7 runs  2.0 s");
}

// Not a terminal: nothing is written, whatever happens.
TEST(Progress, DisabledBarWritesNothing) {
  testing::internal::CaptureStderr();
  {
    ProgressBar bar(10, false);
    bar.update(5);
    bar.finish();
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace tcpsim::sweep
