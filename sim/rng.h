// A seeded pseudo-random generator whose output is the same on every platform,
// compiler and standard library: xoshiro256** 1.0 (Blackman & Vigna), seeded
// through SplitMix64, both implemented here. std::*_distribution is not used
// anywhere because its algorithms differ between libstdc++, libc++ and MSVC.
// No floating point either: probabilities are fixed-point integers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/time.h"

namespace tcpsim::sim {

// SplitMix64's output function: a bijective 64-bit mixer. Exposed because
// seeds and stream ids are derived with it.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

// SplitMix64 (Vigna, public domain): a tiny generator, used to expand a 64-bit
// seed into xoshiro's 256-bit state as its authors recommend.
class SplitMix64 {
 public:
  static constexpr std::uint64_t kGamma = 0x9e3779b97f4a7c15u;
  explicit constexpr SplitMix64(std::uint64_t seed) : state_(seed) {}
  constexpr std::uint64_t next() { return mix64(state_ += kGamma); }

 private:
  std::uint64_t state_;
};

// A probability p in [0, 1] as the integer p * 2^63 (truncated), so a draw is
// one integer compare and "0.05" means the same everywhere.
class Probability {
 public:
  static constexpr std::uint64_t kOne = std::uint64_t{1} << 63;

  constexpr Probability() = default;
  static constexpr Probability zero() { return Probability(0); }
  static constexpr Probability one() { return Probability(kOne); }
  // num/den, exact to within 2^-63 (rounded down). den > 0; num > den is clamped to 1.
  static Probability ratio(std::uint64_t num, std::uint64_t den);
  static Probability ppm(std::uint64_t parts_per_million) { return ratio(parts_per_million, 1000000); }
  static Probability ppb(std::uint64_t parts_per_billion) { return ratio(parts_per_billion, 1000000000); }
  // "0.05", "1", "0", ".5", "5%", "1/3": decimal digits are read exactly (up to
  // 19 after the point), no float involved. nullopt when malformed or above 1.
  static std::optional<Probability> parse(std::string_view text);

  constexpr std::uint64_t threshold() const { return t_; }
  constexpr bool is_zero() const { return t_ == 0; }
  // Rounded to the nearest part per billion: for printing and config echo.
  std::uint64_t to_ppb() const;
  // "0.05" style, at most 9 decimals (ppb resolution), for traces.
  std::string to_string() const;

  friend constexpr bool operator==(Probability a, Probability b) { return a.t_ == b.t_; }
  friend constexpr bool operator!=(Probability a, Probability b) { return a.t_ != b.t_; }

 private:
  explicit constexpr Probability(std::uint64_t t) : t_(t) {}
  std::uint64_t t_ = 0;
};

class Rng {
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

 public:
  // The state is four SplitMix64 outputs from seed (never all zero: SplitMix64
  // is a bijection of a counter, four consecutive outputs cannot all be 0).
  explicit Rng(std::uint64_t seed) : seed_(seed) {
    SplitMix64 sm(seed);
    for (auto& w : s_) w = sm.next();
  }
  // Exact state, for reproducing published test vectors. Must not be all zero.
  static Rng from_state(const std::array<std::uint64_t, 4>& s);

  // xoshiro256**: 64 uniformly distributed bits. Inline, as fork(): a lossy
  // link forks a stream and draws six times for every packet.
  std::uint64_t next() {
    // xoshiro256** 1.0, as in Blackman & Vigna's reference xoshiro256starstar.c.
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n), unbiased (Lemire's multiply-and-reject). n == 0 gives 0.
  std::uint64_t uniform(std::uint64_t n);
  // Uniform in [lo, hi], both ends included. Requires lo <= hi.
  Duration uniform_duration(Duration lo, Duration hi);
  // True with probability p. Uses the top 63 bits of one draw.
  bool bernoulli(Probability p) { return (next() >> 1) < p.threshold(); }

  // An independent generator for stream `stream_id`, derived from this one's
  // seed and the id only: how much this generator has drawn does not matter,
  // so adding draws to one stream never shifts another.
  Rng fork(std::uint64_t stream_id) const {
    // The stream id is mixed on its own first so that seed ^ id collisions
    // (seed 1 stream 0 vs seed 0 stream 1) do not give the same child.
    return Rng(mix64(seed_ ^ mix64(stream_id + SplitMix64::kGamma)));
  }

  std::uint64_t seed() const { return seed_; }
  const std::array<std::uint64_t, 4>& state() const { return s_; }

 private:
  Rng() = default;
  std::array<std::uint64_t, 4> s_{};
  std::uint64_t seed_ = 0;
};

}  // namespace tcpsim::sim
