#include "model/rack.h"

#include <algorithm>

namespace tcpsim::model {

namespace {

// RFC 8985 §6.2 RACK_sent_after() / Linux tcp_skb_sent_after(): later in
// time, or at the same instant later in sequence.
bool sent_after(Time t1, Seq end1, Time t2, Seq end2) { return t1 > t2 || (t1 == t2 && seq_gt(end1, end2)); }

// usecs_to_jiffies() for a profile's jiffy: round up; 0 = exact.
Duration round_up(Duration d, Duration jiffy) {
  if (jiffy <= 0 || d <= 0) return d;
  return sat_mul(jiffy, (d + jiffy - 1) / jiffy);
}

}  // namespace

// ------------------------------------------------------------ RACK

void Rack::on_ack(const AckResult& ack, Time now, Duration min_rtt, Seq snd_una, Seq snd_nxt,
                  std::optional<Time> ts_echo) {
  // Step 3 against the highest sequence delivered before this ACK (Linux's
  // prior_fack): a never-retransmitted segment delivered below it arrived
  // out of order.
  const bool had_fack = has_fack_;
  const Seq prior_fack = fack_;
  for (const SentSegment& s : ack.delivered) {
    if (had_fack && !s.retransmitted() && seq_lt(s.end(), prior_fack)) reord_ = true;
    if (!has_fack_ || seq_gt(s.end(), fack_)) fack_ = s.end();
    has_fack_ = true;
    on_delivered(s, now, min_rtt, ts_echo);
  }
  update_reo_wnd(ack.dsack, snd_una, snd_nxt);
}

// Step 2 (Linux tcp_rack_advance()): RACK.rtt from every delivered segment
// whose delivery is unambiguous; RACK.xmit_ts/end_seq from the most
// recently sent of them.
void Rack::on_delivered(const SentSegment& s, Time now, Duration min_rtt, std::optional<Time> ts_echo) {
  const Duration rtt = std::max<Duration>(0, now - s.xmit_ts);
  if (s.retransmitted()) {
    // Was it the retransmission or an earlier copy that arrived? An ACK
    // sooner than min_RTT after the retransmission, or echoing an earlier
    // send time, was for an earlier copy.
    if (ts_echo && *ts_echo < s.xmit_ts) return;
    if (rtt < min_rtt) return;
  }
  advanced_ = true;
  rtt_ = rtt;
  if (!has_state_ || sent_after(s.xmit_ts, s.end(), xmit_ts_, end_seq_)) {
    xmit_ts_ = s.xmit_ts;
    end_seq_ = s.end();
    has_state_ = true;
  }
}

// Step 4's adaptation (RFC 8985 RACK_update_reo_wnd(), Linux
// tcp_rack_update_reo_wnd()): one more min_RTT/4 per round trip that sees a
// D-SACK, kept for 16 recoveries, then back to one.
void Rack::update_reo_wnd(bool dsack, Seq snd_una, Seq snd_nxt) {
  if (cfg_.static_reo_wnd) return;
  if (dsack_round_ && seq_ge(snd_una, *dsack_round_)) dsack_round_.reset();
  if (dsack && !dsack_round_) {
    dsack_round_ = snd_nxt;
    mult_ = std::min(mult_ + 1, 0xFF);  // reo_wnd_steps is a u8
    persist_ = cfg_.recovery_thresh;
  } else if (persist_ <= 0) {
    mult_ = 1;
  }
}

void Rack::on_recovery_end(bool undone) {
  if (undone) {
    persist_ = std::min(cfg_.recovery_thresh, persist_ + 1);
  } else if (persist_ > 0) {
    --persist_;
  }
}

// Step 4 (Linux tcp_rack_reo_wnd()).
Duration Rack::reo_wnd(Duration min_rtt, Duration srtt, bool in_recovery, int sacked_segments) const {
  if (!reord_) {
    // No reordering seen: as fast as DupThresh (RFC 8985 §6.2 step 4).
    if (in_recovery) return 0;
    if (sacked_segments >= cfg_.dup_thresh && !cfg_.no_dupthresh) return 0;
  }
  if (min_rtt == kTimeMax) return srtt;  // no sample: the SRTT cap
  const Duration quarter = min_rtt / 4;
  if (quarter > 0 && mult_ > srtt / quarter) return srtt;
  return std::min(quarter * mult_, srtt);
}

Duration Rack::round_timer(Duration d) const { return round_up(sat_add(d, cfg_.timer_slack), cfg_.jiffy); }

// Step 5 (Linux tcp_rack_detect_loss()). Linux walks its time-sorted list
// and stops at the first segment not sent before RACK.xmit_ts; in sequence
// order every such segment is skipped instead. Segments already lost and
// not yet retransmitted are not looked at again.
RackLoss Rack::detect_loss(const std::deque<SentSegment>& segs, Time now, Duration reo_wnd) const {
  RackLoss out;
  if (!has_state_) return out;
  for (const SentSegment& s : segs) {
    if (s.sacked || (s.lost && !s.rexmit_out)) continue;
    if (!sent_after(xmit_ts_, end_seq_, s.xmit_ts, s.end())) continue;
    const Duration remaining = rtt_ + reo_wnd - (now - s.xmit_ts);
    if (remaining <= 0) {
      out.lost.push_back(s.seq);
    } else {
      out.wait_min = out.wait_min == 0 ? remaining : std::min(out.wait_min, remaining);
      out.wait_max = std::max(out.wait_max, remaining);
    }
  }
  const Duration wait = cfg_.wait_for_last ? out.wait_max : out.wait_min;
  if (wait > 0) out.timer = round_timer(wait);
  return out;
}

// ------------------------------------------------------------ TLP

bool tlp_allowed(bool sack, int packets_out, bool in_recovery_or_loss, bool probe_outstanding) {
  return sack && packets_out > 0 && !in_recovery_or_loss && !probe_outstanding;
}

Duration tlp_pto(const TlpConfig& cfg, bool has_srtt, Duration srtt, int packets_out,
                 Duration rto_remaining) {
  Duration pto = cfg.no_srtt;
  if (has_srtt) {
    // "Probe timeout is 2*rtt. Add minimum RTO to account for delayed ack
    // when there's one outstanding packet."
    pto = round_up(sat_add(sat_mul(srtt, 2), packets_out == 1 ? cfg.delayed_ack_allowance : cfg.slack),
                   cfg.jiffy);
  }
  // "If the RTO formula yields an earlier time, then use that time."
  if (rto_remaining > 0) pto = std::min(pto, round_up(rto_remaining, cfg.jiffy));
  return pto;
}

TlpProbe tlp_choose_probe(bool new_data_fits_window, bool data_outstanding) {
  if (new_data_fits_window) return TlpProbe::NewData;
  return data_outstanding ? TlpProbe::LastSegment : TlpProbe::Nothing;
}

void TailLossProbe::on_probe_sent(Seq snd_nxt, bool retransmission) {
  end_seq_ = snd_nxt;
  retrans_ = retransmission;
}

// RFC 8985 §7.4 / Linux tcp_process_tlp_ack().
TailLossProbe::Outcome TailLossProbe::on_ack(Seq ack, const std::optional<SackBlock>& dsack, bool pure_dup) {
  if (!end_seq_ || seq_lt(ack, *end_seq_)) return Outcome::Pending;
  if (!retrans_) {
    end_seq_.reset();  // a probe of new data was delivered
    return Outcome::Delivered;
  }
  if (dsack && dsack->right == *end_seq_) {
    end_seq_.reset();  // the D-SACK is the probe's: the original arrived too
    return Outcome::NoLoss;
  }
  if (seq_gt(ack, *end_seq_)) {
    end_seq_.reset();  // the ACK passed the probe: it repaired a loss
    return Outcome::LossRepaired;
  }
  if (pure_dup) {
    end_seq_.reset();  // a duplicate ACK at the probe's end: both copies arrived
    return Outcome::NoLoss;
  }
  return Outcome::Pending;
}

}  // namespace tcpsim::model
