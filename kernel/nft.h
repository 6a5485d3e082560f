// The scenario's drop rules as an nftables ruleset for the namespace, and the
// same rules replayed over the capture to tell which captured segments the
// kernel dropped (the capture on lo sees a segment on transmit, before the
// input hook drops it).
//
// nft semantics follow sim::Link: every rule counts every segment it matches
// (numgen inc, evaluated only once the rule's match succeeded), whether or not
// another rule drops it, so a rule only marks the segment and one final rule
// drops what is marked; windows mark what is sent while their chain holds a
// rule, which the runner adds and flushes at the window's start and end.
#pragma once

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "kernel/plan.h"
#include "kernel/recording.h"

namespace tcpsim::kernel {

inline constexpr const char* kNftTable = "tcpsim";

// The whole ruleset (`nft -f -`), empty when nothing is dropped.
std::string nft_ruleset(const std::vector<DirectedRule>& rules, const std::vector<DirectedWindow>& windows);
// The chain a window's rule goes into while it is open.
std::string window_chain(std::size_t i);

// The rules applied to segments one at a time, in the order they were sent:
// what replay_drops does over a whole capture, and what the delay line
// (kernel/delayline.h) does as segments pass through it.
class DropReplay {
 public:
  DropReplay(std::vector<DirectedRule> rules, std::vector<DirectedWindow> windows);
  // Whether the rules drop this segment (windows by its time).
  bool next(const CapturedSegment& c);

 private:
  std::vector<DirectedRule> rules_;
  std::vector<DirectedWindow> windows_;
  std::vector<sim::DropCounter> counters_;
  std::vector<std::set<std::tuple<std::uint32_t, std::uint16_t, std::uint32_t>>> seen_;
};

// For each captured segment, whether the rules dropped it (windows by the
// segment's capture time).
std::vector<bool> replay_drops(const std::vector<CapturedSegment>& segs,
                               const std::vector<DirectedRule>& rules,
                               const std::vector<DirectedWindow>& windows);

// How many segments from src_ip to dst_ip the match selects (retransmissions
// included or not): the count a "last" rule needs.
std::uint64_t count_matching(const std::vector<CapturedSegment>& segs, std::uint32_t src_ip,
                             std::uint32_t dst_ip, const sim::DropRule& rule);

}  // namespace tcpsim::kernel
