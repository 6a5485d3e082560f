// Shard files: what `tcpsim sweep --shard K/N` writes and `tcpsim merge`
// adds up. A header names the sweep (everything in SweepSpec) and the
// shard; the body has each point's exact sums and its histogram of closing
// times, so merged percentiles are exact, and the file's size depends on
// the points, not on the runs. Line-oriented text:
//
//   tcpsim-sweep-shard 1
//   version 0.1.0
//   scenario traces/s01-close-fin-wait-2-time-wait.tcpsim
//   scenario-fnv1a64 8c0f...
//   seed 1
//   runs 1000
//   axis loss 0 0.1 0.2
//   shard 2/4
//   point 0 runs=250 kinds=0,0,0,0,0,250 assertions_failed=0 retransmissions=0 ...
//   closed 0 5005000000*250
//   end
//
// `end` marks a complete file: a shard cut short by a crash is refused.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "cli/sweep/runner.h"
#include "cli/sweep/spec.h"
#include "cli/sweep/stats.h"

namespace tcpsim::sweep {

// The largest shard merge reads: a shard's size grows with its points
// (at most kMaxPoints, each a point line and a closing-time histogram),
// never with its runs; a sweep's shards are far smaller. docs/sweep.md.
inline constexpr std::uintmax_t kMaxShardBytes = 64 * 1024 * 1024;

struct Shard {
  SweepSpec spec;
  std::string header;  // the lines naming the sweep, compared by merge
  Slice slice;
  std::vector<PointStats> points;
};

std::string write_shard(const SweepSpec& spec, Slice slice, const std::vector<PointStats>& points);
// `name` is for messages. A one-line message on failure.
std::variant<Shard, std::string> read_shard(const std::string& text, const std::string& name);

// Shards of one sweep, each exactly once, added up; a one-line message
// naming the offending file otherwise.
struct MergeInput {
  std::string name;  // the file, for messages
  std::string text;
};
std::variant<std::pair<SweepSpec, std::vector<PointStats>>, std::string> merge_shards(
    const std::vector<MergeInput>& files);

}  // namespace tcpsim::sweep
