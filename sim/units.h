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
// negative, finer than a nanosecond, or longer than kMaxDuration: every
// duration a user writes goes through here, so that bound holds everywhere.
std::optional<Duration> parse_duration(std::string_view text);

// Why parse_duration rejects `text`, for messages: "'X' is longer than the
// maximum duration, 10000000s" or "'X' is not a duration: ...". Echoed text
// is cut to kEchoMax characters.
std::string duration_error(std::string_view text);
// Whether `text` is a duration in form whose value is past kMaxDuration.
bool duration_too_long(std::string_view text);

// A piece of user input as messages quote it: at most kEchoMax characters,
// then "..." (a 1 MB token is not echoed whole).
constexpr std::size_t kEchoMax = 40;
std::string echo(std::string_view text);

// The largest unit that shows the value exactly, for messages and tables.
std::string format_duration(Duration d);

// "1.250000s" style: seconds with microseconds, for the time column of ladders.
std::string format_seconds(Time t, int decimals = 6);

}  // namespace tcpsim::sim
