// The TCP options of RFC 7323 (window scale, timestamps) on a simulated
// host's wire. The endpoint model (model/) carries neither: the host adds
// them to what it sends and reads them from what it receives, the way a
// kernel's output and input paths do around its TCB, so that a peer that
// expects them (a packetdrill script) sees a stack that negotiates them.
// What the model then sees: windows unscaled (and at most 65535, its
// header field's width) and the peer's MSS less the 12 bytes of the
// timestamp option once timestamps are in use. Off unless a profile's
// WireSettings turn it on, so nothing changes for runs that do not.
// Not modelled: PAWS (RFC 7323 §5), RTT measurement from timestamps.
#pragma once

#include <cstdint>

#include "model/segment.h"
#include "model/tcb.h"
#include "model/time.h"
#include "sim/fast_open.h"

namespace tcpsim::sim {

struct Packet;

// The RFC 7323 options a packet carries.
struct WireOptions {
  std::int8_t wscale = -1;  // Window Scale option's shift count; -1: absent
  bool ts = false;          // Timestamps option present
  FastOpenOption fo;        // TCP Fast Open (sim/fast_open.h); here, before the words, it packs
  std::uint32_t ts_val = 0, ts_ecr = 0;
};

// What a host offers (a profile's part; Linux's tcp_window_scaling and
// tcp_timestamps, FreeBSD's rfc1323).
struct WireSettings {
  bool window_scaling = false;
  std::uint8_t wscale = 7;  // the shift the host asks for (RFC 7323 §2.3: at most 14)
  bool timestamps = false;
  Duration ts_tick = kMillisecond;  // TSval clock: Linux and FreeBSD count milliseconds
  bool ts_on_rst = true;            // Linux puts TS on a connection's RST; FreeBSD's tcp_respond does not
};

// One connection's negotiation and timestamp state.
struct WireState {
  bool syn_ws_sent = false, syn_ts_sent = false;  // our SYN offered them
  std::uint8_t syn_wscale = 0;                    // the shift our SYN or SYN,ACK offered
  bool peer_ws = false, peer_ts = false;          // the peer's SYN offered them
  std::uint8_t peer_wscale = 0;
  bool ws_ok = false, ts_ok = false;  // negotiated (both SYNs carried the option)
  std::uint32_t ts_recent = 0;        // RFC 7323 §4.3 TS.Recent
  model::Seq last_ack_sent = 0;       // RFC 7323 §4.3 Last.ACK.sent
  FastOpenOption fo_reply;            // the Fast Open cookie our SYN,ACK carries
};

// Adds the options to an outbound packet and scales its window.
// `rcv_buffer` is the receive buffer the model's 16-bit window stands for
// (its configured SO_RCVBUF), scaled when the window is.
void wire_out(WireState& w, const WireSettings& s, const model::Tcb& tcb, std::uint32_t rcv_buffer, Packet& p,
              Time now);

// Learns from an inbound packet; when the model must see the segment
// changed (window scaled up, MSS less the timestamp option), fills
// `scratch` with that segment and returns true.
bool wire_in(WireState& w, const WireSettings& s, const model::Tcb& tcb, const Packet& p,
             model::Segment& scratch);

}  // namespace tcpsim::sim
