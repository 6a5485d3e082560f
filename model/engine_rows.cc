// The engine's side of the state table (model/rfc9293_table.h): what a row
// records when it fires, the steps rows call, what entering and leaving a
// state does, and the endpoint's inputs that need no row (table-free
// answers, timers, RECEIVE). The sequence and data bookkeeping these call is
// in model/engine.cc and model/engine_data.cc.
#include <algorithm>

#include "model/engine.h"
#include "model/transition_table.h"

namespace tcpsim::model {

// ------------------------------------------------------------ row records

void Engine::fired(State from, State to, RuleId rule, std::string_view name) {
  if (from != to) {
    state_change(from, to, rule);
    return;
  }
  Action a{ActionKind::Note};
  a.from = a.to = from;
  a.rule = rule;
  a.note = name;
  out_->actions.push_back(a);
}

void Engine::ignored(std::string_view event) {
  Action a{ActionKind::Ignored};
  a.note = event;
  out_->actions.push_back(a);
}

// ------------------------------------------------------ entering, leaving

void Engine::enter(State s) {
  state_ = s;
  if (!has_out()) return;  // the machine's own start(), before any input
  switch (s) {
    case State::Closed:
      stop_all_timers();
      notify(AppEvent::Closed);
      break;
    case State::Listen:
      // Back from SYN-RECEIVED (RFC 9293 §3.10.7.4): forget the half-open peer.
      stop_all_timers();
      init_passive(tcb_.iss);
      break;
    case State::Established:
      // RFC 6298 §5.7: no RTT sample and the SYN timed out: start data at 3 s.
      if (!tcb_.rtt.has_sample && tcb_.syn_retransmitted && cfg_.rto_after_syn_timeout > 0) {
        tcb_.rtt.rto = cfg_.rto_after_syn_timeout;
      }
      notify(AppEvent::Connected);
      // Linux tcp_finish_connect(), tcp_create_openreq_child().
      if (cfg_.keepalive) arm(TimerKind::Keepalive, cfg_.keepalive_time);
      break;
    case State::FinWait2:
      cancel_rexmt();
      if (tcb_.orphaned && cfg_.fin_wait_2_timeout > 0) arm(TimerKind::FinWait2, cfg_.fin_wait_2_timeout);
      break;
    case State::TimeWait:
      // An ACK still owed for data is sent now, not lost with its timer.
      if (tcb_.ack_pending) tcb_.ack_now = true;
      stop_all_timers();
      arm(TimerKind::TimeWait, cfg_.time_wait);
      break;
    default: break;
  }
}

// RFC 9293 deletes the TCB, timers included, whenever TIME-WAIT or an
// orphaned FIN-WAIT-2 ends early (RST, SYN, ABORT, the peer's FIN): their
// timers must not outlive the state that armed them.
void Engine::leave(State s) {
  if (!has_out()) return;
  if (s == State::TimeWait) cancel(TimerKind::TimeWait);
  if (s == State::FinWait2 && tcb_.orphaned && cfg_.fin_wait_2_timeout > 0) cancel(TimerKind::FinWait2);
}

// ------------------------------------------------------------ rows' steps

void Engine::become_active(Seq iss) {
  tcb_.iss = iss;
  tcb_.snd_una = iss;
  tcb_.snd_nxt = iss;
  tcb_.snd_buf_seq = iss + 1;
  tcb_.passive_open = false;
}

void Engine::answer_syn(const Segment& seg) {
  take_syn(seg);
  if (tcb_.fast_open && !seg.payload.empty()) {
    // RFC 7413 §4.2.2: a valid cookie lets the server take the SYN's data
    // at once and acknowledge it in the SYN,ACK (Linux
    // tcp_fastopen_add_skb: the whole payload, before any window check).
    tcb_.recv_buffer.append(seg.payload);
    tcb_.rcv_nxt += static_cast<Seq>(seg.payload.size());
    tcb_.data_received = true;
    notify(AppEvent::Readable);
  } else if (!seg.payload.empty()) {
    // RFC 9293 §3.10.7.2 says text on a SYN SHOULD be queued until
    // ESTABLISHED; tcpsim drops it (Linux does too, without TCP Fast Open).
    note("text on a SYN dropped (not queued)");
  }
  send_syn_ack(false);
  // The child is the application's at once (Linux: tcp_fastopen_create_child
  // queues it for accept() in SYN-RECEIVED).
  if (tcb_.fast_open) handshake_complete();
}

void Engine::complete_active_open(const Segment& seg) {
  // RFC 9293 §3.10.7.3: SND.UNA = SEG.ACK, then "continue processing at the
  // sixth step": text on the SYN,ACK is taken, in ESTABLISHED; ACK it.
  take_syn(seg);
  process_ack(seg);
  set_state(State::Established);
  process_text(seg);
  tcb_.ack_now = true;
}

void Engine::handshake_complete() { out_->actions.emplace_back(ActionKind::HandshakeComplete); }

void Engine::ack_and_text(const Segment& seg, bool ack_now) {
  process_ack(seg);
  process_text(seg);
  if (ack_now) tcb_.ack_now = true;
}

void Engine::ack_text_fin(const Segment& seg) {
  process_ack(seg);
  process_text(seg);
  process_fin(seg);
}

void Engine::reack_fin(const Segment& seg) {
  process_ack(seg);
  tcb_.ack_now = true;
}

// RFC 9293 §3.10.7.4 fifth step, TIME-WAIT: "The only thing that can arrive
// in this state is a retransmission of the remote FIN. Acknowledge it, and
// restart the 2 MSL timeout." Linux ignores a bare ACK at RCV.NXT.
void Engine::time_wait_ack(const Segment& seg) {
  const bool bare = seg.payload.empty() && !seg.has(kFin) && seg.seq == tcb_.rcv_nxt;
  if (bare && cfg_.timewait_ignores_bare_ack) {
    note("Linux: a bare ACK in TIME-WAIT is ignored");
    return;
  }
  tcb_.ack_now = true;
  restart_time_wait();
}

void Engine::restart_time_wait() { arm(TimerKind::TimeWait, cfg_.time_wait); }

void Engine::reopened_by_new_syn() {
  // RFC 9293 §3.6.1 MAY-2 (RFC 1122 4.2.2.13): the new connection's ISS is
  // above the old one's sequence space; Linux takes tw_snd_nxt + 65537.
  Action a{ActionKind::TimeWaitReopened};
  a.iss = tcb_.snd_nxt + 65535 + 2;
  out_->actions.push_back(a);
}

// ------------------------------------------------ the endpoint's inputs

void Engine::resend_syn_ack(std::string_view why) {
  note(why);
  send_syn_ack(true);
}

void Engine::ack_and_drop(std::string_view why) {
  note(why);
  tcb_.ack_now = true;
  tcb_.ack_is_reply = true;
}

void Engine::ack_unacceptable(const Segment& seg, std::string_view why) {
  note(why);
  if (!oow_ack_allowed(seg)) return;
  tcb_.ack_now = true;
  // BSD answers a SYN with tcp_respond(), other segments via tcp_output().
  if (seg.has(kSyn)) tcb_.ack_is_reply = true;
}

bool Engine::rexmt_or_delack_timeout(TimerKind kind) {
  if (kind == TimerKind::DelayedAck) {
    delayed_ack_fired();
    return false;
  }
  tcb_.rexmt_armed = false;
  if (state_ == State::Closed || state_ == State::Listen || state_ == State::TimeWait ||
      state_ == State::FinWait2) {
    return false;  // stale: nothing of ours is outstanding here
  }
  if (kind == TimerKind::LossProbe) {
    send_loss_probe();
    return false;
  }
  if (retries_exhausted()) return true;
  if (tcb_.give_up_stamp < 0) tcb_.give_up_stamp = now_;  // Linux retrans_stamp: the first retransmission
  backoff();
  cause_ = LossReason::Rto;
  retransmit_head();
  cause_ = LossReason::None;
  arm(TimerKind::Retransmission, tcb_.rtt.rto);
  return false;
}

void Engine::deliver(std::size_t max, std::string& into) {
  const std::uint16_t before = receive_window();
  const std::size_t n = std::min(max, tcb_.recv_buffer.size());
  into.append(tcb_.recv_buffer, 0, n);
  tcb_.recv_buffer.erase(0, n);
  ack_after_read(n, before);
}

void Engine::orphan() {
  tcb_.orphaned = true;
  tcb_.read_shut = true;
  if (state_ == State::FinWait2 && cfg_.fin_wait_2_timeout > 0) {
    arm(TimerKind::FinWait2, cfg_.fin_wait_2_timeout);
  }
}

}  // namespace tcpsim::model
