// What a sweep keeps per point, and the statistics it prints from it.
//
// Everything kept is an integer (counts, sums, maxima, a histogram of exact
// closing times in ns), so partial results merge by addition in any order:
// threads, and shards run on other machines, give the same totals bit for
// bit. The only floating point is in the last step (Wilson intervals,
// means), computed from those integers in one fixed order.
//
// Sums never wrap: every addition is checked, and one that does not fit in
// 64 bits makes add() or merge() return false (the totals are then not to
// be used). A wrapped sum would print as a small, plausible number.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "cli/sweep/timings.h"
#include "cli/sweep/transfer.h"
#include "model/time.h"
#include "scenario/outcome.h"

namespace tcpsim::sweep {

// a += b; false (a unspecified) when the sum does not fit in 64 bits.
[[nodiscard]] inline bool checked_add(std::uint64_t& a, std::uint64_t b) {
  return !__builtin_add_overflow(a, b, &a);
}

// Exact multiset of times (or any integer value: goodputs in bit/s): value
// -> how many runs. Appends are buffered and
// folded into the map in batches, so a point with a million runs costs one
// map node per distinct closing time, not per run.
class TimeHistogram {
 public:
  // Each returns false when a count would overflow 64 bits.
  [[nodiscard]] bool add(Time t) {
    pending_.push_back(t);
    return pending_.size() < kBatch || fold();
  }
  [[nodiscard]] bool add(Time t, std::uint64_t n);
  [[nodiscard]] bool merge(const TimeHistogram& other);
  // Folds pending values in; call before reading.
  [[nodiscard]] bool fold();
  // How many values, pending ones included (the checked sum of the counts).
  std::uint64_t total() const { return total_ + pending_.size(); }
  // Nearest-rank percentile (p in 1..100): the smallest value v such that at
  // least p% of the values are <= v, i.e. the value of rank ceil(p * n / 100).
  // None when empty.
  std::optional<Time> percentile(int p) const;
  // How many values are greater than v.
  std::uint64_t above(Time v) const;
  const std::map<Time, std::uint64_t>& counts() const { return counts_; }

 private:
  static constexpr std::size_t kBatch = 4096;
  std::vector<Time> pending_;
  std::map<Time, std::uint64_t> counts_;
  std::uint64_t total_ = 0;  // of counts_
};

// The sums of one point's runs.
struct PointStats {
  std::uint64_t runs = 0;
  std::array<std::uint64_t, scenario::kOutcomeKindCount> kinds{};  // by OutcomeKind
  std::uint64_t assertions_failed = 0;
  std::uint64_t retransmissions = 0;  // sum over runs
  std::uint32_t retransmissions_max = 0;
  std::uint64_t segments = 0;  // sum over runs
  TimeHistogram closed_at;     // runs that fully closed
  // Runs that moved data (cli/sweep/transfer.h): their completion times
  // (ns) and goodputs (bit/s), as many of each.
  TimeHistogram transfer_time;
  TimeHistogram goodput;
  // Per Metric (timings.h): the values of every connection of every run.
  std::array<TimeHistogram, kMetricCount> timings;

  // False when a sum would overflow 64 bits.
  [[nodiscard]] bool add(const scenario::Outcome& o, const std::optional<Transfer>& t = std::nullopt,
                         const RunTimings& times = {});
  // Folds every histogram's pending values in; false on overflow.
  [[nodiscard]] bool fold();
  [[nodiscard]] bool merge(const PointStats& other);
  std::uint64_t count(scenario::OutcomeKind k) const { return kinds[static_cast<int>(k)]; }
  const TimeHistogram& timing(Metric m) const { return timings[static_cast<int>(m)]; }
  // Connect attempts (succeeded or not) that took longer than `limit`: the
  // connects a client with that timeout would have abandoned; of how many.
  std::pair<std::uint64_t, std::uint64_t> connects_over(Time limit) const;
};

// A share with its 95% Wilson score interval (Wilson 1927; the interval of
// choice for proportions near 0 or 1, where the normal approximation gives
// bounds outside [0, 1] or of zero width).
struct Share {
  double p = 0, lo = 0, hi = 0;
};
Share wilson95(std::uint64_t k, std::uint64_t n);

}  // namespace tcpsim::sweep
