// The script level of packetdrill's language (google/packetdrill parser.y:
// `script: opt_options opt_init_command events opt_cleanup_command`):
// --flags, times, the untimed init and cleanup commands, #ifdef (NPLab),
// comments, and errors with their positions.
#include <gtest/gtest.h>

#include "helpers.h"

namespace tcpsim::packetdrill {
namespace {

using testing::action;
using testing::error;
using testing::ok;

const char* const kClose = "0 close(3) = 0\n";

TEST(PacketdrillFlags, KnownOptionsAreDecodedAndEveryOptionIsKeptAsWritten) {
  Script s =
      ok("--tolerance_usecs=75000\n--ip_version=ipv4\n--local_ip=192.168.0.1\n--remote_ip=fd3d::1\n"
         "--mss=1000\n--mtu=72\n--tcp_ts_tick_usecs=1000\n--define=TFO_COOKIE=3021b9d889017eeb\n"
         "--define=STANDARD\n--wire_server_ip=1.2.3.4\n--verbose\n" +
         std::string(kClose));
  EXPECT_EQ(s.flags.tolerance, 75 * kMillisecond);
  EXPECT_EQ(s.flags.ip_version, "ipv4");
  EXPECT_EQ(s.flags.local_ip, "192.168.0.1");
  EXPECT_EQ(s.flags.remote_ip, "fd3d::1");
  EXPECT_EQ(s.flags.mss, 1000u);
  EXPECT_EQ(s.flags.mtu, 72u);
  EXPECT_EQ(s.flags.tcp_ts_tick, kMillisecond);
  EXPECT_EQ(s.flags.defines.at("TFO_COOKIE"), "3021b9d889017eeb");
  EXPECT_EQ(s.flags.defines.at("STANDARD"), "");
  ASSERT_EQ(s.flags.all.size(), 11u);
  EXPECT_EQ(s.flags.all[9].name, "wire_server_ip");
  EXPECT_EQ(s.flags.all[9].value, "1.2.3.4");
  EXPECT_EQ(s.flags.all[10].name, "verbose");
  EXPECT_FALSE(s.flags.all[10].value);
  EXPECT_EQ(s.flags.all[4].where.line, 5);
}

TEST(PacketdrillFlags, BadValuesAreErrorsAtTheOption) {
  EXPECT_EQ(error(std::string("\n--mss=abc\n") + kClose),
            "t.pkt:2:1: --mss=abc: expected a number from 0 to 65535");
  EXPECT_EQ(error(std::string("--mtu=65536\n") + kClose),
            "t.pkt:1:1: --mtu=65536: expected a number from 0 to 65535");
  EXPECT_EQ(error(std::string("--ip_version=ipv5\n") + kClose),
            "t.pkt:1:1: --ip_version=ipv5: expected ipv4, ipv6 or ipv4-mapped-ipv6");
  EXPECT_EQ(error(std::string("--local_ip=10.0.0.256\n") + kClose),
            "t.pkt:1:1: --local_ip=10.0.0.256: not an IPv4 or IPv6 address");
  EXPECT_EQ(error(std::string("--tolerance_usecs\n") + kClose),
            "t.pkt:1:1: --tolerance_usecs needs a value (--tolerance_usecs=...)");
  EXPECT_EQ(error(std::string("--define=1X=2\n") + kClose), "t.pkt:1:1: --define=1X=2: '1X' is not a name");
}

TEST(PacketdrillFlags, OptionsComeBeforeTheFirstEventAsInPacketdrillsGrammar) {
  EXPECT_EQ(error("0 close(3) = 0\n--mss=1000\n"), "t.pkt:2:1: --options must come before the first event");
  EXPECT_EQ(error("`init`\n--mss=1000\n0 close(3) = 0\n"),
            "t.pkt:2:1: --options must come before the first event");
}

TEST(PacketdrillTimes, AbsoluteRelativeAnyAndRangesInNanoseconds) {
  Script s =
      ok("0.100 close(3) = 0\n+.1 close(3) = 0\n+ 0.00 close(3) = 0\n* > F. 1:1(0) ack 1\n"
         "+.3~+.400 > F. 1:1(0) ack 1\n1.5~2 > . 1:1(0) ack 1\n7 close(3) = 0\n+0.000000001 close(3) = 0\n");
  using K = EventTime::Kind;
  ASSERT_EQ(s.events.size(), 8u);
  EXPECT_EQ(s.events[0].time.kind, K::Absolute);
  EXPECT_EQ(s.events[0].time.start, 100 * kMillisecond);
  EXPECT_EQ(s.events[1].time.kind, K::Relative);
  EXPECT_EQ(s.events[1].time.start, 100 * kMillisecond);
  EXPECT_EQ(s.events[2].time.kind, K::Relative);  // "+ 0.00": a space after '+' (FreeBSD snd-syn)
  EXPECT_EQ(s.events[2].time.start, 0);
  EXPECT_EQ(s.events[3].time.kind, K::Any);
  EXPECT_EQ(s.events[4].time.kind, K::RelativeRange);
  EXPECT_EQ(s.events[4].time.start, 300 * kMillisecond);
  EXPECT_EQ(s.events[4].time.end, 400 * kMillisecond);
  EXPECT_EQ(s.events[5].time.kind, K::AbsoluteRange);
  EXPECT_EQ(s.events[5].time.start, 1500 * kMillisecond);
  EXPECT_EQ(s.events[5].time.end, 2 * kSecond);
  EXPECT_EQ(s.events[6].time.start, 7 * kSecond);
  EXPECT_EQ(s.events[7].time.start, 1);
  EXPECT_EQ(s.events[1].where.line, 2);
  EXPECT_EQ(s.events[1].where.column, 1);
}

// `start...end name(...)`: a call that blocks; the end has the start's base
// (packetdrill adds the same offset to both for relative events).
TEST(PacketdrillTimes, BlockingCallsCarryTheirEndTime) {
  Script s =
      ok("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+.01...0.011 connect(3, ..., ...) = 0\n"
         "1.00...6.00 connect(3, ..., ...) = -1 ETIMEDOUT (Operation timed out)\n+0...0 accept(3, ..., ...) "
         "= 4\n");
  const Syscall& c = action<Syscall>(s, 1);
  EXPECT_EQ(s.events[1].time.start, 10 * kMillisecond);
  EXPECT_EQ(c.end, 11 * kMillisecond);
  EXPECT_EQ(action<Syscall>(s, 2).end, 6 * kSecond);
  EXPECT_EQ(s.events[2].time.start, 1 * kSecond);
  EXPECT_EQ(action<Syscall>(s, 3).end, 0);
  EXPECT_FALSE(action<Syscall>(s, 0).end);
}

TEST(PacketdrillTimes, PacketdrillsTimeRulesAreErrorsAtTheEvent) {
  EXPECT_EQ(error("0 close(3) = 0\n* < . 1:1(0) ack 1 win 5\n"),
            "t.pkt:2:1: event time * can only be used with outbound packets");
  EXPECT_EQ(error("0 close(3) = 0\n  +0~+1 close(3) = 0\n"),
            "t.pkt:2:3: an event time range can only be used with outbound packets");
  EXPECT_EQ(error("+0.1~0.2 > . 1:1(0) ack 1\n"),
            "t.pkt:1:5: a relative time range needs '+' on both ends (+0.1~+0.2)");
  EXPECT_EQ(error("0.3~0.2 > . 1:1(0) ack 1\n"), "t.pkt:1:4: time range is backwards");
  EXPECT_EQ(error("+1...0.5 close(3) = 0\n"), "t.pkt:1:1: the blocking call ends before it starts");
  EXPECT_EQ(error("+0...1 > . 1:1(0) ack 1\n"),
            "t.pkt:1:8: only a system call can block (start...end name(...))");
  EXPECT_EQ(error("0.0000000001 close(3) = 0\n"),
            "t.pkt:1:1: event time 0.0000000001 is finer than a nanosecond");
  EXPECT_EQ(error("10000001 close(3) = 0\n"),
            "t.pkt:1:1: event time 10000001 is too large (at most 10000000 s)");
  EXPECT_EQ(error("-1 close(3) = 0\n"), "t.pkt:1:1: event time cannot be negative");
  EXPECT_EQ(error("+x close(3) = 0\n"), "t.pkt:1:2: expected event time (seconds), not 'x'");
}

TEST(PacketdrillScript, UntimedCommandsAreTheInitAndCleanupCommandsOnly) {
  Script s =
      ok("--mss=1000\n\n`./defaults.sh\n sysctl -q x=1`\n0 close(3) = 0\n+0 `ip link`\n`/tmp/restore.sh`\n");
  ASSERT_TRUE(s.init_command);
  EXPECT_EQ(s.init_command->text, "./defaults.sh\n sysctl -q x=1");
  EXPECT_EQ(s.init_command->where.line, 3);
  EXPECT_EQ(s.init_command->where.column, 2);
  ASSERT_TRUE(s.cleanup_command);
  EXPECT_EQ(s.cleanup_command->text, "/tmp/restore.sh");
  EXPECT_EQ(action<ShellCommand>(s, 1).text, "ip link");
  EXPECT_EQ(error("0 close(3) = 0\n`a`\n0 close(3) = 0\n"),
            "t.pkt:2:1: a `shell command` between events needs a time");
}

TEST(PacketdrillScript, ShellLinesSplitAtNewlinesJoinContinuationsAndKeepPositions) {
  Script s = ok(
      "`../common/defaults.sh\nethtool -K tun0 tso off gso off\n ../common/set_sysctls.py a=1 \\\n\t\t b=2`\n"
      "0 close(3) = 0\n");
  auto lines = shell_lines(*s.init_command);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "../common/defaults.sh");
  EXPECT_EQ(lines[0].where.line, 1);
  EXPECT_EQ(lines[0].where.column, 2);
  EXPECT_EQ(lines[1].text, "ethtool -K tun0 tso off gso off");
  EXPECT_EQ(lines[1].where.line, 2);
  EXPECT_EQ(lines[2].text, "../common/set_sysctls.py a=1  \t\t b=2");
  EXPECT_EQ(lines[2].where.line, 3);
  EXPECT_EQ(lines[2].where.column, 2);
}

TEST(PacketdrillScript, CommentsOfBothKindsAreIgnoredAnywhere) {
  Script s =
      ok("// head\n0 socket(..., /* domain */ SOCK_STREAM, IPPROTO_TCP) = 3 // trailing\n/* a\n"
         "multi-line // comment */ +0 close(3) = 0\n");
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(action<Syscall>(s, 0).args.size(), 3u);
  EXPECT_EQ(s.events[1].where.line, 4);
  EXPECT_EQ(error("0 close(3) = 0\n  /* never closed\n"), "t.pkt:2:3: unterminated /* comment");
}

TEST(PacketdrillScript, IfdefBlocksGuardTheirEventsAndTheDefinesSelectThem) {
  Script s =
      ok("0 close(3) = 0\n#ifdef STANDARD\n+0 > R. 2:2(0) ack 2 win 0\n#endif\n#ifdef FreeBSD\n+0.1 < . "
         "1:1(0) ack 2 win 5\n"
         "#ifndef STANDARD\n+0 close(4) = 0\n#else\n+0 close(5) = 0\n#endif\n#endif\n+0 close(6) = 0\n");
  ASSERT_EQ(s.events.size(), 6u);
  ASSERT_EQ(s.events[1].guards.size(), 1u);
  EXPECT_EQ(s.events[1].guards[0].name, "STANDARD");
  EXPECT_TRUE(s.events[1].guards[0].defined);
  ASSERT_EQ(s.events[4].guards.size(), 2u);
  EXPECT_TRUE(s.events[4].guards[1].defined);  // the #else of #ifndef STANDARD
  EXPECT_TRUE(s.events[5].guards.empty());
  auto lines = [&](const std::set<std::string>& d) {
    std::vector<int> out;
    for (const Event* e : active_events(s, d)) out.push_back(e->where.line);
    return out;
  };
  EXPECT_EQ(lines({}), (std::vector<int>{1, 13}));
  EXPECT_EQ(lines({"STANDARD"}), (std::vector<int>{1, 3, 13}));
  EXPECT_EQ(lines({"FreeBSD"}), (std::vector<int>{1, 6, 8, 13}));
  EXPECT_EQ(lines({"FreeBSD", "STANDARD"}), (std::vector<int>{1, 3, 6, 10, 13}));
}

TEST(PacketdrillScript, IfdefMistakesAreErrorsAtTheDirective) {
  EXPECT_EQ(error("0 close(3) = 0\n  #ifdef FreeBSD\n+0 close(3) = 0\n"),
            "t.pkt:2:3: #ifdef FreeBSD is not closed by #endif");
  EXPECT_EQ(error("0 close(3) = 0\n#endif\n"), "t.pkt:2:1: #endif without #ifdef");
  EXPECT_EQ(error("0 close(3) = 0\n#ifdef A\n#else\n#else\n#endif\n"),
            "t.pkt:4:1: second #else for the same #ifdef");
  EXPECT_EQ(error("0 close(3) = 0\n#if A\n"),
            "t.pkt:2:1: unknown directive '#if' (expected #ifdef, #ifndef, #else or #endif)");
  EXPECT_EQ(error("0 close(3) = 0\n#ifdef A B\n"), "t.pkt:2:1: unexpected 'B' after #ifdef A");
  EXPECT_EQ(error("0 close(3) = 0 #ifdef A\n"),
            "t.pkt:1:16: expected event time (seconds), not '#'");  // # only starts a line
  std::string deep = "0 close(3) = 0\n";
  for (int i = 0; i < 17; ++i) deep += "#ifdef A\n";
  EXPECT_EQ(error(deep), "t.pkt:18:1: #ifdef nested deeper than 16");
}

TEST(PacketdrillErrors, LexicalErrorsArePositioned) {
  EXPECT_EQ(error("0 close(3) = 0\n+0 write(3, \"abc, 3) = 3\n"), "t.pkt:2:13: unterminated string");
  EXPECT_EQ(error("0 close(3) = 0\n+0 `sysctl -w a=1\n"), "t.pkt:2:4: unterminated `shell command`");
  EXPECT_EQ(error("0 close(3) = 0\n+0 %{ assert tcpi_state == 1\n"),
            "t.pkt:2:4: unterminated %{ python block }%");
  EXPECT_EQ(error("0 close(3) = 0\n+0 clos\xc3\xa9(3) = 0\n"), "t.pkt:2:8: unexpected byte 0xc3");
  EXPECT_EQ(error("0 " + std::string(300, 'a') + "(3) = 0\n"),
            "t.pkt:1:3: name or number longer than 256 bytes");
  EXPECT_EQ(error("0 `" + std::string(70000, 'a') + "`\n"),
            "t.pkt:1:3: `shell command` longer than 65536 bytes");
  EXPECT_EQ(error("// only a comment\n"), "t.pkt:2:1: the script has no events");
  EXPECT_EQ(error(""), "t.pkt:1:1: the script has no events");
}

TEST(PacketdrillErrors, AFileThatCannotBeOpenedIsAnErrorNotACrash) {
  auto r = parse_file("/nonexistent/x.pkt");
  ASSERT_TRUE(std::holds_alternative<ParseError>(r));
  EXPECT_EQ(std::get<ParseError>(r).message(), "/nonexistent/x.pkt:1:1: cannot open the file");
}

}  // namespace
}  // namespace tcpsim::packetdrill
