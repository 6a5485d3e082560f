// A line chart as SVG: axes with round-number ticks, one polyline per
// series, a legend. For time series and parameter sweeps; deterministic
// text (fixed decimals), so the same data gives the same bytes.
#pragma once

#include <string>
#include <vector>

namespace tcpsim::formats {

struct Series {
  std::string name;
  std::vector<double> y;  // one per x; NaN leaves a gap
  std::string colour;     // CSS colour; empty: the palette's next
  bool dashed = false;
};

struct Chart {
  std::string title;
  std::string x_label, y_label;
  std::vector<double> x;
  std::vector<Series> series;
};

// Charts stacked vertically in one picture, sharing nothing but the width.
std::string svg_charts(const std::string& title, const std::vector<Chart>& charts);

// Tick labels without trailing zeros: 0, 2.5, 10000, 20k, 3M.
std::string tick_label(double v);

// 1, 2, 5 times a power of ten at or above `span / target`: tick spacing.
double nice_step(double span, int target);

}  // namespace tcpsim::formats
