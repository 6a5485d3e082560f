// The ladder diagram the notes draw by hand: a time column, each side's TCP
// state, an arrow per segment with its label, lost segments ending in an x,
// retransmissions marked, the programs' calls beside their side, timers
// expiring. ASCII fits 80 columns; the unicode variant draws the same with
// box-drawing characters.
#pragma once

#include <string>

#include "formats/time_window.h"
#include "formats/trace_view.h"
#include "scenario/interpreter.h"

namespace tcpsim::formats {

struct LadderOptions {
  // LadderOptions{unicode, verbose}: the others as by default.
  LadderOptions(bool unicode = false, bool verbose = false,
                IsnOrigin isn = {},  // NOLINT(google-explicit-constructor)
                TimeWindow window = {})
      : unicode(unicode), verbose(verbose), isn(isn), window(window) {}
  bool unicode = false;
  bool verbose = false;  // seq/ack (relative), window, length; RFC processing notes; timers
  IsnOrigin isn;         // --isn: the origin of each side's numbers
  TimeWindow window;     // --from/--to: cropped (formats/time_window.h)
};

std::string ladder(const scenario::RunResult& run, const LadderOptions& opt);

// One line per trace record (sim/trace_text.h), with the scenario's header.
std::string events(const scenario::RunResult& run);

// How the run ended and how its assertions went, for the end of any output.
std::string summary(const scenario::RunResult& run);

}  // namespace tcpsim::formats
