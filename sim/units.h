// Reading and writing durations exactly: "200ms", "1.5s", "60s", "2min".
// Integer arithmetic only, so a duration typed by a user is the same number
// of nanoseconds on every machine.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/time.h"

namespace tcpsim::sim {

// Units: ns, us, ms, s, min. Up to 9 decimals ("0.25s"). nullopt if malformed,
// negative, or finer than a nanosecond.
std::optional<Duration> parse_duration(std::string_view text);

// The largest unit that shows the value exactly, for messages and tables.
std::string format_duration(Duration d);

// "1.250000s" style: seconds with microseconds, for the time column of ladders.
std::string format_seconds(Time t, int decimals = 6);

}  // namespace tcpsim::sim
