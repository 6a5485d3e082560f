// Linux's ACK policy; see delayed_ack.h.
#include "model/delayed_ack.h"

#include <algorithm>

#include "model/jiffies.h"

namespace tcpsim::model {
namespace {
constexpr std::uint32_t kMssDefault = 536;  // TCP_MSS_DEFAULT
constexpr std::uint32_t kMinMss = 88;       // TCP_MIN_MSS
constexpr std::uint32_t kTcpHeader = 20;    // sizeof(struct tcphdr)
constexpr std::uint32_t kFastRetransThresh = 3;
}  // namespace

std::uint32_t initial_rcv_mss(std::uint32_t advmss, std::uint32_t mss_cache, std::uint32_t rcv_wnd) {
  std::uint32_t hint = std::min(advmss, mss_cache);
  hint = std::min(hint, rcv_wnd / 2);
  hint = std::min(hint, kMssDefault);
  return std::max(hint, kMinMss);
}

DelayedAck::DelayedAck(const AckPolicyParams& p, std::uint32_t rcv_mss) : prm_(p), rcv_mss_(rcv_mss) {}

std::int64_t DelayedAck::jiffies(Time t) const { return to_jiffies(t, prm_.hz); }
std::int64_t DelayedAck::ato_min() const { return duration_to_jiffies(prm_.ato_min, prm_.hz); }

void DelayedAck::measure_rcv_mss(const ArrivedData& seg) {
  const std::uint32_t lss = last_seg_size_;
  last_seg_size_ = 0;
  std::uint32_t len = seg.len;
  if (len >= rcv_mss_) {
    rcv_mss_ = std::min(len, prm_.advmss);
    return;
  }
  // A short segment: is it a full one from a peer with a smaller MSS (two
  // in a row of the same size, no PSH), or the application's last bytes?
  len += seg.header_len;
  if (len >= kMssDefault + kTcpHeader || (len >= kMinMss + kTcpHeader && !seg.remnant)) {
    len -= prm_.tcp_header_len;
    last_seg_size_ = len;
    if (len == lss) {
      rcv_mss_ = len;
      return;
    }
  }
  if (pushed_) pushed2_ = true;
  pushed_ = true;
}

void DelayedAck::incr_quickack(std::uint32_t rcv_wnd) {
  std::uint32_t n = rcv_wnd / (2 * std::max(rcv_mss_, 1u));
  if (n == 0) n = 2;
  n = std::min(n, prm_.max_quickacks);
  quick_ = std::max(quick_, n);
}

void DelayedAck::enter_quickack_mode(std::uint32_t rcv_wnd) {
  incr_quickack(rcv_wnd);
  pingpong_ = 0;
  ato_ = ato_min();
}

void DelayedAck::on_data(Time now, const ArrivedData& seg, std::uint32_t rcv_wnd, Duration rto) {
  scheduled_ = true;
  measure_rcv_mss(seg);
  const std::int64_t now_j = jiffies(now);
  const std::int64_t rto_j = duration_to_jiffies(rto, prm_.hz);
  if (ato_ == 0) {
    // The first data: start the delayed-ACK engine in quick-ACK mode.
    incr_quickack(rcv_wnd);
    ato_ = ato_min();
  } else {
    const std::int64_t m = now_j - lrcvtime_;
    if (m <= ato_min() / 2) {
      ato_ = (ato_ >> 1) + ato_min() / 2;
    } else if (m < ato_) {
      ato_ = std::min((ato_ >> 1) + m, rto_j);
    } else if (m > rto_j) {
      incr_quickack(rcv_wnd);  // the sender was idle: ACK quickly again
    }
  }
  lrcvtime_ = now_j;
}

void DelayedAck::on_unacceptable_data(std::uint32_t rcv_wnd) {
  enter_quickack_mode(rcv_wnd);
  scheduled_ = true;
}

bool DelayedAck::on_fin(bool established) {
  scheduled_ = true;
  if (!established) return true;
  pingpong_ = prm_.pingpong_thresh;  // inet_csk_enter_pingpong_mode
  return false;
}

AckDecision DelayedAck::decide(Time now, const ReceiverView& v) {
  if (!scheduled_) return {};
  if ((v.unacked > rcv_mss_ && v.window_ok) || in_quickack_mode() || ack_now_)
    return {AckDecision::Kind::Now};
  if (!v.ofo_queue) return send_delayed(now, v.srtt);
  if (!prm_.sack || compressed_ >= prm_.comp_sack_nr) return {AckDecision::Kind::Now};
  return compress(now, v);
}

AckDecision DelayedAck::compress(Time now, const ReceiverView& v) {
  // The first duplicates for a given rcv_nxt go at once: the sender's fast
  // retransmit needs three.
  if (compressed_rcv_nxt_ != v.rcv_nxt) {
    compressed_rcv_nxt_ = v.rcv_nxt;
    dup_ack_counter_ = 0;
  }
  if (dup_ack_counter_ < kFastRetransThresh) {
    ++dup_ack_counter_;
    return {AckDecision::Kind::Now};
  }
  ++compressed_;
  if (comp_timer_) return {};
  Duration rtt = v.rcv_rtt;
  if (v.srtt > 0 && v.srtt < rtt) rtt = v.srtt;
  comp_timer_ = true;
  return {AckDecision::Kind::CompressedSack, sat_add(now, std::min(prm_.comp_sack_delay, rtt / 20))};
}

AckDecision DelayedAck::send_delayed(Time now, Duration srtt) {
  std::int64_t ato = ato_;
  const std::int64_t delack_max = duration_to_jiffies(prm_.delack_max, prm_.hz);
  if (ato > ato_min()) {
    // Slow path, the inter-arrival time is high: bound it by HZ/2, by
    // TCP_DELACK_MAX for interactive or pushed data, and by the RTT.
    std::int64_t max_ato = prm_.hz / 2;
    if (pingpong() || pushed_) max_ato = delack_max;
    if (srtt > 0) max_ato = std::min(max_ato, std::max(duration_to_jiffies(srtt, prm_.hz), ato_min()));
    ato = std::min(ato, max_ato);
  }
  ato = std::min(ato, delack_max);
  const std::int64_t now_j = jiffies(now);
  std::int64_t timeout = now_j + ato;
  if (timer_) {
    if (timeout_ <= now_j + (ato >> 2)) return {AckDecision::Kind::Now};  // about to fire anyway
    timeout = std::min(timeout, timeout_);                                // the earlier timer stays
  }
  scheduled_ = timer_ = true;
  timeout_ = timeout;
  return {AckDecision::Kind::Delayed, jiffy_timer_fires_at(now, timeout, prm_.hz)};
}

void DelayedAck::on_ack_sent() {
  compressed_ = 0;
  comp_timer_ = false;
  if (quick_) {
    // One quick ACK used, if this ACK acknowledged new data.
    const std::uint32_t pkts = scheduled_ ? 1 : 0;
    if (pkts >= quick_) {
      quick_ = 0;
      ato_ = ato_min();  // leaving quick-ACK mode deflates ato
    } else {
      quick_ -= pkts;
    }
  }
  scheduled_ = timer_ = pushed_ = pushed2_ = ack_now_ = false;
}

void DelayedAck::on_data_sent(Time now) {
  // A reply within ato of the last arrival: the peers take turns.
  if (jiffies(now) - lrcvtime_ < ato_ && pingpong_ < 255) ++pingpong_;
}

AckDecision DelayedAck::on_timer(Time now, Duration rto) {
  if (!timer_) return {};
  if (timeout_ > jiffies(now))
    return {AckDecision::Kind::Delayed, jiffy_timer_fires_at(now, timeout_, prm_.hz)};
  timer_ = false;
  if (!scheduled_) return {};
  if (!pingpong()) {
    ato_ = std::min(ato_ << 1, duration_to_jiffies(rto, prm_.hz));  // delayed ACK missed: inflate
  } else {
    pingpong_ = 0;  // missed while interactive: leave pingpong, deflate
    ato_ = ato_min();
  }
  return {AckDecision::Kind::Now};
}

AckDecision DelayedAck::on_compressed_timer() {
  comp_timer_ = false;
  if (compressed_ == 0) return {};
  return {AckDecision::Kind::Now};
}

AckDecision DelayedAck::on_read(std::uint32_t copied, bool rmem_empty, bool window_raised,
                                const ReceiverView& v) {
  bool now = false;
  if (scheduled_) {
    // The every-second-segment ACK was not sent, or the read drained a
    // queue that held a short (pushed) segment.
    now = v.unacked > rcv_mss_ || (copied > 0 && (pushed2_ || (pushed_ && !pingpong())) && rmem_empty);
  }
  if (copied > 0 && !now && window_raised) now = true;
  return now ? AckDecision{AckDecision::Kind::Now} : AckDecision{};
}

}  // namespace tcpsim::model
