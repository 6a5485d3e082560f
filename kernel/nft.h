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

#include <string>
#include <vector>

#include "kernel/plan.h"
#include "kernel/recording.h"

namespace tcpsim::kernel {

inline constexpr const char* kNftTable = "tcpsim";

// The whole ruleset (`nft -f -`), empty when nothing is dropped.
std::string nft_ruleset(const std::vector<DirectedRule>& rules, const std::vector<DirectedWindow>& windows);
// The chain a window's rule goes into while it is open.
std::string window_chain(std::size_t i);

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
