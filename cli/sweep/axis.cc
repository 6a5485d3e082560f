#include "cli/sweep/axis.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <cstdint>
#include <map>

#include "scenario/parser.h"
#include "sim/profile.h"
#include "sim/rng.h"
#include "sim/units.h"

namespace tcpsim::sweep {

namespace {

constexpr std::uint64_t kLossOne = 1'000'000'000'000'000'000u;  // 10^18 units = probability 1

struct Range {
  std::string_view a, b, step;
};

// "A:B:STEP" split in three; false when it is not a range.
bool split_range(std::string_view s, Range& r) {
  const auto c1 = s.find(':');
  if (c1 == std::string_view::npos) return false;
  const auto c2 = s.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return false;
  r = {s.substr(0, c1), s.substr(c1 + 1, c2 - c1 - 1), s.substr(c2 + 1)};
  return true;
}

// The points A, A+STEP, ... up to B in integer units; a message when the
// range is empty, backwards, has a zero step or too many points.
std::variant<std::vector<std::uint64_t>, std::string> integer_points(std::uint64_t a, std::uint64_t b,
                                                                     std::uint64_t step,
                                                                     std::string_view what) {
  if (step == 0) return fmt::format("{}: the step must be greater than 0", what);
  if (b < a) return fmt::format("{}: the end is below the start", what);
  const std::uint64_t n = (b - a) / step + 1;
  if (n > kMaxAxisPoints) return fmt::format("{}: {} points, at most {} allowed", what, n, kMaxAxisPoints);
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 0; i < n; ++i) v.push_back(a + i * step);
  return v;
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> v;
  std::size_t pos = 0;
  while (true) {
    const auto comma = s.find(',', pos);
    v.emplace_back(s.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return v;
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::variant<std::uint64_t, std::string> parse_loss_units(std::string_view text) {
  const std::string bad = fmt::format(
      "'{}' is not a loss probability for a range: write a decimal (0.05) or a percentage (5%)", text);
  std::string_view s = text;
  const bool percent = !s.empty() && s.back() == '%';
  if (percent) s.remove_suffix(1);
  const auto dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if ((whole.empty() && frac.empty()) || (dot != std::string_view::npos && frac.empty())) return bad;
  for (char c : whole)
    if (c < '0' || c > '9') return bad;
  for (char c : frac)
    if (c < '0' || c > '9') return bad;
  // A percentage is two more decimal places: units of 10^-16 per percent.
  const int places = percent ? 16 : 18;
  if (frac.size() > static_cast<std::size_t>(places) || whole.size() > 3) return bad;
  std::uint64_t w = 0;
  for (char c : whole) w = w * 10 + static_cast<std::uint64_t>(c - '0');
  std::uint64_t f = 0;
  for (std::size_t i = 0; i < static_cast<std::size_t>(places); ++i)
    f = f * 10 + (i < frac.size() ? static_cast<std::uint64_t>(frac[i] - '0') : 0);
  const std::uint64_t unit = percent ? 10'000'000'000'000'000u : kLossOne;  // 10^16 or 10^18
  if (w > kLossOne / unit) return fmt::format("'{}' is above 1", text);
  const unsigned __int128 total = static_cast<unsigned __int128>(w) * unit + f;
  if (total > kLossOne) return fmt::format("'{}' is above 1", text);
  return static_cast<std::uint64_t>(total);
}

std::string loss_units_text(std::uint64_t units) {
  if (units >= kLossOne) return "1";
  if (units == 0) return "0";
  std::string frac = fmt::format("{:018}", units);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return "0." + frac;
}

std::variant<Axis, std::string> parse_loss_axis(std::string_view spec) {
  Axis axis;
  axis.kind = Axis::Kind::Loss;
  axis.key = "loss";
  Range r;
  if (!split_range(spec, r)) {
    axis.values.emplace_back(spec);
    if (auto p = check_axis(axis)) return fmt::format("--loss {}: {}, or a range A:B:STEP", spec, p->why);
    return axis;
  }
  std::uint64_t u[3];
  const std::string_view parts[3] = {r.a, r.b, r.step};
  for (int i = 0; i < 3; ++i) {
    auto v = parse_loss_units(parts[i]);
    if (auto* e = std::get_if<std::string>(&v)) return fmt::format("--loss {}: {}", spec, *e);
    u[i] = std::get<std::uint64_t>(v);
  }
  auto pts = integer_points(u[0], u[1], u[2], fmt::format("--loss {}", spec));
  if (auto* e = std::get_if<std::string>(&pts)) return *e;
  for (std::uint64_t p : std::get<std::vector<std::uint64_t>>(pts)) axis.values.push_back(loss_units_text(p));
  return axis;
}

std::variant<Axis, std::string> parse_param_axis(std::string_view spec) {
  const auto eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return fmt::format("--param {}: expected key=A:B:STEP or key=v1,v2,... (e.g. time_wait=10s:60s:10s)",
                       spec);
  Axis axis;
  axis.key = std::string(spec.substr(0, eq));
  const std::string_view rhs = spec.substr(eq + 1);
  const std::string what = fmt::format("--param {}", spec);
  if (axis.key == "loss") return fmt::format("{}: use --loss A:B:STEP for loss", what);
  if (axis.key == "profile") {
    axis.kind = Axis::Kind::Profile;
    axis.values = split_list(rhs);
    if (auto p = check_axis(axis)) return fmt::format("{}: {}", what, p->why);
    return axis;
  }
  axis.kind = Axis::Kind::Setting;
  const sim::ProfileKey* key = nullptr;
  for (const auto& k : sim::profile_keys()) {
    if (k.name == axis.key) key = &k;
  }
  if (!key) return fmt::format("{}: unknown setting '{}' (`tcpsim profiles` lists them)", what, axis.key);
  Range r;
  if (split_range(rhs, r)) {
    std::uint64_t u[3];
    const std::string_view parts[3] = {r.a, r.b, r.step};
    const bool duration = key->kind == "duration";
    if (!duration && key->kind != "count" && key->kind != "bytes")
      return fmt::format("{}: a {} setting takes a list (v1,v2,...), not a range", what, key->kind);
    for (int i = 0; i < 3; ++i) {
      if (duration) {
        auto d = sim::parse_duration(parts[i]);
        if (!d) return fmt::format("{}: {}", what, sim::duration_error(parts[i]));
        u[i] = static_cast<std::uint64_t>(*d);
      } else {
        auto n = parse_u64(parts[i]);
        if (!n) return fmt::format("{}: '{}' is not a whole number", what, parts[i]);
        u[i] = *n;
      }
    }
    auto pts = integer_points(u[0], u[1], u[2], what);
    if (auto* e = std::get_if<std::string>(&pts)) return *e;
    for (std::uint64_t p : std::get<std::vector<std::uint64_t>>(pts))
      axis.values.push_back(duration ? sim::format_duration(static_cast<Duration>(p)) : std::to_string(p));
  } else {
    axis.values = split_list(rhs);
  }
  // Every value must be one the profile takes, checked now rather than in
  // the middle of a sweep.
  if (auto p = check_axis(axis)) return fmt::format("{}: {}", what, p->why);
  return axis;
}

namespace {

// What identifies a value of the axis: two spellings of one value
// (0.01 and 1%, on and true) are one row written twice. Empty when the
// value is not one a sweep takes, with `why` said.
std::optional<std::string> axis_value_identity(const Axis& axis, const std::string& v, std::string& why) {
  switch (axis.kind) {
    case Axis::Kind::Loss: {
      const auto p = sim::Probability::parse(v);
      if (!p) why = "expected a probability such as 5% or 0.05";
      return p ? std::optional<std::string>(std::to_string(p->threshold())) : std::nullopt;
    }
    case Axis::Kind::Profile:
      if (!sim::profile_named(v))
        why = fmt::format("unknown profile '{}' ({})", v, fmt::join(sim::profile_names(), ", "));
      return sim::profile_named(v) ? std::optional<std::string>(v) : std::nullopt;
    case Axis::Kind::Setting: {
      sim::Profile probe = *sim::profile_named(sim::kLinuxProfile);
      if (auto e = sim::set_profile_value(probe, axis.key, v)) {
        why = fmt::format("{}: {}", v, *e);
        return std::nullopt;
      }
      return sim::get_profile_value(probe, axis.key);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<AxisProblem> check_axis(const Axis& axis) {
  if (axis.kind == Axis::Kind::Setting) {
    bool known = false;
    for (const auto& k : sim::profile_keys()) known |= k.name == axis.key;
    if (!known)
      return AxisProblem{std::string::npos,
                         fmt::format("unknown setting '{}' (`tcpsim profiles` lists them)", axis.key)};
  }
  std::map<std::string, std::size_t> seen;  // identity -> index
  for (std::size_t i = 0; i < axis.values.size(); ++i) {
    std::string why;
    const auto id = axis_value_identity(axis, axis.values[i], why);
    if (!id) return AxisProblem{i, why};
    auto [it, fresh] = seen.emplace(*id, i);
    if (!fresh)
      return AxisProblem{i, fmt::format("'{}' is on the axis twice (as '{}' too): a row twice",
                                        axis.values[i], axis.values[it->second])};
  }
  return std::nullopt;
}

}  // namespace tcpsim::sweep
