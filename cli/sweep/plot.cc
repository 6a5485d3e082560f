#include "cli/sweep/plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

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
    case OutcomeKind::GaveUpAfterClose: return "#80cdc1";
    case OutcomeKind::ResetAfterClose: return "#f4a582";
  }
  return "#000000";
}
constexpr const char* kAssertColour = "#555555";
constexpr const char* kTimeColour = "#08519c";
constexpr const char* kConnectColour = "#000000";

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

// The share panel's range, as fractions: [0, a round ceiling of the
// highest interval bound] for the outcomes other than clean (a few percent
// at most, in a sweep that asks about loss, lost under 100% on a linear
// 0..100 scale), or [a round floor, 1] when clean is all there is.
struct ShareScale {
  double lo = 0, hi = 1;
};
// 1, 2 or 5 times a power of ten, from 0.1% to 100%, in 1/10000ths:
// integers, so the same range everywhere.
double nice_share(double v) {
  for (int m : {10, 20, 50, 100, 200, 500, 1000, 2000, 5000})
    if (static_cast<double>(m) / 10000 >= v) return static_cast<double>(m) / 10000;
  return 1;
}

// log10 from +, *, / alone (and the exact frexp), whose results IEEE 754
// fixes bit for bit, unlike a maths library's log10: the picture stays the
// same bytes on every machine. ln m = 2 atanh((m-1)/(m+1)) for m in [1, 2).
double log10_exact(double v) {
  int e = 0;
  const double m = std::frexp(v, &e) * 2;  // v = m * 2^(e-1)
  const double z = (m - 1) / (m + 1), z2 = z * z;
  double term = z, sum = 0;
  for (int k = 1; k < 60; k += 2) {
    sum += term / k;
    term *= z2;
  }
  constexpr double kLn2 = 0.6931471805599453, kLn10 = 2.302585092994046;
  return (2 * sum + (e - 1) * kLn2) / kLn10;
}

// A time panel's y axis: linear from 0, or logarithmic between two powers
// of ten when the percentiles drawn span two orders of magnitude or more
// (a p50 of 20 ms and a p99 of 3 s on one linear axis is a flat line and a
// spike).
struct TimeScale {
  bool log = false;
  Time lo = 0, hi = kMillisecond;  // ns; lo > 0 when log
  // 0 at the bottom, 1 at the top.
  double at(Time t) const {
    if (!log) return static_cast<double>(t) / static_cast<double>(hi);
    const double a = log10_exact(static_cast<double>(lo)), b = log10_exact(static_cast<double>(hi));
    return (log10_exact(static_cast<double>(std::max(t, lo))) - a) / (b - a);
  }
};

TimeScale time_scale(Time min_positive, Time max) {
  TimeScale s;
  if (min_positive > 0 && max / min_positive >= 100) {
    s.log = true;
    s.lo = 1;
    while (s.lo * 10 <= min_positive) s.lo *= 10;
    s.hi = s.lo;
    while (s.hi < max && s.hi <= INT64_MAX / 10) s.hi *= 10;
    return s;
  }
  s.hi = nice_ceiling(max);
  return s;
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

// Text cut in the middle ("...") to at most `max_px` at about `char_px`
// per character, never inside a UTF-8 sequence: a title that fits its page.
std::string fit(const std::string& text, double max_px, double char_px) {
  const auto max_chars = static_cast<std::size_t>(max_px / char_px);
  if (text.size() <= max_chars || max_chars < 8) return text;
  const std::size_t keep = max_chars - 3;
  std::size_t head = keep / 3, tail = text.size() - (keep - head);
  auto continuation = [&](std::size_t i) { return (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80; };
  while (head > 0 && continuation(head)) --head;
  while (tail < text.size() && continuation(tail)) ++tail;
  return text.substr(0, head) + "..." + text.substr(tail);
}

// The title, the subtitle and the white page under them.
std::string header_svg(const SweepSpec& spec, double width, double height, const std::string& subtitle) {
  std::string o;
  o += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"{2}\" font-size=\"11\">\n",
      number(width), number(height), kSans);
  const std::string title = fmt::format("tcpsim sweep {}", printable(spec.scenario));
  o += fmt::format("<title>{}</title>\n", xml_escape(title));
  o += "<desc>Outcome shares with 95% Wilson intervals and time percentiles, drawn by tcpsim sweep</desc>\n";
  o += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", number(width),
                   number(height));
  // Bold 14 px is at most ~9 px a character, 11 px ~6.5 px.
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
                   number(kMargin), number(kMargin + 14), xml_escape(fit(title, width - 2 * kMargin, 9)));
  o += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#555555\">{}</text>\n", number(kMargin),
                   number(kMargin + 32), xml_escape(fit(subtitle, width - 2 * kMargin, 6.5)));
  return o;
}

struct Tick {
  double at;  // 0 bottom .. 1 top
  std::string label;
};

// One panel's frame, grid lines and axis labels.
std::string panel_frame_svg(const SweepSpec& spec, const std::string& id, const std::string& y_name,
                            const std::vector<Tick>& ticks, double x0, double top, std::size_t nx) {
  const double bottom = top + kPanelH;
  const std::string x_name = spec.axes.empty() ? "(one point: seeds only)" : spec.axes[0].key;
  auto px = [&](double panel_x, std::size_t i) { return point_x(panel_x, i, nx); };
  std::string o;
  o += fmt::format("<g id=\"{}\">\n", id);
  for (const Tick& t : ticks) {
    const double y = bottom - kPanelH * t.at;
    o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e0e0e0\"/>\n", number(x0),
                     number(y), number(x0 + kPanelW), number(y));
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#444444\">{}</text>\n",
                     number(x0 - 6), number(y + 4), xml_escape(t.label));
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
                   number(x0 + kPanelW / 2), number(bottom + 34), xml_escape(fit(x_name, kPanelW, 6.5)));
  o += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-style=\"italic\" "
      "transform=\"rotate(-90 {} {})\">{}</text>\n",
      number(x0 - 44), number(top + kPanelH / 2), number(x0 - 44), number(top + kPanelH / 2),
      xml_escape(fit(y_name, kPanelH, 6.5)));
  o += "</g>\n";
  return o;
}

std::vector<Tick> share_ticks(const ShareScale& s) {
  std::vector<Tick> t;
  for (int i = 0; i <= 4; ++i) {
    const double v = s.lo + (s.hi - s.lo) * i / 4;
    t.push_back({static_cast<double>(i) / 4, tick_text(v * 100) + "%"});
  }
  return t;
}

// "1ms", "10s": a power of ten of nanoseconds, exactly.
std::string decade_text(Time ns) {
  if (ns >= kSecond) return fmt::format("{}s", ns / kSecond);
  if (ns >= kMillisecond) return fmt::format("{}ms", ns / kMillisecond);
  if (ns >= 1000) return fmt::format("{}us", ns / 1000);
  return fmt::format("{}ns", ns);
}

std::vector<Tick> time_ticks(const TimeScale& s) {
  std::vector<Tick> t;
  if (s.log) {
    for (Time d = s.lo; d <= s.hi; d *= 10) {
      t.push_back({s.at(d), decade_text(d)});
      if (d > INT64_MAX / 10) break;
    }
    return t;
  }
  const double top = static_cast<double>(s.hi) / 1e9;
  for (int i = 0; i <= 4; ++i) t.push_back({static_cast<double>(i) / 4, tick_text(top * i / 4)});
  return t;
}

// The legend: one entry per series drawn, wrapped to the page's width.
std::string legend_svg(const std::vector<Series>& legend, double width, double height) {
  std::string o;
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

// A share series: a count per point out of a total per point.
struct ShareSeries {
  Series look;
  std::function<std::pair<std::uint64_t, std::uint64_t>(const PointStats&)> count;
};

// A time panel: p50, p90 and p99 of one histogram per point.
struct TimePanel {
  std::string id, y_name;
  std::function<const TimeHistogram&(const PointStats&)> of;
  TimeScale scale;
};

// The share series drawn: the outcomes other than clean that happened (or
// clean alone when nothing else did), failed assertions, connects over the
// --connect-timeout; and the scale that shows them.
std::vector<ShareSeries> share_series(const std::vector<PointStats>& points, const SweepReportOptions& opt,
                                      ShareScale& scale, bool& without_clean) {
  std::vector<ShareSeries> out;
  for (OutcomeKind k : report_kinds()) {
    if (k == OutcomeKind::Clean) continue;
    bool any = false;
    for (const auto& p : points) any |= p.count(k) > 0;
    if (any)
      out.push_back({{std::string(scenario::outcome_name(k)), kind_colour(k), ""},
                     [k](const PointStats& p) { return std::make_pair(p.count(k), p.runs); }});
  }
  bool any_assert = false;
  for (const auto& p : points) any_assert |= p.assertions_failed > 0;
  if (any_assert)
    out.push_back({{"assertions failed", kAssertColour, "4 3"},
                   [](const PointStats& p) { return std::make_pair(p.assertions_failed, p.runs); }});
  if (opt.connect_timeout) {
    const Time limit = *opt.connect_timeout;
    out.push_back({{"connect > " + opt.connect_timeout_text, kConnectColour, "1 2"},
                   [limit](const PointStats& p) { return p.connects_over(limit); }});
  }
  without_clean = !out.empty();
  if (!without_clean) {
    out.push_back(
        {{std::string(scenario::outcome_name(OutcomeKind::Clean)), kind_colour(OutcomeKind::Clean), ""},
         [](const PointStats& p) { return std::make_pair(p.count(OutcomeKind::Clean), p.runs); }});
    double lowest = 1;
    for (const auto& p : points) lowest = std::min(lowest, wilson95(p.count(OutcomeKind::Clean), p.runs).lo);
    scale = {1 - nice_share(1 - lowest), 1};
    return out;
  }
  double highest = 0;
  for (const auto& s : out)
    for (const auto& p : points) {
      const auto [k, n] = s.count(p);
      if (n) highest = std::max(highest, wilson95(k, n).hi);
    }
  scale = {0, nice_share(highest)};
  return out;
}

TimeScale scale_of(const std::vector<PointStats>& points,
                   const std::function<const TimeHistogram&(const PointStats&)>& of) {
  Time lo = 0, hi = 0;
  for (const auto& p : points)
    for (int pc : {50, 90, 99})
      if (auto t = of(p).percentile(pc)) {
        hi = std::max(hi, *t);
        if (*t > 0) lo = lo ? std::min(lo, *t) : *t;
      }
  return time_scale(lo, hi);
}

}  // namespace

std::string plot_svg(const SweepSpec& spec, const std::vector<PointStats>& points,
                     const SweepReportOptions& opt) {
  const std::size_t nx = spec.axes.empty() ? 1 : spec.axes[0].values.size();
  const std::size_t rows = spec.axes.size() > 1 ? spec.axes[1].values.size() : 1;
  // point index of (x, row): the last axis varies fastest.
  auto at = [&](std::size_t x, std::size_t row) -> const PointStats& {
    return points[spec.axes.size() > 1 ? x * rows + row : x];
  };

  ShareScale sscale;
  bool without_clean = false;
  const std::vector<ShareSeries> shares = share_series(points, opt, sscale, without_clean);
  std::vector<TimePanel> panels;
  panels.push_back({"times", "time to fully closed (s)",
                    [](const PointStats& p) -> const TimeHistogram& { return p.closed_at; }, TimeScale{}});
  bool any_connect = false;
  for (const auto& p : points) any_connect |= p.timing(Metric::Connect).total() > 0;
  if (any_connect)
    panels.push_back({"connect", "connect time (s)",
                      [](const PointStats& p) -> const TimeHistogram& { return p.timing(Metric::Connect); },
                      TimeScale{}});
  for (auto& tp : panels) tp.scale = scale_of(points, tp.of);

  const double row_h = kRowLabelH + kPanelH + kBelowPanel;
  const double n_panels = static_cast<double>(1 + panels.size());
  const double width = kMargin * 2 + (kLeftAxis + kPanelW) * n_panels + kGapX * (n_panels - 1);
  const double height = kHeaderH + row_h * static_cast<double>(rows) + kLegendH + kMargin;
  auto left = [&](std::size_t panel) {
    return kMargin + kLeftAxis + (kPanelW + kGapX + kLeftAxis) * static_cast<double>(panel);
  };
  auto px = [&](double panel_x, std::size_t i) { return point_x(panel_x, i, nx); };

  std::string subtitle = fmt::format("{} runs per point, seeds from {}; whiskers: 95% Wilson intervals{}",
                                     spec.runs, spec.seed, without_clean ? "; clean: the rest" : "");
  std::string o = header_svg(spec, width, height, subtitle);

  for (std::size_t row = 0; row < rows; ++row) {
    const double top = kHeaderH + row_h * static_cast<double>(row) + kRowLabelH;
    const double bottom = top + kPanelH;
    if (spec.axes.size() > 1) {
      o += fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text>\n", number(kMargin),
                       number(top - 14),
                       xml_escape(fit(spec.axes[1].key + " = " + spec.axes[1].values[row], width, 6.5)));
    }
    o += panel_frame_svg(spec, fmt::format("shares-{}", row),
                         without_clean ? "share of runs" : "share of runs (clean)", share_ticks(sscale),
                         left(0), top, nx);
    for (std::size_t i = 0; i < panels.size(); ++i)
      o += panel_frame_svg(spec, fmt::format("{}-{}", panels[i].id, row),
                           panels[i].y_name + (panels[i].scale.log ? ", log scale" : ""),
                           time_ticks(panels[i].scale), left(i + 1), top, nx);

    // Shares: a line per series, a whisker per point (clipped to the panel).
    auto share_y = [&](double s) {
      const double f = std::clamp((s - sscale.lo) / (sscale.hi - sscale.lo), 0.0, 1.0);
      return bottom - kPanelH * f;
    };
    for (const ShareSeries& ser : shares) {
      std::string pts, marks;
      for (std::size_t i = 0; i < nx; ++i) {
        const auto [k, n] = ser.count(at(i, row));
        if (n == 0) continue;
        const Share s = wilson95(k, n);
        const double x = px(left(0), i);
        pts += fmt::format("{}{},{}", pts.empty() ? "" : " ", number(x), number(share_y(s.p)));
        marks += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", number(x),
                             number(share_y(s.lo)), number(share_y(s.hi)));
        for (double b : {s.lo, s.hi})
          marks += fmt::format("<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\"/>\n", number(x - 4),
                               number(x + 4), number(share_y(b)));
        marks += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\"/>\n", number(x),
                             number(share_y(s.p)), ser.look.colour);
      }
      o += fmt::format("<g stroke=\"{}\" stroke-width=\"1.5\" fill=\"none\"{}>\n", ser.look.colour,
                       *ser.look.dash ? fmt::format(" stroke-dasharray=\"{}\"", ser.look.dash) : "");
      if (nx > 1 && !pts.empty()) o += fmt::format("<polyline points=\"{}\"/>\n", pts);
      o += "</g>\n";
      o += fmt::format("<g stroke=\"{}\" stroke-width=\"1.2\">\n{}</g>\n", ser.look.colour, marks);
    }

    // Times: p50, p90, p99; a point without a value leaves a gap.
    for (std::size_t pi = 0; pi < panels.size(); ++pi) {
      const TimePanel& tp = panels[pi];
      auto time_y = [&](Time t) { return bottom - kPanelH * tp.scale.at(t); };
      const std::pair<int, const char*> pcts[] = {{50, ""}, {90, "6 3"}, {99, "2 2"}};
      for (const auto& [pc, dash] : pcts) {
        o += fmt::format("<g stroke=\"{}\" stroke-width=\"1.5\" fill=\"none\"{}>\n", kTimeColour,
                         *dash ? fmt::format(" stroke-dasharray=\"{}\"", dash) : "");
        std::string pts, marks;
        auto flush = [&] {
          if (pts.find(' ') != std::string::npos) o += fmt::format("<polyline points=\"{}\"/>\n", pts);
          pts.clear();
        };
        for (std::size_t i = 0; i < nx; ++i) {
          const auto t = tp.of(at(i, row)).percentile(pc);
          if (!t) {
            flush();
            continue;
          }
          const double x = px(left(pi + 1), i), y = time_y(*t);
          pts += fmt::format("{}{},{}", pts.empty() ? "" : " ", number(x), number(y));
          marks += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2\" fill=\"{}\" stroke=\"none\"/>\n",
                               number(x), number(y), kTimeColour);
        }
        flush();
        o += marks + "</g>\n";
      }
    }
  }

  std::vector<Series> legend;
  for (const auto& s : shares) legend.push_back(s.look);
  legend.push_back({"p50", kTimeColour, ""});
  legend.push_back({"p90", kTimeColour, "6 3"});
  legend.push_back({"p99", kTimeColour, "2 2"});
  o += legend_svg(legend, width, height);
  o += "</svg>\n";
  return o;
}

}  // namespace tcpsim::sweep
