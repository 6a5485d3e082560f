#include "sim/rng.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace tcpsim::sim {
namespace {

// Published outputs of Vigna's splitmix64.c seeded with 0.
TEST(SplitMix64, MatchesTheReferenceSequenceFromSeedZero) {
  SplitMix64 sm(0);
  EXPECT_EQ(sm.next(), 0xe220a8397b1dcdafu);
  EXPECT_EQ(sm.next(), 0x6e789e6aa1b965f4u);
  EXPECT_EQ(sm.next(), 0x06c45d188009454fu);
  EXPECT_EQ(sm.next(), 0xf88bb8a8724c81ecu);
}

// Outputs of the reference xoshiro256starstar.c with s = {1, 2, 3, 4}. The
// first two can be checked by hand: result = rotl(s[1] * 5, 7) * 9, so
// rotl(10, 7) * 9 = 1280 * 9 = 11520; the step sets s[1] ^= s[2] ^ s[0], that is
// 2 ^ (3 ^ 1) = 0, so the second output is 0.
TEST(Xoshiro256StarStar, MatchesTheReferenceSequenceFromState1234) {
  Rng r = Rng::from_state({1, 2, 3, 4});
  const std::uint64_t want[] = {
      11520u,
      0u,
      1509978240u,
      1215971899390074240u,
      1216172134540287360u,
      607988272756665600u,
      16172922978634559625u,
      8476171486693032832u,
      10595114339597558777u,
      2904607092377533576u,
  };
  for (std::uint64_t w : want) EXPECT_EQ(r.next(), w);
}

TEST(Rng, SeedingFillsTheStateWithSplitMix64Outputs) {
  // Together with the two reference tests above this pins Rng(seed)'s whole
  // sequence on every platform.
  const Rng r(0);
  const std::array<std::uint64_t, 4> want{0xe220a8397b1dcdafu, 0x6e789e6aa1b965f4u, 0x06c45d188009454fu,
                                          0xf88bb8a8724c81ecu};
  EXPECT_EQ(r.state(), want);
}

TEST(Rng, SameSeedSameSequenceDifferentSeedsDiffer) {
  Rng a(1), b(1), c(2);
  int same_as_c = 0;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    same_as_c += x == c.next();
  }
  EXPECT_EQ(same_as_c, 0);
}

TEST(Rng, ForkDependsOnSeedAndStreamOnlyNotOnDrawsMade) {
  Rng parent(7);
  const Rng fresh(7);
  for (int i = 0; i < 5; ++i) parent.next();
  Rng f1 = parent.fork(3), f2 = fresh.fork(3);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(f1.next(), f2.next());

  // Different streams, and the parent itself, give different sequences.
  Rng s0 = fresh.fork(0), s1 = fresh.fork(1), p(7);
  const std::uint64_t x0 = s0.next(), x1 = s1.next(), xp = p.next();
  EXPECT_NE(x0, x1);
  EXPECT_NE(x0, xp);
  EXPECT_NE(x1, xp);
  // seed 1 / stream 0 and seed 0 / stream 1 must not coincide.
  EXPECT_NE(Rng(1).fork(0).next(), Rng(0).fork(1).next());
}

TEST(Rng, UniformStaysInRange) {
  Rng r(99);
  for (std::uint64_t n :
       {std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{3}, std::uint64_t{7}, std::uint64_t{1000},
        (std::uint64_t{1} << 63) + 1, std::numeric_limits<std::uint64_t>::max()}) {
    for (int i = 0; i < 10000; ++i) ASSERT_LT(r.uniform(n), n) << "n = " << n;
  }
  EXPECT_EQ(r.uniform(0), 0u);
}

TEST(Rng, UniformHasNoModuloBias) {
  // n = 3 * 2^62: plain next() % n would return values below 2^62 with
  // probability 1/2 (they are hit twice). Unbiased, it is exactly 1/3.
  // N = 300000 draws: sigma = sqrt(1/3 * 2/3 / N) = 0.00086; allow 5 sigma.
  Rng r(5);
  const std::uint64_t n = 3 * (std::uint64_t{1} << 62);
  const int kN = 300000;
  int low = 0;
  for (int i = 0; i < kN; ++i) low += r.uniform(n) < (std::uint64_t{1} << 62);
  EXPECT_NEAR(static_cast<double>(low) / kN, 1.0 / 3, 5 * 0.00086);
}

TEST(Rng, UniformBucketsAreEven) {
  // 6 buckets, 600000 draws: each count ~ Binomial(N, 1/6), sigma = sqrt(N * 1/6 * 5/6) = 288.7.
  Rng r(11);
  std::vector<int> count(6, 0);
  for (int i = 0; i < 600000; ++i) ++count[r.uniform(6)];
  for (int c : count) EXPECT_NEAR(c, 100000, 5 * 288.7);
}

TEST(Rng, UniformDurationIncludesBothEnds) {
  Rng r(3);
  bool saw_lo = false, saw_hi = false;
  for (int i = 0; i < 10000; ++i) {
    const Duration d = r.uniform_duration(-3, 3);
    ASSERT_GE(d, -3);
    ASSERT_LE(d, 3);
    saw_lo |= d == -3;
    saw_hi |= d == 3;
  }
  EXPECT_TRUE(saw_lo);
  EXPECT_TRUE(saw_hi);
  EXPECT_EQ(r.uniform_duration(5, 5), 5);
  const Duration big =
      r.uniform_duration(std::numeric_limits<Duration>::min(), std::numeric_limits<Duration>::max());
  (void)big;  // the full range must not overflow (UBSan checks this)
}

TEST(Rng, BernoulliRateIsWithinFiveSigmaOfP) {
  // p = 0.05, N = 10^6: sigma of the count = sqrt(N p (1-p)) = 217.9.
  Rng r(42);
  const Probability p = *Probability::parse("0.05");
  int hits = 0;
  for (int i = 0; i < 1000000; ++i) hits += r.bernoulli(p);
  EXPECT_NEAR(hits, 50000, 5 * 217.9);
}

TEST(Rng, BernoulliZeroNeverOneAlways) {
  Rng r(8);
  for (int i = 0; i < 100000; ++i) {
    ASSERT_FALSE(r.bernoulli(Probability::zero()));
    ASSERT_TRUE(r.bernoulli(Probability::one()));
  }
}

TEST(Probability, RatioIsExactFixedPoint) {
  constexpr std::uint64_t kTwo63 = std::uint64_t{1} << 63;
  EXPECT_EQ(Probability::ratio(1, 2).threshold(), kTwo63 / 2);
  EXPECT_EQ(Probability::ratio(1, 4).threshold(), kTwo63 / 4);
  // 2^63 / 3 = 3074457345618258602.67, rounded down.
  EXPECT_EQ(Probability::ratio(1, 3).threshold(), 3074457345618258602u);
  EXPECT_EQ(Probability::ratio(2, 3).threshold(), 6148914691236517205u);  // 6148...205.33
  EXPECT_EQ(Probability::ratio(0, 9), Probability::zero());
  EXPECT_EQ(Probability::ratio(9, 9), Probability::one());
  // A denominator above 2^63 must not overflow the long division.
  const std::uint64_t big = std::numeric_limits<std::uint64_t>::max();  // 2^64 - 1
  // (2^63 - 1) * 2^63 / (2^64 - 1) = 2^62 - 1/4 - a little: floor is 2^62 - 1.
  EXPECT_EQ(Probability::ratio(big / 2, big).threshold(), kTwo63 / 2 - 1);
}

TEST(Probability, ParsesDecimalsPercentsAndFractionsExactly) {
  const Probability twentieth = Probability::ratio(1, 20);
  EXPECT_EQ(Probability::parse("0.05"), twentieth);
  EXPECT_EQ(Probability::parse("0.050"), twentieth);
  EXPECT_EQ(Probability::parse(".05"), twentieth);
  EXPECT_EQ(Probability::parse("5%"), twentieth);
  EXPECT_EQ(Probability::parse("1/20"), twentieth);
  EXPECT_EQ(Probability::ppm(50000), twentieth);
  EXPECT_EQ(Probability::ppb(50000000), twentieth);
  EXPECT_EQ(Probability::parse("0.5"), Probability::ratio(1, 2));
  EXPECT_EQ(Probability::parse("1"), Probability::one());
  EXPECT_EQ(Probability::parse("1.000"), Probability::one());
  EXPECT_EQ(Probability::parse("100%"), Probability::one());
  EXPECT_EQ(Probability::parse("0"), Probability::zero());
  EXPECT_EQ(Probability::parse("0.3333333333333333333"),  // 19 digits: still exact
            Probability::ratio(3333333333333333333u, 10000000000000000000u));
  for (const char* bad : {"", ".", "%", "1.5", "2", "101%", "-0.1", "abc", "0.1.2", "0,5", "2/1", "1/0", "/3",
                          "0.00000000000000000001" /* 20 digits */}) {
    EXPECT_FALSE(Probability::parse(bad).has_value()) << bad;
  }
}

TEST(Probability, PrintsBackWhatWasParsed) {
  EXPECT_EQ(Probability::ppb(123456789).to_ppb(), 123456789u);
  EXPECT_EQ(Probability::parse("0.05")->to_string(), "0.05");
  EXPECT_EQ(Probability::parse("1/3")->to_string(), "0.333333333");
  EXPECT_EQ(Probability::parse("2/3")->to_string(), "0.666666667");  // rounded to nearest ppb
  EXPECT_EQ(Probability::one().to_string(), "1");
  EXPECT_EQ(Probability::zero().to_string(), "0");
  EXPECT_EQ(Probability::ppb(1).to_string(), "0.000000001");
}

}  // namespace
}  // namespace tcpsim::sim
