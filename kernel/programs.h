// A scenario program run with real sockets, in a thread of the runner
// process: the same calls, in order, with real sleeps. Each program has its
// own descriptor numbers (3, 4, ... as a process of its own would), mapped
// onto the runner's; calls are recorded with their results, checked against
// the scenario's `= ...` expectations, and followed by a socket snapshot.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>

#include "cli/scenario/ast.h"
#include "kernel/plan.h"
#include "kernel/recording.h"

namespace tcpsim::kernel {

// What the programs share with the runner.
struct RunContext {
  const scenario::Scenario* sc = nullptr;
  std::atomic<std::int64_t> t0{0};  // CLOCK_REALTIME of the start, ns
  std::mutex mu;                    // guards rec
  Recording* rec = nullptr;
  std::atomic<bool> stopped{false};  // the cap: record nothing more
  // Takes and records a snapshot of the namespace's sockets; returns it.
  std::function<std::vector<SocketSample>()> snapshot;
  Time now() const;
};

struct ProgramSpec {
  const scenario::ProgramDecl* decl = nullptr;
  std::uint32_t index = 0;
  std::uint32_t host_ip = 0;
  HostOptions options;
  // Set once the program first waits (a sleep, a call that may block) or
  // ends: programs starting at the same time start one after the other,
  // each running up to that point first, as the simulator runs them.
  std::atomic<bool>* settled = nullptr;
};

// Runs one program to its end (closing what it still holds, as a process
// exiting would) and records how it ended in ctx.rec->programs[index].
void run_program(RunContext& ctx, const ProgramSpec& spec);

// `ss` as tcpsim prints it, from a snapshot, for one host's address.
std::string ss_text(const std::vector<SocketSample>& sockets, std::uint32_t host_ip, bool with_timers);

}  // namespace tcpsim::kernel
