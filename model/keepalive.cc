// Keepalive decisions as Linux's tcp_keepalive_timer(); see keepalive.h.
#include "model/keepalive.h"

namespace tcpsim::model {

KeepaliveOptions keepalive_options(const Config& c) {
  return KeepaliveOptions{c.keepalive, c.keepalive_time, c.keepalive_intvl, c.keepalive_probes};
}

void set_keepalive_options(Config& c, const KeepaliveOptions& o) {
  c.keepalive = o.on;
  c.keepalive_time = o.idle;
  c.keepalive_intvl = o.intvl;
  c.keepalive_probes = o.probes;
}

Duration keepalive_rest(const KeepaliveOptions& o, Time now, Time last_heard) {
  const Duration idle = now - last_heard;
  return idle >= o.idle ? 0 : o.idle - idle;
}

KeepaliveStep keepalive_on_timer(const KeepaliveOptions& o, Time now, Time last_heard,
                                 std::uint32_t probes_out, bool busy) {
  // "It is alive without keepalive": the retransmission timer watches it.
  if (busy) return {KeepaliveAction::Wait, o.idle};
  const Duration rest = keepalive_rest(o, now, last_heard);
  if (rest > 0) return {KeepaliveAction::Wait, rest};
  if (probes_out >= static_cast<std::uint32_t>(o.probes)) return {KeepaliveAction::Abort, 0};
  return {KeepaliveAction::Probe, o.intvl};
}

}  // namespace tcpsim::model
