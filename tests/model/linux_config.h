// The linux profile's data-path values (sim/profile.cc) for model tests,
// which cannot reach sim/: each value cites where the profile takes it from.
#pragma once

#include "model/config.h"
#include "model/endpoint.h"
#include "model/outbox.h"

namespace tcpsim::test {

inline model::Config linux_data_config() {
  model::Config c;
  c.rto_min = 200 * kMillisecond;  // TCP_RTO_MIN
  c.rto_min_on_variance = true;    // tcp_set_rto()
  c.delayed_ack = true;
  c.delayed_ack_timeout = 40 * kMillisecond;  // TCP_ATO_MIN
  c.quick_acks = 16;                          // TCP_MAX_QUICKACKS
  c.sack = true;
  c.cubic = true;
  c.rack = true;
  c.hz = 250;  // CONFIG_HZ of the measured kernel
  c.nagle = true;
  c.nagle_minshall = true;
  c.persist_linux = true;
  c.invalid_ratelimit = 500 * kMillisecond;  // net.ipv4.tcp_invalid_ratelimit
  c.ack_policy_linux = true;
  return c;
}

// An active opener in ESTABLISHED: SYN at 0, the peer's SYN,ACK (MSS
// `peer_mss`, window `wnd`) at `rtt`, so SRTT = rtt and, under Linux's rule,
// RTO = rtt + max(rtt/2 * 4, rto_min).
inline model::Endpoint open_client(const model::Config& cfg, std::uint16_t peer_mss, std::uint16_t wnd,
                                   Time rtt, model::Seq iss, model::Seq irs) {
  model::Endpoint ep(cfg);
  model::Outbox out;
  ep.open_active(iss, 0, out);
  model::Segment sa;
  sa.flags = model::kSyn | model::kAck;
  sa.seq = irs;
  sa.ack = iss + 1;
  sa.window = wnd;
  sa.mss = peer_mss;
  sa.sack_ok = cfg.sack;
  out.clear();
  ep.segment_arrives(sa, rtt, out);
  return ep;
}

}  // namespace tcpsim::test
