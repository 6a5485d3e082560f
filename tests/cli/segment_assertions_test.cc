// Issue 17: assertions on one segment (`expect A -> B segment N FLAGS
// seq= ack= len= win= opts= at T`) and counts on sent segments (`once`,
// `never`, `N times`, `not sent ... N times`), with fields.
//
// The run is traces/lost-fin.tcpsim. What A puts on the link to B, derived
// from its header comment (Linux's timings) and RFC 9293 §3.4 (a SYN and a
// FIN each take one sequence number; seq and ack are relative to each
// side's ISS, as tcpdump prints them):
//   1  SYN       seq=0          at 0
//   2  ACK       seq=1 ack=1    at 0.002  (the handshake's third segment)
//   3  FIN,ACK   seq=1 ack=1    at 1.002  (close(); dropped by the rule)
//   4  FIN,ACK   seq=1 ack=1    at 1.204  (the loss probe re-sends it)
//   5  ACK       seq=2 ack=2    at 2.206  (B's FIN at its seq 1, answered)
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "scenario/interpreter.h"
#include "scenario/parser.h"

namespace tcpsim::scenario {
namespace {

std::string lost_fin() {
  std::ifstream in(std::string(TCPSIM_SOURCE_DIR) + "/traces/lost-fin.tcpsim");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int lines_of(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

// The result of `line`, appended to lost-fin as its last line.
AssertionResult result_of(const std::string& line) {
  const std::string text = lost_fin() + line + "\n";
  auto r = parse(text, "t.tcpsim");
  if (!std::holds_alternative<Scenario>(r)) {
    ADD_FAILURE() << std::get<ParseError>(r).message;
    return {};
  }
  auto ran = run(std::make_shared<const Scenario>(std::get<Scenario>(r)), {});
  if (!std::holds_alternative<RunResult>(ran)) {
    ADD_FAILURE() << std::get<ParseError>(ran).message;
    return {};
  }
  for (const auto& res : std::get<RunResult>(ran).results) {
    if (res.loc.line == lines_of(text)) return res;
  }
  ADD_FAILURE() << "no result for " << line;
  return {};
}

// The parse error `line` gives, appended to lost-fin ("" if none).
std::string error_of(const std::string& line) {
  const std::string text = lost_fin() + line + "\n";
  auto r = parse(text, "t.tcpsim");
  if (!std::holds_alternative<ParseError>(r)) return "";
  const std::string prefix = "t.tcpsim:" + std::to_string(lines_of(text)) + ":";
  const std::string m = std::get<ParseError>(r).message;
  return m.rfind(prefix, 0) == 0 ? m.substr(prefix.size()) : "not at the line: " + m;
}

TEST(SegmentAssertion, Rfc9293_3_4_TheLostFinIsTheThirdSegmentWithRelativeSeqAndAck) {
  const auto r = result_of("expect A -> B segment 3 FIN,ACK seq=1 ack=1 len=0 at 1.002s");
  EXPECT_TRUE(r.pass) << r.detail;
}

TEST(SegmentAssertion, Rfc9293_3_4_TheLastAckFollowsBothFins) {
  const auto r = result_of("expect A -> B segment 5 ACK seq=2 ack=2 len=0 at 2.206s");
  EXPECT_TRUE(r.pass) << r.detail;
}

TEST(SegmentAssertion, TheProbeIsTheFourthAt1204ms) {
  EXPECT_TRUE(result_of("expect A -> B segment 4 FIN,ACK seq=1 ack=1 at 1204ms").pass);
  // Its time is compared: not 1.203 s, but within 1 ms of it.
  EXPECT_FALSE(result_of("expect A -> B segment 4 FIN,ACK at 1203ms").pass);
  EXPECT_TRUE(result_of("expect A -> B segment 4 FIN,ACK at 1203ms within 1ms").pass);
}

TEST(SegmentAssertion, AWrongFieldFailsSayingExpectedAndGotWithTheSegmentsAround) {
  const auto r = result_of("expect A -> B segment 4 FIN,ACK seq=2");
  EXPECT_FALSE(r.pass);
  EXPECT_NE(r.detail.find("expected FIN,ACK seq=2"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("got FIN,ACK seq=1 ack=1 len=0"), std::string::npos) << r.detail;
  // Segments 2 to 5 listed, the fourth marked.
  EXPECT_NE(r.detail.find(">   4  FIN,ACK seq=1"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("    2  ACK seq=1"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("    5  ACK seq=2"), std::string::npos) << r.detail;
}

TEST(SegmentAssertion, FlagsAreComparedExactly) {
  // Segment 3 is FIN,ACK: `FIN` alone is a different segment.
  EXPECT_FALSE(result_of("expect A -> B segment 3 FIN").pass);
  EXPECT_FALSE(result_of("expect A -> B segment 3 ACK").pass);
  EXPECT_FALSE(result_of("expect A -> B segment 1 SYN,ACK").pass);
  EXPECT_TRUE(result_of("expect A -> B segment 1 SYN").pass);
  EXPECT_TRUE(result_of("expect B -> A segment 1 SYN,ACK seq=0 ack=1").pass);
}

TEST(SegmentAssertion, Rfc9293_3_7_1_MssOnlyOnTheSyn) {
  // MSS = the link's MTU (1500) - 40 (RFC 6691 §2); no option after the SYN.
  EXPECT_TRUE(result_of("expect A -> B segment 1 SYN mss=1460").pass);
  EXPECT_FALSE(result_of("expect A -> B segment 1 SYN mss=1400").pass);
  EXPECT_TRUE(result_of("expect A -> B segment 2 ACK opts=none").pass);
  EXPECT_FALSE(result_of("expect A -> B segment 2 ACK opts=mss").pass);
}

TEST(SegmentAssertion, TheWindowIsCompared) {
  const auto r = result_of("expect A -> B segment 2 ACK win=1");
  EXPECT_FALSE(r.pass);
  EXPECT_NE(r.got.find(" win="), std::string::npos) << r.got;
}

TEST(SegmentAssertion, ASegmentNeverSentFailsSayingHowManyWere) {
  const auto r = result_of("expect A -> B segment 6 ACK");
  EXPECT_FALSE(r.pass);
  EXPECT_NE(r.detail.find("A sent 5 segments to B"), std::string::npos) << r.detail;
}

TEST(SegmentAssertion, AtTCountsOnlyTheSegmentsSentByT) {
  // By 1.1 s A had sent three: the fourth does not exist yet.
  const auto r = result_of("at 1100ms expect A -> B segment 4 FIN,ACK");
  EXPECT_FALSE(r.pass);
  EXPECT_NE(r.detail.find("A sent 3 segments to B by 1100ms"), std::string::npos) << r.detail;
  EXPECT_TRUE(result_of("at 1100ms expect A -> B segment 3 FIN,ACK").pass);
}

TEST(SentCounts, OnceNeverAndTimesCountExactly) {
  EXPECT_FALSE(result_of("expect sent A -> B FIN once").pass);  // two FINs
  EXPECT_TRUE(result_of("expect sent B -> A FIN once").pass);
  EXPECT_TRUE(result_of("expect sent A -> B RST never").pass);
  EXPECT_FALSE(result_of("expect sent A -> B FIN never").pass);
  EXPECT_TRUE(result_of("expect sent A -> B FIN 2 times").pass);
}

TEST(SentCounts, NotSentNTimesIsAnyCountButN) {
  EXPECT_TRUE(result_of("expect not sent A -> B FIN 1 times").pass);  // sent twice
  EXPECT_TRUE(result_of("expect not sent A -> B FIN once").pass);
  const auto r = result_of("expect not sent A -> B FIN 2 times");
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.expected, "not 2 times");
  EXPECT_EQ(r.got, "2 times");
}

TEST(SentCounts, FieldsNarrowWhatIsCounted) {
  // Both FINs are seq=1; only one was sent at 1.204 s.
  EXPECT_TRUE(result_of("expect sent A -> B FIN seq=1 2 times").pass);
  EXPECT_TRUE(result_of("expect sent A -> B FIN,ACK at 1.204s once").pass);
  EXPECT_TRUE(result_of("expect sent A -> B FIN seq=2 never").pass);
  EXPECT_TRUE(result_of("expect sent A -> B data never").pass);
}

TEST(SentCounts, AFailureListsTheSegmentsOfThatKind) {
  const auto r = result_of("expect sent A -> B FIN once");
  EXPECT_NE(r.detail.find("the FIN from A to B:"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("  3  FIN,ACK seq=1 ack=1 len=0"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("  4  FIN,ACK seq=1 ack=1 len=0"), std::string::npos) << r.detail;
}

TEST(SegmentAssertionSyntax, MistakesAreLocated) {
  EXPECT_EQ(error_of("expect A -> B segment 0 SYN"),
            "23: which segment (1 is the first A sent to B) must be "
            "from 1 to 1000000000");
  EXPECT_EQ(error_of("expect A -> B segment 1 SYN,XYZ"),
            "25: 'XYZ' is not a TCP flag: expected SYN, FIN, RST, PSH, ACK or URG, joined by ','");
  EXPECT_EQ(error_of("expect A -> B segment 1 SYN,SYN"), "25: flag SYN is written twice");
  EXPECT_EQ(error_of("expect A -> B segment 1 SYN seq=0 seq=1"), "35: seq is written twice");
  EXPECT_EQ(error_of("expect A -> B segment 1 SYN opts=mss,foo"),
            "34: 'foo' is not an option: expected none, or mss, sackOK, TS, wscale, sack joined by ','");
  EXPECT_EQ(error_of("expect A -> B segment 1 SYN win=65536"), "33: win must be from 0 to 65535");
  EXPECT_EQ(error_of("expect A -> C segment 1 SYN").rfind("1: ", 0), 0u);  // unknown host C
  EXPECT_EQ(error_of("expect not sent A -> B FIN never"),
            "28: `not sent ... never` says sent at least once: write `expect sent ...`");
}

}  // namespace
}  // namespace tcpsim::scenario
