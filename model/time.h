// Virtual time for tcpsim: an integer count of nanoseconds, never a float,
// so that the same scenario and seed give byte-identical output everywhere.
#pragma once

#include <cstdint>

namespace tcpsim {

using Time = std::int64_t;      // instant, ns since the start of the run
using Duration = std::int64_t;  // span, ns

constexpr Duration kNanosecond = 1;
constexpr Duration kMicrosecond = 1000;
constexpr Duration kMillisecond = 1000 * kMicrosecond;
constexpr Duration kSecond = 1000 * kMillisecond;

}  // namespace tcpsim
