// Linux's clock for timers and congestion control: jiffies, ticks of 1/HZ s.
// `hz` is a profile value (250 on the kernel tcpsim is checked against, so a
// tick is 4 ms; the Linux selftests assume 1000). Wherever Linux counts in
// jiffies (delayed ACK, CUBIC's epoch, persist, RTO) the model rounds the same
// way, so its timers fire on the same ticks as the kernel's.
#pragma once

#include <algorithm>
#include <cstdint>

#include "model/time.h"

namespace tcpsim::model {

// Length of one tick: exact for hz = 100, 250, 1000 (CONFIG_HZ_300 is rounded
// to the nanosecond).
constexpr Duration jiffy(int hz) { return kSecond / hz; }

// tcp_jiffies32 at `now`: whole ticks since the start of the run.
constexpr std::int64_t to_jiffies(Time now, int hz) { return now / jiffy(hz); }

// usecs_to_jiffies / msecs_to_jiffies: a duration in ticks, rounded up
// (include/linux/jiffies.h rounds up so that a timer never fires early).
constexpr std::int64_t duration_to_jiffies(Duration d, int hz) {
  return d <= 0 ? 0 : (d + jiffy(hz) - 1) / jiffy(hz);
}

// When a timer wheel timer set at `now` to expire at tick `expires` runs: at
// that tick, or at the next tick if `expires` is not in the future (a timer
// due now runs when the wheel next advances, kernel/time/timer.c).
constexpr Time jiffy_timer_fires_at(Time now, std::int64_t expires, int hz) {
  const std::int64_t next = to_jiffies(now, hz) + 1;
  return sat_mul(jiffy(hz), std::max(expires, next));
}

}  // namespace tcpsim::model
