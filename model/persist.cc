// Zero-window probing as Linux's tcp_probe_timer; see persist.h.
#include "model/persist.h"

#include <algorithm>

#include "model/jiffies.h"

namespace tcpsim::model {

Duration Persist::when(Duration rto) const {
  // tcp_probe0_base << backoff, capped; the shift is bounded so it cannot overflow.
  const Duration base = std::max(rto, prm_.rto_min);
  Duration d = base;
  for (std::uint32_t i = 0; i < backoff_ && d < prm_.rto_max; ++i) d = sat_mul(d, 2);
  return std::min(d, prm_.rto_max);
}

Time Persist::arm(Time now, Duration delay) {
  armed_ = true;
  const std::int64_t expires = to_jiffies(now, prm_.hz) + duration_to_jiffies(delay, prm_.hz);
  return jiffy_timer_fires_at(now, expires, prm_.hz);
}

Time Persist::start(Time now, Duration rto, std::uint32_t backoff) {
  backoff_ = backoff;
  probes_out_ = 0;
  // The first probe waits tcp_probe0_base: the RTO, at least TCP_RTO_MIN.
  return arm(now, std::max(rto, prm_.rto_min));
}

Persist::Step Persist::on_timer(Time now, Duration rto) {
  if (!armed_) return {};
  armed_ = false;
  if (probes_out_ >= prm_.retries2) return {Action::Abort, kTimeMax};
  ++probes_out_;
  if (backoff_ < prm_.retries2) ++backoff_;
  return {Action::Probe, arm(now, when(rto))};
}

Time Persist::on_ack(Time now, Duration rto, bool window_open) {
  probes_out_ = 0;  // the receiver answers: RFC 1122 keeps the connection open
  if (window_open) {
    backoff_ = 0;
    stop();
    return kTimeMax;
  }
  return arm(now, when(rto));
}

void Persist::stop() { armed_ = false; }

}  // namespace tcpsim::model
