// The times operators ask about, per connection of a run: how long it sat
// in each closing state (and SYN-SENT), how long its connect() took, when
// its first byte of data reached the side that connected, and when its
// last data arrived. A sweep adds these to exact histograms per point
// (stats.h), so merged percentiles are exact like the closing times.
//
// Drawn from the trace (state changes and arrivals), not from the
// programs' calls, so they are there in a sweep's runs, which keep no call
// texts.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "model/state.h"
#include "model/time.h"
#include "scenario/interpreter.h"

namespace tcpsim::sweep {

// What is measured, one histogram each: the one list of their names (shard
// lines, CSV columns, the table's rows).
enum class Metric : std::uint8_t {
  SynSent,   // a stay in SYN-SENT, however it ended (ESTABLISHED, refused, given up)
  FinWait1,  // a stay in each of these states that ended before the run did
  FinWait2,
  CloseWait,
  LastAck,
  TimeWait,
  Connect,    // SYN-SENT entered -> ESTABLISHED: a connect() that succeeded
  ConnectNo,  // SYN-SENT entered -> given up, refused, or the run's end: one that never did
  FirstByte,  // SYN-SENT entered -> the first data segment to arrive at the connecting side
  Request,    // SYN-SENT entered -> the last data segment to arrive, either way, on that connection
};
inline constexpr int kMetricCount = 10;
// "syn-sent", ..., "connect", "connect-unfinished", "first-byte", "request".
std::string_view metric_name(Metric m);
// The state a stay metric measures; nullopt for the connection times.
std::optional<model::State> metric_state(Metric m);

// One run's values (ns) per metric.
using RunTimings = std::array<std::vector<Time>, kMetricCount>;
// Needs the run's trace (RunOptions::trace).
RunTimings timings_of(const scenario::RunResult& run);

}  // namespace tcpsim::sweep
