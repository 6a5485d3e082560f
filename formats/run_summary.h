// `--format summary`: a run's outcome without its trace, for transfers too
// big to trace (a traced 1 GB transfer takes over 1 GB of memory; untraced
// it takes a few MB). Per host: segments sent, data and payload octets,
// retransmissions by what detected the loss, segments the links lost,
// segments received, bytes the programs wrote and read, and the
// connections left in each state; then the transfer's goodput and how the
// run ended. Drawn from the network's counters (sim/counters.h), which are
// kept whether the run is traced or not.
#pragma once

#include <string>

#include "scenario/interpreter.h"

namespace tcpsim::formats {

std::string run_summary(const scenario::RunResult& run);

}  // namespace tcpsim::formats
