// The scenario language: what parses, and that every mistake is reported as
// file:line:col with a message naming what was expected.
#include "scenario/parser.h"

#include <gtest/gtest.h>

#include "scenario/interpreter.h"

namespace tcpsim::scenario {
namespace {

std::string error_of(const std::string& text) {
  auto r = parse(text, "t.tcpsim");
  if (auto* e = std::get_if<ParseError>(&r)) return e->message;
  return "";
}

// Parses and runs; returns the semantic error, or "" if it ran.
std::string run_error(const std::string& text) {
  auto r = parse(text, "t.tcpsim");
  if (auto* e = std::get_if<ParseError>(&r)) return e->message;
  auto sc = std::make_shared<const Scenario>(std::get<Scenario>(r));
  auto ran = run(sc, RunOptions{});
  if (auto* e = std::get_if<ParseError>(&ran)) return e->message;
  return "";
}

const char* kGood = R"(# A title
profile rfc9293
seed 3
host A 10.0.0.1
host B 10.0.0.2
link A <-> B delay 5ms loss 1%
drop A -> B first FIN
drop B -> A from 1s to 2s
program server on B {
  s = socket()
  bind(s, *:80) = 0
  listen(s, 5)
  c = accept(s)
  read(c, 10) = 5 "hello"
  sleep(10)
}
program client on A at 10ms {
  k = socket(AF_INET, SOCK_STREAM, 0)
  connect(k, 10.0.0.2:80) = 0
  write(k, "hello") = 5
  repeat 2 {
    sleep(1)
  }
  close(k)
}
at 500ms expect client.k ESTABLISHED
expect sent A -> B SYN
expect not sent A -> B RST
)";

TEST(Parser, ReadsEveryConstruct) {
  auto r = parse(kGood, "t.tcpsim");
  ASSERT_TRUE(std::holds_alternative<Scenario>(r)) << std::get<ParseError>(r).message;
  const Scenario& sc = std::get<Scenario>(r);
  EXPECT_EQ(sc.title, "A title");
  EXPECT_EQ(sc.profile, "rfc9293");
  EXPECT_EQ(sc.seed, 3u);
  ASSERT_EQ(sc.hosts.size(), 2u);
  EXPECT_EQ(sc.hosts[1].ip, sim::ipv4(10, 0, 0, 2));
  ASSERT_EQ(sc.links.size(), 1u);
  EXPECT_TRUE(sc.links[0].both);
  EXPECT_EQ(sc.links[0].cfg.delay, 5 * kMillisecond);
  ASSERT_EQ(sc.drops.size(), 2u);
  EXPECT_EQ(sc.drops[0].rule.match.required, model::kFin);
  EXPECT_TRUE(sc.drops[1].window);
  ASSERT_EQ(sc.programs.size(), 2u);
  EXPECT_EQ(sc.programs[1].start, 10 * kMillisecond);
  EXPECT_EQ(sc.programs[0].body[1].args[1].addr.ip, 0u);
  EXPECT_EQ(sc.programs[0].body[4].expect.data, "hello");
  EXPECT_EQ(sc.programs[1].body[3].kind, Stmt::Repeat);
  EXPECT_EQ(sc.assertions.size(), 3u);
}

TEST(Parser, GoodScenarioRunsAndItsAssertionsPass) {
  auto r = parse(kGood, "t.tcpsim");
  auto sc = std::make_shared<const Scenario>(std::get<Scenario>(r));
  auto ran = run(sc, RunOptions{});
  ASSERT_TRUE(std::holds_alternative<RunResult>(ran)) << std::get<ParseError>(ran).message;
  for (const auto& a : std::get<RunResult>(ran).results) EXPECT_TRUE(a.pass) << a.what << ": " << a.detail;
}

struct Bad {
  const char* text;
  const char* error;
};

class ParserErrors : public ::testing::TestWithParam<Bad> {};

TEST_P(ParserErrors, NameThePlaceAndWhatWasExpected) {
  EXPECT_EQ(error_of(GetParam().text), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Messages, ParserErrors,
    ::testing::Values(
        Bad{"hots A 10.0.0.1\n",
            "t.tcpsim:1:1: unknown statement 'hots': expected host, link, drop, program, load, sample, "
            "expect, at, profile, seed, set or until"},
        Bad{"host A 10.0.0.300\n", "t.tcpsim:1:8: '10.0.0.300' is not an IPv4 address"},
        Bad{"host A 10.0.0.1\nlink A -> C delay 1ms\n",
            "t.tcpsim:2:1: no host named 'C' (declare it first: host C 10.0.0.1)"},
        Bad{"host A 10.0.0.1\nlink A -> A delay 10\n",
            "t.tcpsim:2:19: '10' is not a duration: write a number and a unit (ns, us, ms, s, min)"},
        // An unknown setting is pointed at where it is written, as a load's is.
        Bad{"host A 10.0.0.1\nlink A -> A lost 5%\n",
            "t.tcpsim:2:13: unknown link setting 'lost': expected delay, jitter, loss, duplicate, reorder, "
            "mtu, bandwidth, queue or burst"},
        // Every word the parser takes is listed, `every` included (the
        // message's own list once left it out).
        Bad{"host A 10.0.0.1\ndrop A -> A fifth FIN\n",
            "t.tcpsim:2:13: 'fifth' is not an ordinal: expected first, second, third, last, all, every, or "
            "1st, 2nd, 3rd, 4th ..."},
        // ...and every segment kind, RST,ACK included (once left out).
        Bad{"host A 10.0.0.1\ndrop A -> A first 5\n",
            "t.tcpsim:2:19: expected a segment kind (SYN, SYN,ACK, ACK, FIN, FIN,ACK, RST, RST,ACK, data, "
            "packet), found '5'"},
        Bad{"host A 10.0.0.1\ndrop A -> A first PSH\n",
            "t.tcpsim:2:19: unknown segment kind 'PSH': expected SYN, SYN,ACK, ACK, FIN, FIN,ACK, RST, "
            "RST,ACK, data or packet"},
        // A string where a call's result goes (once read "expected the
        // expected result": the prompt said what it is, not what to write).
        Bad{"host A 10.0.0.1\nprogram p on A {\n  k = socket()\n  read_to_end(k) = \"x\"\n}\n",
            "t.tcpsim:4:20: expected a result: a number, or -1 and an errno name, found \"x\""},
        Bad{"host A 10.0.0.1\nprogram p on A {\n  s = sokcet()\n}\n",
            "t.tcpsim:3:3: unknown call 'sokcet': expected one of socket, setsockopt, getsockopt, bind, "
            "listen, accept, "
            "connect, read, recv, read_to_end, write, send, shutdown, close, dup, fcntl, epoll_create1, "
            "epoll_ctl, "
            "epoll_wait, "
            "getsockname, getpeername, poll, ioctl, tcp_state, sleep, usleep, at, repeat, ss, exit"},
        Bad{"host A 10.0.0.1\nprogram p on A {\n  s = socket()\n  bind(s)\n}\n",
            "t.tcpsim:4:9: bind() takes 2 arguments, found 1"},
        Bad{"host A 10.0.0.1\nprogram p on A {\n  s = socket()\n  bind(s, 127.0.0.1)\n}\n",
            "t.tcpsim:4:11: '127.0.0.1' needs a port: write 127.0.0.1:PORT"},
        Bad{"host A 10.0.0.1\nprogram p on A {\n  s = socket()\n  close(s) = -1\n}\n",
            "t.tcpsim:4:16: expected an errno name after -1 (EADDRINUSE, ECONNRESET, EAGAIN ...), found end "
            "of line"},
        Bad{"host A 10.0.0.1\nprogram p on A {\n  write(s, \"oops)\n}\n",
            "t.tcpsim:3:12: unterminated string: expected a closing '\"' on the same line"},
        Bad{"host A 10.0.0.1\nprogram p on A {\n  s = socket()\n",
            "t.tcpsim:4:1: expected '}' to close the block, found end of file"},
        Bad{"host A 10.0.0.1\nat 5s expect p.k ESTABLISHED\n",
            "t.tcpsim:2:14: no program named 'p' (assertions come after the programs they name)"},
        Bad{"host A 10.0.0.1\nprogram p on A {\n  k = socket()\n}\nat 5s expect p.k ESTABLISHED-ISH\n",
            "t.tcpsim:5:18: 'ESTABLISHED-ISH' is not a TCP state: use RFC 9293's names (FIN-WAIT-1, "
            "TIME-WAIT ...)"},
        Bad{"host A 10.0.0.1 $\n", "t.tcpsim:1:17: unexpected character '$'"},
        Bad{"host A 10.0.0.1\nhost A 10.0.0.2\n", "t.tcpsim:2:1: host 'A' is declared twice"},
        Bad{"profile linux\n", "t.tcpsim:1:1: a scenario needs at least one host (host A 10.0.0.1)"},
        Bad{"host A 10.0.0.1\nseed -4\n", "t.tcpsim:2:6: a seed must be from 0 to 9223372036854775807"},
        Bad{"host A 10.0.0.1\nhost B 10.0.0.2\nload A -> B rate 100 for 1s\n",
            "t.tcpsim:3:18: expected the connection rate (a rate such as 20000/s), found '100'"},
        Bad{"host A 10.0.0.1\nhost B 10.0.0.2\nload A -> B rate 100/s\n",
            "t.tcpsim:3:1: a load needs its length, e.g. for 120s"},
        Bad{"host A 10.0.0.1\nhost B 10.0.0.2\nload A -> B rate 10/s for 1s closer both\n",
            "t.tcpsim:3:30: closer 'both': expected client or server"},
        Bad{"host A 10.0.0.1\nhost B 10.0.0.2\nload A -> B rate 10/s for 1s speed 3\n",
            "t.tcpsim:3:30: unknown load setting 'speed': expected port, rate, for, start, request, "
            "response, "
            "closer, backlog, accept or addresses"},
        Bad{"host A 10.0.0.1\nsample every 0s\n", "t.tcpsim:2:1: the sampling interval must be positive"}));

TEST(ParserSemantics, VariableUsedBeforeItIsSet) {
  EXPECT_EQ(run_error("host A 10.0.0.1\nprogram p on A {\n  close(c)\n}\n"),
            "t.tcpsim:3:9: 'c' is used before it is set (e.g. c = socket())");
}

TEST(ParserSemantics, UnknownSettingNamesItsLine) {
  EXPECT_EQ(run_error("host A 10.0.0.1\nset time_wiat 30s\n"), "t.tcpsim:2:1: unknown setting 'time_wiat'");
}

TEST(ParserSemantics, UnknownErrnoIsRefused) {
  EXPECT_EQ(run_error("host A 10.0.0.1\nprogram p on A {\n  s = socket()\n  close(s) = -1 EWHATEVER\n}\n"),
            "t.tcpsim:4:14: 'EWHATEVER' is not an errno tcpsim knows (EADDRINUSE, ECONNRESET ...)");
}

TEST(ParserSemantics, BlockedProgramIsNamedWhenNothingIsLeftToHappen) {
  auto r = parse(
      "host A 10.0.0.1\nprogram p on A {\n  s = socket()\n  bind(s, 127.0.0.1:80)\n  listen(s, 1)\n"
      "  c = accept(s)\n}\n",
      "t.tcpsim");
  auto sc = std::make_shared<const Scenario>(std::get<Scenario>(r));
  auto ran = run(sc, RunOptions{});
  const RunResult& rr = std::get<RunResult>(ran);
  EXPECT_FALSE(rr.finished);
  EXPECT_EQ(rr.ending, "nothing left to happen after 0.000000 s: 'p' is blocked in accept(s) (t.tcpsim:6:3)");
}

TEST(ParserSemantics, TimeLimitEndsARunThatWouldGoOn) {
  auto r = parse("host A 10.0.0.1\nuntil 2s\nprogram p on A {\n  repeat 1000 {\n    sleep(1)\n  }\n}\n",
                 "t.tcpsim");
  auto sc = std::make_shared<const Scenario>(std::get<Scenario>(r));
  auto ran = run(sc, RunOptions{});
  const RunResult& rr = std::get<RunResult>(ran);
  EXPECT_EQ(rr.ending, "time limit 2s reached: 'p' is asleep");
}

TEST(ParserSemantics, LoopWithoutTimeIsStoppedNotHung) {
  auto r = parse(
      "host A 10.0.0.1\nprogram p on A {\n  s = socket()\n  repeat 1000 {\n    repeat 1000 {\n"
      "      getsockopt(s, SO_ERROR)\n    }\n  }\n}\n",
      "t.tcpsim");
  auto sc = std::make_shared<const Scenario>(std::get<Scenario>(r));
  RunOptions quiet;
  quiet.trace = false;
  auto ran = run(sc, quiet);
  const RunResult& rr = std::get<RunResult>(ran);
  EXPECT_EQ(rr.ending, "program 'p' ran 1000000 steps without time passing: stopped");
}

// docs/scenario-language.md writes `drop A -> B 3rd data`: numbered
// ordinals start with a digit, which the lexer reads as a number.
TEST(Parser, NumberedOrdinalsPickTheNthMatch) {
  for (const auto& [word, n] : std::vector<std::pair<std::string, unsigned long>>{
           {"1st", 1}, {"2nd", 2}, {"3rd", 3}, {"4th", 4}, {"21st", 21}, {"second", 2}}) {
    auto r = parse("host A 10.0.0.1\nhost B 10.0.0.2\ndrop A -> B " + word + " data\n", "t.tcpsim");
    ASSERT_TRUE(std::holds_alternative<Scenario>(r)) << word << ": " << std::get<ParseError>(r).message;
    EXPECT_EQ(std::get<Scenario>(r).drops.at(0).rule.nth, n) << word;
  }
  EXPECT_EQ(error_of("host A 10.0.0.1\nhost B 10.0.0.2\ndrop A -> B 0th data\n"),
            "t.tcpsim:3:13: counting starts at 1st");
  // Too big for any counter: a range error (it is an ordinal, just too far), not an exception.
  EXPECT_EQ(error_of("host A 10.0.0.1\nhost B 10.0.0.2\ndrop A -> B 99999999999999999999th data\n"),
            "t.tcpsim:3:13: '99999999999999999999th': at most the 1000000000th");
}

// `first retransmission of 5th data`: the rule counts the 5th original and
// drops the first resend of its first octet; last/all are refused, since
// neither names one segment.
TEST(Parser, RetransmissionOfTheNthSegmentNamesOneResend) {
  auto r =
      parse("host A 10.0.0.1\nhost B 10.0.0.2\ndrop A -> B second retransmission of 5th data\n", "t.tcpsim");
  ASSERT_TRUE(std::holds_alternative<Scenario>(r)) << std::get<ParseError>(r).message;
  const auto& d = std::get<Scenario>(r).drops.at(0);
  EXPECT_EQ(d.rule.nth, 5u);
  EXPECT_EQ(d.rule.retransmission, 2u);
  EXPECT_EQ(d.rule.match.payload, sim::PacketMatch::Payload::kWith);
  EXPECT_EQ(error_of("host A 10.0.0.1\nhost B 10.0.0.2\ndrop A -> B last retransmission of 5th data\n"),
            "t.tcpsim:3:13: which retransmission: first, second, third, 4th ...");
  EXPECT_EQ(error_of("host A 10.0.0.1\nhost B 10.0.0.2\ndrop A -> B first retransmission of all data\n"),
            "t.tcpsim:3:37: of which segment: first, second, third, 4th ... (not last or all)");
}

// read_to_end keeps no bytes: an expected string after it cannot be checked.
TEST(ParserSemantics, ReadToEndTakesACountNotAString) {
  EXPECT_EQ(
      run_error("host A 10.0.0.1\nprogram p on A {\n  s = socket()\n  read_to_end(s) = 5 \"hello\"\n}\n"),
      "t.tcpsim:4:20: read_to_end() keeps no bytes: expect only the count (= 20000)");
}

// A load scenario has no programs: the program runner (check, sweep,
// explore, states --coverage) says so instead of passing an empty run.
TEST(Parser, LoadScenarioIsNotRunAsPrograms) {
  EXPECT_EQ(run_error("host A 10.0.0.1\nhost B 10.0.0.2\nload A -> B rate 10/s for 1s\n"),
            "t.tcpsim:3:1: a load scenario has a time series, not programs: run it with `tcpsim run`");
}

// `exit(3)` used to parse and drop its status: nothing reads one (a
// program's end only closes its descriptors), so it is refused where written.
TEST(ParserExit, StatusIsRefusedNotDropped) {
  EXPECT_EQ(error_of("host A 10.0.0.1\nprogram p on A {\n  exit(3)\n}\n"),
            "t.tcpsim:3:8: exit takes no status: a program's exit status is not simulated");
  EXPECT_EQ(error_of("host A 10.0.0.1\nprogram p on A {\n  exit()\n}\nprogram q on A {\n  exit\n}\n"), "");
}

}  // namespace
}  // namespace tcpsim::scenario
