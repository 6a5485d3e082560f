// Segment assertions (docs/scenario-language.md, "Segments sent, or not"):
// the segments one host put on the link to another, with seq and ack made
// relative to each side's initial sequence number, matched against the
// fields an assertion writes. The simulator's trace and the kernel runner's
// capture both come here as sim::PacketRecords, so both judge alike.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenario/interpreter.h"

namespace tcpsim::scenario {

struct NumberedSegment {
  const sim::PacketRecord* p = nullptr;
  std::uint32_t seq = 0;  // relative to the sender's ISS (its last SYN on this 4-tuple), else as sent
  std::uint32_t ack = 0;  // relative to the receiver's ISS, likewise
  long nth = 0;           // 1: the first segment from this host to that one
};

// The segments sent from the host at `from_ip` to the one at `to_ip`, in
// the order they were sent (retransmissions and lost ones included).
std::vector<NumberedSegment> segments_between(const std::vector<sim::PacketRecord>& all,
                                              std::uint32_t from_ip, std::uint32_t to_ip);
// The option names a segment carries, in SYN order (mss, sackOK, TS, wscale, sack).
std::vector<std::string> option_names(const sim::PacketRecord& p);
// Whether every field written matches (flags are the caller's).
bool fields_match(const SegmentFields& f, const NumberedSegment& s);
// "FIN,ACK seq=1 ack=1 len=0 win=64240 opts=none at 1.002000", every field.
std::string describe(const NumberedSegment& s);
// `expect [not] sent A -> B SPEC [fields] [count]` and
// `expect A -> B segment N FLAGS [fields]`, over those segments.
AssertionResult check_segments(const Assertion& a, const std::vector<NumberedSegment>& segs, bool texts);

}  // namespace tcpsim::scenario
