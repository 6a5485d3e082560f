#include "tests/fuzz/values.h"

#include <iterator>
#include <regex>

#include "sim/profile.h"

namespace tcpsim::fuzz {
namespace {

template <std::size_t N>
std::string pick(const char* const (&list)[N], sim::Rng& rng) {
  return list[rng.uniform(N)];
}

// 0, 1, -1 and max-1 / max / max+1 of 8, 16, 31/32, 63/64-bit integers, and beyond.
const char* const kNumbers[] = {"0",
                                "1",
                                "-1",
                                "2",
                                "254",
                                "255",
                                "256",
                                "65534",
                                "65535",
                                "65536",
                                "1000000",
                                "1000001",
                                "2147483646",
                                "2147483647",
                                "2147483648",
                                "4294967295",
                                "4294967296",
                                "9223372036854775806",
                                "9223372036854775807",
                                "9223372036854775808",
                                "18446744073709551615",
                                "18446744073709551616",
                                "-9223372036854775808",
                                "-9223372036854775809",
                                "100000000000000000000000000000"};

// 0, 1 ns, the largest duration the project means to take (10^7 s), the
// int64 nanosecond edges, 300 years in three spellings, sub-nanosecond.
const char* const kDurations[] = {"0s",
                                  "0ns",
                                  "1ns",
                                  "-1ns",
                                  "1us",
                                  "0.000000001s",
                                  "0.0000000001s",
                                  "1.5ns",
                                  "10000000s",
                                  "10000001s",
                                  "9223372036s",
                                  "9223372036.854775807s",
                                  "9223372036854775807ns",
                                  "9223372036854775808ns",
                                  "18446744073709551616ns",
                                  "9467280000s",
                                  "157788000min",
                                  "9467280000000ms",
                                  "153722867280912930min",
                                  "99999999999999999999s"};

const char* const kProbabilities[] = {"0%",     "100%", "101%",       "-1%",    "0",
                                      "1",      "1.5",  "1/0",        "0/0",    "1/18446744073709551616",
                                      "0.0001", "50%",  "99.999999%", "1e-300", "18446744073709551616%"};

const char* const kRates[] = {"0/s",
                              "1/s",
                              "999999999/s",
                              "1000000000/s",
                              "1000000001/s",
                              "4294967296/s",
                              "18446744073709551615/s",
                              "18446744073709551616/s"};

const char* const kPorts[] = {"0",     "1",          "65534", "65535",
                              "65536", "4294967296", "-1",    "99999999999999999999"};

}  // namespace

std::string edge_value(Slot slot, sim::Rng& rng) {
  // One time in eight an ordinary value, so that statements around the edge
  // one still parse and the run gets somewhere.
  if (rng.uniform(8) == 0) {
    switch (slot) {
      case Slot::Duration: return std::to_string(1 + rng.uniform(500)) + "ms";
      case Slot::Probability: return std::to_string(rng.uniform(30)) + "%";
      case Slot::Rate: return std::to_string(1 + rng.uniform(1000)) + "/s";
      default: return std::to_string(rng.uniform(100));
    }
  }
  switch (slot) {
    case Slot::Duration: return pick(kDurations, rng);
    case Slot::Probability: return pick(kProbabilities, rng);
    case Slot::Rate: return pick(kRates, rng);
    case Slot::Port: return pick(kPorts, rng);
    case Slot::Number: break;
  }
  return pick(kNumbers, rng);
}

Slot slot_of(const std::string& token) {
  static const std::regex duration(R"(-?\d+(\.\d+)?(ns|us|ms|s|min))");
  if (token.size() > 2 && token.compare(token.size() - 2, 2, "/s") == 0) return Slot::Rate;
  if (token.find('%') != std::string::npos || token.find('/') != std::string::npos) return Slot::Probability;
  if (std::regex_match(token, duration)) return Slot::Duration;
  return Slot::Number;
}

std::string profile_setting(const char* sep, sim::Rng& rng) {
  const auto& keys = sim::profile_keys();
  const auto& k = keys[rng.uniform(keys.size())];
  std::string v;
  if (k.kind == "duration")
    v = edge_value(Slot::Duration, rng);
  else if (k.kind == "bool")
    v = rng.uniform(2) ? "on" : "off";
  else
    v = edge_value(Slot::Number, rng);
  return std::string(k.name) + sep + v;
}

}  // namespace tcpsim::fuzz
