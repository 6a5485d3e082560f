#include "cli/sweep/spec.h"

#include <fmt/format.h>

#include "sim/rng.h"
#include "sim/units.h"

namespace tcpsim::sweep {

std::size_t SweepSpec::points() const {
  std::size_t n = 1;
  for (const Axis& a : axes) n *= a.values.size();
  return n;
}

std::vector<std::string> SweepSpec::point_values(std::size_t point) const {
  std::vector<std::string> v(axes.size());
  for (std::size_t i = axes.size(); i-- > 0;) {
    const std::size_t n = axes[i].values.size();
    v[i] = axes[i].values[point % n];
    point /= n;
  }
  return v;
}

std::uint64_t run_seed(std::uint64_t base, std::uint64_t run) {
  return sim::mix64(base + (run + 1) * sim::SplitMix64::kGamma);
}

std::string fnv1a64_hex(const std::string& bytes) {
  std::uint64_t h = 0xcbf29ce484222325u;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3u;
  }
  return fmt::format("{:016x}", h);
}

std::variant<scenario::RunOptions, std::string> point_options(const SweepSpec& spec, std::size_t point) {
  scenario::RunOptions o;
  o.profile = spec.profile;
  for (const auto& kv : spec.sets) {
    auto set = scenario::parse_set_option(kv);
    if (auto* e = std::get_if<std::string>(&set)) return *e;
    o.sets.push_back(std::get<0>(std::move(set)));
  }
  if (spec.until) {
    auto d = scenario::parse_until_option(*spec.until);
    if (auto* e = std::get_if<std::string>(&d)) return *e;
    o.until = std::get<Duration>(d);
  }
  const auto values = spec.point_values(point);
  for (std::size_t i = 0; i < spec.axes.size(); ++i) {
    const Axis& a = spec.axes[i];
    switch (a.kind) {
      case Axis::Kind::Loss: o.loss = sim::Probability::parse(values[i]); break;
      case Axis::Kind::Profile: o.profile = values[i]; break;
      // After the fixed --set values, so the axis wins over a --set of the same key.
      case Axis::Kind::Setting: o.sets.emplace_back(a.key, values[i]); break;
    }
  }
  return o;
}

}  // namespace tcpsim::sweep
