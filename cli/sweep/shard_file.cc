#include "cli/sweep/shard_file.h"

#include <fmt/format.h>

#include <iterator>
#include <map>
#include <sstream>

#include "cli/sweep/shard_format.h"
#include "version.h"

namespace tcpsim::sweep {

namespace {

std::string header_text(const SweepSpec& spec) {
  std::string h = fmt::format("{}\nformat {}\n", kShardMagic, kShardFormat);
  h += fmt::format("version {}\n", tcpsim::kVersion);
  h += fmt::format("scenario {}\n", percent_encode(spec.scenario));
  h += fmt::format("scenario-fnv1a64 {}\n", spec.scenario_hash);
  h += fmt::format("seed {}\n", spec.seed);
  h += fmt::format("runs {}\n", spec.runs);
  if (spec.profile) h += fmt::format("profile {}\n", percent_encode(*spec.profile));
  for (const auto& s : spec.sets) h += fmt::format("set {}\n", percent_encode(s));
  if (spec.until) h += fmt::format("until {}\n", percent_encode(*spec.until));
  for (const Axis& a : spec.axes) {
    h += fmt::format("axis {} {}", axis_kind_name(a.kind), percent_encode(a.key));
    for (const auto& v : a.values) h += " " + percent_encode(v);
    h += "\n";
  }
  return h;
}

}  // namespace

std::string write_shard(const SweepSpec& spec, Slice slice, const std::vector<PointStats>& points) {
  std::string o = header_text(spec);
  o += fmt::format("shard {}/{}\n", slice.k, slice.n);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const PointStats& p = points[i];
    std::string kinds;
    for (int k = 0; k < scenario::kOutcomeKindCount; ++k)
      kinds += fmt::format("{}{}", k ? "," : "", p.kinds[k]);
    // In kPointFields' order.
    const std::string values[] = {std::to_string(p.runs),
                                  kinds,
                                  std::to_string(p.assertions_failed),
                                  std::to_string(p.closed_at.total()),
                                  std::to_string(p.retransmissions),
                                  std::to_string(p.retransmissions_max),
                                  std::to_string(p.segments),
                                  std::to_string(p.transfer_time.total())};
    static_assert(std::size(values) == kPointFieldCount);
    o += fmt::format("point {}", i);
    for (std::size_t f = 0; f < kPointFieldCount; ++f) o += fmt::format(" {}={}", kPointFields[f], values[f]);
    o += "\n";
    const std::pair<const char*, const TimeHistogram*> lists[] = {
        {"closed", &p.closed_at}, {"transfer", &p.transfer_time}, {"goodput", &p.goodput}};
    auto list = [&](std::string_view name, const TimeHistogram& h) {
      o += fmt::format("{} {}", name, i);
      for (const auto& [t, n] : h.counts()) o += fmt::format(" {}*{}", t, n);
      o += "\n";
    };
    for (const auto& [name, h] : lists) list(name, *h);
    for (int m = 0; m < kMetricCount; ++m) list(metric_name(static_cast<Metric>(m)), p.timings[m]);
  }
  return o + "end\n";
}

namespace {

// Every shard of one sweep (the same header, the same N), each K once.
std::optional<std::string> check_together(const std::vector<Shard>& shards,
                                          const std::vector<MergeInput>& files) {
  const Shard& first = shards[0];
  std::map<std::uint64_t, std::size_t> seen;  // K -> file
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const Shard& s = shards[i];
    if (s.header != first.header) {
      // Name the first line that differs: the reader sees which setting.
      std::istringstream a(first.header), b(s.header);
      std::string la, lb;
      std::size_t line = 1;
      while (std::getline(a, la) && std::getline(b, lb) && la == lb) ++line;
      return fmt::format("{}:{}: a shard of a different sweep than {} ('{}' vs '{}')", files[i].name, line,
                         files[0].name, lb, la);
    }
    if (s.slice.n != first.slice.n)
      return fmt::format("{}: shard {}/{} does not belong with {}'s {}/{}", files[i].name, s.slice.k,
                         s.slice.n, files[0].name, first.slice.k, first.slice.n);
    auto [it, fresh] = seen.emplace(s.slice.k, i);
    if (!fresh)
      return fmt::format("{}: shard {}/{} given twice (also {})", files[i].name, s.slice.k, s.slice.n,
                         files[it->second].name);
  }
  for (std::uint64_t k = 1; k <= first.slice.n; ++k) {
    if (!seen.count(k))
      return fmt::format("tcpsim merge: shard {}/{} is missing ({} of {} given)", k, first.slice.n,
                         shards.size(), first.slice.n);
  }
  return std::nullopt;
}

}  // namespace

std::variant<std::pair<SweepSpec, std::vector<PointStats>>, std::string> merge_shards(
    const std::vector<MergeInput>& files) {
  if (files.empty()) return std::string("tcpsim merge: no shard files given");
  std::vector<Shard> shards;
  for (const auto& f : files) {
    auto r = read_shard(f.text, f.name);
    if (auto* e = std::get_if<std::string>(&r)) return *e;
    shards.push_back(std::move(std::get<Shard>(r)));
  }
  if (auto e = check_together(shards, files)) return *e;
  const SweepSpec& spec = shards[0].spec;
  std::vector<PointStats> total = std::move(shards[0].points);
  for (std::size_t i = 1; i < shards.size(); ++i) {
    for (std::size_t p = 0; p < total.size(); ++p) {
      if (!total[p].merge(shards[i].points[p]))
        return fmt::format("{}: point {}: a sum over the shards overflows 64 bits", files[i].name, p);
    }
  }
  // Each shard held its slice's runs (read_shard checks), so the sum is the
  // sweep's; checked again as the last word.
  for (std::size_t p = 0; p < total.size(); ++p) {
    if (!total[p].fold())
      return fmt::format("tcpsim merge: point {}: a sum over the shards overflows 64 bits", p);
    if (total[p].runs != spec.runs)
      return fmt::format("tcpsim merge: point {} has {} runs, the sweep has {} per point", p, total[p].runs,
                         spec.runs);
  }
  return std::make_pair(spec, std::move(total));
}

}  // namespace tcpsim::sweep
