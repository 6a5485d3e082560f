#include "cli/sweep/plot.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/sweep/report.h"
#include "formats/svg.h"
#include "formats/xml.h"

namespace tcpsim::sweep {

using formats::number;
using formats::xml_escape;
using scenario::OutcomeKind;

namespace {

// Geometry, in pixels.
constexpr double kMargin = 16;
constexpr double kHeaderH = 52;
constexpr double kPanelW = 400;  // plotting area
constexpr double kPanelH = 200;
constexpr double kLeftAxis = 56;  // room for the y labels
constexpr double kGapX = 40;      // between the two panels
constexpr double kRowLabelH = 30;
constexpr double kBelowPanel = 44;  // x labels and the axis name
constexpr double kLegendH = 44;
constexpr std::size_t kMaxXLabels = 11;

const char* const kSans = "DejaVu Sans, Helvetica, Arial, sans-serif";

// Colours told apart in greyscale too (different lightness) and by the
// colour-blind (no red/green pair without a lightness difference).
const char* kind_colour(OutcomeKind k) {
  switch (k) {
    case OutcomeKind::Clean: return "#1b7837";
    case OutcomeKind::Reset: return "#b2182b";
    case OutcomeKind::ConnectFailed: return "#762a83";
    case OutcomeKind::TimedOut: return "#e08214";
    case OutcomeKind::HalfOpen: return "#2166ac";
    case OutcomeKind::Stuck: return "#8c510a";
  }
  return "#000000";
}
constexpr const char* kAssertColour = "#555555";
constexpr const char* kTimeColour = "#08519c";

// A round upper bound for the time axis, in ns: 1, 2 or 5 times a power of
// ten, at least 1 ms. Integers, not log10/pow, whose last bits differ
// between maths libraries: the picture is the same bytes everywhere.
Time nice_ceiling(Time v) {
  for (Time p = kMillisecond;; p *= 10) {
    for (Time m : {1, 2, 5}) {
      if (m * p >= v) return m * p;
    }
    if (p > INT64_MAX / 100) return v;
  }
}

std::string tick_text(double v) {
  std::string s = fmt::format("{:.3f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

struct Series {
  std::string label;
  const char* colour;
  const char* dash;  // stroke-dasharray, "" for solid
};

// Where point i of nx sits across a panel starting at panel_x.
double point_x(double panel_x, std::size_t i, std::size_t nx) {
  if (nx == 1) return panel_x + kPanelW / 2;
  return panel_x + 12 + (kPanelW - 24) * static_cast<double>(i) / static_cast<double>(nx - 1);
}

// The title, the subtitle and the white page under them.
std::string header_svg(const SweepSpec& spec, double width, double height) {
  std::string o;
  o += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"{2}\" font-size=\"11\">\n",
      number(width), number(height), kSans);
  const std::string title = fmt::format("tcpsim sweep {}", printable(spec.scenario));
  o += fmt::format("<title>{}</title>\n", xml_escape(title));
  o += "<desc>Outcome shares with 95% Wilson intervals and time to fully closed, drawn by tcpsim "
       "sweep</desc>\n";
  o += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", number(width),
                   number(height));
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
                   number(kMargin), number(kMargin + 14), xml_escape(title));
  o += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#555555\">{}</text>\n", number(kMargin),
                   number(kMargin + 32),
                   xml_escape(fmt::format("{} runs per point, seeds from {}; whiskers: 95% Wilson intervals; "
                                          "times over the runs that fully closed",
                                          spec.runs, spec.seed)));

  return o;
}

// One panel's frame, grid lines and axis labels (panel 0 shares, 1 times).
std::string panel_frame_svg(const SweepSpec& spec, int panel, std::size_t row, double x0, double top,
                            double time_top, std::size_t nx) {
  const double bottom = top + kPanelH;
  const std::string x_name = spec.axes.empty() ? "(one point: seeds only)" : spec.axes[0].key;
  auto px = [&](double panel_x, std::size_t i) { return point_x(panel_x, i, nx); };
  std::string o;
  o += fmt::format("<g id=\"{}-{}\">\n", panel == 0 ? "shares" : "times", row);
  for (int t = 0; t <= 4; ++t) {
    const double y = bottom - kPanelH * t / 4;
    o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e0e0e0\"/>\n", number(x0),
                     number(y), number(x0 + kPanelW), number(y));
    const std::string label = panel == 0 ? fmt::format("{}%", t * 25) : tick_text(time_top * t / 4);
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#444444\">{}</text>\n",
                     number(x0 - 6), number(y + 4), xml_escape(label));
  }
  o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#444444\"/>\n",
                   number(x0), number(top), number(kPanelW), number(kPanelH));
  const std::size_t every = (nx + kMaxXLabels - 1) / kMaxXLabels;
  for (std::size_t i = 0; i < nx; ++i) {
    const double x = px(x0, i);
    o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#444444\"/>\n", number(x),
                     number(bottom), number(bottom + 4));
    if (i % every == 0 && !spec.axes.empty())
      o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#444444\">{}</text>\n",
                       number(x), number(bottom + 16), xml_escape(spec.axes[0].values[i]));
  }
  o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-style=\"italic\">{}</text>\n",
                   number(x0 + kPanelW / 2), number(bottom + 34), xml_escape(x_name));
  o += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-style=\"italic\" "
      "transform=\"rotate(-90 {} {})\">{}</text>\n",
      number(x0 - 44), number(top + kPanelH / 2), number(x0 - 44), number(top + kPanelH / 2),
      panel == 0 ? "share of runs" : "time to fully closed (s)");
  o += "</g>\n";
  return o;
}

// The legend: one entry per series drawn, wrapped to the page's width.
std::string legend_svg(const std::vector<OutcomeKind>& kinds, bool any_assert, double width, double height) {
  std::string o;
  std::vector<Series> legend;
  for (OutcomeKind k : kinds) legend.push_back({std::string(scenario::outcome_name(k)), kind_colour(k), ""});
  if (any_assert) legend.push_back({"assertions failed", kAssertColour, "4 3"});
  legend.push_back({"p50", kTimeColour, ""});
  legend.push_back({"p90", kTimeColour, "6 3"});
  legend.push_back({"p99", kTimeColour, "2 2"});
  double lx = kMargin;
  double ly = height - kMargin - kLegendH / 2;
  o += "<g id=\"legend\">\n";
  for (const Series& s : legend) {
    const double w = 34 + 7 * static_cast<double>(s.label.size()) + 14;
    if (lx + w > width - kMargin) {
      lx = kMargin;
      ly += 18;
    }
    o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"{}/>\n",
                     number(lx), number(ly), number(lx + 26), number(ly), s.colour,
                     *s.dash ? fmt::format(" stroke-dasharray=\"{}\"", s.dash) : "");
    o += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", number(lx + 32), number(ly + 4),
                     xml_escape(s.label));
    lx += w;
  }
  o += "</g>\n";
  return o;
}

}  // namespace

std::string plot_svg(const SweepSpec& spec, const std::vector<PointStats>& points) {
  const std::size_t nx = spec.axes.empty() ? 1 : spec.axes[0].values.size();
  const std::size_t rows = spec.axes.size() > 1 ? spec.axes[1].values.size() : 1;
  // point index of (x, row): the last axis varies fastest.
  auto at = [&](std::size_t x, std::size_t row) -> const PointStats& {
    return points[spec.axes.size() > 1 ? x * rows + row : x];
  };

  std::vector<OutcomeKind> kinds;
  for (OutcomeKind k : report_kinds()) {
    bool any = k == OutcomeKind::Clean;
    for (const auto& p : points) any |= p.count(k) > 0;
    if (any) kinds.push_back(k);
  }
  bool any_assert = false;
  Time max_ns = 0;
  for (const auto& p : points) {
    any_assert |= p.assertions_failed > 0;
    if (auto t = p.closed_at.percentile(99)) max_ns = std::max(max_ns, *t);
  }
  const double time_top = static_cast<double>(nice_ceiling(max_ns)) / 1e9;

  const double row_h = kRowLabelH + kPanelH + kBelowPanel;
  const double width = kMargin * 2 + (kLeftAxis + kPanelW) * 2 + kGapX;
  const double height = kHeaderH + row_h * static_cast<double>(rows) + kLegendH + kMargin;
  const double left0 = kMargin + kLeftAxis;
  const double left1 = left0 + kPanelW + kGapX + kLeftAxis;
  auto px = [&](double panel_x, std::size_t i) { return point_x(panel_x, i, nx); };

  std::string o = header_svg(spec, width, height);

  for (std::size_t row = 0; row < rows; ++row) {
    const double top = kHeaderH + row_h * static_cast<double>(row) + kRowLabelH;
    const double bottom = top + kPanelH;
    if (spec.axes.size() > 1) {
      o += fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text>\n", number(kMargin),
                       number(top - 14), xml_escape(spec.axes[1].key + " = " + spec.axes[1].values[row]));
    }
    // Frames, grid lines and y labels of both panels.
    for (int panel = 0; panel < 2; ++panel)
      o += panel_frame_svg(spec, panel, row, panel == 0 ? left0 : left1, top, time_top, nx);

    // Shares: a line per outcome, a whisker per point.
    auto share_y = [&](double s) { return bottom - kPanelH * s; };
    auto draw_share = [&](const char* colour, const char* dash, auto count_of) {
      std::string pts;
      std::string marks;
      for (std::size_t i = 0; i < nx; ++i) {
        const PointStats& p = at(i, row);
        if (p.runs == 0) continue;
        const Share s = wilson95(count_of(p), p.runs);
        const double x = px(left0, i);
        pts += fmt::format("{}{},{}", pts.empty() ? "" : " ", number(x), number(share_y(s.p)));
        marks += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", number(x),
                             number(share_y(s.lo)), number(share_y(s.hi)));
        for (double b : {s.lo, s.hi})
          marks += fmt::format("<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\"/>\n", number(x - 3),
                               number(x + 3), number(share_y(b)));
        marks += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\"/>\n", number(x),
                             number(share_y(s.p)), colour);
      }
      o += fmt::format("<g stroke=\"{}\" stroke-width=\"1.5\" fill=\"none\"{}>\n", colour,
                       *dash ? fmt::format(" stroke-dasharray=\"{}\"", dash) : "");
      if (nx > 1 && !pts.empty()) o += fmt::format("<polyline points=\"{}\"/>\n", pts);
      o += "</g>\n";
      o += fmt::format("<g stroke=\"{}\" stroke-width=\"1\">\n{}</g>\n", colour, marks);
    };
    for (OutcomeKind k : kinds)
      draw_share(kind_colour(k), "", [k](const PointStats& p) { return p.count(k); });
    if (any_assert) draw_share(kAssertColour, "4 3", [](const PointStats& p) { return p.assertions_failed; });

    // Times: p50, p90, p99; a point where no run closed leaves a gap.
    auto time_y = [&](Time t) { return bottom - kPanelH * (static_cast<double>(t) / 1e9) / time_top; };
    const std::pair<int, const char*> pcts[] = {{50, ""}, {90, "6 3"}, {99, "2 2"}};
    for (const auto& [pc, dash] : pcts) {
      o += fmt::format("<g stroke=\"{}\" stroke-width=\"1.5\" fill=\"none\"{}>\n", kTimeColour,
                       *dash ? fmt::format(" stroke-dasharray=\"{}\"", dash) : "");
      std::string pts;
      auto flush = [&] {
        if (pts.find(' ') != std::string::npos) o += fmt::format("<polyline points=\"{}\"/>\n", pts);
        pts.clear();
      };
      std::string marks;
      for (std::size_t i = 0; i < nx; ++i) {
        const auto t = at(i, row).closed_at.percentile(pc);
        if (!t) {
          flush();
          continue;
        }
        const double x = px(left1, i), y = time_y(*t);
        pts += fmt::format("{}{},{}", pts.empty() ? "" : " ", number(x), number(y));
        marks += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2\" fill=\"{}\" stroke=\"none\"/>\n", number(x),
                             number(y), kTimeColour);
      }
      flush();
      o += marks + "</g>\n";
    }
  }

  o += legend_svg(kinds, any_assert, width, height);
  o += "</svg>\n";
  return o;
}

}  // namespace tcpsim::sweep
