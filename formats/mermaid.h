// The ladder as a Mermaid sequenceDiagram, for Markdown on code-hosting
// sites: one participant per side, states as notes over their side, calls
// and timers as notes beside it, segments as messages (lost ones `-x`,
// retransmissions dotted), long idle stretches as a note across both sides.
// Mermaid draws messages one below the other, so delays (and segments that
// cross) are not shown: use --format svg for that.
#pragma once

#include <string>

#include "formats/svg.h"
#include "scenario/interpreter.h"

namespace tcpsim::formats {

std::string mermaid(const scenario::RunResult& run, const PictureOptions& opt);

}  // namespace tcpsim::formats
