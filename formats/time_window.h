// --from T / --to T: a figure cropped to a stretch of the run (the teardown
// of a long transfer, say). Every ladder format crops the same way:
//   - a segment is drawn whole when any part of its flight (sent .. arrived
//     or lost) lies in [from, to]: the window widens to take in a segment
//     in flight across either edge, so that no arrow is cut and every label
//     keeps its arrow;
//   - each side's state at the window's top is drawn as the band (ASCII: the
//     row, Mermaid: the note) it is in, from there on;
//   - everything else (calls, timers, notes) outside the widened window is
//     left out.
#pragma once

#include <vector>

#include "formats/trace_view.h"
#include "model/time.h"

namespace tcpsim::formats {

struct TimeWindow {
  Time from = 0, to = kTimeMax;
  bool whole() const { return from <= 0 && to == kTimeMax; }
};

// By packet: whether it is drawn, its flight touching [w.from, w.to]
// (every drawn packet when the window is the whole run).
std::vector<bool> packets_in(const TimeWindow& w, const TraceView& view, const sim::Trace& tr);

// The window widened to the segments in flight across its edges (above).
TimeWindow widened(const TimeWindow& w, const TraceView& view, const sim::Trace& tr);

}  // namespace tcpsim::formats
