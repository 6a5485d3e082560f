// Small helpers shared by the row, fixture and behaviour tests: deliver one
// event in one line, and check the segments it sent field by field so that a
// failure names the field (and prints the whole outbox).
#pragma once

#include <cstdint>

#include "harness.h"

namespace tcpsim::test {

inline Outbox arrive(Endpoint& ep, const Segment& s, Time now = 0) {
  Outbox out;
  ep.segment_arrives(s, now, out);
  return out;
}

inline Outbox expire(Endpoint& ep, TimerKind k, Time now = 0) {
  Outbox out;
  ep.timeout(k, now, out);
  return out;
}

// Segment `s` has exactly these flags and this SEQ, and this ACK when the
// ACK bit is on (a segment without it carries no acknowledgment).
inline ::testing::AssertionResult IsSeg(const Segment& s, std::uint8_t flags, Seq seq, Seq ack = 0) {
  if (s.flags != flags || s.seq != seq || ((flags & kAck) && s.ack != ack)) {
    return ::testing::AssertionFailure()
           << "got " << flags_label(s.flags) << " seq=" << s.seq << " ack=" << s.ack << ", want "
           << flags_label(flags) << " seq=" << seq << " ack=" << ack;
  }
  return ::testing::AssertionSuccess();
}

// `out` sent exactly one segment, and it is <SEQ=seq><ACK=ack><CTL=flags>.
inline ::testing::AssertionResult SentOne(const Outbox& out, std::uint8_t flags, Seq seq, Seq ack = 0) {
  const auto v = sent(out);
  if (v.size() != 1) return ::testing::AssertionFailure() << "want one segment; " << describe(out);
  auto r = IsSeg(v[0], flags, seq, ack);
  if (!r) r << "\n" << describe(out);
  return r;
}

inline ::testing::AssertionResult SentNothing(const Outbox& out) {
  if (!sent(out).empty()) return ::testing::AssertionFailure() << "want no segment; " << describe(out);
  return ::testing::AssertionSuccess();
}

// The configurations the guarded rows need.
inline Config without_rfc5961() {
  Config c;
  c.rfc5961_syn = false;  // the pre-RFC 5961 answer to an in-window SYN: RST
  return c;
}

}  // namespace tcpsim::test
