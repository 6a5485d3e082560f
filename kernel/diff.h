// The real run against the model's, as two RunResults. What is compared:
//   - segments, per connection (in order of appearance) and direction, by
//     flags (PSH aside), seq and ack relative to each side's ISN, payload
//     length, and whether the link dropped it; aligned by longest common
//     subsequence, so one extra or missing segment is one difference;
//   - when aligned segments (and calls) happened: each interval since the
//     previous aligned event must agree within tolerance + relative x the
//     model's interval (kernel timers round up by up to a few percent);
//   - each connection end's state sequence: every state the kernel showed
//     must come in the model's order, and every model state held longer than
//     the tolerance must have been seen (shorter ones fall between samples);
//   - each program's calls and their results, aligned by the call;
//   - the scenario's assertions: one failed on either side is a difference.
// Not compared: TCP options, window values, ports the kernel picked (except
// where a call returns them), the ISNs themselves.
#pragma once

#include <string>
#include <vector>

#include "scenario/interpreter.h"

namespace tcpsim::kernel {

// The model's links in a comparison: loopback, as the real run has.
inline constexpr Duration kLoopbackDelay = 10 * kMicrosecond;
// The namespace's loopback has a 1500-byte MTU, like a wire between hosts
// (lo's own 64 KiB would send 3000 bytes as one segment); Linux's segments
// then carry 1448 bytes (1460 less the timestamp option), the model's mss.
inline constexpr int kLoMtu = 1500;
inline constexpr int kKernelMss = 1448;

struct DiffOptions {
  Duration tolerance = 5 * kMillisecond;
  double relative = 0.10;
  Time until = 0;  // the real run's end: unmatched events just before it may lie past it on the other side
};

struct Difference {
  std::string kind;  // segment, timing, state, call, assertion
  std::string text;  // one line
};

// The scenario's own assertions (its `= ...` after calls, `expect ...`):
// each that failed on either run is a difference of kind "assertion", since
// the scenario says what both must do (issue 17: a kernel that failed them
// was reported as agreeing). A side whose results are cleared counts none.
std::vector<Difference> assertion_differences(const scenario::RunResult& kernel,
                                              const scenario::RunResult& model);

std::vector<Difference> diff_runs(const scenario::RunResult& kernel, const scenario::RunResult& model,
                                  const DiffOptions& opt);

// The segments of both runs side by side, aligned as diff_runs aligns them:
// one line per segment, its time on the kernel and in the model ("-" where
// a run has no such segment).
std::string aligned_segments(const scenario::RunResult& kernel, const scenario::RunResult& model,
                             const DiffOptions& opt);

// Alignment of two sequences by longest common subsequence: pairs of
// indices (a, b) that match, in order.
std::vector<std::pair<std::size_t, std::size_t>> align(const std::vector<std::string>& a,
                                                       const std::vector<std::string>& b);

// Whether a kernel state sequence agrees with the model's: `kernel` must be a
// subsequence of `model`, and every model state not marked optional must be
// in it. Returns "" or what is wrong.
struct TimedState {
  std::string state;
  bool optional = false;  // held too briefly to be sampled
};
std::string compare_states(const std::vector<std::string>& kernel, const std::vector<TimedState>& model);

}  // namespace tcpsim::kernel
