// Issue 17: assertions that passed on nothing or ignored part of what they
// say. A state assertion on a variable no statement sets read CLOSED and
// passed; `at T expect sent ...` counted the whole run.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "scenario/interpreter.h"
#include "scenario/parser.h"
#include "tests/cli/run_tcpsim.h"

namespace tcpsim::scenario {
namespace {

const std::string kLostFin = std::string(TCPSIM_SOURCE_DIR) + "/traces/lost-fin.tcpsim";

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int lines_of(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

std::vector<AssertionResult> results_of(const std::string& text, const RunOptions& o = {}) {
  auto r = parse(text, "t.tcpsim");
  EXPECT_TRUE(std::holds_alternative<Scenario>(r)) << std::get<ParseError>(r).message;
  if (!std::holds_alternative<Scenario>(r)) return {};
  auto ran = run(std::make_shared<const Scenario>(std::get<Scenario>(r)), o);
  EXPECT_TRUE(std::holds_alternative<RunResult>(ran)) << std::get<ParseError>(ran).message;
  if (!std::holds_alternative<RunResult>(ran)) return {};
  return std::move(std::get<RunResult>(ran).results);
}

// The result of the assertion on the scenario's last line.
AssertionResult last_line_result(const std::string& text, const RunOptions& o = {}) {
  const int line = lines_of(text);
  for (const auto& r : results_of(text, o)) {
    if (r.loc.line == line) return r;
  }
  ADD_FAILURE() << "no result on line " << line;
  return {};
}

TEST(AssertionNames, AnUnknownVariableIsAnErrorAtItsLineAndColumn) {
  // The example: lost-fin's client has `k`, not `kk`.
  const std::string text = read_all(kLostFin) + "at 6100ms expect client.kk CLOSED\n";
  auto r = parse(text, "t.tcpsim");
  ASSERT_TRUE(std::holds_alternative<ParseError>(r)) << "an unknown variable was accepted";
  // "at 6100ms expect client." is 24 characters: kk is at column 25.
  EXPECT_EQ(
      std::get<ParseError>(r).message,
      "t.tcpsim:" + std::to_string(lines_of(text)) +
          ":25: program 'client' has no variable 'kk' (a variable is set by `kk = socket()`, `accept` ...)");
}

TEST(AssertionNames, AnUnknownProgramIsAnErrorAtItsLineAndColumn) {
  const std::string text = read_all(kLostFin) + "at 6100ms expect clinet.k CLOSED\n";
  auto r = parse(text, "t.tcpsim");
  ASSERT_TRUE(std::holds_alternative<ParseError>(r));
  EXPECT_EQ(std::get<ParseError>(r).message.rfind(
                "t.tcpsim:" + std::to_string(lines_of(text)) + ":18: no program named 'clinet'", 0),
            0u)
      << std::get<ParseError>(r).message;
}

TEST(AssertionNames, AVariableSetInsideARepeatIsKnown) {
  // A socket() never connected is CLOSED (RFC 9293 3.3.2), a listener LISTEN
  // (until its program ends: the sleep keeps it open at 1 s).
  const std::string text =
      "host A 10.0.0.1\nprogram p on A {\n  repeat 2 {\n    k = socket()\n  }\n  s = socket()\n"
      "  listen(s, 5)\n  sleep(2)\n}\nat 1s expect p.k CLOSED\nat 1s expect p.s LISTEN\n";
  const auto rs = results_of(text);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_TRUE(rs[0].pass) << rs[0].detail;
  EXPECT_TRUE(rs[1].pass) << rs[1].detail;
}

TEST(AssertionNames, TcpsimCheckExitsTwoOnAnUnknownVariable) {
  char path[] = "/tmp/tcpsim-assert-XXXXXX.tcpsim";
  const int fd = mkstemps(path, 7);
  ASSERT_GE(fd, 0);
  const std::string text = read_all(kLostFin) + "at 6100ms expect client.kk CLOSED\n";
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  const int devnull = open("/dev/null", O_WRONLY);
  const auto ran = testing::run_tcpsim({"check", path}, devnull);
  close(devnull);
  unlink(path);
  EXPECT_EQ(ran.status, 2);
  EXPECT_NE(ran.err.find(std::string(path) + ":" + std::to_string(lines_of(text)) +
                         ":25: program 'client' has no variable 'kk'"),
            std::string::npos)
      << ran.err;
}

// lost-fin: A's FIN at 1.002 s is lost, the tail-loss probe sends it again
// at 1.204 s (2 x SRTT + 200 ms = 202 ms later, the trace's derivation);
// B's FIN follows 1 s after its read() returns 0 at 1.205 s.
TEST(SentByTime, AtTCountsOnlyTheSegmentsSentByT) {
  const AssertionResult one =
      last_line_result(read_all(kLostFin) + "at 1203ms expect sent A -> B FIN 1 times\n");
  EXPECT_TRUE(one.pass) << one.detail;
  EXPECT_EQ(one.what, "at 1203ms expect sent A -> B FIN 1 times");
  const AssertionResult two =
      last_line_result(read_all(kLostFin) + "at 1203ms expect sent A -> B FIN 2 times\n");
  EXPECT_FALSE(two.pass);
  // The FINs counted, listed: A's third segment (SYN, ACK, FIN), seq 1
  // after its SYN (RFC 9293 §3.4).
  EXPECT_EQ(two.detail.rfind("expected 2 times, sent 1 times\n     the FIN from A to B:\n         3  FIN,ACK "
                             "seq=1 ack=1 len=0 ",
                             0),
            0u)
      << two.detail;
  EXPECT_NE(two.detail.find(" at 1.002000"), std::string::npos) << two.detail;
}

TEST(SentByTime, TheTimeItselfIsIncluded) {
  const AssertionResult r =
      last_line_result(read_all(kLostFin) + "at 1204ms expect sent A -> B FIN 2 times\n");
  EXPECT_TRUE(r.pass) << r.detail;
}

TEST(SentByTime, NotSentByTCountsNothingAfterT) {
  const AssertionResult before = last_line_result(read_all(kLostFin) + "at 2s expect not sent B -> A FIN\n");
  EXPECT_TRUE(before.pass) << before.detail;
  const AssertionResult after =
      last_line_result(read_all(kLostFin) + "at 2300ms expect not sent B -> A FIN\n");
  EXPECT_FALSE(after.pass);
  // B's third segment (SYN,ACK, ACK of A's FIN, its FIN), ACKing A's FIN: ack=2.
  EXPECT_EQ(
      after.detail.rfind("1 were sent\n     the FIN from B to A:\n         3  FIN,ACK seq=1 ack=2 len=0 ", 0),
      0u)
      << after.detail;
}

TEST(SentByTime, ATimeAfterTheRunsEndIsNotEvaluated) {
  RunOptions o;
  o.until = 1 * kSecond;
  const AssertionResult r = last_line_result(read_all(kLostFin) + "at 2s expect not sent A -> B RST\n", o);
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.detail, "not evaluated: at 2s is after the run's end at 1s (the time limit)");
}

// A failed state assertion shows the socket's state changes up to then and
// the next two after (issue 17: "the states of the named socket around that
// time"). lost-fin's client, as the README's ladder draws it: SYN at 0,
// ESTABLISHED on the SYN,ACK at 2 ms (1 ms links), FIN-WAIT-1 on close() at
// 1.002 s; FIN-WAIT-2 on B's ACK of the re-sent FIN (1.209 s, the header's
// derivation), TIME-WAIT on B's FIN (sent 2.205 s, in at 2.206 s).
TEST(FailureReport, AFailedStateShowsTheSocketsStateChangesAroundIt) {
  const AssertionResult r = last_line_result(read_all(kLostFin) + "at 1100ms expect client.k FIN-WAIT-2\n");
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.detail,
            "expected FIN-WAIT-2, got FIN-WAIT-1 at 1.100000\n"
            "     its last state changes:\n"
            "         0.000000  CLOSED -> SYN-SENT\n"
            "         0.002000  SYN-SENT -> ESTABLISHED\n"
            "         1.002000  ESTABLISHED -> FIN-WAIT-1\n"
            "     then:\n"
            "         1.209000  FIN-WAIT-1 -> FIN-WAIT-2\n"
            "         2.206000  FIN-WAIT-2 -> TIME-WAIT");
}

TEST(FailureReport, APassingStateHasNoDetail) {
  const AssertionResult r = last_line_result(read_all(kLostFin) + "at 1100ms expect client.k FIN-WAIT-1\n");
  EXPECT_TRUE(r.pass);
  EXPECT_EQ(r.detail, "");
  EXPECT_EQ(r.expected, "FIN-WAIT-1");
  EXPECT_EQ(r.got, "FIN-WAIT-1");
}

}  // namespace
}  // namespace tcpsim::scenario

namespace tcpsim::scenario {
namespace {

// `at T expect finished` parsed and was checked at the run's end, whatever
// T said: a program still asleep at T passed. It means "every program has
// ended by T": p sleeps until 2 s, so at 1 s it has not (the failure names
// it), at 3 s it has.
TEST(AssertionHoles, FinishedAtTMeansByTNotAtTheEnd) {
  const std::string base = "host A 10.0.0.1\nprogram p on A {\n  sleep(2)\n}\n";
  const AssertionResult early = last_line_result(base + "at 1s expect finished\n");
  EXPECT_FALSE(early.pass);
  EXPECT_EQ(early.what, "at 1s expect finished");
  EXPECT_NE(early.detail.find("'p' is asleep"), std::string::npos) << early.detail;
  EXPECT_TRUE(last_line_result(base + "at 3s expect finished\n").pass);
  EXPECT_TRUE(last_line_result(base + "at 2s expect finished\n").pass) << "p ends at 2 s: finished by 2 s";
  // Past the run's time limit it cannot be decided: not evaluated, a failure.
  const AssertionResult late = last_line_result(base + "until 1s\nat 5s expect finished\n");
  EXPECT_FALSE(late.pass);
  EXPECT_NE(late.detail.find("not evaluated"), std::string::npos) << late.detail;
}

}  // namespace
}  // namespace tcpsim::scenario
