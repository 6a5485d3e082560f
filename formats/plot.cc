#include "formats/plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "formats/xml.h"

namespace tcpsim::formats {

namespace {

constexpr double kWidth = 760, kChartHeight = 300, kLeft = 70, kRight = 190, kTop = 40, kBottom = 45;
constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                    "#9467bd", "#8c564b", "#e377c2", "#17becf"};

std::string chart(const Chart& c, double top) {
  std::string o;
  const double x0 = kLeft, x1 = kWidth - kRight, y0 = top + kChartHeight - kBottom, y1 = top + kTop;
  double xmin = 0, xmax = 1, ymax = 1;
  if (!c.x.empty()) {
    xmin = *std::min_element(c.x.begin(), c.x.end());
    xmax = *std::max_element(c.x.begin(), c.x.end());
  }
  if (xmax <= xmin) xmax = xmin + 1;
  for (const Series& s : c.series) {
    for (double v : s.y) {
      if (!std::isnan(v)) ymax = std::max(ymax, v);
    }
  }
  const double ystep = nice_step(ymax, 5);
  ymax = std::ceil(ymax / ystep) * ystep;
  const double xstep = nice_step(xmax - xmin, 8);
  auto px = [&](double x) { return x0 + (x - xmin) / (xmax - xmin) * (x1 - x0); };
  auto py = [&](double y) { return y0 - y / ymax * (y0 - y1); };

  o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"title\">{}</text>\n", x0, top + 22,
                   xml_escape(c.title));
  for (double v = 0; v <= ymax + ystep / 2; v += ystep) {
    o += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"ytick\">{}</text>\n",
        x0, py(v), x1, py(v), x0 - 6, py(v) + 4, tick_label(v));
  }
  for (double v = std::ceil(xmin / xstep) * xstep; v <= xmax + xstep / 1000; v += xstep) {
    o += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"axis\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"xtick\">{}</text>\n",
        px(v), y0, px(v), y0 + 4, px(v), y0 + 17, tick_label(v));
  }
  o += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" class=\"axis\"/>\n", x0,
                   y0, x1);
  o += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" class=\"axis\"/>\n", x0,
                   y0, y1);
  o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"xlabel\">{}</text>\n", (x0 + x1) / 2, y0 + 34,
                   xml_escape(c.x_label));
  o += fmt::format("<text transform=\"translate({:.1f},{:.1f}) rotate(-90)\" class=\"ylabel\">{}</text>\n",
                   x0 - 52, (y0 + y1) / 2, xml_escape(c.y_label));
  std::size_t k = 0;
  for (const Series& s : c.series) {
    const std::string colour = s.colour.empty() ? kPalette[k % std::size(kPalette)] : s.colour;
    std::string pts;
    auto flush = [&] {
      if (!pts.empty())
        o += fmt::format("<polyline points=\"{}\" stroke=\"{}\" class=\"line{}\"/>\n", pts, colour,
                         s.dashed ? " dashed" : "");
      pts.clear();
    };
    for (std::size_t i = 0; i < c.x.size() && i < s.y.size(); ++i) {
      if (std::isnan(s.y[i])) {
        flush();
        continue;
      }
      pts += fmt::format("{}{:.1f},{:.1f}", pts.empty() ? "" : " ", px(c.x[i]), py(s.y[i]));
    }
    flush();
    const double ly = y1 + 16.0 * static_cast<double>(k);
    o += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" class=\"line{}\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"legend\">{}</text>\n",
        x1 + 12, ly, x1 + 36, ly, colour, s.dashed ? " dashed" : "", x1 + 42, ly + 4, xml_escape(s.name));
    ++k;
  }
  return o;
}

}  // namespace

std::string tick_label(double v) {
  if (std::fabs(v) >= 1e6 && std::fmod(v, 1e6) == 0) return fmt::format("{}M", v / 1e6);
  if (std::fabs(v) >= 1e4 && std::fmod(v, 1e3) == 0) return fmt::format("{}k", v / 1e3);
  std::string s = fmt::format("{:.3f}", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

double nice_step(double span, int target) {
  if (!(span > 0) || target <= 0) return 1;
  const double raw = span / target;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= raw) return m * p;
  }
  return 10 * p;
}

std::string svg_charts(const std::string& title, const std::vector<Chart>& charts) {
  const double height = 30 + kChartHeight * static_cast<double>(charts.size());
  std::string o = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 {0:.0f} "
      "{1:.0f}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      "<style>\n"
      ".title{{font-size:14px;font-weight:bold}} .heading{{font-size:15px;font-weight:bold}}\n"
      ".grid{{stroke:#e4e4e4;stroke-width:1}} .axis{{stroke:#444;stroke-width:1}}\n"
      ".ytick{{text-anchor:end;fill:#444}} .xtick{{text-anchor:middle;fill:#444}}\n"
      ".xlabel,.ylabel{{text-anchor:middle;fill:#222}} .legend{{fill:#222}}\n"
      ".line{{fill:none;stroke-width:2}} .dashed{{stroke-dasharray:6 4}}\n"
      "</style>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2:.1f}\" y=\"22\" class=\"heading\">{3}</text>\n",
      kWidth, height, kLeft, xml_escape(title));
  for (std::size_t i = 0; i < charts.size(); ++i)
    o += chart(charts[i], 30 + kChartHeight * static_cast<double>(i));
  return o + "</svg>\n";
}

}  // namespace tcpsim::formats
