#include "model/engine.h"

#include <algorithm>

#include "model/data_path.h"

namespace tcpsim::model {

namespace {

bool is_synchronized(State s) { return s != State::Closed && s != State::Listen && s != State::SynSent; }

// States in which queued data and our FIN may still go out (RFC 9293 §3.10.2:
// SEND in SYN-SENT and SYN-RECEIVED is queued until ESTABLISHED).
bool may_send_data(State s) {
  switch (s) {
    case State::Established:
    case State::CloseWait:
    case State::FinWait1:
    case State::Closing:
    case State::LastAck: return true;
    default: return false;
  }
}

}  // namespace

Engine::Engine(const Config& cfg) : cfg_(cfg) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

void Engine::arm(TimerKind k, Duration after) {
  Action a{ActionKind::ArmTimer};
  a.timer = k;
  a.after = after;
  out_->actions.push_back(a);
  if (k == TimerKind::Retransmission || k == TimerKind::LossProbe) tcb_.rexmt_armed = true;
}

void Engine::cancel(TimerKind k) {
  Action a{ActionKind::CancelTimer};
  a.timer = k;
  out_->actions.push_back(a);
  if (k == TimerKind::Retransmission || k == TimerKind::LossProbe) tcb_.rexmt_armed = false;
}

void Engine::notify(AppEvent e) {
  Action a{ActionKind::Notify};
  a.app = e;
  out_->actions.push_back(a);
}

void Engine::note(std::string_view why) {
  Action a{ActionKind::Note};
  a.from = a.to = state_;
  a.note = why;
  out_->actions.push_back(a);
}

void Engine::state_change(State from, State to, RuleId rule) {
  Action a{ActionKind::StateChange};
  a.from = from;
  a.to = to;
  a.rule = rule;
  out_->actions.push_back(a);
}

Segment& Engine::new_segment(std::uint8_t flags, Seq seq, bool retransmission) {
  Action a{ActionKind::SendSegment};
  a.segment = static_cast<std::uint32_t>(out_->segments.size());
  a.retransmission = retransmission;
  if (retransmission) a.reason = retransmit_cause();
  stamp_window(a);
  out_->actions.push_back(a);
  Segment& seg = out_->segments.emplace_back();
  seg.flags = flags;
  seg.seq = seq;
  if (flags & kAck) {
    seg.ack = tcb_.rcv_nxt;
    // Any segment carrying our ACK settles what we owed.
    tcb_.ack_now = false;
    tcb_.ack_is_reply = false;
    tcb_.unacked_full_segments = 0;
    if (tcb_.ack_pending) {
      tcb_.ack_pending = false;
      cancel(TimerKind::DelayedAck);
    }
    if (dp_ && dp_->ack) {  // Linux tcp_event_ack_sent()
      dp_->ack->on_ack_sent();
      dp_->rcv_wup = tcb_.rcv_nxt;
      dp_->ack_decide = false;
    }
    if (!(flags & kRst)) attach_sack(seg);
  }
  if (!(flags & kRst)) seg.window = advertised_window();
  return seg;
}

std::uint32_t Engine::rcv_buffer_free() const {
  std::uint64_t size = cfg_.rcv_buffer;
  // FreeBSD tcp_mss(): once the peer's MSS is known (a SYN taken), the
  // buffer is rounded up to a multiple of the segment size.
  if (cfg_.rcv_wnd_from_buffer && is_synchronized(state_) && !in_syncache()) {
    const std::uint64_t mss = std::min<std::uint64_t>(tcb_.peer_mss, cfg_.mss);
    if (mss > 0) size = (size + mss - 1) / mss * mss;
  }
  const std::uint64_t used = tcb_.recv_buffer.size();
  return static_cast<std::uint32_t>(used >= size ? 0 : size - used);
}

std::uint16_t Engine::advertised_window() const {
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(rcv_buffer_free(), 65535));
}

std::uint32_t Engine::check_window() const {
  return cfg_.rcv_wnd_from_buffer && !in_syncache() ? rcv_buffer_free() : advertised_window();
}

// A passive open's SYN-RECEIVED is FreeBSD's syncache entry: its window is
// the one its SYN,ACK advertised (sc_wnd), the buffer not yet rounded.
bool Engine::in_syncache() const { return state_ == State::SynReceived && tcb_.passive_open; }

std::size_t Engine::send_space() const { return tcb_.send_buffer.free_space(cfg_.snd_buffer); }

// ---------------------------------------------------------------- opening

void Engine::init_active(Seq iss) {
  tcb_ = Tcb{};
  dp_.reset();
  tcb_.iss = iss;
  tcb_.snd_una = iss;
  tcb_.snd_nxt = iss;
  tcb_.snd_buf_seq = iss + 1;
  tcb_.rtt.rto = cfg_.rto_initial;
  tcb_.quick_acks_left = cfg_.quick_acks;
}

void Engine::init_passive(Seq iss) {
  init_active(iss);
  tcb_.passive_open = true;
}

void Engine::take_syn(const Segment& seg) {
  tcb_.irs = seg.seq;
  tcb_.rcv_nxt = seg.seq + 1;
  tcb_.snd_wnd = seg.window;
  tcb_.max_snd_wnd = seg.window;  // RFC 5961 §5.2 MAX.SND.WND starts here
  tcb_.snd_wl1 = seg.seq;
  tcb_.snd_wl2 = seg.ack;
  // RFC 9293 §3.7.1: without the option, assume 536.
  tcb_.peer_mss = seg.mss != 0 ? seg.mss : 536;
  // RFC 2018 §2: SACK is used when both SYNs carried SACK-permitted.
  tcb_.peer_sack_ok = seg.sack_ok;
  tcb_.sack_ok = cfg_.sack && seg.sack_ok;
}

void Engine::send_syn(bool retransmission) {
  Segment& s = new_segment(kSyn, tcb_.iss, retransmission);
  s.mss = cfg_.mss;
  s.sack_ok = cfg_.sack;
  tcb_.snd_nxt = tcb_.iss + 1;
  if (!retransmission) {
    tcb_.give_up_stamp = now_;  // Linux: tcp_connect() sets retrans_stamp
    tcb_.rtt_timing = true;
    tcb_.rtt_seq = tcb_.iss;
    tcb_.rtt_sent_at = now_;
    arm(TimerKind::Retransmission, tcb_.rtt.rto);
  }
}

void Engine::send_syn_ack(bool retransmission) {
  Segment& s = new_segment(kSyn | kAck, tcb_.iss, retransmission);
  s.mss = cfg_.mss;
  s.sack_ok = cfg_.sack && tcb_.peer_sack_ok;
  tcb_.snd_nxt = tcb_.iss + 1;
  if (!retransmission) {
    tcb_.rtt_timing = true;
    tcb_.rtt_seq = tcb_.iss;
    tcb_.rtt_sent_at = now_;
    arm(TimerKind::Retransmission, tcb_.rtt.rto);
  }
}

// ------------------------------------------------------- answering segments

void Engine::send_ack_now() {
  // BSD tcp_output(): the state's flags (FIN-WAIT-1, CLOSING, LAST-ACK) keep
  // FIN on while it is unacknowledged, and a FIN already sent is resent at
  // its own sequence number (SND.NXT - 1).
  if (cfg_.fin_on_output_acks && !tcb_.ack_is_reply && tcb_.fin_sent && tcb_.snd_nxt == tcb_.fin_seq + 1 &&
      seq_le(tcb_.snd_una, tcb_.fin_seq)) {
    new_segment(kFin | kAck, tcb_.fin_seq, true);
    return;
  }
  new_segment(kAck, tcb_.snd_nxt, false);
}

void Engine::send_rst(Seq seq) { new_segment(kRst, seq, false); }

void Engine::send_rst_ack(Seq seq, Seq ack) {
  Segment& s = new_segment(kRst | kAck, seq, false);
  s.ack = ack;
}

// Also the RST that answers data after close, as if no connection existed
// (RFC 9293 §3.5.2; Linux and BSD answer so): <SEQ=SEG.ACK><CTL=RST>. SEG.ACK
// is the peer's RCV.NXT, the one RST an RFC 5961 peer accepts without a
// challenge even when our FIN has not reached it.
void Engine::rst_for_closed(const Segment& seg) {
  // RFC 9293 §3.10.7.1: an incoming RST is discarded; otherwise
  //   ACK off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
  //   ACK on:  <SEQ=SEG.ACK><CTL=RST>
  if (seg.has(kRst)) {
    note("RST in CLOSED is discarded (RFC 9293 §3.10.7.1)");
    return;
  }
  if (seg.has(kAck)) {
    send_rst(seg.ack);
  } else {
    send_rst_ack(0, seg.seq + seg.seg_len());
  }
}

void Engine::rst_for_bad_ack(const Segment& seg) { send_rst(seg.ack); }

void Engine::send_rst_abort() {
  if (cfg_.rst_ack_on_abort) {
    send_rst_ack(tcb_.snd_nxt, tcb_.rcv_nxt);
  } else {
    send_rst(tcb_.snd_nxt);
  }
}

// ------------------------------------------------------------ sequence tests

bool Engine::acceptable(const Segment& seg) const {
  // RFC 9293 §3.10.7.4, the four cases of the acceptability test.
  const std::uint32_t len = seg.seg_len();
  const std::uint32_t wnd = check_window();
  const Seq nxt = tcb_.rcv_nxt;
  if (len == 0 && wnd == 0) return seg.seq == nxt;
  if (len == 0) return seq_in_range(nxt, seg.seq, nxt + wnd);
  if (wnd == 0) return false;
  return seq_in_range(nxt, seg.seq, nxt + wnd) || seq_in_range(nxt, seg.seq + len - 1, nxt + wnd);
}

bool Engine::ack_acceptable_syn_sent(const Segment& seg) const {
  return seq_lt(tcb_.snd_una, seg.ack) && seq_le(seg.ack, tcb_.snd_nxt);
}

bool Engine::ack_in_range(const Segment& seg) const {
  return seq_le(tcb_.snd_una, seg.ack) && seq_le(seg.ack, tcb_.snd_nxt);
}

// ------------------------------------------------------ the ACK, text, FIN

void Engine::rtt_sample(Duration r) {
  // RFC 6298 §2.2 and §2.3, K = 4, G = 1 ns (virtual time is exact).
  RttEstimator& e = tcb_.rtt;
  if (!e.has_sample) {
    e.srtt = r;
    e.rttvar = r / 2;
    e.has_sample = true;
  } else {
    const Duration diff = e.srtt > r ? e.srtt - r : r - e.srtt;
    e.rttvar = (3 * e.rttvar + diff) / 4;
    e.srtt = (7 * e.srtt + r) / 8;
  }
  e.rto = rto_from_estimate();
  if (dp_ && (dp_->min_rtt == 0 || r < dp_->min_rtt)) dp_->min_rtt = std::max<Duration>(r, 1);
}

Duration Engine::rto_from_estimate() const {
  const RttEstimator& e = tcb_.rtt;
  Duration rto = cfg_.rto_min_on_variance
                     ? sat_add(e.srtt, std::max(sat_mul(e.rttvar, 4), cfg_.rto_min))
                     : std::max(cfg_.rto_min, sat_add(e.srtt, std::max<Duration>(1, sat_mul(e.rttvar, 4))));
  return std::min(rto, cfg_.rto_max);
}

void Engine::process_ack(const Segment& seg) {
  // RFC 9293 §3.10.7.4 fifth step, ESTABLISHED processing; the callers have
  // already dropped ACKs of data not yet sent.
  const Seq prior_una = tcb_.snd_una;
  // RFC 5681 §2's duplicate ACK: nothing new acknowledged, no data, no
  // window change, data outstanding.
  const bool dup_candidate = seg.ack == tcb_.snd_una && seg.payload.empty() && !seg.has(kSyn) &&
                             !seg.has(kFin) && seg.window == tcb_.snd_wnd && tcb_.snd_una != tcb_.snd_nxt;
  if (seq_lt(tcb_.snd_una, seg.ack) && seq_le(seg.ack, tcb_.snd_nxt)) {
    if (tcb_.rtt_timing && seq_gt(seg.ack, tcb_.rtt_seq)) {
      tcb_.rtt_timing = false;
      rtt_sample(now_ - tcb_.rtt_sent_at);  // Karn: never timed across a retransmission
    }
    const Seq from = seq_lt(tcb_.snd_una, tcb_.iss + 1) ? tcb_.iss + 1 : tcb_.snd_una;
    if (seq_gt(seg.ack, from)) tcb_.bytes_acked += seg.ack - from;
    tcb_.snd_una = seg.ack;
    tcb_.retransmits = 0;
    tcb_.give_up_stamp = -1;
    if (tcb_.tlp_sent && seq_ge(seg.ack, tcb_.tlp_high)) tcb_.tlp_sent = false;
    std::size_t freed = 0;
    if (seq_gt(seg.ack, tcb_.snd_buf_seq)) {
      freed = std::min<std::size_t>(seg.ack - tcb_.snd_buf_seq, tcb_.send_buffer.size());
      tcb_.send_buffer.consume(freed);
      tcb_.snd_buf_seq += static_cast<Seq>(freed);
    }
    // RFC 6298 §5.2 and §5.3.
    if (tcb_.snd_una == tcb_.snd_nxt) {
      cancel_rexmt();
      if (cfg_.user_timeout > 0) cancel(TimerKind::User);
    } else {
      arm_rexmt_or_probe();
    }
    if (freed > 0) notify(AppEvent::Writable);
  } else if (seq_lt(seg.ack, tcb_.snd_una)) {
    note("duplicate ACK ignored (RFC 9293 §3.10.7.4)");
  }
  // Window update: SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK.
  if (ack_in_range(seg) &&
      (seq_lt(tcb_.snd_wl1, seg.seq) || (tcb_.snd_wl1 == seg.seq && seq_le(tcb_.snd_wl2, seg.ack)))) {
    tcb_.snd_wnd = seg.window;
    tcb_.max_snd_wnd = std::max<std::uint32_t>(tcb_.max_snd_wnd, seg.window);
    tcb_.snd_wl1 = seg.seq;
    tcb_.snd_wl2 = seg.ack;
  }
  if (has_scoreboard() && ack_in_range(seg)) on_ack_data(seg, prior_una, dup_candidate);
  if (dp_ && dp_->persist && dp_->persist->armed() && ack_in_range(seg)) persist_on_ack();
}

void Engine::process_text(const Segment& seg) {
  // RFC 9293 §3.10.7.4 seventh step; text only in ESTABLISHED, FIN-WAIT-1/2
  // (and SYN-RECEIVED, whose ACK has just made it ESTABLISHED).
  if (seg.payload.empty() && !seg.has(kFin)) return;
  switch (state_) {
    case State::SynReceived:
    case State::Established:
    case State::FinWait1:
    case State::FinWait2: break;
    default:
      if (!seg.payload.empty()) note("text after the peer's FIN is ignored (RFC 9293 §3.10.7.4 seventh)");
      return;
  }
  if (text_to_queue(seg)) return;
  if (seg.payload.empty()) return;
  const Seq start = seg.seq + (seg.has(kSyn) ? 1 : 0);
  if (seq_gt(start, tcb_.rcv_nxt)) {
    // No out-of-order queue: RFC 9293 says such segments SHOULD be held; we
    // drop them and ACK at once so the sender learns where the gap is.
    note("out-of-order data dropped, duplicate ACK sent");
    tcb_.ack_now = true;
    return;
  }
  const std::size_t skip = tcb_.rcv_nxt - start;
  if (skip >= seg.payload.size()) {
    note("duplicate data, ACK sent");
    tcb_.ack_now = true;
    return;
  }
  const std::size_t room = advertised_window();
  const std::size_t n = std::min(seg.payload.size() - skip, room);
  if (n == 0) {
    tcb_.ack_now = true;
    return;
  }
  tcb_.recv_buffer.append(seg.payload, skip, n);
  tcb_.rcv_nxt += static_cast<Seq>(n);
  tcb_.data_received = true;
  notify(AppEvent::Readable);
  if (n >= std::min<std::size_t>(cfg_.mss, tcb_.peer_mss)) ++tcb_.unacked_full_segments;
  ack_received_data(false);
}

void Engine::process_fin(const Segment& /*seg*/) {
  // RFC 9293 §3.10.7.4 eighth step: advance RCV.NXT over the FIN, ACK it,
  // signal "connection closing" to the application.
  if (cfg_.ack_policy_linux && cfg_.delayed_ack) ack_policy();  // before RCV.NXT moves
  tcb_.rcv_nxt += 1;
  tcb_.fin_received = true;
  notify(AppEvent::EndOfStream);
  ack_received_data(true);
}

void Engine::ack_received_data(bool fin) {
  if (cfg_.ack_policy_linux && cfg_.delayed_ack && fin) {
    if (linux_ack_fin()) tcb_.ack_now = true;
    return;
  }
  // A FIN reaching FIN-WAIT-1 or FIN-WAIT-2 is acknowledged at once: the
  // connection is about to be TIME-WAIT (or CLOSING), and Linux's tcp_fin()
  // sends this ACK immediately in both states.
  if (!cfg_.delayed_ack || (fin && (state_ == State::FinWait1 || state_ == State::FinWait2))) {
    tcb_.ack_now = true;
    return;
  }
  // Linux: a FIN on a connection that never carried data is answered at
  // once; after data it waits for the delayed-ACK timer (or rides on our
  // own FIN if the application closes first).
  if (fin && !tcb_.data_received) {
    tcb_.ack_now = true;
    return;
  }
  if (!fin && tcb_.quick_acks_left > 0) {
    --tcb_.quick_acks_left;
    tcb_.ack_now = true;
    return;
  }
  // RFC 1122 4.2.3.2: ACK at least every second full-sized segment.
  if (tcb_.unacked_full_segments >= 2) {
    tcb_.ack_now = true;
    return;
  }
  if (!tcb_.ack_pending) {
    tcb_.ack_pending = true;
    arm(TimerKind::DelayedAck, cfg_.delayed_ack_timeout);
  }
}

// ---------------------------------------------------------------- sending

void Engine::send_range(Seq from, bool retransmission) {
  const std::size_t mss = std::min<std::size_t>(cfg_.mss, tcb_.peer_mss);
  const std::size_t offset = from - tcb_.snd_buf_seq;
  std::size_t n = std::min(mss, tcb_.send_buffer.size() - offset);
  // A retransmission repeats what was sent, never data past SND.NXT.
  const Seq sent_end = tcb_.fin_sent ? tcb_.fin_seq : tcb_.snd_nxt;
  if (retransmission && seq_lt(from, sent_end)) n = std::min<std::size_t>(n, sent_end - from);
  if (!retransmission) {
    const Seq wnd_end = tcb_.snd_una + tcb_.snd_wnd;
    const std::size_t room = seq_gt(wnd_end, from) ? wnd_end - from : 0;
    n = std::min(n, room);
  }
  const Seq end = from + static_cast<Seq>(n);
  std::uint8_t flags = kAck;
  if (end == data_end()) flags |= kPsh;
  const bool fin_here = (tcb_.fin_sent && end == tcb_.fin_seq) ||
                        (!retransmission && tcb_.fin_queued && !tcb_.fin_sent && end == data_end());
  if (fin_here) flags |= kFin;
  Segment& s = new_segment(flags, from, retransmission);
  s.payload.assign(tcb_.send_buffer.view(offset, n));
  if (!retransmission) {
    tcb_.snd_nxt = end;
    if (fin_here) {
      tcb_.fin_sent = true;
      tcb_.fin_merged = true;
      tcb_.fin_seq = end;
      tcb_.snd_nxt = end + 1;
    }
    record_send(from, tcb_.snd_nxt - from);
  }
}

void Engine::output() {
  if (dp_ && dp_->ack_decide) run_ack_decision();
  if (may_send_data(state_)) send_data_and_fin();
  if (tcb_.ack_now && is_synchronized(state_)) send_ack_now();
}

void Engine::send_data_and_fin() {
  // RFC 9293 §3.10.2 and §3.10.4: data queued before the handshake completes
  // waits for ESTABLISHED, i.e. for the ACK of our SYN, even if CLOSE in
  // SYN-RECEIVED has already moved us to FIN-WAIT-1 (a FIN queued behind it
  // waits too; a FIN alone may go at once).
  if (syn_unacked() && tcb_.snd_nxt != data_end()) return;
  if (!has_scoreboard() && seq_lt(tcb_.snd_nxt, data_end())) start_sender();
  bool sent = false;
  if (has_scoreboard()) {
    sent = send_within_cwnd();
  } else {
    while (seq_lt(tcb_.snd_nxt, data_end())) {
      const Seq wnd_end = tcb_.snd_una + tcb_.snd_wnd;
      if (!seq_gt(wnd_end, tcb_.snd_nxt)) break;  // window full (or zero)
      send_range(tcb_.snd_nxt, false);
      sent = true;
    }
  }
  if (tcb_.fin_queued && !tcb_.fin_sent && tcb_.snd_nxt == data_end()) {
    new_segment(kFin | kAck, tcb_.snd_nxt, false);
    tcb_.fin_sent = true;
    tcb_.fin_merged = false;
    tcb_.fin_seq = tcb_.snd_nxt;
    tcb_.snd_nxt += 1;
    record_send(tcb_.fin_seq, 1);
    sent = true;
  }
  bool stalled = seq_lt(tcb_.snd_nxt, data_end()) && tcb_.snd_una == tcb_.snd_nxt;
  if (stalled && cfg_.persist_linux) {
    persist_check();  // Linux: the probe timer, not the RTO, waits on the window
    stalled = false;
  }
  // With a scoreboard, RTT samples come from the segments each ACK delivers.
  if (sent && !tcb_.rtt_timing && !has_scoreboard()) {
    tcb_.rtt_timing = true;
    tcb_.rtt_seq = tcb_.snd_una;
    tcb_.rtt_sent_at = now_;
  }
  // RFC 6298 §5.1 (a stalled sender, zero window, probes with the same
  // timer); Linux re-schedules its loss probe after every new segment.
  if ((sent || stalled) && (!tcb_.rexmt_armed || (sent && tcb_.tlp_pending))) {
    arm_rexmt_or_probe();
    if (cfg_.user_timeout > 0 && sent) arm(TimerKind::User, cfg_.user_timeout);
  }
}

void Engine::queue_fin() { tcb_.fin_queued = true; }

// ----------------------------------------------------------------- timers

void Engine::retransmit_head() {
  tcb_.rtt_timing = false;  // Karn's rule
  switch (state_) {
    case State::SynSent:
      tcb_.syn_retransmitted = true;
      send_syn(true);
      return;
    case State::SynReceived:
      tcb_.syn_retransmitted = true;
      send_syn_ack(true);
      return;
    default: break;
  }
  if (syn_unacked()) {
    // CLOSE in SYN-RECEIVED sent our FIN before the SYN was acknowledged:
    // the SYN,ACK is still the earliest unacknowledged segment.
    Segment& s = new_segment(kSyn | kAck, tcb_.iss, true);
    s.mss = cfg_.mss;
    s.sack_ok = cfg_.sack && tcb_.peer_sack_ok;
    return;
  }
  if (has_scoreboard() && seq_lt(tcb_.snd_una, tcb_.snd_nxt)) {
    // RFC 5681 §3.1 / Linux tcp_enter_loss(): the flight is lost, cwnd is
    // the loss window; the head goes now, the rest as ACKs open cwnd.
    if (enter_loss()) return;
  }
  if (seq_lt(tcb_.snd_una, data_end()) && seq_lt(tcb_.snd_una, tcb_.snd_nxt)) {
    send_range(tcb_.snd_una, true);
  } else if (tcb_.fin_sent && seq_le(tcb_.snd_una, tcb_.fin_seq)) {
    new_segment(kFin | kAck, tcb_.fin_seq, true);
  } else if (seq_lt(tcb_.snd_nxt, data_end())) {
    // Zero-window probe: one byte past the window, as BSD's persist timer does.
    const std::size_t offset = tcb_.snd_nxt - tcb_.snd_buf_seq;
    Segment& s = new_segment(kAck, tcb_.snd_nxt, false);
    s.payload.assign(tcb_.send_buffer.view(offset, 1));
    tcb_.snd_nxt += 1;
    record_send(tcb_.snd_nxt - 1, 1);
    note("zero-window probe");
  }
}

namespace {
// Linux tcp_model_timeout(): how long `boundary` doublings of `base` take,
// the doubling stopping at rto_max.
// Saturating: a base of 0 (or below) would double for ever, and a thousand
// retries of a long rto_max pass the end of time.
Duration model_timeout(int boundary, Duration base, Duration rto_max) {
  base = std::max<Duration>(base, 1);
  int thresh = 0;
  while (thresh < 61 && sat_mul(base, Duration{2} << thresh) <= rto_max) ++thresh;  // ilog2(rto_max / base)
  if (boundary <= thresh) return sat_mul(base, (Duration{2} << boundary) - 1);
  return sat_add(sat_mul(base, (Duration{2} << thresh) - 1), sat_mul(rto_max, boundary - thresh));
}
}  // namespace

bool Engine::retries_exhausted() const {
  int limit = cfg_.data_retries;
  if (tcb_.orphaned && cfg_.give_up_by_time) limit = cfg_.orphan_retries > 0 ? cfg_.orphan_retries : 8;
  if (state_ == State::SynSent) limit = cfg_.syn_retries;
  if (state_ == State::SynReceived) limit = cfg_.synack_retries;
  // Linux counts SYN,ACK retransmissions (request sockets), and measures the
  // others as time since the retry budget started.
  if (cfg_.give_up_by_time && state_ != State::SynReceived) {
    if (tcb_.retransmits == 0 || tcb_.give_up_stamp < 0) return false;
    const Duration base = state_ == State::SynSent ? cfg_.rto_initial : cfg_.rto_min;
    return now_ - tcb_.give_up_stamp >= model_timeout(limit, base, cfg_.rto_max);
  }
  return tcb_.retransmits >= limit;
}

void Engine::backoff() {
  // RFC 6298 §5.5; Linux keeps the initial RTO for its first
  // tcp_syn_linear_timeouts SYN retransmissions.
  ++tcb_.retransmits;
  if (state_ == State::SynSent && tcb_.retransmits <= cfg_.syn_linear_timeouts) return;
  tcb_.rtt.rto = std::min(sat_mul(tcb_.rtt.rto, 2), cfg_.rto_max);
}

void Engine::restart_rexmt() {
  if (tcb_.tlp_pending) cancel(TimerKind::LossProbe);
  tcb_.tlp_pending = false;
  arm(TimerKind::Retransmission, tcb_.rtt.rto);
}

void Engine::cancel_rexmt() {
  if (!tcb_.rexmt_armed) return;
  cancel(tcb_.tlp_pending ? TimerKind::LossProbe : TimerKind::Retransmission);
  tcb_.tlp_pending = false;
}

int Engine::segments_in_flight() const {
  const Seq data_to = seq_lt(tcb_.snd_nxt, data_end()) ? tcb_.snd_nxt : data_end();
  const std::uint32_t bytes = seq_gt(data_to, tcb_.snd_una) ? data_to - tcb_.snd_una : 0;
  const std::uint32_t mss = std::min<std::uint32_t>(cfg_.mss, tcb_.peer_mss);
  int n = static_cast<int>((bytes + mss - 1) / mss);
  const bool fin_out = tcb_.fin_sent && seq_le(tcb_.snd_una, tcb_.fin_seq);
  if (fin_out && (n == 0 || !tcb_.fin_merged)) ++n;
  return n;
}

void Engine::arm_rexmt_or_probe() {
  // Linux tcp_schedule_loss_probe(): PTO = 2 SRTT, plus rto_min when a
  // single segment is out (its ACK may be delayed), else 2 jiffies; never
  // later than the RTO would fire. One probe per tail.
  // RFC 8985 §7.2 / Linux: no probe while a hole is known (SACKed data,
  // recovery or loss): the scoreboard repairs it.
  const bool probe = cfg_.tail_loss_probe && !tcb_.tlp_sent && tcb_.rtt.has_sample &&
                     state_ != State::SynSent && state_ != State::SynReceived && !hole_known();
  if (!probe) {
    restart_rexmt();
    return;
  }
  const Duration pto =
      sat_add(sat_mul(tcb_.rtt.srtt, 2), segments_in_flight() == 1 ? cfg_.rto_min : cfg_.tlp_min);
  // Linux has one pending timer for both: the probe replaces the RTO.
  if (tcb_.rexmt_armed && !tcb_.tlp_pending) cancel(TimerKind::Retransmission);
  tcb_.tlp_pending = true;
  arm(TimerKind::LossProbe, std::min(pto, tcb_.rtt.rto));
}

void Engine::send_loss_probe() {
  // RFC 8985 §7.3: new data if the window allows, else the last segment sent.
  tcb_.tlp_pending = false;
  tcb_.tlp_sent = true;
  cause_ = LossReason::Tlp;
  const Seq before = tcb_.snd_nxt;
  if (has_scoreboard()) {
    send_probe_with_scoreboard();
  } else {
    send_data_and_fin();
  }
  if (tcb_.snd_nxt == before && !has_scoreboard()) {
    if (tcb_.fin_sent && seq_le(tcb_.snd_una, tcb_.fin_seq) && !tcb_.fin_merged) {
      new_segment(kFin | kAck, tcb_.fin_seq, true);
    } else {
      const std::uint32_t mss = std::min<std::uint32_t>(cfg_.mss, tcb_.peer_mss);
      const Seq data_to = seq_lt(tcb_.snd_nxt, data_end()) ? tcb_.snd_nxt : data_end();
      const std::uint32_t bytes = seq_gt(data_to, tcb_.snd_una) ? data_to - tcb_.snd_una : 0;
      if (bytes > 0) send_range(data_to - ((bytes - 1) % mss + 1), true);
    }
  }
  cause_ = LossReason::None;
  tcb_.tlp_high = tcb_.snd_nxt;
  note("tail-loss probe (Linux, RFC 8985)");
  if (!tcb_.rexmt_armed) restart_rexmt();
}

void Engine::stop_all_timers() {
  cancel_rexmt();
  if (dp_ && dp_->persist && dp_->persist->armed()) {
    dp_->persist->stop();
    cancel(TimerKind::Persist);
  }
  if (tcb_.ack_pending) {
    tcb_.ack_pending = false;
    cancel(TimerKind::DelayedAck);
  }
  if (cfg_.user_timeout > 0) cancel(TimerKind::User);
  if (cfg_.keepalive) cancel(TimerKind::Keepalive);
}

}  // namespace tcpsim::model
