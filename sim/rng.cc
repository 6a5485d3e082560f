#include "sim/rng.h"

#include <limits>

namespace tcpsim::sim {
namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Full 64x64 -> 128-bit product as (hi, lo), in portable C++ so that MSVC and
// 32-bit targets compute exactly what GCC's unsigned __int128 would.
struct U128 {
  std::uint64_t hi, lo;
};
U128 mul_wide(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
  const std::uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
  const std::uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
  const std::uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
  return {hh + (lh >> 32) + (hl >> 32) + (mid >> 32), (mid << 32) | (ll & 0xffffffffu)};
}

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Decimal integer without sign; nullopt on overflow or a non-digit.
std::optional<std::uint64_t> parse_uint(std::string_view s) {
  if (s.empty() || !all_digits(s)) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

Probability Probability::ratio(std::uint64_t num, std::uint64_t den) {
  if (den == 0 || num >= den) return one();
  // Binary long division of num * 2^63 by den, one quotient bit per step. The
  // remainder r < den is doubled without overflow by comparing r with den - r.
  std::uint64_t q = 0, r = num;
  for (int i = 0; i < 63; ++i) {
    q <<= 1;
    if (r >= den - r) {
      r -= den - r;
      q |= 1;
    } else {
      r += r;
    }
  }
  return Probability(q);
}

std::optional<Probability> Probability::parse(std::string_view text) {
  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    const auto num = parse_uint(text.substr(0, slash));
    const auto den = parse_uint(text.substr(slash + 1));
    if (!num || !den || *den == 0 || *num > *den) return std::nullopt;
    return ratio(*num, *den);
  }
  bool percent = false;
  if (!text.empty() && text.back() == '%') {
    percent = true;
    text.remove_suffix(1);
  }
  std::string_view int_part = text, frac_part;
  if (const auto dot = text.find('.'); dot != std::string_view::npos) {
    int_part = text.substr(0, dot);
    frac_part = text.substr(dot + 1);
  }
  if ((int_part.empty() && frac_part.empty()) || !all_digits(int_part) || !all_digits(frac_part))
    return std::nullopt;
  while (!frac_part.empty() && frac_part.back() == '0') frac_part.remove_suffix(1);
  // num and den = 10^k must fit in 64 bits, den times 100 for a percentage.
  if (frac_part.size() > (percent ? 17u : 19u) || int_part.size() > 19) return std::nullopt;
  const std::uint64_t ip = int_part.empty() ? 0 : *parse_uint(int_part);
  if (ip > (percent ? 100u : 1u)) return std::nullopt;
  std::uint64_t den = 1;
  for (std::size_t i = 0; i < frac_part.size(); ++i) den *= 10;
  const std::uint64_t frac = frac_part.empty() ? 0 : *parse_uint(frac_part);
  const std::uint64_t num = ip * den + frac;  // ip <= 100, den <= 10^17 when percent
  if (percent) den *= 100;
  if (num > den) return std::nullopt;
  return ratio(num, den);
}

std::uint64_t Probability::to_ppb() const {
  // round(t * 10^9 / 2^63)
  const U128 p = mul_wide(t_, 1000000000u);
  const std::uint64_t lo = p.lo + (std::uint64_t{1} << 62);
  const std::uint64_t hi = p.hi + (lo < p.lo ? 1 : 0);
  return (hi << 1) | (lo >> 63);
}

std::string Probability::to_string() const {
  const std::uint64_t ppb = to_ppb();
  std::string s = ppb >= 1000000000u ? "1" : "0";
  std::string frac = std::to_string(ppb % 1000000000u);
  if (ppb % 1000000000u == 0) return s;
  frac.insert(0, 9 - frac.size(), '0');
  while (frac.back() == '0') frac.pop_back();
  return s + "." + frac;
}

Rng Rng::from_state(const std::array<std::uint64_t, 4>& s) {
  Rng r;
  r.s_ = s;
  r.seed_ = mix64(s[0] ^ rotl(s[1], 16) ^ rotl(s[2], 32) ^ rotl(s[3], 48));
  return r;
}

std::uint64_t Rng::uniform(std::uint64_t n) {
  if (n == 0) return 0;
  // Lemire, "Fast Random Integer Generation in an Interval" (2019): the high
  // word of x * n is uniform once the few x whose low word falls below
  // 2^64 mod n are rejected.
  U128 m = mul_wide(next(), n);
  if (m.lo < n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (m.lo < threshold) m = mul_wide(next(), n);
  }
  return m.hi;
}

Duration Rng::uniform_duration(Duration lo, Duration hi) {
  if (hi <= lo) return lo;
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  const std::uint64_t off = span == std::numeric_limits<std::uint64_t>::max() ? next() : uniform(span + 1);
  return static_cast<Duration>(static_cast<std::uint64_t>(lo) + off);
}

}  // namespace tcpsim::sim
