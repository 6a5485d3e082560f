// `tcpsim sweep --format svg` shows the question's scale (issue 17): the
// share panel zooms to where the shares and their Wilson intervals are,
// time panels go logarithmic when percentiles span orders of magnitude,
// and a title longer than the page is cut to fit.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>

#include "sweep_cli.h"

namespace tcpsim::cli {
namespace {

using namespace test;

// rfc9293 without delayed ACKs: connect takes one round trip (2 ms) when
// the SYN and SYN,ACK arrive; a lost one is sent again after 200 ms.
const char* const kConnect =
    "profile rfc9293\nhost A 10.0.0.1\nhost B 10.0.0.2\n"
    "set A rto_min 200ms\nset A rto_initial 200ms\nset B rto_min 200ms\nset B rto_initial 200ms\n"
    "program server on B {\n  s = socket()\n  bind(s, 10.0.0.2:8080) = 0\n  listen(s, 5) = 0\n"
    "  c = accept(s)\n  close(c) = 0\n}\n"
    "program client on A {\n  k = socket()\n  connect(k, 10.0.0.2:8080) = 0\n  close(k) = 0\n}\n";

std::string svg_of(const fs::path& d, const std::string& file, std::vector<std::string> extra) {
  std::vector<std::string> args = {file, "--format", "svg"};
  args.insert(args.end(), extra.begin(), extra.end());
  return sweep_text(args, d / "out.svg");
}

// The y labels of a panel (its <g id=...> group), top last.
std::vector<std::string> y_labels(const std::string& svg, const std::string& id) {
  const auto start = svg.find("<g id=\"" + id + "\">");
  EXPECT_NE(start, std::string::npos) << id;
  const auto end = svg.find("</g>", start);
  const std::string g = svg.substr(start, end - start);
  std::vector<std::string> out;
  static const std::regex label(R"re(text-anchor="end" fill="#444444">([^<]*)<)re");
  for (std::sregex_iterator it(g.begin(), g.end(), label), e; it != e; ++it) out.push_back((*it)[1]);
  return out;
}

// No loss: 0 of 1000 connects over 1 s, whose Wilson interval reaches
// z^2 / (n + z^2) = 3.8415 / 1003.8415 = 0.38 %: the panel's top is the
// next round share, 0.5 %, not 100 % (where 0.38 % is 0.8 px high). Clean
// (every run) is the rest and not drawn.
TEST(SweepPlot, ShareAxisZoomsToTheHighestIntervalBound) {
  const fs::path d = scratch("plot-zoom");
  const fs::path f = d / "connect.tcpsim";
  std::ofstream(f) << kConnect;
  const std::string svg = svg_of(d, f.string(), {"--runs", "1000", "--connect-timeout", "1s"});
  const auto labels = y_labels(svg, "shares-0");
  ASSERT_EQ(labels.size(), 5u) << svg;
  EXPECT_EQ(labels.front(), "0%");
  EXPECT_EQ(labels.back(), "0.5%");
  EXPECT_NE(svg.find("clean: the rest"), std::string::npos);
  EXPECT_NE(svg.find(">connect &gt; 1s<"), std::string::npos) << "the series is in the legend";
}

// At 20 % loss each way, a connect is 2 ms when the SYN and SYN,ACK both
// arrive (0.8^2 = 64 % of runs, so p50 = 2 ms) and at least 202 ms
// otherwise (36 %, so p90 >= 202 ms): percentiles 100 times apart, drawn on
// a log axis from 1 ms (the power of ten below 2 ms) by decades.
TEST(SweepPlot, ConnectTimesSpanningDecades_LogScale) {
  const fs::path d = scratch("plot-log");
  const fs::path f = d / "connect.tcpsim";
  std::ofstream(f) << kConnect;
  const std::string svg = svg_of(d, f.string(), {"--runs", "1000", "--loss", "0:0.2:0.2"});
  EXPECT_NE(svg.find("connect time (s), log scale"), std::string::npos) << svg;
  const auto labels = y_labels(svg, "connect-0");
  ASSERT_GE(labels.size(), 3u);
  EXPECT_EQ(labels[0], "1ms");
  EXPECT_EQ(labels[1], "10ms");
  EXPECT_EQ(labels[2], "100ms");
  // Time to fully closed without a retransmission-sized spread stays linear.
  EXPECT_EQ(svg.find("time to fully closed (s), log scale"), std::string::npos);
}

// A 300-character path does not run off the page: the bold title is cut
// in the middle and still shows the file's name at its end.
TEST(SweepPlot, LongScenarioPath_TitleCutToFitThePage) {
  const fs::path d = scratch("plot-title");
  const fs::path dir = d / std::string(100, 'x') / std::string(100, 'y') / std::string(80, 'z');
  fs::create_directories(dir);
  const fs::path f = dir / "connect.tcpsim";
  std::ofstream(f) << kConnect;
  const std::string svg = svg_of(d, f.string(), {"--runs", "2"});
  const std::regex title(R"re(font-size="14" font-weight="bold">([^<]*)<)re");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, title));
  const std::string shown = m[1];
  const std::regex width(R"re(<svg [^>]*width="([0-9.]+)")re");
  std::smatch w;
  ASSERT_TRUE(std::regex_search(svg, w, width));
  // Bold 14 px DejaVu Sans is under 9 px a character.
  EXPECT_LE(static_cast<double>(shown.size()) * 9, std::stod(w[1]) - 32) << shown;
  EXPECT_NE(shown.find("..."), std::string::npos);
  EXPECT_NE(shown.find("connect.tcpsim"), std::string::npos) << shown;
}

}  // namespace
}  // namespace tcpsim::cli
