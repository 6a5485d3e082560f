#include "sim/wire_options.h"

#include <algorithm>

#include "sim/packet.h"

namespace tcpsim::sim {

namespace {

constexpr std::uint8_t kMaxShift = 14;         // RFC 7323 §2.3
constexpr std::uint16_t kTimestampBytes = 12;  // NOP NOP TS: what it costs every segment

// The TSval clock: ticks of virtual time, from an offset per connection
// (Linux's tsoffset, FreeBSD's ts_offset: random, here from the ISS so that
// runs stay deterministic).
std::uint32_t ts_now(const WireSettings& s, const model::Tcb& tcb, Time now) {
  const std::uint32_t offset = static_cast<std::uint32_t>(tcb.iss) * 2654435761u;
  return static_cast<std::uint32_t>(now / std::max<Duration>(s.ts_tick, 1)) + offset;
}

}  // namespace

void wire_out(WireState& w, const WireSettings& s, const model::Tcb& tcb, std::uint32_t rcv_buffer, Packet& p,
              Time now) {
  if (w.fo_reply.len >= 0 && p.seg.has(model::kSyn) && p.seg.has(model::kAck)) p.opt.fo = w.fo_reply;
  if (!s.window_scaling && !s.timestamps) return;
  model::Segment& seg = p.seg;
  const bool syn = seg.has(model::kSyn), ack = seg.has(model::kAck), rst = seg.has(model::kRst);
  if (syn && !ack) {
    w.syn_ws_sent = s.window_scaling;
    w.syn_ts_sent = s.timestamps;
    w.syn_wscale = std::min(s.wscale, kMaxShift);
    if (w.syn_ws_sent) p.opt.wscale = static_cast<std::int8_t>(w.syn_wscale);
    if (w.syn_ts_sent) {
      p.opt.ts = true;
      p.opt.ts_val = ts_now(s, tcb, now);
      p.opt.ts_ecr = 0;
    }
  } else if (syn) {
    // SYN,ACK: an option goes back only if the peer's SYN offered it.
    w.ws_ok = w.peer_ws && s.window_scaling;
    w.ts_ok = w.peer_ts && s.timestamps;
    w.syn_wscale = std::min(s.wscale, kMaxShift);
    if (w.ws_ok) p.opt.wscale = static_cast<std::int8_t>(w.syn_wscale);
  }
  if (w.ts_ok && (syn || !rst || s.ts_on_rst) && !(syn && !ack)) {
    p.opt.ts = true;
    p.opt.ts_val = ts_now(s, tcb, now);
    p.opt.ts_ecr = w.ts_recent;
  }
  if (w.ws_ok && !syn) {
    // The header field carries the window shifted right (RFC 7323 §2.3);
    // a window the model capped at 65535 is its receive window.
    const std::uint32_t window =
        seg.window == 0xffff ? std::max<std::uint32_t>(rcv_buffer, 0xffff) : seg.window;
    seg.window = static_cast<std::uint16_t>(std::min<std::uint32_t>(window >> w.syn_wscale, 0xffff));
  }
  if (ack) w.last_ack_sent = seg.ack;
}

bool wire_in(WireState& w, const WireSettings& s, const model::Tcb& tcb, const Packet& p,
             model::Segment& scratch) {
  if (!s.window_scaling && !s.timestamps) return false;
  const model::Segment& seg = p.seg;
  const bool syn = seg.has(model::kSyn), ack = seg.has(model::kAck);
  bool changed = false;
  scratch = seg;
  if (syn && !ack) {
    // A SYN to a listener (or a simultaneous open): what the peer offers.
    w.peer_ws = p.opt.wscale >= 0;
    w.peer_wscale = static_cast<std::uint8_t>(std::min(std::max(int{p.opt.wscale}, 0), int{kMaxShift}));
    w.peer_ts = p.opt.ts;
    if (w.peer_ts && s.timestamps) {
      w.ts_recent = p.opt.ts_val;
      if (scratch.mss > kTimestampBytes)
        scratch.mss = static_cast<std::uint16_t>(scratch.mss - kTimestampBytes);
      changed = true;
    }
    return changed;
  }
  if (syn && ack) {
    // Our SYN's answer: an option is in use when both SYNs carried it.
    w.ws_ok = w.syn_ws_sent && p.opt.wscale >= 0;
    w.peer_wscale = static_cast<std::uint8_t>(std::min(std::max(int{p.opt.wscale}, 0), int{kMaxShift}));
    w.ts_ok = w.syn_ts_sent && p.opt.ts;
    if (w.ts_ok) {
      w.ts_recent = p.opt.ts_val;
      if (scratch.mss > kTimestampBytes)
        scratch.mss = static_cast<std::uint16_t>(scratch.mss - kTimestampBytes);
      changed = true;
    }
    return changed;
  }
  if (w.ts_ok && p.opt.ts) {
    // RFC 7323 §4.3: TS.Recent follows a segment that covers Last.ACK.sent
    // and is not older; as Linux (tcp_ack before tcp_replace_ts_recent),
    // only when its ACK does not acknowledge data never sent.
    const bool newer = static_cast<std::int32_t>(p.opt.ts_val - w.ts_recent) >= 0;
    const bool covers = static_cast<std::int32_t>(seg.seq - w.last_ack_sent) <= 0;
    const bool ack_ok = !ack || static_cast<std::int32_t>(seg.ack - tcb.snd_nxt) <= 0;
    if (newer && covers && ack_ok) w.ts_recent = p.opt.ts_val;
  }
  if (w.ws_ok) {
    const std::uint32_t window = std::uint32_t{seg.window} << w.peer_wscale;
    scratch.window = static_cast<std::uint16_t>(std::min<std::uint32_t>(window, 0xffff));
    changed = changed || scratch.window != seg.window;
  }
  return changed;
}

}  // namespace tcpsim::sim
