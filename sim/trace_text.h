// One line per trace record, for logs, test failure messages and
// `tcpsim run --format events`. Diagrams live in formats/.
#pragma once

#include <string>

#include "sim/network.h"
#include "sim/trace.h"

namespace tcpsim::sim {

std::string segment_label(const model::Segment& s);  // "SYN,ACK", "PSH,ACK len=100"
std::string format_record(const Network& net, const TraceRecord& r);
std::string format_trace(const Network& net);

}  // namespace tcpsim::sim
