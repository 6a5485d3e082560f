// The real run as a scenario::RunResult, the structure every tcpsim output
// reads: segments become Sent (and Dropped) records, socket snapshots become
// each connection end's State records, calls become Call records; the
// scenario's assertions are checked against what the kernel did. So
// `tcpsim kernel` draws with the very code that draws `tcpsim run`.
#pragma once

#include <memory>
#include <string>

#include "kernel/plan.h"
#include "kernel/recording.h"
#include "scenario/interpreter.h"

namespace tcpsim::kernel {

// `kernel_name`: what the ladder's header calls the profile ("Linux 6.18.44").
// `slack`: a state asserted at T passes when the socket was in it at some
// moment within `slack` + `relative_slack` x T of T (the real run's programs
// start late, its timers fire late by a share of their length, and its
// states are sampled); 0 judges the moment T alone.
scenario::RunResult to_run_result(std::shared_ptr<const scenario::Scenario> sc, const Recording& rec,
                                  const Plan& plan, const std::string& kernel_name, Duration slack = 0,
                                  double relative_slack = 0);

}  // namespace tcpsim::kernel
