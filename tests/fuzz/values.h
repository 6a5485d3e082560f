// Value classes for the CLI fuzzer: the numbers, durations, probabilities
// and rates at the edges of what the scenario language and the command line
// take (0, 1, -1, max-1, max, max+1 of the usual integer widths, 2^63-1,
// 2^64, 1 ns, 300 years, huge counts), written as the lexer reads them.
#pragma once

#include <string>

#include "sim/rng.h"

namespace tcpsim::fuzz {

// What a numeric token in a statement stands for.
enum class Slot { Number, Duration, Probability, Rate, Port };

// One edge value of that kind (most of the time), or an ordinary small one.
std::string edge_value(Slot slot, sim::Rng& rng);

// The kind of a numeric token as written: "200ms" is a duration, "5%" a
// probability, "20000/s" a rate, "7" a number.
Slot slot_of(const std::string& token);

// A profile setting (sim::profile_keys) and an edge value of its kind,
// joined by `sep`: "time_wait 0ns", "syn_retries=-1".
std::string profile_setting(const char* sep, sim::Rng& rng);

}  // namespace tcpsim::fuzz
