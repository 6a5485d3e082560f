// The length of an idle stretch cut out of a figure ("… 1 s …"), written
// the same way by every format, so that one run's figures agree.
#pragma once

#include <string>

#include "model/time.h"

namespace tcpsim::formats {

// Rounded half up to 4 significant figures (so a gap keeps millisecond
// resolution up to 10 s: 999 ms, 1.999 s, 2 s), in the largest unit (s, ms,
// µs, ns) in which the rounded value is at least 1, trailing zeros dropped;
// whole seconds from 10000 s. `micro` is how µ is spelt ("µ", or "u" where
// only ASCII is safe).
std::string gap_label(Duration gap, const char* micro = "\u00b5");

}  // namespace tcpsim::formats
