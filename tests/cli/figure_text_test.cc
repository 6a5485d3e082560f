// Figures' text: one rule for the length of an idle stretch, the same in
// every format; one numbering (relative to each side's ISN) in every label;
// the ASCII and Unicode ladders' columns straight with every option.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include "formats/gap.h"
#include "formats/ladder.h"
#include "formats/mermaid.h"
#include "formats/svg.h"
#include "formats/tikz.h"
#include "model/transition_table.h"
#include "scenario/interpreter.h"
#include "scenario/parser.h"
#include "trace_files.h"

namespace tcpsim::formats {
namespace {

using testing::all_traces;
using testing::kTraces;
using testing::run_trace;

// The rule (formats/gap.h): 4 significant figures, rounded half up, in
// the largest unit the rounded value reaches, trailing zeros dropped.
TEST(GapLabel, FourSignificantFiguresInTheLargestUnitReached) {
  EXPECT_EQ(gap_label(kSecond), "1 s");  // an RTO of 1 s (RFC 6298 2.1)
  EXPECT_EQ(gap_label(999 * kMillisecond), "999 ms");
  EXPECT_EQ(gap_label(1999 * kMillisecond), "1.999 s");  // not rounded to 2 s: ms resolution up to 10 s
  EXPECT_EQ(gap_label(997 * kMillisecond), "997 ms");
  EXPECT_EQ(gap_label(59 * kSecond + 2 * kMillisecond), "59 s");  // 59.002 -> 59.00
  EXPECT_EQ(gap_label(999'960 * kMicrosecond), "1 s");            // 999.96 ms -> 1000 ms
  EXPECT_EQ(gap_label(1500 * kMicrosecond), "1.5 ms");
  EXPECT_EQ(gap_label(12'345), "12.35 \u00b5s");  // half up
  EXPECT_EQ(gap_label(200 * kMicrosecond, "u"), "200 us");
  EXPECT_EQ(gap_label(3600 * kSecond), "3600 s");
  EXPECT_EQ(gap_label(20'000 * kSecond + 400 * kMillisecond), "20000 s");
  EXPECT_EQ(gap_label(7), "7 ns");
}

// The cuts' labels of a figure, in order: "… 1 s …" in the SVG (and TikZ,
// drawn from the same picture) and "Note over L,R: … 1 s …" in Mermaid.
std::vector<std::string> cuts(const std::string& text, const std::string& micro) {
  std::vector<std::string> out;
  static const std::regex re("\u2026 ([0-9.]+ [a-z\u00b5]+) \u2026");
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    std::string s = (*it)[1];
    const auto m = s.find(micro);
    if (m != std::string::npos) s.replace(m, micro.size(), "\u00b5");
    out.push_back(s);
  }
  return out;
}

TEST(GapLabel, SvgAndMermaidNameTheSameIdleStretchesAlike) {
  for (const auto& name : all_traces()) {
    SCOPED_TRACE(name);
    const auto run = run_trace(name);
    const auto in_svg = cuts(svg(run, PictureOptions{}), "\u00b5");
    const auto in_mermaid = cuts(mermaid(run, PictureOptions{}), "u");
    EXPECT_EQ(in_svg, in_mermaid);
  }
  // A lost SYN retransmitted by a 1 s RTO: the cut is the second between the two sends.
  const auto run = run_trace("lost-syn.tcpsim");
  const auto in_svg = cuts(svg(run, PictureOptions{}), "\u00b5");
  ASSERT_FALSE(in_svg.empty());
  EXPECT_EQ(in_svg.front(), "1 s");
}

// RFC 9293 3.10.7.1: a SYN to a port with no TCB is answered <SEQ=0>
// <ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; the SYN's length is 1, so relative to
// the opener's ISN its ack is 1, as the SYN is seq=0.
TEST(RelativeNumbers, Rfc9293_3_10_7_1_ConnectionRefusedRstAcksTheSynRelatively) {
  const auto run = run_trace("connection-refused.tcpsim");
  const std::string want = "RST,ACK seq=0 ack=1";
  const std::string ascii = ladder(run, LadderOptions{false, true});
  const std::string pic = svg(run, PictureOptions{true});
  const std::string mmd = mermaid(run, PictureOptions{true});
  const std::string tex = tikz(run, PictureOptions{true});
  for (const std::string* out : {&ascii, &pic, &mmd, &tex}) {
    EXPECT_NE(out->find(want), std::string::npos) << *out;
    EXPECT_EQ(out->find("ack=334727511"), std::string::npos) << *out;
  }
}

std::size_t columns(const std::string& s) {  // code points
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

// A row of the ladder: time, [#n ]left state, the arrow, right state.
TEST(LadderColumns, RightStateColumnAndLostXHoldWithEveryOption) {
  std::string states;
  for (int s = 0; s < static_cast<int>(model::kStateCount); ++s)
    states += (states.empty() ? "" : "|") + std::string(model::state_name(static_cast<model::State>(s)));
  const std::regex row("^ *[0-9]+\\.[0-9]{6}  (#[0-9]+ )?(" + states + ") +(.*)  (" + states + ")$");
  for (const auto& name : all_traces()) {
    const auto run = run_trace(name);
    for (bool unicode : {false, true}) {
      for (bool verbose : {false, true}) {
        SCOPED_TRACE(name + (unicode ? " unicode" : " ascii") + (verbose ? " -v" : ""));
        const std::string out = ladder(run, LadderOptions{unicode, verbose});
        const std::string x = unicode ? "\u2717" : "x";
        const std::string fill = unicode ? "\u2500" : "-";
        std::set<std::size_t> right_col, x_right, x_left;
        std::size_t pos = 0;
        while (pos < out.size()) {
          const auto nl = out.find('\n', pos);
          const std::string line = out.substr(pos, nl - pos);
          pos = nl == std::string::npos ? out.size() : nl + 1;
          std::smatch m;
          if (!std::regex_match(line, m, row)) continue;
          right_col.insert(columns(line.substr(0, static_cast<std::size_t>(m.position(4)))));
          const auto from = static_cast<std::size_t>(m.position(2) + m.length(2));
          const auto r = line.find(fill + x + " ", from);
          if (r != std::string::npos) x_right.insert(columns(line.substr(0, r + fill.size())));
          const auto l = line.find(" " + x + fill, from);
          if (l != std::string::npos) x_left.insert(columns(line.substr(0, l + 1)));
        }
        EXPECT_LE(right_col.size(), 1u) << out;
        EXPECT_LE(x_right.size(), 1u) << out;
        EXPECT_LE(x_left.size(), 1u) << out;
      }
    }
  }
}

}  // namespace
}  // namespace tcpsim::formats
