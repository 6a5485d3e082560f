// Virtual time for tcpsim: an integer count of nanoseconds, never a float,
// so that the same scenario and seed give byte-identical output everywhere.
#pragma once

#include <cstdint>
#include <limits>

namespace tcpsim {

using Time = std::int64_t;      // instant, ns since the start of the run
using Duration = std::int64_t;  // span, ns

constexpr Duration kNanosecond = 1;
constexpr Duration kMicrosecond = 1000;
constexpr Duration kMillisecond = 1000 * kMicrosecond;
constexpr Duration kSecond = 1000 * kMillisecond;

// The end of time: an instant no event reaches. Sums saturate here instead of
// wrapping (int64 nanoseconds overflow after 292 years).
constexpr Time kTimeMax = std::numeric_limits<Time>::max();

// The longest duration a scenario, a `set` or a command-line option may give
// (10,000,000 s, about 115 days): every duration is checked against it where
// it is parsed, so that any sum of a few of them stays far below kTimeMax.
constexpr Duration kMaxDuration = 10'000'000 * kSecond;

// t + d, saturating at kTimeMax (and at 0 below): a timer set past the end
// of time simply never fires, it does not wrap into the past.
constexpr Time sat_add(Time t, Duration d) {
  if (d > 0 && t > kTimeMax - d) return kTimeMax;
  if (d < 0 && t < -d) return 0;
  return t + d;
}

// d * k for k >= 0, saturating at kTimeMax (exponential backoff, counts of ticks).
constexpr Duration sat_mul(Duration d, std::int64_t k) {
  if (d <= 0 || k <= 0) return 0;
  if (d > kTimeMax / k) return kTimeMax;
  return d * k;
}

}  // namespace tcpsim
