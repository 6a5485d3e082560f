// The bounds of the runner child, which runs scenario programs as root, at
// real-time priority: how long a run may last, how much memory it may take,
// how long one of its threads may run at real-time priority without waiting.
// A program's runaway loop is stopped before those, as the simulator stops it
// (kernel/programs.cc counts its steps); these are the floor under everything.
#pragma once

#include <cstdint>
#include <string>

#include "model/time.h"

namespace tcpsim::kernel {

// The longest --max-time (TIME-WAIT lasts 60 s; ten times that is plenty).
inline constexpr Duration kMaxRunTime = 600 * kSecond;
// What the child's data (heap, thread stacks; RLIMIT_DATA) may grow by over
// what it inherits from tcpsim at the fork.
inline constexpr std::uint64_t kChildMemory = std::uint64_t{1} << 30;
// Stack of each of its threads (glibc's default is RLIMIT_STACK, 8 MB here,
// which counts in kChildMemory: 100 programs would take 800 MB of it).
inline constexpr std::size_t kThreadStack = 1u << 20;
// CPU time a thread may use at real-time priority without blocking once
// (RLIMIT_RTTIME): past it SIGXCPU kills the child. No thread of the runner
// has a reason to come near it (the sampler, the capture and the programs
// all wait between events); a program's own loop is stopped far sooner.
inline constexpr Duration kMaxRealtimeBurst = 10 * kSecond;
// The child's exit status when the memory bound is reached (operator new).
inline constexpr int kOutOfMemoryStatus = 3;

// Applies the bounds to the calling (child) process; "" or what failed.
std::string limit_child();

// Why the child ended without a recording, from its wait status.
std::string child_death(int status);

}  // namespace tcpsim::kernel
