// The Engine's data path (issue 15): the receiver's out-of-order queue and
// SACK option, the sender's congestion window, loss recovery and the RTO's
// loss state, built from the pure parts (model/reassembly.h,
// sack_scoreboard.h, congestion_control.h, cubic.h, reno.h, prr.h, rack.h).
//
//   receiver  RFC 9293 §3.10.7.4 (queue out-of-order text, RFC 1122
//             §4.2.2.20), RFC 5681 §4.2 (ACK at once an out-of-order or
//             hole-filling segment), RFC 2018 §4 / RFC 2883 (SACK, D-SACK)
//   sender    RFC 5681 §3.1 (cwnd, slow start, congestion avoidance) with
//             IW10 (RFC 6928) and CUBIC for linux, NewReno in bytes
//             otherwise; RFC 6675 (SACK loss recovery, pipe, NextSeg) with
//             RACK (RFC 8985) for linux, PRR (RFC 6937); without SACK
//             RFC 5681 §3.2 + RFC 6582 NewReno, RFC 3042 limited transmit
//   RTO       RFC 5681 §3.1 loss window, the flight marked lost and resent
//             by slow start (Linux tcp_enter_loss()), the backoff undone by
//             the next forward ACK (Linux, whose timestamps give every
//             forward ACK an RTT sample, tcp_ack_update_rtt())
//   Nagle     RFC 9293 §3.7.4 with Linux's Minshall check, TCP_NODELAY,
//             TCP_CORK (tcp_nagle_test(), tcp_nagle_check())
//   persist   RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17 as Linux: the probe
//             timer (tcp_check_probe_timer(), tcp_probe_timer(),
//             tcp_send_probe0(), tcp_write_wakeup(), tcp_ack_probe())
#include <algorithm>
#include <optional>

#include "model/cubic.h"
#include "model/data_path.h"
#include "model/engine.h"
#include "model/jiffies.h"
#include "model/reno.h"

namespace tcpsim::model {

namespace {

// What is in flight, per RFC 6675 §4 SetPipe() and Linux tcp_packets_in_flight.
struct Flight {
  std::uint64_t bytes = 0;
  std::uint32_t segments = 0;
  std::uint32_t sacked = 0;
  std::uint32_t lost = 0;
};

// The scoreboard keeps these counts as its segments change (O(1) here,
// asked on every send and ACK).
Flight flight_of(const SackScoreboard& sb) {
  return Flight{sb.pipe_bytes(), sb.pipe_segments(), sb.sacked_segments(), sb.lost_segments()};
}

// Segments in flight as Linux counts them for cwnd: without SACK each
// duplicate ACK counts as one segment delivered (tcp_add_reno_sack()), from
// which RFC 3042's limited transmit falls out.
std::uint32_t counted_in_flight(const Flight& f, bool sack_ok, int dupacks) {
  if (sack_ok) return f.segments;
  return f.segments - std::min<std::uint32_t>(f.segments, static_cast<std::uint32_t>(dupacks));
}

}  // namespace

// Send times strictly increase, one nanosecond apart within one instant:
// RACK (RFC 8985 §6.2) orders transmissions by time, and a retransmission
// sent after new data in the same instant was sent after it (Linux's
// microsecond clock has moved on by then; a tie would be broken by sequence
// number and make the retransmission look older than the data it follows).
Time Engine::xmit_stamp() {
  DataPath& d = *dp_;
  d.last_xmit = std::max(now_, d.last_xmit + 1);
  return d.last_xmit;
}

DataPath& Engine::dp() {
  if (!dp_) dp_ = std::make_unique<DataPath>();
  return *dp_;
}

bool Engine::has_scoreboard() const { return dp_ && dp_->sb.has_value(); }

std::uint32_t Engine::smss() const { return std::min<std::uint32_t>(cfg_.mss, tcb_.peer_mss); }

void Engine::start_sender() {
  DataPath& d = dp();
  ScoreboardConfig sc;
  sc.smss = smss();
  d.sb.emplace(tcb_.snd_una, sc);
  // Anything already in flight (a test fixture's TCB) is one segment per SMSS.
  for (Seq s = tcb_.snd_una; seq_lt(s, tcb_.snd_nxt);) {
    const std::uint32_t n = std::min<std::uint32_t>(sc.smss, tcb_.snd_nxt - s);
    d.sb->on_send(s, n, now_);
    s += n;
  }
  if (cfg_.cubic) {
    d.cc = std::make_unique<cc::Cubic>();
  } else {
    d.cc = std::make_unique<cc::RfcNewReno>(smss());
  }
  cc::Path p;
  p.now = now_;
  p.snd_una = tcb_.snd_una;
  p.snd_nxt = tcb_.snd_nxt;
  p.smss = smss();
  d.cc->init(p);
  tcb_.rtt_timing = false;  // samples come from the scoreboard from now on
}

void Engine::record_send(Seq seq, std::uint32_t len) {
  if (!has_scoreboard()) return;
  if (dp_->persist && dp_->persist->armed()) {
    // Linux: new data re-arms the one timer as the RTO (tcp_rearm_rto()).
    dp_->persist->reset();
    cancel(TimerKind::Persist);
  }
  // Linux tcp_event_data_sent(): a reply within ato of the last arrival
  // makes the connection interactive (pingpong).
  if (dp_->ack && !(tcb_.fin_sent && seq == tcb_.fin_seq)) dp_->ack->on_data_sent(now_);
  if (len < smss()) {  // Linux tcp_minshall_update(): the last short segment's end
    dp_->snd_sml = seq + len;
    dp_->sml_sent = true;
  }
  dp_->sb->on_send(seq, len, xmit_stamp());
  if (dp_->recovery) dp_->prr.on_sent(dp_->cc->unit() == cc::Unit::Segments ? 1 : len);
}

// ------------------------------------------------------------- receiving

bool Engine::completes_queued_fin(const Segment& seg) const {
  if (!dp_ || !dp_->rq || !dp_->rq->queued_fin() || seg.payload.empty()) return false;
  const Seq start = seg.seq + (seg.has(kSyn) ? 1 : 0);
  if (seq_gt(start, tcb_.rcv_nxt)) return false;
  ReassemblyQueue copy = *dp_->rq;  // rare: only while a FIN waits out of order
  return copy.arrive(start, static_cast<std::uint32_t>(seg.payload.size()), false, advertised_window()).fin;
}

bool Engine::text_to_queue(const Segment& seg) {
  const Seq start = seg.seq + (seg.has(kSyn) ? 1 : 0);
  const bool fin = seg.has(kFin);
  const bool have_queue = dp_ && dp_->rq;
  // The in-order path stays as it was until something arrives out of order
  // or carries data (a connection that only closes never makes a queue).
  if (!have_queue && seg.payload.empty() && !seq_gt(start, tcb_.rcv_nxt)) return false;
  if (!have_queue) dp().rq.emplace(tcb_.rcv_nxt);
  const bool linux_acks = cfg_.ack_policy_linux && cfg_.delayed_ack;
  if (linux_acks) ack_policy();  // made before RCV.NXT moves
  ReassemblyQueue& rq = *dp_->rq;
  const auto len = static_cast<std::uint32_t>(seg.payload.size());
  const ReassemblyArrival a = rq.arrive(start, len, fin, advertised_window(), seg.payload);
  if (a.delivered > 0) {
    tcb_.recv_buffer.append(a.data);
    tcb_.rcv_nxt += a.delivered;
    tcb_.data_received = true;
    notify(AppEvent::Readable);
    if (len >= smss()) ++tcb_.unacked_full_segments;
  }
  // RFC 5681 §4.2 / RFC 9293 §3.10.7.4: out-of-order, hole-filling and
  // duplicate segments are acknowledged at once (with SACK, RFC 2018 §4).
  if (a.out_of_order) note("out-of-order segment queued, ACK sent (RFC 9293 §3.10.7.4, RFC 5681 §4.2)");
  // An in-order FIN alone is the eighth step's to acknowledge (process_fin).
  const bool nothing = a.delivered == 0 && !a.fin;
  if (a.out_of_order || a.filled_hole || a.duplicate || a.beyond_window || nothing) {
    if (nothing && !a.out_of_order && len > 0 && !a.duplicate) note("no room in the window, ACK sent");
    if (a.duplicate && !a.out_of_order) note("duplicate data, ACK sent");
    tcb_.ack_now = true;
    if (linux_acks && a.delivered > 0) linux_ack_data(seg, a.filled_hole, a.duplicate);
    return true;
  }
  if (a.delivered > 0) {
    if (linux_acks) {
      linux_ack_data(seg, false, false);
    } else {
      ack_received_data(false);
    }
  }
  return true;
}

void Engine::attach_sack(Segment& seg) {
  if (!tcb_.sack_ok || !dp_ || !dp_->rq) return;
  ReassemblyQueue& rq = *dp_->rq;
  if (rq.empty() && !rq.pending_dsack()) return;
  seg.sack = rq.sack_blocks(ReassemblyQueue::kMaxBlocks);
  rq.ack_sent();
}

// --------------------------------------------------------------- sending

bool Engine::hole_known() const {
  if (!has_scoreboard()) return false;
  const DataPath& d = *dp_;
  return d.recovery || d.loss || d.dupacks > 0 || seq_gt(d.sb->high_sacked(), tcb_.snd_una);
}

bool Engine::cwnd_allows() {
  DataPath& d = *dp_;
  const Flight f = flight_of(*d.sb);
  const std::uint32_t cwnd = d.cc->cwnd();
  if (d.cc->unit() == cc::Unit::Segments) {
    const std::uint32_t in_flight = counted_in_flight(f, tcb_.sack_ok, d.dupacks);
    d.max_flight = std::max(d.max_flight, in_flight + 1);
    return in_flight < cwnd;
  }
  // RFC 3042: one more SMSS for each of the first two duplicate ACKs.
  std::uint64_t allowance = cwnd;
  if (!tcb_.sack_ok && !d.recovery && !d.loss) allowance += std::uint64_t{smss()} * std::min(d.dupacks, 2);
  return f.bytes + smss() <= allowance;
}

void Engine::retransmit_seq(Seq seq, bool rescue) {
  if (tcb_.fin_sent && seq == tcb_.fin_seq) {
    new_segment(kFin | kAck, tcb_.fin_seq, true);
  } else {
    send_range(seq, true);
  }
  dp_->sb->on_retransmit(seq, xmit_stamp(), rescue);
  if (dp_->recovery) dp_->prr.on_sent(1);
}

LossReason Engine::retransmit_cause() const {
  if (cause_ != LossReason::None) return cause_;
  if (!dp_) return LossReason::None;
  if (dp_->loss) return LossReason::Rto;  // slow start resends the flight the RTO marked lost
  if (dp_->recovery) return cfg_.rack && tcb_.sack_ok ? LossReason::Rack : LossReason::DupAck;
  return LossReason::None;
}

void Engine::stamp_window(Action& a) const {
  if (!dp_ || !dp_->cc) return;
  const cc::CongestionControl& c = *dp_->cc;
  const std::uint64_t unit = c.unit() == cc::Unit::Segments ? smss() : 1;
  a.cwnd = static_cast<std::uint32_t>(std::min<std::uint64_t>(c.cwnd() * unit, 0xfffffffe));
  a.ssthresh = c.ssthresh() >= cc::kInfiniteSsthresh
                   ? kNoSsthresh
                   : static_cast<std::uint32_t>(std::min<std::uint64_t>(c.ssthresh() * unit, 0xfffffffe));
}

bool Engine::retransmit_first_lost() {
  const NextSegment n = dp_->sb->next_seg(false);
  if (n.rule != NextSegment::Rule::LostHole) return false;
  retransmit_seq(n.seq);
  return true;
}

bool Engine::send_within_cwnd() {
  DataPath& d = *dp_;
  bool sent = false;
  d.cwnd_limited = false;
  std::optional<NextSegment> last;
  for (;;) {
    const Seq wnd_end = tcb_.snd_una + tcb_.snd_wnd;
    bool new_ok = seq_lt(tcb_.snd_nxt, data_end()) && seq_gt(wnd_end, tcb_.snd_nxt);
    if (new_ok) {
      const std::uint32_t len = std::min<std::uint32_t>(smss(), data_end() - tcb_.snd_nxt);
      // Linux tcp_snd_wnd_test(): a segment goes only if it fits the window
      // whole (the persist timer cuts one to fit, tcp_write_wakeup()).
      if (cfg_.persist_linux && !fits_window(tcb_.snd_nxt, len)) new_ok = false;
      if (new_ok && nagle_holds(tcb_.snd_nxt, len)) new_ok = false;
    }
    const NextSegment n = d.sb->next_seg(new_ok);
    if (n.rule == NextSegment::Rule::None) break;
    // Each step changes the scoreboard; the same answer twice would loop.
    if (last && last->rule == n.rule && last->seq == n.seq) break;
    last = n;
    // Rules (3) and (4) of NextSeg are for SACK recovery only, and Linux
    // (tcp_xmit_retransmit_queue()) resends only what is marked lost.
    if ((n.rule == NextSegment::Rule::UnsackedHole || n.rule == NextSegment::Rule::Rescue) &&
        !(d.recovery && tcb_.sack_ok && !cfg_.rack)) {
      break;
    }
    if (!cwnd_allows()) {
      d.cwnd_limited = true;
      break;
    }
    if (n.rule == NextSegment::Rule::NewData) {
      send_range(tcb_.snd_nxt, false);
    } else {
      retransmit_seq(n.seq, n.rule == NextSegment::Rule::Rescue);
    }
    sent = true;
  }
  d.push_once = false;
  return sent;
}

bool Engine::send_probe_with_scoreboard() {
  // RFC 8985 §7.3 / tcp_send_loss_probe(): one new segment if the peer's
  // window allows (cwnd does not hold it back), else the last one again.
  const Seq wnd_end = tcb_.snd_una + tcb_.snd_wnd;
  const std::uint32_t len =
      seq_lt(tcb_.snd_nxt, data_end()) ? std::min<std::uint32_t>(smss(), data_end() - tcb_.snd_nxt) : 0;
  const bool fits = cfg_.persist_linux ? fits_window(tcb_.snd_nxt, len) : seq_gt(wnd_end, tcb_.snd_nxt);
  if (len > 0 && fits) {
    send_range(tcb_.snd_nxt, false);
    return true;
  }
  const auto& segs = dp_->sb->segments();
  if (segs.empty()) return false;
  retransmit_seq(segs.back().seq);
  return true;
}

// ------------------------------------------------------------ the ACK

void Engine::on_ack_data(const Segment& seg, Seq prior_una, bool dup_candidate) {
  DataPath& d = *dp_;
  SackScoreboard& sb = *d.sb;
  const bool forward = seq_gt(seg.ack, prior_una);
  static const std::vector<SackBlock> kNone;
  const AckResult r = sb.on_ack(seg.ack, tcb_.sack_ok ? seg.sack : kNone);
  // RTT (RFC 6298 §3 Karn, Linux tcp_clean_rtx_queue()): from the earliest
  // newly acknowledged segment never retransmitted, unless a retransmitted
  // one was acknowledged too; else from a newly SACKed one.
  Duration rtt = -1;
  bool retrans_acked = false;
  Time first_cum = -1;
  Time first_sacked = -1;
  for (const SentSegment& s : r.delivered) {
    if (!s.sacked && s.retransmitted()) retrans_acked = true;
    if (s.retransmitted()) continue;
    Time& slot = s.sacked ? first_sacked : first_cum;
    if (slot < 0 || s.xmit_ts < slot) slot = s.xmit_ts;
  }
  if (first_cum >= 0 && !retrans_acked) {
    rtt = now_ - first_cum;
  } else if (first_sacked >= 0) {
    rtt = now_ - first_sacked;
  }
  if (rtt >= 0) rtt_sample(std::max<Duration>(rtt, 1));
  // Linux: progress undoes the backoff (every forward ACK carries an RTT
  // sample by its timestamp, and tcp_ack_update_rtt() resets icsk_backoff).
  // It goes with Linux's RTO rule (rto_min_on_variance, the linux profile);
  // RFC 6298 §5's note keeps the backed-off RTO until a valid sample.
  if (forward && tcb_.rtt.has_sample && cfg_.rto_min_on_variance) tcb_.rtt.rto = rto_from_estimate();

  int newly_lost = r.newly_lost;
  if (cfg_.rack && tcb_.sack_ok) {
    d.rack.on_ack(r, now_, d.min_rtt, tcb_.snd_una, tcb_.snd_nxt);
    const Flight f = flight_of(sb);
    const Duration reo = d.rack.reo_wnd(d.min_rtt, tcb_.rtt.srtt, d.recovery, static_cast<int>(f.sacked));
    for (Seq s : d.rack.detect_loss(sb.segments(), now_, reo).lost) {
      if (sb.mark_lost(s)) ++newly_lost;
    }
  }
  const bool dup = tcb_.sack_ok ? r.dup_ack : dup_candidate;
  if (forward) {
    d.dupacks = 0;
  } else if (dup) {
    ++d.dupacks;
  }
  const auto segs = static_cast<std::uint32_t>(r.delivered.size()) + (!tcb_.sack_ok && dup ? 1 : 0);
  const std::uint64_t bytes = std::uint64_t{r.acked_bytes} + r.sacked_bytes;

  if (d.loss && seq_ge(tcb_.snd_una, d.recover)) d.loss = false;  // Linux: Loss -> Open
  if (d.recovery && (r.recovery_ended || seq_ge(tcb_.snd_una, d.recover))) {
    cc::Path p;
    p.now = now_;
    p.flight_bytes = tcb_.snd_nxt - tcb_.snd_una;
    p.flight_segments = flight_of(sb).segments;
    p.snd_una = tcb_.snd_una;
    p.snd_nxt = tcb_.snd_nxt;
    p.smss = smss();
    d.cc->on_recovery_end(p);
    d.recovery = false;
    d.dupacks = 0;
    if (cfg_.rack) d.rack.on_recovery_end(false);
    return;
  }
  if (!d.recovery && !d.loss) {
    const Flight f = flight_of(sb);
    const bool enter = tcb_.sack_ok ? (sb.should_enter_recovery() || f.lost > 0) : d.dupacks >= 3;
    if (enter) {
      enter_recovery();
    } else if (segs > 0 && forward) {
      // cwnd grows only on an ACK of new data (RFC 5681 §3.1; Linux
      // tcp_may_raise_cwnd(): FLAG_DATA_ACKED while reordering is at its
      // default); an ACK that only SACKs lets one segment go for the one
      // that left the network (the pipe), no more.
      cc::Path p;
      p.now = now_;
      p.flight_segments = f.segments;
      p.flight_bytes = f.bytes;
      p.snd_una = tcb_.snd_una;
      p.snd_nxt = tcb_.snd_nxt;
      p.smss = smss();
      cc::Delivery del;
      del.segments = segs;
      del.bytes = bytes;
      del.rtt = rtt;
      del.cwnd_limited = d.cwnd_limited || d.cc->in_slow_start();
      d.cc->on_ack(p, del);
      return;
    } else {
      return;
    }
  }
  if (d.loss) return;
  ack_in_recovery(seg, forward, dup, segs, bytes, newly_lost);
}

void Engine::enter_recovery() {
  // RFC 6675 §5 / RFC 5681 §3.2: ssthresh from the controller, the first
  // lost segment resent at once (fast retransmit), RecoveryPoint = HighData.
  DataPath& d = *dp_;
  SackScoreboard& sb = *d.sb;
  const Flight f = flight_of(sb);
  cc::Path p;
  p.now = now_;
  p.flight_segments = f.segments;
  p.flight_bytes = tcb_.snd_nxt - tcb_.snd_una;  // RFC 5681 FlightSize
  p.snd_una = tcb_.snd_una;
  p.snd_nxt = tcb_.snd_nxt;
  p.smss = smss();
  const std::uint32_t prior_cwnd = d.cc->cwnd();
  // Entered because RACK had marked a segment lost, or by duplicate ACKs
  // (RFC 6675's DupThresh SACKed segments, RFC 5681's three duplicates).
  const bool by_rack = cfg_.rack && tcb_.sack_ok && sb.lost_segments() > 0;
  d.cc->on_congestion_event(p);
  sb.enter_recovery();
  d.recovery = true;
  d.recover = tcb_.snd_nxt;
  const bool segments = d.cc->unit() == cc::Unit::Segments;
  d.prr.start(d.cc->ssthresh(), segments ? prior_cwnd : p.flight_bytes);
  if (!sb.is_lost(tcb_.snd_una)) sb.mark_lost(tcb_.snd_una);
  note(tcb_.sack_ok ? "fast retransmit, SACK recovery (RFC 6675 §5)"
                    : "fast retransmit after 3 duplicate ACKs (RFC 5681 §3.2, RFC 6582)");
  cause_ = by_rack ? LossReason::Rack : LossReason::DupAck;
  retransmit_first_lost();
  cause_ = LossReason::None;
}

void Engine::ack_in_recovery(const Segment& /*seg*/, bool forward, bool dup, std::uint32_t delivered_segs,
                             std::uint64_t delivered_bytes, int newly_lost) {
  DataPath& d = *dp_;
  SackScoreboard& sb = *d.sb;
  const Flight f = flight_of(sb);
  cc::Path p;
  p.now = now_;
  p.flight_segments = f.segments;
  p.flight_bytes = tcb_.snd_nxt - tcb_.snd_una;
  p.snd_una = tcb_.snd_una;
  p.snd_nxt = tcb_.snd_nxt;
  p.smss = smss();
  if (!tcb_.sack_ok && forward) {
    // RFC 6582 §3.2 step 5: a partial ACK; the first unacknowledged segment
    // is lost too, resent at once.
    sb.mark_lost(tcb_.snd_una);
    retransmit_first_lost();
  }
  if (d.cc->unit() == cc::Unit::Segments) {
    // Linux tcp_cwnd_reduction(): cwnd = in flight + PRR's sndcnt.
    const std::uint32_t in_flight = counted_in_flight(flight_of(sb), tcb_.sack_ok, d.dupacks);
    const auto sndcnt = d.prr.on_ack_linux(delivered_segs, in_flight, forward, newly_lost > 0);
    if (sndcnt) d.cc->set_cwnd(static_cast<std::uint32_t>(in_flight + *sndcnt));
    return;
  }
  if (!tcb_.sack_ok) {
    cc::Delivery del;
    del.bytes = forward ? delivered_bytes : 0;
    if (dup || forward) d.cc->on_recovery_ack(p, del);
    return;
  }
  // RFC 6937 §3 with PRR-SSRB, in bytes.
  const std::uint64_t pipe = flight_of(sb).bytes;
  const std::uint64_t sndcnt = d.prr.on_ack(delivered_bytes, pipe, Prr::Bound::SlowStart, smss());
  d.cc->set_cwnd(static_cast<std::uint32_t>(std::min<std::uint64_t>(pipe + sndcnt, 0xffffffffu)));
}

bool Engine::enter_loss() {
  DataPath& d = *dp_;
  SackScoreboard& sb = *d.sb;
  const bool first = !d.loss || tcb_.retransmits == 0;
  sb.on_rto();
  cc::Path p;
  p.now = now_;
  p.flight_segments = flight_of(sb).segments;
  p.flight_bytes = tcb_.snd_nxt - tcb_.snd_una;
  p.snd_una = tcb_.snd_una;
  p.snd_nxt = tcb_.snd_nxt;
  p.smss = smss();
  d.cc->on_rto(p, first);
  d.loss = true;
  d.recovery = false;
  d.dupacks = 0;
  d.recover = tcb_.snd_nxt;
  return retransmit_first_lost();
}

// ------------------------------------------------------------ Nagle

bool Engine::fits_window(Seq from, std::uint32_t len) const {
  return !seq_gt(from + len, tcb_.snd_una + tcb_.snd_wnd);
}

bool Engine::nagle_holds(Seq from, std::uint32_t len) {
  // Linux tcp_nagle_test(): only a short segment is held, never one that
  // carries the final FIN; TCP_NODELAY's push goes past TCP_CORK once.
  if (len >= smss()) return false;
  if (tcb_.fin_queued && from + len == data_end()) return false;
  const DataPath& d = *dp_;
  if (d.push_once) return false;
  if (cfg_.cork) return true;
  if (!cfg_.nagle || cfg_.nodelay) return false;
  // RFC 9293 §3.7.4: hold while any data is unacknowledged; Linux
  // (tcp_minshall_check()) only while an earlier short segment is.
  if (tcb_.snd_una == tcb_.snd_nxt) return false;
  if (!cfg_.nagle_minshall) return true;
  return d.sml_sent && seq_gt(d.snd_sml, tcb_.snd_una) && seq_le(d.snd_sml, tcb_.snd_nxt);
}

void Engine::set_nagle(bool nodelay, bool cork) {
  // Linux __tcp_sock_set_nodelay(): on, it pushes with TCP_NAGLE_PUSH (past
  // a cork); tcp_sock_set_cork(): off, it pushes under plain Nagle. The
  // push itself is the output() every input ends with.
  if (nodelay && !cfg_.nodelay && dp_) dp_->push_once = true;
  cfg_.nodelay = nodelay;
  cfg_.cork = cork;
}

// ---------------------------------------------------------- persist timer

void Engine::persist_check() {
  // tcp_check_probe_timer(): nothing in flight, no timer pending, data
  // waiting (a zero or too small window, or TCP_CORK): probe at
  // tcp_probe0_base() = max(RTO, TCP_RTO_MIN).
  DataPath& d = dp();
  if (!d.persist) {
    PersistParams p;
    p.hz = cfg_.hz;
    p.rto_min = cfg_.rto_min;
    p.rto_max = cfg_.rto_max;
    p.retries2 = static_cast<std::uint32_t>(std::max(cfg_.data_retries, 0));
    d.persist.emplace(p);
  }
  if (tcb_.rexmt_armed || d.persist->armed()) return;
  const Time at = d.persist->start(now_, tcb_.rtt.rto);
  arm(TimerKind::Persist, at - now_);
}

void Engine::persist_on_ack() {
  // tcp_ack_probe(): a window that takes the next segment stops the timer
  // and zeroes the backoff; otherwise the timer restarts from this ACK with
  // the backoff reached.
  DataPath& d = *dp_;
  const std::uint32_t len =
      seq_lt(tcb_.snd_nxt, data_end()) ? std::min<std::uint32_t>(smss(), data_end() - tcb_.snd_nxt) : 0;
  const bool open = len == 0 || fits_window(tcb_.snd_nxt, len);
  const Time next = d.persist->on_ack(now_, tcb_.rtt.rto, open);
  if (next == kTimeMax) {
    cancel(TimerKind::Persist);
  } else {
    arm(TimerKind::Persist, next - now_);
  }
}

void Engine::write_wakeup() {
  // tcp_write_wakeup(): room in the window, the next segment cut to it
  // (with PSH); none, an empty segment at SND.UNA - 1, already acknowledged,
  // which the receiver must answer with an ACK carrying its window.
  const Seq wnd_end = tcb_.snd_una + tcb_.snd_wnd;
  if (seq_lt(tcb_.snd_nxt, data_end()) && seq_lt(tcb_.snd_nxt, wnd_end)) {
    send_range(tcb_.snd_nxt, false);
    out_->segments.back().flags |= kPsh;
    note("window probe: the next segment, cut to the window (Linux tcp_write_wakeup)");
    arm_rexmt_or_probe();  // tcp_event_new_data_sent()
    return;
  }
  new_segment(kAck, zero_window_probe_seq(tcb_.snd_una), false);
  note("zero-window probe at SND.UNA - 1 (RFC 9293 §3.8.6.1, Linux tcp_xmit_probe_skb)");
}

bool Engine::persist_timeout() {
  DataPath& d = dp();
  if (!d.persist) return true;
  // tcp_probe_timer(): nothing left to probe for.
  if (tcb_.snd_una != tcb_.snd_nxt || !seq_lt(tcb_.snd_nxt, data_end())) {
    d.persist->reset();
    return true;
  }
  const Persist::Step st = d.persist->on_timer(now_, tcb_.rtt.rto);
  if (st.action == Persist::Action::Abort) return false;
  if (st.action == Persist::Action::None) return true;
  write_wakeup();
  if (tcb_.snd_una != tcb_.snd_nxt) {
    d.persist->reset();  // tcp_send_probe0(): data in flight, the RTO times it
    return true;
  }
  arm(TimerKind::Persist, st.next - now_);
  return true;
}

bool Engine::oow_ack_allowed(const Segment& seg) {
  // tcp_oow_rate_limited(): a segment with data (or a FIN) is no ACK loop;
  // otherwise one ACK per tcp_invalid_ratelimit, counted in jiffies.
  if (cfg_.invalid_ratelimit <= 0 || acceptable(seg)) return true;
  if (seg.seg_len() > 0 && !seg.has(kSyn)) return true;
  return !oow_rate_limited();
}

bool Engine::oow_rate_limited() {
  if (cfg_.invalid_ratelimit <= 0) return false;
  DataPath& d = dp();
  const std::int64_t now_j = to_jiffies(now_, cfg_.hz);
  if (d.last_oow_ack >= 0) {
    const std::int64_t elapsed = now_j - d.last_oow_ack;
    if (elapsed >= 0 && elapsed < duration_to_jiffies(cfg_.invalid_ratelimit, cfg_.hz)) {
      note("out-of-window ACK rate-limited (Linux tcp_invalid_ratelimit)");
      return true;
    }
  }
  d.last_oow_ack = now_j;
  return false;
}

void Engine::limited_challenge_ack(std::string_view why) {
  note(why);
  // tcp_send_challenge_ack(): the per-socket limit first, whatever the
  // segment carries (the global tcp_challenge_ack_limit is INT_MAX since
  // Linux 6.0, so never reached here).
  if (oow_rate_limited()) return;
  tcb_.ack_now = true;
  tcb_.ack_is_reply = true;
}

// ------------------------------------------------------ Linux's ACK policy

DelayedAck& Engine::ack_policy() {
  DataPath& d = dp();
  if (!d.ack) {
    AckPolicyParams p;
    p.hz = cfg_.hz;
    p.ato_min = cfg_.delayed_ack_timeout;  // TCP_ATO_MIN
    p.max_quickacks = static_cast<std::uint32_t>(std::max(cfg_.quick_acks, 0));
    p.sack = tcb_.sack_ok;
    p.advmss = cfg_.mss;
    d.ack.emplace(p, initial_rcv_mss(cfg_.mss, smss(), advertised_window()));
    d.rcv_wup = tcb_.rcv_nxt;  // everything before was acknowledged (the SYN)
  }
  return *d.ack;
}

void Engine::linux_ack_data(const Segment& seg, bool filled_hole, bool duplicate) {
  // tcp_event_data_recv() for in-order data; the decision waits for the end
  // of the input, after any FIN (tcp_ack_snd_check()).
  DelayedAck& da = ack_policy();
  ArrivedData ad;
  ad.len = static_cast<std::uint32_t>(seg.payload.size());
  ad.remnant = seg.has(kPsh) || seg.has(kFin) || seg.has(kSyn);
  da.on_data(now_, ad, advertised_window(), tcb_.rtt.rto);
  if (filled_hole) da.on_hole_filled();
  if (duplicate) da.on_unacceptable_data(advertised_window());
  dp_->ack_decide = true;
}

bool Engine::linux_ack_fin() {
  // tcp_fin(): FIN-WAIT-1/2 ACK at once; otherwise pingpong, and the ACK is
  // delayed by ato, which is 0 on a connection that never carried data (the
  // next tick).
  const bool established = state_ != State::FinWait1 && state_ != State::FinWait2;
  if (ack_policy().on_fin(established)) return true;
  dp_->ack_decide = true;
  return false;
}

void Engine::run_ack_decision() {
  DataPath& d = *dp_;
  d.ack_decide = false;
  if (tcb_.ack_now || !d.ack) return;  // an ACK goes anyway
  ReceiverView v;
  v.unacked = tcb_.rcv_nxt - d.rcv_wup;
  v.ofo_queue = d.rq && !d.rq->empty();
  v.rcv_nxt = tcb_.rcv_nxt;
  v.srtt = tcb_.rtt.has_sample ? tcb_.rtt.srtt : 0;
  apply_ack_decision(d.ack->decide(now_, v));
}

void Engine::apply_ack_decision(const AckDecision& a) {
  switch (a.kind) {
    case AckDecision::Kind::None: return;
    case AckDecision::Kind::Now:
    case AckDecision::Kind::CompressedSack:  // no SACK compression: at once
      tcb_.ack_now = true;
      return;
    case AckDecision::Kind::Delayed:
      tcb_.ack_pending = true;
      arm(TimerKind::DelayedAck, std::max<Duration>(a.at - now_, 0));
      return;
  }
}

void Engine::delayed_ack_fired() {
  if (!tcb_.ack_pending) return;
  tcb_.ack_pending = false;
  if (!(cfg_.ack_policy_linux && dp_ && dp_->ack)) {
    tcb_.ack_now = true;
    return;
  }
  // tcp_delack_timer_handler(): a missed delayed ACK inflates ato, or ends
  // pingpong.
  apply_ack_decision(dp_->ack->on_timer(now_, tcb_.rtt.rto));
}

void Engine::ack_after_read(std::size_t copied, std::uint16_t window_before) {
  if (state_ == State::Closed) return;
  // Window update (RFC 9293 §3.8.6.2.2): tell a sender we had stopped that
  // there is room again, once there is at least a segment's worth.
  const std::uint16_t mss = static_cast<std::uint16_t>(smss());
  const bool raised = window_before < mss && advertised_window() >= mss;
  if (!(cfg_.ack_policy_linux && dp_ && dp_->ack)) {
    if (raised) tcb_.ack_now = true;
    return;
  }
  ReceiverView v;
  v.unacked = tcb_.rcv_nxt - dp_->rcv_wup;
  v.ofo_queue = dp_->rq && !dp_->rq->empty();
  v.rcv_nxt = tcb_.rcv_nxt;
  const AckDecision a =
      dp_->ack->on_read(static_cast<std::uint32_t>(copied), tcb_.recv_buffer.empty(), raised, v);
  if (a.kind == AckDecision::Kind::Now) tcb_.ack_now = true;
}

}  // namespace tcpsim::model
