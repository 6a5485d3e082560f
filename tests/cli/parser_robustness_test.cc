// Hostile or careless input to the scenario parser: every limit is a
// `file:line:col: message` naming the maximum, never an abort, a stack
// overflow, a wrapped number or a silently dropped assertion
// (docs/scenario-language.md, "Limits").
#include <gtest/gtest.h>

#include <climits>
#include <string>

#include "scenario/interpreter.h"
#include "scenario/parser.h"
#include "sim/units.h"

namespace tcpsim::scenario {
namespace {

std::string error_of(const std::string& text) {
  auto r = parse(text, "t.tcpsim");
  if (auto* e = std::get_if<ParseError>(&r)) return e->message;
  return "";
}

Scenario parsed(const std::string& text) {
  auto r = parse(text, "t.tcpsim");
  if (auto* e = std::get_if<ParseError>(&r)) ADD_FAILURE() << e->message;
  return std::holds_alternative<Scenario>(r) ? std::get<Scenario>(r) : Scenario{};
}

std::string hosts(int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += "host H" + std::to_string(i) + " 10.0." + std::to_string(i / 200) + "." +
         std::to_string(i % 200 + 1) + "\n";
  return s;
}

// sim numbers hosts with one byte: 256 fit, the 257th is refused where it is declared.
TEST(ParserLimits, The257thHostIsALocatedErrorNamingTheMaximum) {
  EXPECT_EQ(error_of(hosts(256)), "");
  EXPECT_EQ(error_of(hosts(257)), "t.tcpsim:257:1: too many hosts: a scenario has at most 256");
}

TEST(ParserLimits, TwoHostsWithOneAddressIsAnErrorAtTheSecondAddress) {
  EXPECT_EQ(error_of("host A 10.0.0.1\nhost B 10.0.0.2\nhost C 10.0.0.1\n"),
            "t.tcpsim:3:8: address 10.0.0.1 is already host A's (line 1)");
}

std::string nested(int depth) {
  std::string s = "host A 10.0.0.1\nprogram p on A {\n";
  for (int i = 0; i < depth; ++i) s += "repeat 1 {\n";
  s += "ss\n";
  for (int i = 0; i < depth; ++i) s += "}\n";
  return s + "}\n";
}

// The parser recurses once per block: 12,000 levels used to overflow its stack.
TEST(ParserLimits, RepeatNestsAtMost64DeepAndDeeperIsALocatedError) {
  EXPECT_EQ(error_of(nested(64)), "");
  // Line 2 + 65 repeats: the 65th `repeat 1 {` is line 67, its '{' column 10.
  EXPECT_EQ(error_of(nested(65)),
            "t.tcpsim:67:10: blocks nest too deep: at most 64 repeat blocks inside each other");
  EXPECT_EQ(error_of(nested(12000)),
            "t.tcpsim:67:10: blocks nest too deep: at most 64 repeat blocks inside each other");
}

struct Bad {
  std::string text, message;
};
class TooLong : public ::testing::TestWithParam<Bad> {};

// Every place a duration is written checks kMaxDuration (10,000,000 s) where
// it is read; 9223372036s (~2^63 ns) used to reach the scheduler and abort
// with "time is in the past".
TEST_P(TooLong, DurationsPastTheMaximumAreLocatedErrors) {
  EXPECT_EQ(error_of(GetParam().text), GetParam().message);
}

const std::string kAB = "host A 10.0.0.1\nhost B 10.0.0.2\n";
const std::string kMax = "is longer than the maximum duration, 10000000s";
INSTANTIATE_TEST_SUITE_P(
    EveryDuration, TooLong,
    ::testing::Values(
        Bad{kAB + "until 10000001s\n", "t.tcpsim:3:7: '10000001s' " + kMax},
        Bad{kAB + "link A <-> B reorder 50% by 9223372036s\n", "t.tcpsim:3:29: '9223372036s' " + kMax},
        Bad{kAB + "link A -> B delay 9223372036854775807ms\n",
            "t.tcpsim:3:19: '9223372036854775807ms' " + kMax},
        Bad{kAB + "link A -> B jitter 99999999999999999999999s\n",
            "t.tcpsim:3:20: '99999999999999999999999s' " + kMax},
        Bad{kAB + "drop A -> B from 1s to 200000min\n", "t.tcpsim:3:24: '200000min' " + kMax},
        Bad{kAB + "sample every 9223372036s\n", "t.tcpsim:3:14: '9223372036s' " + kMax},
        Bad{kAB + "load A -> B rate 10/s for 9223372036s\n", "t.tcpsim:3:27: '9223372036s' " + kMax},
        Bad{kAB + "program p on A at 9223372036s {\n}\n", "t.tcpsim:3:19: '9223372036s' " + kMax},
        Bad{kAB + "program p on A {\n  sleep(9223372036s)\n}\n", "t.tcpsim:4:9: '9223372036s' " + kMax},
        Bad{kAB + "program p on A {\n  s = socket()\n  epoll_wait(s, 9223372036s)\n}\n",
            "t.tcpsim:5:17: '9223372036s' " + kMax},
        Bad{kAB + "program p on A {\n}\nat 9223372036s expect p.s ESTABLISHED\n",
            "t.tcpsim:5:4: '9223372036s' " + kMax},
        // usleep takes microseconds, like C: 9223372036854775 us is 2^63 ns.
        Bad{kAB + "program p on A {\n  usleep(9223372036854775)\n}\n",
            "t.tcpsim:4:10: usleep(9223372036854775) " + kMax + " (10000000000000 us)"},
        // `set` values: any duration past the maximum, whatever the key.
        Bad{kAB + "set time_wait 9223372036s\n", "t.tcpsim:3:15: '9223372036s' " + kMax},
        Bad{kAB + "set B delayed_ack_timeout 9223372036s\n", "t.tcpsim:3:27: '9223372036s' " + kMax},
        Bad{kAB + "set rto_after_syn_timeout 9223372036s\n", "t.tcpsim:3:27: '9223372036s' " + kMax}));

TEST(ParserLimits, TheMaximumDurationItselfIsAccepted) {
  EXPECT_EQ(parsed(kAB + "until 10000000s\n").until, kMaxDuration);
  EXPECT_EQ(parsed(kAB + "program p on A {\n  usleep(10000000000000)\n}\n").programs.at(0).body.at(0).sleep,
            kMaxDuration);
}

// An integer too long for a long is out of range, not "expected a number"
// and not a wrapped value.
TEST(ParserLimits, AnIntegerThatOverflowsIsARangeError) {
  EXPECT_EQ(error_of(kAB + "seed 99999999999999999999\n"),
            "t.tcpsim:3:6: a seed must be from 0 to 9223372036854775807");
  EXPECT_EQ(error_of(kAB + "program p on A {\n  usleep(99999999999999999999)\n}\n"),
            "t.tcpsim:4:10: microseconds must be from 0 to 9223372036854775807");
}

// Linux: int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout).
TEST(ParserLimits, EpollWaitTimeoutIsAnIntOfMilliseconds) {
  const std::string head = kAB + "program p on A {\n  ep = epoll_create1()\n  epoll_wait(ep, ";
  EXPECT_EQ(error_of(head + "2147483647)\n}\n"), "");
  EXPECT_EQ(error_of(head + "-1)\n}\n"), "");
  const std::string msg =
      "epoll_wait's timeout must be from -2147483648 to 2147483647 ms (an int; negative waits forever)";
  EXPECT_EQ(error_of(head + "2147483648)\n}\n"), "t.tcpsim:5:18: " + msg);
  EXPECT_EQ(error_of(head + "9223372036854775807)\n}\n"), "t.tcpsim:5:18: " + msg);
  EXPECT_EQ(error_of(head + "99999999999, 5)\n}\n"),
            "t.tcpsim:5:18: epoll_wait's maxevents must be from -2147483648 to 2147483647");
}

TEST(ParserLimits, BandwidthAtMost1000Gbit) {
  EXPECT_EQ(parsed(kAB + "link A -> B bandwidth 1000Gbit\n").links.at(0).cfg.bandwidth_bps,
            1'000'000'000'000u);
  EXPECT_EQ(error_of(kAB + "link A -> B bandwidth 1001Gbit\n"),
            "t.tcpsim:3:23: '1001Gbit' is faster than the maximum bandwidth, 1000Gbit");
  // 2^55 * 10^9 wrapped to 0, read as "no limit".
  EXPECT_EQ(error_of(kAB + "link A -> B bandwidth 36028797018963968Gbit\n"),
            "t.tcpsim:3:23: '36028797018963968Gbit' is faster than the maximum bandwidth, 1000Gbit");
  EXPECT_EQ(error_of(kAB + "link A -> B bandwidth 99999999999999999999999bit\n"),
            "t.tcpsim:3:23: '99999999999999999999999bit' is faster than the maximum bandwidth, 1000Gbit");
}

TEST(ParserLimits, AHugeTokenIsEchoedCutTo40Characters) {
  const std::string big(1 << 20, 'x');
  const std::string e = error_of("host A 10.0.0.1\n" + big + "\n");
  EXPECT_EQ(e.substr(0, 63), "t.tcpsim:2:1: unknown statement '" + std::string(30, 'x'));
  EXPECT_NE(e.find("'" + std::string(40, 'x') + "...'"), std::string::npos) << e.substr(0, 200);
  EXPECT_LT(e.size(), 300u);
  EXPECT_LT(error_of("host A 10.0.0.1\nhost " + big + " 10.0.0.2 " + big + "\n").size(), 300u);
}

TEST(ParserLimits, TheStatementListNamesSampleEverywhere) {
  EXPECT_EQ(
      error_of(kAB + "5\n"),
      "t.tcpsim:3:1: expected a statement (host, link, drop, program, load, sample, expect, at, profile, "
      "seed, set, until), found '5'");
}

// ------------------------------------------------------------ line endings

const std::string kSs =
    "host A 127.0.0.1\nprogram p on A {\n  s = socket()\n  bind(s, *:80) = 0\n  listen(s, 5)\n}\n"
    "at 1s expect ss A {\n  LISTEN 0 5 *:80 *:*\n}\n";

std::string with_endings(const std::string& lf, const std::string& eol) {
  std::string out;
  for (char c : lf) out += c == '\n' ? eol : std::string(1, c);
  return out;
}

TEST(ParserLineEndings, CrlfCrAndAByteOrderMarkParseAsLf) {
  const Scenario want = parsed(kSs);
  ASSERT_EQ(want.assertions.size(), 1u);
  for (const std::string& text : {with_endings(kSs, "\r\n"), with_endings(kSs, "\r"), "\xEF\xBB\xBF" + kSs,
                                  "\xEF\xBB\xBF" + with_endings(kSs, "\r\n")}) {
    const Scenario got = parsed(text);
    ASSERT_EQ(got.assertions.size(), 1u);
    EXPECT_EQ(got.assertions[0].lines, want.assertions[0].lines);
    EXPECT_EQ(got.assertions[0].loc.line, 7);
    ASSERT_EQ(got.programs.size(), 1u);
    EXPECT_EQ(got.programs[0].body.at(1).expect.loc.col, want.programs[0].body.at(1).expect.loc.col);
  }
}

TEST(ParserLineEndings, ErrorsKeepTheirColumnsAfterABomAndCrlf) {
  EXPECT_EQ(
      error_of("\xEF\xBB\xBFhost A 10.0.0.1\r\n  hots B\r\n"),
      "t.tcpsim:2:3: unknown statement 'hots': expected host, link, drop, program, load, sample, expect, at, "
      "profile, seed, set or until");
  EXPECT_EQ(error_of("host A 10.0.0.1\rhost B 10.0.0.1\r"),
            "t.tcpsim:2:8: address 10.0.0.1 is already host A's (line 1)");
}

// ------------------------------------------------------------ set

TEST(ParserSet, APortRangeIsOneValueAsWithDashDashSet) {
  const Scenario sc = parsed("host A 10.0.0.1\nset ephemeral_ports 40000-40010\nset A time_wait 30s\n");
  ASSERT_EQ(sc.sets.size(), 2u);
  EXPECT_EQ(sc.sets[0].value, "40000-40010");
  EXPECT_EQ(sc.sets[1].value, "30s");
  auto net = build_network(sc, RunOptions{});
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<sim::Network>>(net))
      << std::get<ParseError>(net).message;
  const sim::Profile& p = std::get<std::unique_ptr<sim::Network>>(net)->host(0).profile();
  EXPECT_EQ(p.ephemeral_low, 40000);
  EXPECT_EQ(p.ephemeral_high, 40010);
  // Written apart, they are two values.
  EXPECT_EQ(error_of("host A 10.0.0.1\nset ephemeral_ports 40000 -40010\n"),
            "t.tcpsim:2:27: expected end of line, found '-40010'");
}

TEST(ParserSet, DashDashSetAndUntilShareTheBounds) {
  auto set = parse_set_option("time_wait=9223372036s");
  ASSERT_TRUE(std::holds_alternative<std::string>(set));
  EXPECT_EQ(std::get<std::string>(set), "--set time_wait=9223372036s: '9223372036s' " + kMax);
  auto range = parse_set_option("ephemeral_ports=40000-40010");
  ASSERT_FALSE(std::holds_alternative<std::string>(range));
  EXPECT_EQ(std::get<0>(range).second, "40000-40010");
  auto until = parse_until_option("9223372036854775807ms");
  ASSERT_TRUE(std::holds_alternative<std::string>(until));
  EXPECT_EQ(std::get<std::string>(until), "--until: '9223372036854775807ms' " + kMax);
  EXPECT_EQ(std::get<Duration>(parse_until_option("90s")), 90 * kSecond);
}

}  // namespace
}  // namespace tcpsim::scenario
