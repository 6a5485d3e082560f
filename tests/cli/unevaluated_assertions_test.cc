// An assertion the run never reached cannot pass: it is reported, failing,
// with why (not left out of `tcpsim check`'s report, which used to say
// "no assertions" and exit 0). And the command line's limits: --seed,
// --set, --until.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <string>

#include "cli/commands/commands.h"
#include "scenario/interpreter.h"
#include "scenario/parser.h"

namespace tcpsim::scenario {
namespace {

const std::string kTraces = std::string(TCPSIM_SOURCE_DIR) + "/traces/";

RunResult run_text(const std::string& text, const RunOptions& o = {}) {
  auto r = parse(text, "t.tcpsim");
  EXPECT_TRUE(std::holds_alternative<Scenario>(r)) << std::get<ParseError>(r).message;
  auto ran = run(std::make_shared<const Scenario>(std::get<Scenario>(r)), o);
  EXPECT_TRUE(std::holds_alternative<RunResult>(ran)) << std::get<ParseError>(ran).message;
  return std::move(std::get<RunResult>(ran));
}

const std::string kListen = "host A 10.0.0.1\nprogram p on A {\n  s = socket()\n  listen(s, 5)\n}\n";

TEST(UnevaluatedAssertions, AStateAfterTheTimeLimitFailsSayingWhy) {
  // The default limit is 3600 s; 4000 s is never reached.
  const RunResult r = run_text(kListen + "at 4000s expect p.s LISTEN\n");
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_FALSE(r.results[0].pass);
  EXPECT_EQ(r.results[0].loc.line, 6);
  EXPECT_EQ(r.results[0].what, "at 4000s expect p.s LISTEN");
  EXPECT_EQ(r.results[0].detail, "not evaluated: at 4000s is after the run's end at 60min (the time limit)");
  EXPECT_TRUE(r.failed());
}

TEST(UnevaluatedAssertions, OneWithinTheLimitIsStillEvaluated) {
  // A socket() never connected is CLOSED (RFC 9293 3.3.2: CLOSED is the fictional state of no TCB).
  const RunResult r = run_text(kListen + "until 10s\nat 10s expect p.s CLOSED\nat 11s expect ss A {\n}\n");
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_TRUE(r.results[0].pass) << r.results[0].detail;
  EXPECT_FALSE(r.results[1].pass);
  EXPECT_EQ(r.results[1].detail, "not evaluated: at 11s is after the run's end at 10s (the time limit)");
}

// lost-fin has 20 assertions; with --until 1s the FIN (sent at 1.002 s) and
// everything after it lies beyond the run: 8 were reported, 12 vanished.
TEST(UnevaluatedAssertions, UntilOneSecondReportsAllTwentyOfLostFin) {
  auto r = parse_file(kTraces + "lost-fin.tcpsim");
  ASSERT_TRUE(std::holds_alternative<Scenario>(r));
  // 14 top-level assertions (9 at a time, 4 on segments sent, expect finished) and 6 call results.
  EXPECT_EQ(std::get<Scenario>(r).assertions.size(), 14u);
  RunOptions o;
  o.until = 1 * kSecond;
  auto ran = run(std::make_shared<const Scenario>(std::get<Scenario>(r)), o);
  ASSERT_TRUE(std::holds_alternative<RunResult>(ran));
  const auto& results = std::get<RunResult>(ran).results;
  EXPECT_EQ(results.size(), 20u);
  int not_evaluated = 0;
  for (const auto& x : results) {
    if (x.detail.rfind("not evaluated: ", 0) == 0) {
      ++not_evaluated;
      EXPECT_FALSE(x.pass);
    }
  }
  // The 9 timed states after 1 s, and 3 calls never made: read, close, close.
  EXPECT_EQ(not_evaluated, 12);
  for (std::size_t i = 1; i < results.size(); ++i) EXPECT_LE(results[i - 1].loc.line, results[i].loc.line);
}

TEST(UnevaluatedAssertions, ACallNotReachedFails) {
  const RunResult r = run_text(
      "host A 10.0.0.1\nuntil 2s\nprogram p on A {\n  sleep(5)\n  s = socket()\n  listen(s, 5) = 0\n}\n");
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_FALSE(r.results[0].pass);
  EXPECT_EQ(r.results[0].what, "p: listen(s, 5)");
  EXPECT_EQ(r.results[0].detail,
            "not evaluated: the call was not reached before the run's end at 2s (the time limit)");
}

TEST(UnevaluatedAssertions, ARepeatZeroBodyIsNotReported) {
  const RunResult r = run_text(
      "host A 10.0.0.1\nprogram p on A {\n  repeat 0 {\n    s = socket()\n    listen(s, 5) = 0\n  }\n}\n");
  EXPECT_TRUE(r.results.empty());
}

}  // namespace
}  // namespace tcpsim::scenario

namespace tcpsim::cli {
namespace {

// CLI11 converts "-1" for an unsigned option to 2^64-1: the check on the
// text refuses it (main turns the ValidationError into exit status 2).
void parse_seed(RunArgs& a, const std::string& value) {
  CLI::App app;
  add_run_options(&app, a, false);
  const char* argv[] = {"tcpsim", "--seed", value.c_str()};
  app.parse(3, argv);
}

TEST(CommandLineLimits, SeedMinusOneIsARangeError) {
  for (const char* bad : {"-1", "18446744073709551616", "1e3", ""}) {
    RunArgs a;
    EXPECT_THROW(parse_seed(a, bad), CLI::ValidationError) << bad;
  }
  RunArgs a;
  parse_seed(a, "18446744073709551615");
  EXPECT_EQ(a.seed, std::uint64_t{18446744073709551615u});
}

TEST(CommandLineLimits, SetAndUntilPastTheMaximumAreErrorsNotAborts) {
  const std::string lost_fin = std::string(TCPSIM_SOURCE_DIR) + "/traces/lost-fin.tcpsim";
  for (const char* kv :
       {"time_wait=9223372036s", "delayed_ack_timeout=9223372036s", "rto_after_syn_timeout=9223372036s"}) {
    RunArgs a;
    a.sets = {kv};
    auto r = load_and_run(lost_fin, a);
    ASSERT_TRUE(std::holds_alternative<std::string>(r)) << kv;
    EXPECT_EQ(std::get<std::string>(r),
              std::string("--set ") + kv + ": '9223372036s' is longer than the maximum duration, 10000000s");
  }
  RunArgs a;
  a.until = "9223372036s";
  auto r = load_and_run(lost_fin, a);
  ASSERT_TRUE(std::holds_alternative<std::string>(r));
  EXPECT_EQ(std::get<std::string>(r),
            "--until: '9223372036s' is longer than the maximum duration, 10000000s");
}

}  // namespace
}  // namespace tcpsim::cli
