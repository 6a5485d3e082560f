#include "cli/sweep/stats.h"

#include <algorithm>
#include <cmath>

namespace tcpsim::sweep {

bool TimeHistogram::fold() {
  // Sorting first turns the batch into runs of equal values: one map update each.
  std::sort(pending_.begin(), pending_.end());
  bool ok = true;
  for (std::size_t i = 0; i < pending_.size();) {
    std::size_t j = i;
    while (j < pending_.size() && pending_[j] == pending_[i]) ++j;
    ok = ok && add(pending_[i], j - i);
    i = j;
  }
  pending_.clear();
  return ok;
}

bool TimeHistogram::add(Time t, std::uint64_t n) {
  // The total first: when it fits, so does every single count.
  if (!checked_add(total_, n)) return false;
  counts_[t] += n;
  return true;
}

bool TimeHistogram::merge(const TimeHistogram& other) {
  for (const auto& [t, n] : other.counts_)
    if (!add(t, n)) return false;
  for (Time t : other.pending_)
    if (!add(t)) return false;
  return true;
}

std::optional<Time> TimeHistogram::percentile(int p) const {
  const std::uint64_t n = total();
  if (n == 0) return std::nullopt;
  // ceil(p * n / 100) in integers; at least rank 1.
  const unsigned __int128 rank128 = (static_cast<unsigned __int128>(n) * static_cast<unsigned>(p) + 99) / 100;
  const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(rank128));
  std::uint64_t seen = 0;
  for (const auto& [t, c] : counts_) {
    seen += c;
    if (seen >= rank) return t;
  }
  return counts_.empty() ? std::nullopt : std::optional<Time>(counts_.rbegin()->first);
}

std::uint64_t TimeHistogram::above(Time v) const {
  std::uint64_t n = 0;
  for (auto it = counts_.upper_bound(v); it != counts_.end(); ++it) n += it->second;
  for (Time t : pending_) n += t > v ? 1 : 0;
  return n;
}

bool PointStats::add(const scenario::Outcome& o, const std::optional<Transfer>& t, const RunTimings& times) {
  if (t && !(transfer_time.add(t->duration) && goodput.add(t->goodput_bps))) return false;
  for (int m = 0; m < kMetricCount; ++m)
    for (Time v : times[m])
      if (!timings[m].add(v)) return false;
  retransmissions_max = std::max(retransmissions_max, o.retransmissions);
  return checked_add(runs, 1) && checked_add(kinds[static_cast<int>(o.kind)], 1) &&
         checked_add(assertions_failed, o.assertions_failed ? 1 : 0) &&
         checked_add(retransmissions, o.retransmissions) && checked_add(segments, o.segments) &&
         (!o.closed_at || closed_at.add(*o.closed_at));
}

bool PointStats::merge(const PointStats& other) {
  bool ok = checked_add(runs, other.runs) && checked_add(assertions_failed, other.assertions_failed) &&
            checked_add(retransmissions, other.retransmissions) && checked_add(segments, other.segments);
  for (int i = 0; i < scenario::kOutcomeKindCount; ++i) ok = ok && checked_add(kinds[i], other.kinds[i]);
  retransmissions_max = std::max(retransmissions_max, other.retransmissions_max);
  for (int m = 0; m < kMetricCount; ++m) ok = ok && timings[m].merge(other.timings[m]);
  return ok && closed_at.merge(other.closed_at) && transfer_time.merge(other.transfer_time) &&
         goodput.merge(other.goodput);
}

bool PointStats::fold() {
  bool ok = closed_at.fold() && transfer_time.fold() && goodput.fold();
  for (auto& h : timings) ok = ok && h.fold();
  return ok;
}

std::pair<std::uint64_t, std::uint64_t> PointStats::connects_over(Time limit) const {
  const TimeHistogram& ok = timing(Metric::Connect);
  const TimeHistogram& no = timing(Metric::ConnectNo);
  // Sums of counts of one point: each below its histogram's checked total.
  return {ok.above(limit) + no.above(limit), ok.total() + no.total()};
}

Share wilson95(std::uint64_t k, std::uint64_t n) {
  if (n == 0) return {};
  // z for a two-sided 95% interval: the 0.975 quantile of the standard normal.
  constexpr double z = 1.959963984540054;
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double z2 = z * z;
  const double denom = 1 + z2 / nn;
  const double centre = (p + z2 / (2 * nn)) / denom;
  const double half = z / denom * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  // At k = 0 or k = n the bound is exactly 0 or 1 in exact arithmetic.
  const double lo = k == 0 ? 0.0 : std::max(0.0, centre - half);
  const double hi = k == n ? 1.0 : std::min(1.0, centre + half);
  return {p, lo, hi};
}

}  // namespace tcpsim::sweep
