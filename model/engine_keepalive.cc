// The engine's keepalive timer (RFC 1122 §4.2.3.6) as Linux's
// tcp_keepalive_timer() runs it; the decisions are model/keepalive.h's.
#include "model/engine.h"
#include "model/keepalive.h"

namespace tcpsim::model {

namespace {

// Where Linux keeps no keepalive timer: no connection yet (CLOSE, LISTEN),
// or its socket has gone to a TIME-WAIT mini-socket.
bool no_keepalive_in(State s) { return s == State::Closed || s == State::Listen || s == State::TimeWait; }

}  // namespace

void Engine::set_keepalive(const KeepaliveOptions& o) {
  const KeepaliveOptions was = keepalive_options(cfg_);
  set_keepalive_options(cfg_, o);
  // Not in SYN-SENT either: entering ESTABLISHED arms it (tcp_finish_connect()).
  if (!has_out() || no_keepalive_in(state_) || state_ == State::SynSent) return;
  // tcp_set_keepalive(): on arms the whole idle time from now, off stops it.
  if (!o.on) {
    if (was.on) cancel(TimerKind::Keepalive);
    return;
  }
  if (!was.on) {
    arm(TimerKind::Keepalive, o.idle);
    return;
  }
  // tcp_sock_set_keepidle_locked(): the rest of the new idle time.
  if (o.idle != was.idle) arm(TimerKind::Keepalive, keepalive_rest(o, now_, tcb_.last_heard));
}

void Engine::keepalive_heard() {
  tcb_.last_heard = now_;
  tcb_.keepalive_probes_out = 0;
}

bool Engine::keepalive_timeout() {
  const KeepaliveOptions o = keepalive_options(cfg_);
  // tcp_keepalive_timer(): nothing in SYN-SENT (tcp_finish_connect() arms it
  // again); an orphan's FIN-WAIT-2 has its own bound (tcp_fin_timeout).
  if (!o.on || no_keepalive_in(state_) || state_ == State::SynSent || state_ == State::SynReceived ||
      (state_ == State::FinWait2 && tcb_.orphaned)) {
    return true;
  }
  const bool busy =
      tcb_.snd_una != tcb_.snd_nxt || seq_lt(tcb_.snd_nxt, data_end()) || (tcb_.fin_queued && !tcb_.fin_sent);
  const KeepaliveStep st = keepalive_on_timer(o, now_, tcb_.last_heard, tcb_.keepalive_probes_out, busy);
  switch (st.action) {
    case KeepaliveAction::Wait: break;
    case KeepaliveAction::Probe:
      new_segment(kAck, keepalive_probe_seq(tcb_.snd_una), false);
      note("keepalive probe at SND.UNA - 1, no data (RFC 1122 §4.2.3.6, Linux tcp_xmit_probe_skb)");
      ++tcb_.keepalive_probes_out;
      break;
    case KeepaliveAction::Abort:
      // tcp_send_active_reset() then tcp_write_err(): ETIMEDOUT.
      note("keepalive probes unanswered: reset, connection timed out (Linux tcp_keepalive_timer)");
      send_rst_abort();
      return false;
  }
  arm(TimerKind::Keepalive, st.next);
  return true;
}

}  // namespace tcpsim::model
