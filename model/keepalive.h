// Keepalive probes (RFC 1122 §4.2.3.6) as Linux's tcp_keepalive_timer() sends them.
//
//   RFC 1122 §4.2.3.6  keep-alives MAY be sent; they MUST default to off;
//       one is sent only when nothing (data or ACK) was received for an
//       interval that MUST be configurable and default to no less than two
//       hours; a probe without data carries SEG.SEQ = SND.NXT-1; no single
//       unanswered probe may mean a dead connection.
//   Linux tcp_keepalive_timer(): nothing is probed while data or a FIN is
//       in flight or queued (the retransmission timer watches those): the
//       timer waits the whole idle time again. Otherwise `idle` = now - the
//       last segment heard (tcp_ack's rcv_tstamp, the receive path's
//       lrcvtime): short of keepalive_time, the timer waits out the rest;
//       past it, after keepalive_probes unanswered probes the connection is
//       reset (tcp_send_active_reset) and fails with ETIMEDOUT
//       (tcp_write_err), else a probe goes (tcp_write_wakeup ->
//       tcp_xmit_probe_skb: an ACK at SND.UNA-1, no data), probes_out grows
//       and the timer waits keepalive_intvl.
//   Linux tcp_ack(): any ACK that is not older than SND.UNA zeroes
//       probes_out and stamps rcv_tstamp.
//   FreeBSD tcp_timer_keep() drops once idle >= keepidle + keepcnt *
//       keepintvl: the same moments, given probes every keepintvl.
//
// Pure decisions; the engine (model/engine_keepalive.cc) arms the timer.
#pragma once

#include <cstdint>

#include "model/config.h"
#include "model/seq.h"
#include "model/time.h"

namespace tcpsim::model {

// What a socket asked for (SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL,
// TCP_KEEPCNT), with the profile's values where it asked for none.
struct KeepaliveOptions {
  bool on = false;
  Duration idle = 7200 * kSecond;  // keepalive_time
  Duration intvl = 75 * kSecond;   // keepalive_intvl
  int probes = 9;                  // keepalive_probes
  bool operator==(const KeepaliveOptions& o) const {
    return on == o.on && idle == o.idle && intvl == o.intvl && probes == o.probes;
  }
};
KeepaliveOptions keepalive_options(const Config& c);
void set_keepalive_options(Config& c, const KeepaliveOptions& o);

// The probe's sequence number: SND.UNA - 1 (RFC 1122: SND.NXT - 1; nothing
// is in flight when one is sent, so they are the same).
constexpr Seq keepalive_probe_seq(Seq snd_una) { return snd_una - 1; }

enum class KeepaliveAction : std::uint8_t { Wait, Probe, Abort };
struct KeepaliveStep {
  KeepaliveAction action = KeepaliveAction::Wait;
  Duration next = 0;  // Wait, Probe: when the timer fires again, from now
};

// The timer fired: `busy` when data or a FIN is in flight or queued.
KeepaliveStep keepalive_on_timer(const KeepaliveOptions& o, Time now, Time last_heard,
                                 std::uint32_t probes_out, bool busy);
// TCP_KEEPIDLE changed while the timer runs (tcp_sock_set_keepidle_locked):
// the rest of the new idle time since the last segment heard, 0 if past it.
Duration keepalive_rest(const KeepaliveOptions& o, Time now, Time last_heard);

}  // namespace tcpsim::model
