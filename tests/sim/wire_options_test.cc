// The host's RFC 7323 wire layer (sim/wire_options.h): negotiation, window
// shifts, TS.Recent, and the MSS the model is given.
#include "sim/wire_options.h"

#include <gtest/gtest.h>

#include "sim/packet.h"

namespace tcpsim::sim {
namespace {

WireSettings both_on(std::uint8_t shift = 7) {
  WireSettings s;
  s.window_scaling = s.timestamps = true;
  s.wscale = shift;
  return s;
}

Packet segment(std::uint8_t flags, model::Seq seq = 0, model::Seq ack = 0, std::uint16_t window = 0) {
  Packet p;
  p.seg.flags = flags;
  p.seg.seq = seq;
  p.seg.ack = ack;
  p.seg.window = window;
  return p;
}

// RFC 7323 §2.2: a SYN,ACK carries Window Scale only if the SYN did; then
// neither side scales.
TEST(WireOptions, Rfc7323_2_2_NoWindowScaleInSynAckWhenTheSynHadNone) {
  WireState w;
  model::Tcb tcb;
  model::Segment seen;
  Packet syn = segment(model::kSyn, 100, 0, 1000);
  wire_in(w, both_on(), tcb, syn, seen);
  Packet synack = segment(model::kSyn | model::kAck, 5000, 101, 65535);
  wire_out(w, both_on(), tcb, 65535, synack, 0);
  EXPECT_EQ(synack.opt.wscale, -1);
  Packet data = segment(model::kAck, 101, 5001, 257);
  EXPECT_FALSE(wire_in(w, both_on(), tcb, data, seen));  // window 257 taken as 257 bytes
}

// RFC 7323 §2.3: windows in non-SYN segments are shifted (ours right on
// the way out, the peer's left on the way in); a SYN's window never is.
TEST(WireOptions, Rfc7323_2_3_WindowsShiftedOnlyOutsideSyns) {
  WireState w;
  model::Tcb tcb;
  model::Segment seen;
  Packet syn = segment(model::kSyn, 100, 0, 1000);
  syn.opt.wscale = 6;
  wire_in(w, both_on(7), tcb, syn, seen);
  Packet synack = segment(model::kSyn | model::kAck, 5000, 101, 65535);
  wire_out(w, both_on(7), tcb, 65535, synack, 0);
  EXPECT_EQ(synack.opt.wscale, 7);
  EXPECT_EQ(synack.seg.window, 65535);
  Packet ack = segment(model::kAck, 5001, 101, 65535);
  wire_out(w, both_on(7), tcb, 65535, ack, 0);
  EXPECT_EQ(ack.seg.window, 65535 >> 7);
  Packet in = segment(model::kAck, 101, 5001, 257);
  ASSERT_TRUE(wire_in(w, both_on(7), tcb, in, seen));
  EXPECT_EQ(seen.window, 257 << 6);
  // Beyond the model's 16-bit window: the most it can hold.
  Packet big = segment(model::kAck, 101, 5001, 2000);
  ASSERT_TRUE(wire_in(w, both_on(7), tcb, big, seen));
  EXPECT_EQ(seen.window, 65535);
}

// RFC 7323 §3.2 and §4.3: with timestamps negotiated every segment carries
// TSval and TSecr = TS.Recent; TS.Recent follows a segment only if it
// covers Last.ACK.sent (SEG.SEQ <= Last.ACK.sent) and is not older. The
// model is given the peer's MSS less the 12 bytes the option takes.
TEST(WireOptions, Rfc7323_4_3_TsRecentFollowsOnlySegmentsCoveringLastAckSent) {
  WireState w;
  model::Tcb tcb;
  tcb.snd_nxt = 5001;
  model::Segment seen;
  Packet syn = segment(model::kSyn, 100, 0, 1000);
  syn.seg.mss = 1460;
  syn.opt.ts = true;
  syn.opt.ts_val = 700;
  ASSERT_TRUE(wire_in(w, both_on(), tcb, syn, seen));
  EXPECT_EQ(seen.mss, 1460 - 12);
  Packet synack = segment(model::kSyn | model::kAck, 5000, 101, 65535);
  wire_out(w, both_on(), tcb, 65535, synack, 0);
  ASSERT_TRUE(synack.opt.ts);
  EXPECT_EQ(synack.opt.ts_ecr, 700u);
  // Beyond Last.ACK.sent (101): TS.Recent stays.
  Packet ahead = segment(model::kAck, 1101, 5001, 100);
  ahead.opt.ts = true;
  ahead.opt.ts_val = 900;
  wire_in(w, both_on(), tcb, ahead, seen);
  Packet ack = segment(model::kAck, 5001, 101, 65535);
  wire_out(w, both_on(), tcb, 65535, ack, 10 * kMillisecond);
  EXPECT_EQ(ack.opt.ts_ecr, 700u);
  EXPECT_EQ(ack.opt.ts_val - synack.opt.ts_val, 10u);  // a millisecond clock
  // At Last.ACK.sent and newer: it does.
  Packet next = segment(model::kAck, 101, 5001, 100);
  next.opt.ts = true;
  next.opt.ts_val = 800;
  wire_in(w, both_on(), tcb, next, seen);
  Packet ack2 = segment(model::kAck, 5001, 101, 65535);
  wire_out(w, both_on(), tcb, 65535, ack2, 0);
  EXPECT_EQ(ack2.opt.ts_ecr, 800u);
}

// Off (every profile's default): nothing added, nothing changed.
TEST(WireOptions, OffLeavesPacketsAlone) {
  WireState w;
  model::Tcb tcb;
  model::Segment seen;
  Packet syn = segment(model::kSyn, 100, 0, 1000);
  syn.opt.wscale = 6;
  syn.opt.ts = true;
  EXPECT_FALSE(wire_in(w, WireSettings{}, tcb, syn, seen));
  Packet out = segment(model::kSyn, 1, 0, 65535);
  wire_out(w, WireSettings{}, tcb, 65535, out, 0);
  EXPECT_EQ(out.opt.wscale, -1);
  EXPECT_FALSE(out.opt.ts);
}

}  // namespace
}  // namespace tcpsim::sim
