// Reno (Linux, segments) and NewReno (RFC 5681 + RFC 6582 + RFC 3465, bytes).
#include "model/reno.h"

#include "model/jiffies.h"

namespace tcpsim::model::cc {

// ---------------------------------------------------------------- LinuxReno

LinuxReno::LinuxReno(int hz, std::uint32_t initial_cwnd) : hz_(hz) { w_.cwnd = initial_cwnd; }

void LinuxReno::on_ack(const Path&, const Delivery& d) {
  if (!d.cwnd_limited) return;
  std::uint32_t acked = d.segments;
  if (in_slow_start()) {
    acked = w_.slow_start(acked);
    if (acked == 0) return;
  }
  // "In dangerous area, increase slowly": one segment per window acknowledged.
  w_.cong_avoid_ai(w_.cwnd, acked);
}

void LinuxReno::on_congestion_event(const Path&) { w_.begin_reduction(reno_ssthresh()); }

void LinuxReno::on_recovery_end(const Path&) { w_.end_reduction(); }

void LinuxReno::on_rto(const Path& p, bool first) {
  w_.enter_loss(reno_ssthresh(), p.flight_segments, first);
}

void LinuxReno::on_idle_restart(Time now, Time last_send, Duration rto) {
  w_.restart(to_jiffies(now, hz_) - to_jiffies(last_send, hz_), duration_to_jiffies(rto, hz_));
}

// --------------------------------------------------------------- RfcNewReno

RfcNewReno::RfcNewReno(std::uint32_t smss, std::uint32_t abc_limit)
    : smss_(smss), abc_limit_(abc_limit), cwnd_(rfc5681_initial_window(smss)) {}

std::uint32_t RfcNewReno::half_flight(const Path& p) const {
  // RFC 5681 equation (4): max(FlightSize / 2, 2*SMSS).
  const std::uint64_t half = p.flight_bytes / 2;
  return static_cast<std::uint32_t>(std::max<std::uint64_t>(half, 2ull * smss_));
}

void RfcNewReno::on_ack(const Path&, const Delivery& d) {
  if (!d.cwnd_limited || d.bytes == 0) return;
  if (in_slow_start()) {
    // RFC 5681 §3.1 / RFC 3465 §2.2: at most L*SMSS per ACK.
    const std::uint64_t inc = std::min<std::uint64_t>(d.bytes, std::uint64_t{abc_limit_} * smss_);
    cwnd_ = static_cast<std::uint32_t>(std::min<std::uint64_t>(cwnd_ + inc, 0xffffffffu));
    return;
  }
  // RFC 3465 §2.1: count bytes; one SMSS per cwnd's worth acknowledged.
  bytes_acked_ += d.bytes;
  if (bytes_acked_ >= cwnd_) {
    bytes_acked_ -= cwnd_;
    cwnd_ += smss_;
  }
}

void RfcNewReno::on_congestion_event(const Path& p) {
  prior_cwnd_ = cwnd_;
  prior_ssthresh_ = ssthresh_;
  ssthresh_ = half_flight(p);
  cwnd_ = ssthresh_ + 3 * smss_;  // RFC 5681 §3.2 step 4: the three that left
  bytes_acked_ = 0;
}

void RfcNewReno::on_recovery_ack(const Path&, const Delivery& d) {
  if (d.bytes == 0) {
    cwnd_ += smss_;  // RFC 5681 §3.2 step 5: each further duplicate left the network
    return;
  }
  // RFC 6582 §3.2 step 5, partial ACK: deflate by what it acknowledged,
  // add back one SMSS if that was at least one SMSS.
  const std::uint64_t acked = std::min<std::uint64_t>(d.bytes, cwnd_);
  cwnd_ -= static_cast<std::uint32_t>(acked);
  if (d.bytes >= smss_) cwnd_ += smss_;
}

void RfcNewReno::on_recovery_end(const Path& p) {
  // RFC 6582 §3.2 step 3, full ACK, option (1): no burst larger than ssthresh.
  const std::uint64_t floor = std::max<std::uint64_t>(p.flight_bytes, smss_) + smss_;
  cwnd_ = static_cast<std::uint32_t>(std::min<std::uint64_t>(ssthresh_, floor));
  bytes_acked_ = 0;
}

void RfcNewReno::on_rto(const Path& p, bool first) {
  if (first) {
    prior_cwnd_ = cwnd_;
    prior_ssthresh_ = ssthresh_;
    ssthresh_ = half_flight(p);  // RFC 5681 equation (4)
  }
  cwnd_ = smss_;  // RFC 5681 §3.1: the loss window, 1 full-sized segment
  bytes_acked_ = 0;
}

void RfcNewReno::undo() {
  // RFC 4015 §2 (Eifel response) restores the window the spurious
  // retransmission took away; RFC 5681 itself has no undo.
  if (prior_cwnd_ == 0) return;
  cwnd_ = std::max(cwnd_, prior_cwnd_);
  ssthresh_ = std::max(ssthresh_, prior_ssthresh_);
  prior_cwnd_ = 0;
}

void RfcNewReno::on_idle_restart(Time, Time, Duration) {
  // RFC 5681 §4.1: RW = min(IW, cwnd); cwnd = RW.
  cwnd_ = std::min(cwnd_, rfc5681_initial_window(smss_));
}

}  // namespace tcpsim::model::cc
