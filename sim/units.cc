#include "sim/units.h"

#include <fmt/format.h>

#include <cstdint>

namespace tcpsim::sim {

namespace {

enum class Parsed : std::uint8_t { kOk, kMalformed, kTooLong };

// The value in ns, or why there is none. Digits past what int64 holds make
// the value too long, not malformed (and never overflow).
Parsed parse(std::string_view text, Duration& out) {
  std::size_t i = 0;
  std::int64_t whole = 0;
  bool digits = false, huge = false;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (whole > (INT64_MAX - 9) / 10) huge = true;
    if (!huge) whole = whole * 10 + (text[i] - '0');
    digits = true;
    ++i;
  }
  std::int64_t frac = 0;  // in units of 10^-9
  if (i < text.size() && text[i] == '.') {
    ++i;
    std::int64_t scale = 100000000;
    bool frac_digits = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (scale == 0) return Parsed::kMalformed;  // finer than 10^-9 of the unit
      frac += (text[i] - '0') * scale;
      scale /= 10;
      frac_digits = true;
      ++i;
    }
    if (!frac_digits) return Parsed::kMalformed;
  }
  if (!digits) return Parsed::kMalformed;
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
    return Parsed::kMalformed;
  // frac * ns / 10^9 must be whole: "1.5ns" is not a duration.
  const __int128 f = static_cast<__int128>(frac) * ns;
  if (f % 1000000000 != 0) return Parsed::kMalformed;
  if (huge || whole > INT64_MAX / ns) return Parsed::kTooLong;
  const __int128 total = static_cast<__int128>(whole) * ns + f / 1000000000;
  if (total > kMaxDuration) return Parsed::kTooLong;
  out = static_cast<Duration>(total);
  return Parsed::kOk;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  Duration d = 0;
  if (parse(text, d) != Parsed::kOk) return std::nullopt;
  return d;
}

std::string duration_error(std::string_view text) {
  Duration d = 0;
  switch (parse(text, d)) {
    case Parsed::kOk: return {};
    case Parsed::kTooLong:
      return fmt::format("'{}' is longer than the maximum duration, {}", echo(text),
                         format_duration(kMaxDuration));
    case Parsed::kMalformed: break;
  }
  return fmt::format("'{}' is not a duration: write a number and a unit (ns, us, ms, s, min)", echo(text));
}

bool duration_too_long(std::string_view text) {
  Duration d = 0;
  return parse(text, d) == Parsed::kTooLong;
}

std::string echo(std::string_view text) {
  if (text.size() <= kEchoMax) return std::string(text);
  return std::string(text.substr(0, kEchoMax)) + "...";
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
