// Issue 18, --isn A=100,B=300: a figure numbered as RFC 9293's are, so that
// a book can reproduce them. Expected numbers are typed from the RFC's
// figures; the runs' own ISNs are whatever the profile chose.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "formats/ladder.h"
#include "formats/mermaid.h"
#include "formats/svg.h"
#include "run_tcpsim.h"
#include "trace_files.h"

namespace tcpsim::formats {
namespace {

using testing::run_trace;

PictureOptions with_isn(std::uint32_t a, std::uint32_t b) {
  PictureOptions opt{true};
  opt.isn.side[0] = a;
  opt.isn.side[1] = b;
  return opt;
}

// The SVG's arrow labels, in the order the segments were sent.
std::vector<std::string> labels(const scenario::RunResult& run, const PictureOptions& opt) {
  std::vector<std::string> v;
  for (const auto& a : ladder_picture(run, opt).arrows) v.push_back(a.label);
  return v;
}

// RFC 9293 3.5, Figure 6 (Basic Three-Way Handshake), lines 2-4:
//   A --> <SEQ=100><CTL=SYN> --> B
//   A <-- <SEQ=300><ACK=101><CTL=SYN,ACK> <-- B
//   A --> <SEQ=101><ACK=301><CTL=ACK> --> B
TEST(FigureIsn, Rfc9293_3_5_Figure6_HandshakeNumbersWithIsnA100B300) {
  const auto run = run_trace("three-way-handshake.tcpsim");
  const PictureOptions opt = with_isn(100, 300);
  const auto l = labels(run, opt);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], "SYN seq=100 win=65535");
  EXPECT_EQ(l[1], "SYN,ACK seq=300 ack=101 win=65535");
  EXPECT_EQ(l[2], "ACK seq=101 ack=301 win=65535");
  // The same numbers in the other ladder formats.
  const std::string ascii = ladder(run, LadderOptions{false, true, opt.isn});
  const std::string mmd = mermaid(run, opt);
  for (const auto& s : l) {
    EXPECT_NE(ascii.find(s), std::string::npos) << s << "\n" << ascii;
    EXPECT_NE(mmd.find(s), std::string::npos) << s << "\n" << mmd;
  }
}

// RFC 9293 3.6, Figure 12 (Normal Close Sequence), lines 2-5:
//   A --> <SEQ=100><ACK=300><CTL=FIN,ACK> --> B
//   A <-- <SEQ=300><ACK=101><CTL=ACK> <-- B
//   A <-- <SEQ=300><ACK=101><CTL=FIN,ACK> <-- B
//   A --> <SEQ=101><ACK=301><CTL=ACK> --> B
// No data moved before the close, so each FIN's sequence number is its
// sender's ISN + 1 (the SYN took one): the figure's numbers come from ISNs
// 99 and 299.
TEST(FigureIsn, Rfc9293_3_6_Figure12_NormalCloseNumbersWithIsnA99B299) {
  const auto run = run_trace("s01-close-fin-wait-2-time-wait.tcpsim");
  const auto l = labels(run, with_isn(99, 299));
  ASSERT_EQ(l.size(), 7u);  // the handshake's three, then the close's four
  EXPECT_EQ(l[3], "FIN,ACK seq=100 ack=300 win=65535");
  EXPECT_EQ(l[4], "ACK seq=300 ack=101 win=65535");
  EXPECT_EQ(l[5], "FIN,ACK seq=300 ack=101 win=65535");
  EXPECT_EQ(l[6], "ACK seq=101 ack=301 win=65535");
}

// Sequence numbers are modulo 2^32 (RFC 9293 3.4): from ISN 2^32 - 1 the
// SYN takes the last number and the next segment starts again at 0.
TEST(FigureIsn, Rfc9293_3_4_NumbersWrapModulo2To32) {
  const auto run = run_trace("three-way-handshake.tcpsim");
  const auto l = labels(run, with_isn(4294967295u, 0));
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], "SYN seq=4294967295 win=65535");
  EXPECT_EQ(l[1], "SYN,ACK seq=0 ack=0 win=65535");
  EXPECT_EQ(l[2], "ACK seq=0 ack=1 win=65535");
}

// One side only: the other keeps its relative numbers (from 0).
TEST(FigureIsn, OneSideGivenLeavesTheOtherRelative) {
  const auto run = run_trace("three-way-handshake.tcpsim");
  PictureOptions opt{true};
  opt.isn.side[1] = 300;
  const auto l = labels(run, opt);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[1], "SYN,ACK seq=300 ack=1 win=65535");
  EXPECT_EQ(l[2], "ACK seq=1 ack=301 win=65535");
}

TEST(FigureIsn, TheCommandLineTakesItAndRefusesWhatIsNotAnIsn) {
  const auto ok = testing::run_tcpsim(
      {"run", "traces/three-way-handshake.tcpsim", "-v", "--isn", "A=100,B=300", "-o", "/dev/null"}, 1);
  EXPECT_EQ(ok.status, 0) << ok.err;
  for (const std::string bad : {"100,300", "A=100,A=200", "C=1", "A=-1", "A=4294967296", "A=1,", "A=x", ""}) {
    const auto r = testing::run_tcpsim({"run", "traces/three-way-handshake.tcpsim", "--isn", bad}, 1);
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_NE(r.err.find("--isn "), std::string::npos) << bad << ": " << r.err;
  }
}

}  // namespace
}  // namespace tcpsim::formats
