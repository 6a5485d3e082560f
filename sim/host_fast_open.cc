// Host's side of TCP Fast Open (sim/fast_open.h): apart from host.cc so
// that the listener path there only calls it.
#include <algorithm>

#include "sim/host.h"

namespace tcpsim::sim {

void Host::fast_open_syn(const Conn& listener, Conn& child, const Packet& p) {
  const FastOpenSettings& s = profile_.fast_open;
  // The listener's Fast Open queue: TCP_FASTOPEN's qlen, or under
  // TFO_SERVER_WO_SOCKOPT1 the backlog (inet_listen: fastopen_queue_tune).
  int max_qlen = listener.fastopen_qlen;
  if (max_qlen == 0 && (s.sysctl & kTfoServerWoSockopt1) && (s.sysctl & kTfoServerEnable))
    max_qlen = listener.backlog;
  // Children it counts: Fast Open children still in SYN-RECEIVED (Linux
  // keeps them counted until the handshake's ACK; tcpsim counts those not
  // yet accepted).
  const auto pending =
      std::count_if(listener.accept_queue.begin(), listener.accept_queue.end(), [&](ConnId id) {
        const Conn* c = conn(id);
        return c && c->ep.tcb().fast_open && c->state() == model::State::SynReceived;
      });
  const bool room = max_qlen > 0 && pending < max_qlen;
  const FastOpenVerdict v = fast_open_verdict(s, room, !p.seg.payload.empty(), p.opt.fo, p.src.ip, p.dst.ip);
  child.wire.fo_reply = v.reply;
  if (!v.child) return;
  child.ep.accept_syn_data();
  child.syn_data_acked = !p.seg.payload.empty();
}

}  // namespace tcpsim::sim
