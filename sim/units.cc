#include "sim/units.h"

#include <fmt/format.h>

#include <cstdint>

namespace tcpsim::sim {

std::optional<Duration> parse_duration(std::string_view text) {
  std::size_t i = 0;
  std::int64_t whole = 0;
  bool digits = false;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (whole > (INT64_MAX - 9) / 10) return std::nullopt;
    whole = whole * 10 + (text[i] - '0');
    digits = true;
    ++i;
  }
  std::int64_t frac = 0;  // in units of 10^-9
  if (i < text.size() && text[i] == '.') {
    ++i;
    std::int64_t scale = 100000000;
    bool frac_digits = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (scale == 0) return std::nullopt;  // finer than 10^-9 of the unit
      frac += (text[i] - '0') * scale;
      scale /= 10;
      frac_digits = true;
      ++i;
    }
    if (!frac_digits) return std::nullopt;
  }
  if (!digits) return std::nullopt;
  const std::string_view unit = text.substr(i);
  std::int64_t ns;
  if (unit == "ns")
    ns = 1;
  else if (unit == "us")
    ns = kMicrosecond;
  else if (unit == "ms")
    ns = kMillisecond;
  else if (unit == "s")
    ns = kSecond;
  else if (unit == "min")
    ns = 60 * kSecond;
  else
    return std::nullopt;
  if (whole > INT64_MAX / ns) return std::nullopt;
  // frac * ns / 10^9 must be whole: "1.5ns" is not a duration.
  const __int128 f = static_cast<__int128>(frac) * ns;
  if (f % 1000000000 != 0) return std::nullopt;
  const __int128 total = static_cast<__int128>(whole) * ns + f / 1000000000;
  if (total > INT64_MAX) return std::nullopt;
  return static_cast<Duration>(total);
}

std::string format_duration(Duration d) {
  if (d == 0) return "0s";
  if (d % (60 * kSecond) == 0 && d >= 600 * kSecond) return fmt::format("{}min", d / (60 * kSecond));
  if (d % kSecond == 0) return fmt::format("{}s", d / kSecond);
  if (d % kMillisecond == 0) return fmt::format("{}ms", d / kMillisecond);
  if (d % kMicrosecond == 0) return fmt::format("{}us", d / kMicrosecond);
  return fmt::format("{}ns", d);
}

std::string format_seconds(Time t, int decimals) {
  const bool neg = t < 0;
  const std::uint64_t a = neg ? static_cast<std::uint64_t>(-t) : static_cast<std::uint64_t>(t);
  std::uint64_t div = 1;
  for (int k = decimals; k < 9; ++k) div *= 10;
  const std::uint64_t scaled = a / div;  // truncated to `decimals` places
  std::uint64_t pow = 1;
  for (int k = 0; k < decimals; ++k) pow *= 10;
  if (decimals == 0) return fmt::format("{}{}", neg ? "-" : "", scaled);
  return fmt::format("{}{}.{:0{}}", neg ? "-" : "", scaled / pow, scaled % pow, decimals);
}

}  // namespace tcpsim::sim
