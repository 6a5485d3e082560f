// A sweep as a picture (standalone SVG 1.1): for each point of the first
// axis, the share of each outcome with its 95% Wilson interval as a
// whisker (left panel), and the time to fully closed at p50, p90 and p99
// (right panel). A grid draws one such row of panels per value of the
// second axis (small multiples, same scales, so rows compare at a glance).
// Points sit at equal spacing in axis order: a range's steps are equal, and
// a list (on,off; linux,bsd) has no numeric distance to show.
#pragma once

#include <string>
#include <vector>

#include "cli/sweep/report.h"
#include "cli/sweep/spec.h"
#include "cli/sweep/stats.h"

namespace tcpsim::sweep {

std::string plot_svg(const SweepSpec& spec, const std::vector<PointStats>& points,
                     const SweepReportOptions& opt = {});

}  // namespace tcpsim::sweep
