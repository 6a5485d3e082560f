// Runs of plain segments: a bulk transfer's in-order data and its ACKs,
// which a ladder draws as one row per direction with a count instead of a
// row per segment (docs/formats.md, "Data in the ladder"). Found from the
// trace alone, for any ladder (ASCII/Unicode now; SVG, TikZ and Mermaid can
// draw the same runs as one arrow each).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "formats/trace_view.h"

namespace tcpsim::formats {

struct SegmentRun {
  std::size_t start = 0, end = 0;  // trace records [start, end); start is a Sent record
  int conn = -1;                   // TraceView's connection
  // By direction: 0 rightwards (left end to right end), 1 leftwards.
  std::size_t count[2] = {0, 0};
  std::uint64_t bytes[2] = {0, 0};
  Time first[2] = {-1, -1}, last[2] = {0, 0};
  // The reads and writes the programs made meanwhile: the call as written
  // (without its result), which side, how often; in order of first use.
  struct Calls {
    std::string call;
    bool right = false;
    std::size_t times = 0;
    std::string text() const;  // "write(k, 1448)", "read(c, 65536) x24"
  };
  std::vector<Calls> calls;

  std::size_t total() const { return count[0] + count[1]; }
  // "24 segments, 34752 bytes, to 0.045000" or "12 ACKs, to 0.045100"; ""
  // for a direction with no segment.
  std::string label(int direction) const;
};

// Fewer than this many segments in either direction are drawn one by one:
// a short exchange keeps its every arrow.
inline constexpr std::size_t kMinRun = 8;

// A run grows while one connection sends plain segments (no SYN, FIN, RST,
// URG or SACK blocks, not resent, not lost or duplicated by the link), each
// data segment starting where the last one that way ended and each ACK at
// or past the last one, and nothing drawn comes between but reads and
// writes that moved data (no state change, other call, output, expiry of a
// timer but the delayed ACK's). Runs with at least kMinRun segments one way, in record
// order, not overlapping.
std::vector<SegmentRun> segment_runs(const TraceView& view, const sim::Trace& tr);

}  // namespace tcpsim::formats
