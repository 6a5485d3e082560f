// Issue 18, --from T / --to T: a figure cropped to a stretch of the run.
// s01-close-fin-wait-2-time-wait, from its scenario: the handshake takes
// 0-3 ms (1 ms each way); the client closes at 1.002 s, its FIN arrives at
// 1.003 s; the server's delayed ACK leaves at 1.004 s and arrives at
// 1.005 s (FIN-WAIT-2); the server closes at 5.003 s, its FIN arrives at
// 5.004 s and the last ACK at 5.005 s; 2MSL (60 s) ends at 65.004 s.
// Both sides are ESTABLISHED from 3 ms until 1.002 s.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>

#include "formats/ladder.h"
#include "formats/mermaid.h"
#include "formats/svg.h"
#include "formats/tikz.h"
#include "run_tcpsim.h"
#include "trace_files.h"

namespace tcpsim::formats {
namespace {

using testing::run_trace;

PictureOptions window(Time from, Time to = kTimeMax) {
  PictureOptions opt;
  opt.window.from = from;
  opt.window.to = to;
  return opt;
}

// The state of the topmost band on a side.
std::string top_band(const LadderPicture& pic, int side) {
  const LadderPicture::Band* top = nullptr;
  for (const auto& b : pic.bands) {
    if (b.side == side && (!top || b.y0 < top->y0)) top = &b;
  }
  return top ? top->state : "";
}

std::vector<std::string> arrow_labels(const LadderPicture& pic) {
  std::vector<std::string> v;
  for (const auto& a : pic.arrows) v.push_back(a.label);
  return v;
}

TEST(FigureCrop, FromDrawsTheStatesAtTheTopAsTheBandsTheyAreInAndNothingBefore) {
  const auto run = run_trace("s01-close-fin-wait-2-time-wait.tcpsim");
  const LadderPicture pic = ladder_picture(run, window(kSecond));
  EXPECT_EQ(arrow_labels(pic), (std::vector<std::string>{"FIN,ACK", "ACK", "FIN,ACK", "ACK"}));
  EXPECT_EQ(top_band(pic, 0), "ESTABLISHED");
  EXPECT_EQ(top_band(pic, 1), "ESTABLISHED");
  // No LISTEN, SYN-SENT or SYN-RECEIVED band; both bands start at the window's top.
  double top = 1e18;
  for (const auto& b : pic.bands) {
    EXPECT_EQ(b.state.rfind("SYN", 0), std::string::npos) << b.state;
    EXPECT_FALSE(b.listener);
    top = std::min(top, b.y0);
  }
  for (const auto& b : pic.bands) {
    if (b.state == "ESTABLISHED") {
      EXPECT_DOUBLE_EQ(b.y0, top);
    }
  }
  // The scale starts at the window: its first tick is 1 s.
  ASSERT_FALSE(pic.ticks.empty());
  EXPECT_EQ(pic.ticks.front().label, "1.000 s");
}

TEST(FigureCrop, ASegmentInFlightAcrossAnEdgeIsDrawnWholeAndTheWindowWidensToIt) {
  const auto run = run_trace("s01-close-fin-wait-2-time-wait.tcpsim");
  // The FIN is in flight 1.002 .. 1.003 s: a window from 1.0025 s takes it whole.
  const LadderPicture from = ladder_picture(run, window(1'002'500 * kMicrosecond));
  ASSERT_EQ(from.arrows.size(), 4u);
  EXPECT_EQ(from.arrows[0].label, "FIN,ACK");
  EXPECT_EQ(from.ticks.front().label, "1.002 s");
  EXPECT_EQ(top_band(from, 0), "FIN-WAIT-1");  // the state it was sent in
  // The server's ACK is in flight 1.004 .. 1.005 s: a window to 1.0045 s
  // ends at 1.005 s, the client just in FIN-WAIT-2, the server in CLOSE-WAIT.
  const LadderPicture to = ladder_picture(run, window(0, 1'004'500 * kMicrosecond));
  EXPECT_EQ(arrow_labels(to), (std::vector<std::string>{"SYN", "SYN,ACK", "ACK", "FIN,ACK", "ACK"}));
  EXPECT_EQ(to.ticks.back().label, "1.005 s");
  bool fw2_open = false;
  for (const auto& b : to.bands) {
    EXPECT_NE(b.state, "LAST-ACK");
    EXPECT_NE(b.state, "TIME-WAIT");
    fw2_open = fw2_open || (b.state == "FIN-WAIT-2" && b.open);
  }
  EXPECT_TRUE(fw2_open) << "FIN-WAIT-2 runs on past the window's bottom";
  // FIN-WAIT-2's timer and 2MSL end outside the window (the delayed ACK's, 1.003 .. 1.004 s, inside).
  for (const auto& t : to.timers) {
    EXPECT_EQ(t.label.rfind("FIN-WAIT-2", 0), std::string::npos) << t.label;
    EXPECT_EQ(t.label.rfind("2MSL", 0), std::string::npos) << t.label;
  }
  ASSERT_EQ(to.timers.size(), 1u);
  EXPECT_EQ(to.timers[0].label.rfind("delayed-ACK", 0), 0u) << to.timers[0].label;
}

TEST(FigureCrop, NumberKeepsTheWholeRunsNumbersInSvgAndMermaid) {
  const auto run = run_trace("s01-close-fin-wait-2-time-wait.tcpsim");
  PictureOptions opt = window(kSecond);
  opt.number = true;
  // The handshake's three segments come first: the FIN is the 4th sent.
  EXPECT_EQ(ladder_picture(run, opt).arrows.front().label, "4: FIN,ACK");
  const std::string m = mermaid(run, opt);
  EXPECT_EQ(m.find("autonumber"), std::string::npos);
  EXPECT_NE(m.find("L->>R: 4: FIN,ACK"), std::string::npos) << m;
  EXPECT_NE(m.find("L->>R: 7: ACK"), std::string::npos) << m;
}

TEST(FigureCrop, AsciiOpensWithTheStatesRowAndMermaidWithTheStatesNotes) {
  const auto run = run_trace("s01-close-fin-wait-2-time-wait.tcpsim");
  const PictureOptions opt = window(kSecond, 6 * kSecond);
  const std::string a = ladder(run, LadderOptions{false, false, {}, opt.window});
  EXPECT_EQ(a.find("SYN"), std::string::npos) << a;
  EXPECT_EQ(a.find("2MSL expired"), std::string::npos) << a;  // at 65.004 s
  static const std::regex first_row(R"(\n  1\.000000  ESTABLISHED  -+  ESTABLISHED\n)");
  EXPECT_TRUE(std::regex_search(a, first_row)) << a;
  EXPECT_NE(a.find("TIME-WAIT"), std::string::npos) << a;  // 5.004 s
  const std::string m = mermaid(run, opt);
  const auto est_l = m.find("Note over L: ESTABLISHED"), est_r = m.find("Note over R: ESTABLISHED");
  const auto fin = m.find("L->>R: FIN,ACK");
  ASSERT_NE(fin, std::string::npos) << m;
  EXPECT_LT(est_l, fin);
  EXPECT_LT(est_r, fin);
  EXPECT_EQ(m.find("SYN"), std::string::npos) << m;
  EXPECT_EQ(m.find("… 60 s …"), std::string::npos) << m;  // 2MSL's wait is past the window
  // TikZ draws the same picture as the SVG: the close's segments, not the handshake's.
  const std::string t = tikz(run, opt);
  EXPECT_EQ(t.find("{SYN,ACK}\n"), std::string::npos);
  EXPECT_NE(t.find("{FIN,ACK}\n"), std::string::npos);
}

TEST(FigureCrop, TheCommandLineRefusesAWindowEndingBeforeItStartsOrNotATime) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--from", "5s", "--to", "1s"}, {"--from", "soon"}, {"--to", "1 parsec"}}) {
    std::vector<std::string> cmd{"run", "traces/s01-close-fin-wait-2-time-wait.tcpsim", "-f", "svg"};
    cmd.insert(cmd.end(), args.begin(), args.end());
    const auto r = testing::run_tcpsim(cmd, 1);
    EXPECT_EQ(r.status, 2) << args[1];
    EXPECT_NE(r.err.find(args[0] + " "), std::string::npos) << r.err;
  }
  const auto ok = testing::run_tcpsim({"run", "traces/s01-close-fin-wait-2-time-wait.tcpsim", "--from", "1s",
                                       "--to", "6s", "-o", "/dev/null"},
                                      1);
  EXPECT_EQ(ok.status, 0) << ok.err;
}

}  // namespace
}  // namespace tcpsim::formats
