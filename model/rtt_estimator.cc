#include "model/rtt_estimator.h"

#include <algorithm>

namespace tcpsim::model {

// ------------------------------------------------------------ WindowedMin

void WindowedMin::reset(Time now, std::uint64_t value) { s_.fill(Sample{now, value}); }

// lib/win_minmax.c minmax_subwin_update(): as the window slides, the second
// and third choices move up, and fresh choices are taken from the later
// quarter and half of the window so that a new minimum is never far away.
std::uint64_t WindowedMin::subwindow_update(Duration window, Sample val) {
  const Duration dt = val.t - s_[0].t;
  if (dt > window) {
    s_[0] = s_[1];
    s_[1] = s_[2];
    s_[2] = val;
    if (val.t - s_[0].t > window) {
      s_[0] = s_[1];
      s_[1] = s_[2];
      s_[2] = val;
    }
  } else if (s_[1].t == s_[0].t && dt > window / 4) {
    s_[2] = s_[1] = val;
  } else if (s_[2].t == s_[1].t && dt > window / 2) {
    s_[2] = val;
  }
  return s_[0].value;
}

// lib/win_minmax.c minmax_running_min().
std::uint64_t WindowedMin::update(Time now, Duration window, std::uint64_t value) {
  const Sample val{now, value};
  if (val.value <= s_[0].value || val.t - s_[2].t > window) {
    reset(now, value);  // a new minimum, or nothing left in the window
    return value;
  }
  if (val.value <= s_[1].value) {
    s_[2] = s_[1] = val;
  } else if (val.value <= s_[2].value) {
    s_[2] = val;
  }
  return subwindow_update(window, val);
}

// ------------------------------------------------------------ RtoEstimator

Duration RtoEstimator::min_rtt() const {
  const std::uint64_t v = min_rtt_.get();
  return v == WindowedMin::kNone ? kTimeMax : static_cast<Duration>(v);
}

Duration RtoEstimator::round_to_jiffies(Duration d) const {
  if (cfg_.jiffy <= 0) return d;
  return sat_mul(cfg_.jiffy, (d + cfg_.jiffy - 1) / cfg_.jiffy);
}

bool RtoEstimator::sample(const RttSample& s) {
  if (s.retransmitted && !s.from_timestamp) return false;  // Karn, RFC 6298 §3
  // Linux clamps every sample to at least 1 us (tcp_rtt_estimator's
  // max(1U, srtt), the timestamp path's `if (!delta) delta = 1`): nothing
  // downstream (RACK's min_RTT/4, the TLP's 2 SRTT) ever sees a zero RTT.
  const Duration r = std::max<Duration>(s.rtt, kMicrosecond);
  const auto current = static_cast<std::uint64_t>(min_rtt_.get());
  if (!(s.ack_maybe_delayed && static_cast<std::uint64_t>(r) > current)) {
    min_rtt_.update(s.now, cfg_.min_rtt_window, static_cast<std::uint64_t>(r));
  }
  if (cfg_.flavor == RttFlavor::Linux) {
    linux(r / kMicrosecond, s.snd_una, s.snd_nxt);
  } else {
    rfc6298(r);
  }
  has_sample_ = true;
  return true;
}

// RFC 6298 §2.2 and §2.3 with K = 4 and G = 1 ns (virtual time is exact),
// exactly as model/engine.cc's rtt_sample() computes them.
void RtoEstimator::rfc6298(Duration r) {
  if (!has_sample_) {
    srtt_ = r;
    rttvar_ = r / 2;
  } else {
    const Duration diff = srtt_ > r ? srtt_ - r : r - srtt_;
    rttvar_ = (3 * rttvar_ + diff) / 4;  // RTTVAR first, with the old SRTT
    srtt_ = (7 * srtt_ + r) / 8;
  }
  const Duration rto = cfg_.rto_min_on_variance
                           ? srtt_ + std::max(4 * rttvar_, cfg_.rto_min)
                           : std::max(cfg_.rto_min, srtt_ + std::max<Duration>(1, 4 * rttvar_));
  rto_ = std::min(rto, cfg_.rto_max);
}

// Linux tcp_rtt_estimator() and tcp_set_rto(). mdev is 4x the mean
// deviation; mdev_max is the largest mdev of the current round (one round =
// until SND.UNA passes rtt_seq, the SND.NXT of the round's start), at least
// rto_min; rttvar follows mdev_max up at once and down by 1/4 per round. A
// sample below SRTT moves mdev with a gain of 1/32 instead of 1/4 (the
// comment there: like Eifel, a falling RTT must not inflate the RTO).
void RtoEstimator::linux(std::int64_t m, Seq snd_una, Seq snd_nxt) {
  LinuxState& l = linux_;
  const std::int64_t rto_min_us = cfg_.rto_min / kMicrosecond;
  std::int64_t srtt = l.srtt_us8;
  if (srtt != 0) {
    m -= srtt >> 3;  // the error of the estimate
    srtt += m;       // srtt = 7/8 srtt + 1/8 new
    if (m < 0) {
      m = -m - (l.mdev_us >> 2);
      if (m > 0) m >>= 3;
    } else {
      m -= l.mdev_us >> 2;
    }
    l.mdev_us += m;  // mdev = 3/4 mdev + 1/4 new
    if (l.mdev_us > l.mdev_max_us) {
      l.mdev_max_us = l.mdev_us;
      if (l.mdev_max_us > l.rttvar_us) l.rttvar_us = l.mdev_max_us;
    }
    if (seq_gt(snd_una, l.rtt_seq)) {
      if (l.mdev_max_us < l.rttvar_us) l.rttvar_us -= (l.rttvar_us - l.mdev_max_us) >> 2;
      l.rtt_seq = snd_nxt;
      l.mdev_max_us = rto_min_us;
    }
  } else {
    srtt = m << 3;
    l.mdev_us = m << 1;  // "make sure rto = 3*rtt"
    l.rttvar_us = std::max(l.mdev_us, rto_min_us);
    l.mdev_max_us = l.rttvar_us;
    l.rtt_seq = snd_nxt;
  }
  l.srtt_us8 = std::max<std::int64_t>(1, srtt);
  srtt_ = (l.srtt_us8 >> 3) * kMicrosecond;
  rttvar_ = l.mdev_us * kMicrosecond / 4;
  // __tcp_set_rto(): usecs_to_jiffies(srtt + rttvar); tcp_bound_rto(): <= TCP_RTO_MAX.
  const Duration rto = round_to_jiffies(((l.srtt_us8 >> 3) + l.rttvar_us) * kMicrosecond);
  rto_ = std::min(rto, cfg_.rto_max);
}

void RtoEstimator::backoff() { rto_ = std::min(sat_mul(rto_, 2), cfg_.rto_max); }

void RtoEstimator::after_syn_timeout(Duration rto) {
  if (!has_sample_ && rto > 0) rto_ = rto;
}

}  // namespace tcpsim::model
