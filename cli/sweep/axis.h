// The parameters a sweep varies: `--loss A:B:STEP` and `--param key=A:B:STEP`
// (or `key=v1,v2,...`). Each point's value is kept as the text `tcpsim run`
// would take for it (`--loss 0.02`, `--set time_wait=20s`), generated with
// integer arithmetic from the range: 0:0.3:0.1 is exactly 0, 0.1, 0.2, 0.3
// on every machine, and any run of a sweep can be replayed with `tcpsim run`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tcpsim::sweep {

struct Axis {
  enum class Kind { Loss, Setting, Profile };
  Kind kind = Kind::Loss;
  std::string key;                  // "loss", "profile" or a profile key ("time_wait")
  std::vector<std::string> values;  // one per point, in order
};

// The most points one axis may have: a sweep is for curves, not for
// enumerating a whole parameter space.
inline constexpr std::size_t kMaxAxisPoints = 10000;

// "0:0.3:0.02", "0%:30%:2%" (a range) or "0.05" (one point). A message on failure.
std::variant<Axis, std::string> parse_loss_axis(std::string_view spec);
// "time_wait=10s:60s:10s", "syn_retries=1:6:1", "delayed_ack=on,off",
// "profile=linux,rfc9293,bsd". A message on failure.
std::variant<Axis, std::string> parse_param_axis(std::string_view spec);

// The first value of an axis a sweep could not have written, and why: a
// value its parser refuses (a loss that is not a probability, an unknown
// profile, a setting value the profile refuses) or one seen before (two
// rows of one point). `value` is npos when the key itself is wrong. Both
// parsers above end with it, and `tcpsim merge` holds a shard's axes to it.
struct AxisProblem {
  std::size_t value;
  std::string why;
};
std::optional<AxisProblem> check_axis(const Axis& axis);

// Loss as an exact decimal, for tests and the parser: units of 10^-18.
std::variant<std::uint64_t, std::string> parse_loss_units(std::string_view text);
std::string loss_units_text(std::uint64_t units);

}  // namespace tcpsim::sweep
