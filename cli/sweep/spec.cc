#include "cli/sweep/spec.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "scenario/parser.h"
#include "sim/profile.h"
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

std::optional<std::string> check_profile_name(std::string_view name) {
  if (sim::profile_named(name)) return std::nullopt;
  return fmt::format("--profile {}: unknown profile ({})", name, fmt::join(sim::profile_names(), ", "));
}

// The command line's own --set and --until parsing (scenario/parser.h),
// then the value checked against one profile, as --param's are (axis.cc).
std::variant<std::pair<std::string, std::string>, std::string> parse_set(std::string_view kv) {
  auto p = scenario::parse_set_option(kv);
  if (auto* e = std::get_if<std::string>(&p)) return *e;
  auto& [key, value] = std::get<0>(p);
  sim::Profile probe = *sim::profile_named(sim::kLinuxProfile);
  if (auto e = sim::set_profile_value(probe, key, value))
    return fmt::format("--set {}: {}", sim::echo(kv), *e);
  return std::move(std::get<0>(p));
}

std::variant<Time, std::string> parse_until(std::string_view text) {
  auto d = scenario::parse_until_option(text);
  if (auto* e = std::get_if<std::string>(&d)) return *e;
  return Time{std::get<Duration>(d)};
}

std::variant<scenario::RunOptions, std::string> point_options(const SweepSpec& spec, std::size_t point) {
  scenario::RunOptions o;
  o.profile = spec.profile;
  if (spec.profile)
    if (auto e = check_profile_name(*spec.profile)) return *e;
  for (const auto& kv : spec.sets) {
    auto p = parse_set(kv);
    if (auto* e = std::get_if<std::string>(&p)) return *e;
    o.sets.push_back(std::move(std::get<0>(p)));
  }
  if (spec.until) {
    auto d = parse_until(*spec.until);
    if (auto* e = std::get_if<std::string>(&d)) return *e;
    o.until = std::get<Time>(d);
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
