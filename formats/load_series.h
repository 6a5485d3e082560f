// A load scenario's time series (scenario/load_run.h) as a table for
// the terminal, CSV for spreadsheets and plotting tools, and an SVG chart.
#pragma once

#include <string>

#include "scenario/load_run.h"

namespace tcpsim::formats {

std::string load_table(const scenario::LoadResult& r);
std::string load_csv(const scenario::LoadResult& r);
std::string load_svg(const scenario::LoadResult& r);

}  // namespace tcpsim::formats
