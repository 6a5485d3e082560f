// What identifies a sweep: the scenario (by content), the base seed, runs
// per point, the options every run shares and the axes. Two sweeps with the
// same spec give the same numbers (the results are a function of the
// scenario and the seeds only); shards carry it so `tcpsim merge` can refuse
// to add up slices of different sweeps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "cli/sweep/axis.h"
#include "scenario/interpreter.h"

namespace tcpsim::sweep {

inline constexpr std::uint64_t kMaxRuns = 1'000'000'000;  // per point
inline constexpr std::size_t kMaxPoints = 100000;         // per sweep (a grid's product)

struct SweepSpec {
  std::string scenario;       // the file as named on the command line
  std::string scenario_hash;  // FNV-1a 64 of its bytes, hex
  std::uint64_t seed = 1;
  std::uint64_t runs = 1000;
  std::optional<std::string> profile;
  std::vector<std::string> sets;  // key=value, as typed
  std::optional<std::string> until;
  std::vector<Axis> axes;  // none (seeds only), one, or two (a grid, the first varying slowest)

  std::size_t points() const;
  // The value of each axis at a point (row-major: the last axis varies fastest).
  std::vector<std::string> point_values(std::size_t point) const;
};

// The seed of run r (0-based) at every point: the (r+1)-th output of
// SplitMix64 started at `base`. The same seeds at every point (common random
// numbers), so a difference between two points is the parameter's doing,
// not the draw's; `tcpsim run --seed` with it replays the run.
std::uint64_t run_seed(std::uint64_t base, std::uint64_t run);

// FNV-1a 64 (Fowler, Noll, Vo) of some bytes, 16 hex digits: identifies a
// scenario's content in shard headers (not a security measure).
std::string fnv1a64_hex(const std::string& bytes);

// The options every run of a sweep shares, checked as `tcpsim sweep` takes
// them (point_options) and as `tcpsim merge` reads them from a shard: one
// set of rules. A message naming the value on failure.
std::optional<std::string> check_profile_name(std::string_view name);
// `key=value`, a setting the profile has and a value it takes.
std::variant<std::pair<std::string, std::string>, std::string> parse_set(std::string_view kv);
// A duration (90s, 500ms): each run stops at it.
std::variant<Time, std::string> parse_until(std::string_view text);

// The run options of a point, seed left unset; a message for a --set that
// is not key=value or an --until that is not a duration.
std::variant<scenario::RunOptions, std::string> point_options(const SweepSpec& spec, std::size_t point);

}  // namespace tcpsim::sweep
