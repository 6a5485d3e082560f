// The ladder diagram the notes draw by hand: a time column, each side's TCP
// state, an arrow per segment with its label, lost segments ending in an x,
// retransmissions marked, the programs' calls beside their side, timers
// expiring. ASCII fits 80 columns; the unicode variant draws the same with
// box-drawing characters.
#pragma once

#include <string>

#include "scenario/interpreter.h"

namespace tcpsim::formats {

struct LadderOptions {
  bool unicode = false;
  bool verbose = false;  // seq/ack (relative), window, length; RFC processing notes; timers
};

std::string ladder(const scenario::RunResult& run, const LadderOptions& opt);

// One line per trace record (sim/trace_text.h), with the scenario's header.
std::string events(const scenario::RunResult& run);

// How the run ended and how its assertions went, for the end of any output.
std::string summary(const scenario::RunResult& run);

}  // namespace tcpsim::formats
