// Running a sweep: every run of every point (or of one shard's slice),
// spread over threads. Each run is a function of (scenario, point, seed), and
// what a thread adds up is integers, so the totals do not depend on how many
// threads there are or which thread ran what.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "cli/sweep/examples.h"
#include "cli/sweep/spec.h"
#include "cli/sweep/stats.h"
#include "scenario/ast.h"

namespace tcpsim::sweep {

// Shard K of N (1-based): the runs whose global index (point * runs + run)
// is K-1 modulo N. 1/1 is the whole sweep. Interleaving (rather than
// contiguous blocks) gives every shard the same mix of points, so shards of
// a sweep whose runs get slower with the parameter take about as long.
struct Slice {
  std::uint64_t k = 1, n = 1;
};
// What K/N must be, for messages about --shard and a shard file's line.
inline constexpr const char* kSliceRule = "expected K/N with 1 <= K <= N <= 1000000, e.g. 3/8";
// "3/8"; a message unless 1 <= K <= N.
std::variant<Slice, std::string> parse_slice(std::string_view text);

struct RunSweepOptions {
  unsigned jobs = 1;
  Slice slice;
  // Runs finished so far, for a progress bar (may be null).
  std::atomic<std::uint64_t>* done = nullptr;
  // --examples: where to keep the first runs of each outcome (may be null).
  ExampleSet* examples = nullptr;
};

// How many runs the slice holds: of the whole sweep, and of one point.
std::uint64_t slice_size(const SweepSpec& spec, Slice s);
std::uint64_t slice_runs_of_point(const SweepSpec& spec, Slice s, std::size_t point);

// One PointStats per point; a message (`file:line:col: ...` for a scenario
// error) when a run could not be made.
std::variant<std::vector<PointStats>, std::string> run_sweep(std::shared_ptr<const scenario::Scenario> sc,
                                                             const SweepSpec& spec,
                                                             const RunSweepOptions& opt);

}  // namespace tcpsim::sweep
