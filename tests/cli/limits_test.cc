// Issue 13 through the scenario language: profile values out of range or
// out of order are located errors (no hang), a huge write queues what the
// send buffer takes, a run that would trace without bound stops with an
// error, and a load's sampling is bounded before it runs.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "scenario/interpreter.h"
#include "scenario/load_run.h"
#include "scenario/parser.h"

namespace tcpsim::test {
namespace {

namespace sc = tcpsim::scenario;

template <class Result = sc::RunResult>
std::variant<Result, sc::ParseError> run_text(const std::string& text, const sc::RunOptions& o = {}) {
  auto parsed = sc::parse(text, "t.tcpsim");
  if (auto* e = std::get_if<sc::ParseError>(&parsed)) return *e;
  auto scen = std::make_shared<const sc::Scenario>(std::move(std::get<sc::Scenario>(parsed)));
  if constexpr (std::is_same_v<Result, sc::LoadResult>) {
    return sc::run_load(scen, o);
  } else {
    return sc::run(scen, o);
  }
}

std::string error_of(const std::variant<sc::RunResult, sc::ParseError>& r) {
  const auto* e = std::get_if<sc::ParseError>(&r);
  return e ? e->message : std::string("(no error)");
}

const std::string kConnect =
    "host A 10.0.0.1\n"
    "host B 10.0.0.2\n"
    "program p on A {\n"
    "  k = socket()\n"
    "  connect(k, 10.0.0.2:80)\n"
    "}\n";

// Linux rejected neither of these as such, but an RTO of 0 doubled never
// grows: `set rto_initial 0s` made tcp_model_timeout loop for ever.
TEST(ProfileLimits, SetRtoInitialZeroIsALocatedErrorNotAHang) {
  const auto r = run_text("profile linux\nset rto_initial 0s\n" + kConnect);
  EXPECT_EQ(error_of(r).rfind("t.tcpsim:2:", 0), 0u) << error_of(r);
  EXPECT_NE(error_of(r).find("rto_initial takes 1us..120s"), std::string::npos) << error_of(r);
}

// Linux TCP_RTO_MAX_MS and net.ipv4.tcp_rto_max_ms take 1000..120000 ms.
TEST(ProfileLimits, Linux_SetRtoMaxZeroIsRefused) {
  sc::RunOptions o;
  o.sets = {{"rto_max", "0s"}};
  const auto r = run_text(kConnect, o);
  EXPECT_EQ(error_of(r).rfind("--set rto_max=0s: ", 0), 0u) << error_of(r);
  EXPECT_NE(error_of(r).find("rto_max takes 1s..120s"), std::string::npos) << error_of(r);
}

TEST(ProfileLimits, TimeWaitPastTheLongestDurationIsRefused) {
  sc::RunOptions o;
  o.sets = {{"time_wait", "9223372036s"}};  // the abort of issue 13
  const auto r = run_text(kConnect, o);
  EXPECT_NE(error_of(r).find("out of range"), std::string::npos) << error_of(r);
}

// RFC 6298 2.1/2.4/2.5: the RTO starts at rto_initial and stays within
// [rto_min, rto_max]. The linux profile's rto_initial is 1 s.
TEST(ProfileLimits, Rfc6298_RtoMinAboveRtoInitialNamesBothValuesAtTheSet) {
  const auto r = run_text("profile linux\nset rto_min 2s\n" + kConnect);
  EXPECT_EQ(error_of(r).rfind("t.tcpsim:2:", 0), 0u) << error_of(r);
  EXPECT_NE(error_of(r).find("rto_initial (1s) must not be below rto_min (2s)"), std::string::npos)
      << error_of(r);
}

TEST(ProfileLimits, RelationsAreCheckedAfterEverySetSoAnOrderThatPassesThroughABadStateIsFine) {
  // rto_min 2s alone is above rto_initial; with rto_initial 3s after it, it is not.
  const auto r = run_text("profile linux\nset rto_min 2s\nset rto_initial 3s\n" + kConnect);
  EXPECT_TRUE(std::holds_alternative<sc::RunResult>(r)) << error_of(r);
}

// write(k, N) of more than memory holds: before, std::string(N) threw
// length_error (N = 2^63 - 1) or allocated N bytes. Now the send buffer
// (65535 bytes here) takes what fits, the write blocks, and the reader gets
// the filler "0123456789..." from its first byte.
TEST(WriteLimits, AHugeWriteQueuesWhatTheSendBufferTakesAndBlocks) {
  const auto r = run_text(
      "host A 10.0.0.1\nhost B 10.0.0.2\nuntil 2s\n"
      "program server on B {\n  s = socket()\n  bind(s, *:80)\n  listen(s, 5)\n  c = accept(s)\n"
      "  read(c, 12) = 12 \"012345678901\"\n  sleep(10)\n}\n"
      "program client on A {\n  k = socket()\n  connect(k, 10.0.0.2:80) = 0\n"
      "  write(k, 9223372036854775807)\n}\n");
  ASSERT_TRUE(std::holds_alternative<sc::RunResult>(r)) << error_of(r);
  const auto& run = std::get<sc::RunResult>(r);
  ASSERT_EQ(run.results.size(), 2u);  // connect's and read's
  for (const auto& a : run.results) EXPECT_TRUE(a.pass) << a.what << ": " << a.detail;
  EXPECT_NE(run.ending.find("'client' is blocked in write"), std::string::npos) << run.ending;
}

TEST(TraceLimits, ARunPastTheTraceLimitStopsWithAnError) {
  sc::RunOptions o;
  o.trace_limit = 1000;
  const auto r = run_text(
      "host A 10.0.0.1\nprogram p on A {\n  repeat 100000 {\n    s = socket()\n"
      "    close(s)\n  }\n}\n",
      o);
  EXPECT_EQ(error_of(r),
            "t.tcpsim: trace limit of 1000 records reached at 0.000000 s: the run stops; end it "
            "sooner with --until (or `until`)");
}

TEST(TraceLimits, ARunWithinTheLimitIsUntouched) {
  sc::RunOptions o;
  o.trace_limit = 100000;
  const auto r = run_text(
      "host A 10.0.0.1\nprogram p on A {\n  repeat 1000 {\n    s = socket()\n"
      "    close(s)\n  }\n}\n",
      o);
  ASSERT_TRUE(std::holds_alternative<sc::RunResult>(r)) << error_of(r);
  EXPECT_FALSE(std::get<sc::RunResult>(r).net->trace().full());
}

// `sample every 1ns` up to the default hour would take 3.6e12 samples (it
// filled 12.9 GB in a minute): refused before the run.
TEST(LoadLimits, SamplingThatWouldTakeMoreThanAMillionSamplesIsRefused) {
  const std::string load =
      "host A 10.0.0.1\nhost B 10.0.0.2\nload A -> B port 80 rate 10/s for 1s request 10 response 10 "
      "closer client\n";
  const auto r = run_text<sc::LoadResult>(load + "sample every 1ns\n");
  const auto* e = std::get_if<sc::ParseError>(&r);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "t.tcpsim: sample every 1ns up to 60min would take 3600000000001 samples, more than the 1000000 "
            "allowed: sample less often, or end the run sooner (until)");
  // 3600 s / 3.6 ms + 1 = 1,000,001: one too many; 3.7 ms is within.
  EXPECT_TRUE(
      std::holds_alternative<sc::ParseError>(run_text<sc::LoadResult>(load + "sample every 3600us\n")));
  EXPECT_TRUE(
      std::holds_alternative<sc::LoadResult>(run_text<sc::LoadResult>(load + "sample every 3700us\n")));
}

}  // namespace
}  // namespace tcpsim::test
