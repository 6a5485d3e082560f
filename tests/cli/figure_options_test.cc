// Issue 18, figures a book can use: the print size (--width, --font-size),
// --compact, --hide, --title/--no-subtitle and --number, on the pictures
// (formats/svg.h) and through the command line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "formats/mermaid.h"
#include "formats/svg.h"
#include "formats/tikz.h"
#include "run_tcpsim.h"
#include "trace_files.h"

namespace tcpsim::formats {
namespace {

using testing::all_traces;
using testing::run_trace;

// 12 cm in points of 1/72 in: 12 / 2.54 * 72.
constexpr double k12cm = 12 / 2.54 * 72;  // 340.157...

// The root element's width and height attributes.
std::pair<std::string, std::string> root_size(const std::string& svg_text) {
  static const std::regex re(
      R"re(<svg [^>]*width="([^"]+)" height="([^"]+)" viewBox="0 0 ([\d.]+) ([\d.]+)")re");
  std::smatch m;
  if (!std::regex_search(svg_text, m, re)) return {};
  return {m[1], m[2]};
}

TEST(FigureSize, WidthPrintsTheSvgThatWideInPointsWithThePixelsInTheViewBox) {
  const auto run = run_trace("three-way-handshake.tcpsim");
  PictureOptions opt;
  opt.width_pt = k12cm;
  const LadderPicture pic = ladder_picture(run, opt);
  EXPECT_NEAR(pic.pt_per_px, k12cm / pic.width, 1e-9);
  const auto [w, h] = root_size(svg(run, opt));
  EXPECT_EQ(w, "340.16pt");
  EXPECT_EQ(h, fmt::format("{:.2f}pt", pic.height * k12cm / pic.width));
  // Without a size the SVG stays in pixels, as before.
  EXPECT_EQ(root_size(svg(run, PictureOptions{})).first, number(ladder_picture(run, PictureOptions{}).width));
}

TEST(FigureSize, FontSizeIsTheSegmentLabelsSizeInPrint) {
  const auto run = run_trace("lost-fin.tcpsim");
  PictureOptions opt;
  opt.font_pt = 8.5;
  const LadderPicture pic = ladder_picture(run, opt);
  // Labels are 11 px in the viewBox: 8.5 pt in print means 8.5/11 pt per pixel.
  EXPECT_NEAR(pic.pt_per_px, 8.5 / 11, 1e-12);
  EXPECT_EQ(root_size(svg(run, opt)).first, fmt::format("{:.2f}pt", pic.width * 8.5 / 11));
  // TikZ: the same unit, in TeX's big points (the SVG's pt), fonts scaled with it.
  const std::string t = tikz(run, opt);
  EXPECT_NE(t.find(fmt::format("\\setlength{{\\tcpsimunit}}{{{:.2f}bp}}", 8.5 / 11)), std::string::npos);
  EXPECT_NE(t.find("\\newcommand{\\tcpsimsans}{\\fontsize{8.50bp}{10.20bp}"), std::string::npos);
}

TEST(FigureSize, WidthAndFontSizeTogetherWidenTheArrowsToFillTheWidth) {
  const auto run = run_trace("three-way-handshake.tcpsim");
  PictureOptions opt;
  opt.compact = true;
  opt.font_pt = 9;
  opt.width_pt = 25 / 2.54 * 72;
  const LadderPicture pic = ladder_picture(run, opt);
  ASSERT_EQ(pic.size_error, "");
  // 25 cm at 9 pt per 11 px: the picture is 25 cm / (9/11 pt per px) across.
  EXPECT_NEAR(pic.width, opt.width_pt * 11 / 9, 0.1);
  EXPECT_GT(pic.right_x - pic.left_x,
            ladder_picture(run, PictureOptions{}).right_x - ladder_picture(run, PictureOptions{}).left_x);
}

TEST(FigureSize, AWidthTooNarrowForTheTypeSizeIsRefusedWithWhatItNeeds) {
  const auto run = run_trace("lost-fin.tcpsim");
  PictureOptions opt;
  opt.font_pt = 8.5;
  opt.width_pt = 5 / 2.54 * 72;  // 5 cm: no ladder with its labels at 8.5 pt fits
  const LadderPicture pic = ladder_picture(run, opt);
  EXPECT_NE(pic.size_error.find("--width 5.0 cm --font-size 8.5 pt: this figure needs"), std::string::npos)
      << pic.size_error;
  // Through the command line: exit 2, the message, nothing written.
  const std::string out =
      (std::filesystem::temp_directory_path() / ("tcpsim-size-" + std::to_string(::getpid()))).string();
  const auto r = testing::run_tcpsim(
      {"run", "traces/lost-fin.tcpsim", "-f", "svg", "--width", "5cm", "--font-size", "8.5", "-o", out}, 1);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("this figure needs"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(FigureSize, BadLengthsAreRefusedWithTheAcceptedForms) {
  for (const auto& [opt, value] :
       std::vector<std::pair<std::string, std::string>>{{"--width", "12"},
                                                        {"--width", "12furlongs"},
                                                        {"--width", "-3cm"},
                                                        {"--width", "0.1cm"},
                                                        {"--font-size", "0"},
                                                        {"--font-size", "9em"},
                                                        {"--font-size", "1e400"}}) {
    const auto r = testing::run_tcpsim({"run", "traces/lost-fin.tcpsim", "-f", "svg", opt, value}, 1);
    EXPECT_EQ(r.status, 2) << opt << " " << value;
    EXPECT_NE(r.err.find(opt + " "), std::string::npos) << r.err;
  }
}

TEST(FigureContent, CompactDrawsNoCallTextAndIsNarrowerForEveryTrace) {
  PictureOptions compact;
  compact.compact = true;
  for (const auto& name : all_traces()) {
    SCOPED_TRACE(name);
    const auto run = run_trace(name);
    const LadderPicture plain = ladder_picture(run, PictureOptions{}), pic = ladder_picture(run, compact);
    EXPECT_LT(pic.width, plain.width);
    for (const auto& n : pic.notes) EXPECT_NE(n.kind, LadderPicture::Note::Call) << n.text;
    // Every state still named, within its narrower band (10 px bold).
    for (const auto& b : pic.bands) EXPECT_GE(b.x1 - b.x0, 50) << b.state;
  }
}

TEST(FigureContent, HideLeavesOutCallsTimersOrProgramOutput) {
  const auto lost = run_trace("lost-fin.tcpsim");  // timers fire: TLP, delayed ACK, 2MSL
  PictureOptions hide_timers;
  hide_timers.hide_timers = true;
  ASSERT_FALSE(ladder_picture(lost, PictureOptions{}).timers.empty());
  const LadderPicture no_timers = ladder_picture(lost, hide_timers);
  EXPECT_TRUE(no_timers.timers.empty());
  for (const auto& n : no_timers.notes) EXPECT_NE(n.kind, LadderPicture::Note::Timer) << n.text;
  EXPECT_EQ(mermaid(lost, hide_timers).find("timer expired"), std::string::npos);

  PictureOptions hide_calls;
  hide_calls.hide_calls = true;
  for (const auto& n : ladder_picture(lost, hide_calls).notes) EXPECT_NE(n.kind, LadderPicture::Note::Call);
  EXPECT_EQ(mermaid(lost, hide_calls).find("close("), std::string::npos);

  const auto ss = run_trace("s11-socket-table-closed-not-shown.tcpsim");  // a program prints ss's table
  PictureOptions hide_notes;
  hide_notes.hide_notes = true;
  const auto outputs = [](const LadderPicture& p) {
    return std::count_if(p.notes.begin(), p.notes.end(),
                         [](const LadderPicture::Note& n) { return n.kind == LadderPicture::Note::Output; });
  };
  ASSERT_GT(outputs(ladder_picture(ss, PictureOptions{})), 0);
  EXPECT_EQ(outputs(ladder_picture(ss, hide_notes)), 0);
}

TEST(FigureContent, TitleReplacesTheScenariosAndNoSubtitleKeepsTheProvenanceInTheMetadata) {
  const auto run = run_trace("lost-fin.tcpsim");
  PictureOptions opt;
  opt.title = "Figure 3.2: a lost FIN";
  opt.no_subtitle = true;
  const std::string s = svg(run, opt);
  EXPECT_NE(s.find(">Figure 3.2: a lost FIN</text>"), std::string::npos);
  EXPECT_EQ(s.find(">Lost FIN: A&apos;s FIN"), std::string::npos);
  // No subtitle text element, but the desc still says how the figure was made.
  EXPECT_EQ(s.find("fill=\"#555555\">traces/lost-fin.tcpsim"), std::string::npos);
  EXPECT_NE(
      s.find(
          "<desc>Ladder diagram drawn by tcpsim from the run's trace: traces/lost-fin.tcpsim: profile linux"),
      std::string::npos);
  EXPECT_NE(tikz(run, opt).find("\n% traces/lost-fin.tcpsim: profile linux, seed 1, tcpsim "),
            std::string::npos);
  EXPECT_NE(mermaid(run, opt).find("sequenceDiagram\n  title Figure 3.2: a lost FIN\n"), std::string::npos);
}

// RFC 9293 3.5, Figure 7: the handshake is SYN, SYN,ACK, ACK, in that order.
TEST(FigureContent, NumberNumbersTheSegmentsInTheOrderSent) {
  const auto run = run_trace("three-way-handshake.tcpsim");
  PictureOptions opt;
  opt.number = true;
  const LadderPicture pic = ladder_picture(run, opt);
  ASSERT_GE(pic.arrows.size(), 3u);
  EXPECT_EQ(pic.arrows[0].label, "1: SYN");
  EXPECT_EQ(pic.arrows[1].label, "2: SYN,ACK");
  EXPECT_EQ(pic.arrows[2].label, "3: ACK");
  EXPECT_NE(mermaid(run, opt).find("sequenceDiagram\n  autonumber\n"), std::string::npos);
}

}  // namespace
}  // namespace tcpsim::formats

namespace tcpsim::formats {
namespace {

// RFC 9293 3.10.7.4 (TIME-WAIT): a retransmitted FIN is acknowledged and
// "restart the 2 MSL timeout". lost-last-ack: B's FIN is re-sent because
// A's last ACK was lost; A in TIME-WAIT restarts 2MSL at that arrival, and
// its FIN-WAIT-2 timer was cancelled when B's first FIN came (RFC 9293
// leaves FIN-WAIT-2 unbounded; Linux's tcp_fin_timeout stops there).
TEST(FigureTimers, TimeWaitAbsorbingARetransmittedFinIsDrawnRestartedAndFinWait2Cancelled) {
  const auto run = run_trace("lost-last-ack.tcpsim");
  const LadderPicture pic = ladder_picture(run, PictureOptions{});
  const LadderPicture::Timer* msl = nullptr;
  const LadderPicture::Timer* fw2 = nullptr;
  for (const auto& t : pic.timers) {
    if (t.label.rfind("2MSL", 0) == 0) msl = &t;
    if (t.label.rfind("FIN-WAIT-2", 0) == 0) fw2 = &t;
  }
  ASSERT_NE(msl, nullptr);
  ASSERT_EQ(msl->restarts.size(), 1u);
  EXPECT_FALSE(msl->cancelled);
  // Restarted between its first arming and its expiry.
  EXPECT_GT(msl->restarts[0], msl->y0);
  EXPECT_LT(msl->restarts[0], msl->y1);
  ASSERT_NE(fw2, nullptr);
  EXPECT_TRUE(fw2->cancelled);
  EXPECT_TRUE(fw2->restarts.empty());
  // FIN-WAIT-2's timer stops where 2MSL starts: B's FIN ended FIN-WAIT-2.
  EXPECT_DOUBLE_EQ(fw2->y1, msl->y0);
  const auto has_note = [&pic](const std::string& text) {
    return std::any_of(pic.notes.begin(), pic.notes.end(),
                       [&](const LadderPicture::Note& n) { return n.text == text; });
  };
  EXPECT_TRUE(has_note("2MSL restarted"));
  EXPECT_TRUE(has_note("FIN-WAIT-2 timer cancelled"));
  // Drawn: an open circle where it restarted, a bar where it was cancelled.
  const std::string s = svg(run, PictureOptions{});
  EXPECT_NE(s.find(fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"#ffffff\"/>", number(msl->x),
                               number(msl->restarts[0]))),
            std::string::npos);
  EXPECT_NE(s.find(fmt::format("<path d=\"M{},{} L{},{}\" stroke-width=\"2\"/>", number(fw2->x - 4),
                               number(fw2->y1), number(fw2->x + 4), number(fw2->y1))),
            std::string::npos);
}

// The retransmission timer is re-armed or cancelled by nearly every
// segment: only its expiry is drawn, as before.
TEST(FigureTimers, RoutineTimersAreDrawnOnlyWhenTheyExpire) {
  const auto run =
      run_trace("three-way-handshake.tcpsim");  // RTO armed, cancelled by the SYN,ACK and the ACK
  for (const auto& t : ladder_picture(run, PictureOptions{}).timers)
    EXPECT_NE(t.label.rfind("RTO", 0), 0u) << t.label;
}

}  // namespace
}  // namespace tcpsim::formats

namespace tcpsim::formats {
namespace {

// --linear-time: no idle stretch is cut, and instants after a long gap sit
// at their time on one scale. syn-never-answered-etimedout: Linux re-sends
// the SYN after 1 s four times (tcp_syn_linear_timeouts), then after 2, 4,
// 8, ... s (RFC 6298 5.5's doubling): each SYN's height is its send time
// times one scale.
TEST(FigureContent, LinearTimeDrawsEveryGapToOneScale) {
  const auto run = run_trace("syn-never-answered-etimedout.tcpsim");
  PictureOptions opt;
  opt.linear_time = true;
  const LadderPicture pic = ladder_picture(run, opt);
  EXPECT_TRUE(pic.breaks.empty());
  ASSERT_FALSE(ladder_picture(run, PictureOptions{}).breaks.empty());
  std::vector<std::pair<Time, double>> syns;  // (sent, y)
  for (const auto& r : run.net->trace().records()) {
    if (r.kind != sim::TraceKind::Sent) continue;
    for (const auto& a : pic.arrows) {
      if (a.packet == r.ref) syns.push_back({r.t, a.y0});
    }
  }
  ASSERT_GE(syns.size(), 8u);
  // Gaps of 1 s and of 2, 4, 8 s, as the trace has them.
  std::set<Duration> gaps;
  for (std::size_t k = 1; k < syns.size(); ++k) gaps.insert(syns[k].first - syns[k - 1].first);
  for (Duration g : {kSecond, 2 * kSecond, 4 * kSecond}) EXPECT_TRUE(gaps.count(g)) << g;
  // From the first retransmission on (the first SYN leaves half a step
  // below the state change at its instant).
  const double px_per_s = (syns[2].second - syns[1].second) / 1.0;
  ASSERT_GT(px_per_s, 20);
  for (std::size_t k = 2; k < syns.size(); ++k) {
    const double seconds = static_cast<double>(syns[k].first - syns[1].first) / kSecond;
    EXPECT_NEAR(syns[k].second - syns[1].second, seconds * px_per_s, 0.5) << "SYN " << k;
  }
}

}  // namespace
}  // namespace tcpsim::formats

namespace tcpsim::formats {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// Issue 18: TikZ from semantic macros, so that a book restyles every figure
// in one place. Each segment is one \tcpsimsegment (or \tcpsimlost) with the
// picture's own coordinates; the macros and styles are defined once; the
// picture's unit is a length the document can set; the fonts set no family
// but typewriter for calls (the document's own).
TEST(TikzMacros, EverySegmentIsOneMacroCallWithThePicturesCoordinates) {
  for (const char* name : {"lost-fin.tcpsim", "data-lost-retransmission.tcpsim", "lost-last-ack.tcpsim"}) {
    SCOPED_TRACE(name);
    const auto run = run_trace(name);
    const LadderPicture pic = ladder_picture(run, PictureOptions{});
    const std::string t = tikz(run, PictureOptions{});
    EXPECT_EQ(count(t, "\\newcommand{\\tcpsimsegment}"), 1u);
    EXPECT_EQ(count(t, "\\newcommand{\\tcpsimlost}"), 1u);
    EXPECT_EQ(count(t, "\\newlength{\\tcpsimunit}"), 1u);
    EXPECT_NE(t.find("\\begin{tikzpicture}[tcpsim]\n"), std::string::npos);
    EXPECT_EQ(count(t, "\n\\tcpsimsegment") + count(t, "\n\\tcpsimlost"), pic.arrows.size());
    for (const auto& a : pic.arrows) {
      const std::string call = fmt::format("{{({},{})}}{{({},{})}}{{({},{})}}", number(a.x0), number(a.y0),
                                           number(a.x1), number(a.y1), number(a.label_x), number(a.label_y));
      const std::string style = a.retransmission ? "[tcpsim retransmission]" : a.run ? "[tcpsim run]" : "";
      EXPECT_NE(t.find(std::string(a.lost ? "\\tcpsimlost" : "\\tcpsimsegment") + style + call),
                std::string::npos)
          << a.label;
    }
    EXPECT_EQ(t.find("\\sffamily"), std::string::npos) << "the document's font, not a family of tcpsim's";
  }
}

}  // namespace
}  // namespace tcpsim::formats

#include "formats/segment_runs.h"

namespace tcpsim::formats {
namespace {

// Issue 18: data-transfer traces drawn with collapsed runs in the SVG, the
// ASCII ladder's runs (one source, formats/segment_runs.h): one arrow per
// direction of a run, labelled as the ASCII row, never drawn lost (its
// segments all arrived: a lost one ends a run), and every segment sent is
// drawn once, alone or counted in a run.
TEST(FigureRuns, EachRunIsOneArrowPerDirectionAndEverySegmentIsCountedOnce) {
  for (const char* name : {"data-slow-start.tcpsim", "data-lost-last-segment.tcpsim"}) {
    SCOPED_TRACE(name);
    const auto run = run_trace(name);
    const TraceView view(run);
    const auto runs = segment_runs(view, run.net->trace());
    ASSERT_FALSE(runs.empty());
    std::vector<std::string> want;
    std::size_t in_runs = 0;
    for (const auto& r : runs) {
      for (int d : {0, 1}) {
        if (r.count[d] > 0) want.push_back(r.label(d));
      }
      in_runs += r.total();
    }
    std::vector<std::string> got;
    std::size_t single = 0;
    for (const auto& a : ladder_picture(run, PictureOptions{}).arrows) {
      if (a.run) {
        got.push_back(a.label);
        EXPECT_FALSE(a.lost) << a.label;
        EXPECT_GT(a.y1, a.y0) << a.label;
      } else if (!a.duplicate) {
        ++single;
      }
    }
    EXPECT_EQ(got, want);
    std::size_t sent = 0;
    for (const auto& r : run.net->trace().records())
      sent += r.kind == sim::TraceKind::Sent && view.connection_of_packet(r.ref) >= 0;
    EXPECT_EQ(single + in_runs, sent);
  }
}

}  // namespace
}  // namespace tcpsim::formats
