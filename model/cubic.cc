// CUBIC as net/ipv4/tcp_cubic.c computes it; see cubic.h.
#include "model/cubic.h"

#include <array>

#include "model/jiffies.h"

namespace tcpsim::model::cc {
namespace {

constexpr std::uint32_t kBetaScale = 1024;  // BICTCP_BETA_SCALE
constexpr int kCubicHzShift = 10;           // BICTCP_HZ: time in 1/1024 s
constexpr std::uint32_t kHystartMinSamples = 8;
constexpr std::uint32_t kHystartDelayMinUs = 4000;
constexpr std::uint32_t kHystartDelayMaxUs = 16000;

// Position of the most significant set bit, 1-based; 0 for 0 (fls64).
constexpr std::uint32_t fls64(std::uint64_t a) {
  std::uint32_t b = 0;
  while (a) {
    ++b;
    a >>= 1;
  }
  return b;
}

constexpr std::uint32_t floor_cbrt(std::uint64_t n) {
  std::uint32_t r = 0;
  while (std::uint64_t{r + 1} * (r + 1) * (r + 1) <= n) ++r;
  return r;
}

// v[x] = cbrt(x << 18) - 1 for the six leading bits x of the operand, the
// rule tcp_cubic.c states for its table (cbrt(x) = (v[x] + 10) >> 6 after a
// shift). Linux's entries were then "refined by hand"; these are the rule's
// own values, so a root can differ from the kernel's by a few units
// (e.g. K = 4324 where the kernel gets 4316, the true root being 4317.0);
// both stay within 0.4 % of the true root.
constexpr std::array<std::uint8_t, 64> make_table() {
  std::array<std::uint8_t, 64> v{};
  for (std::uint64_t x = 1; x < 64; ++x) v[x] = static_cast<std::uint8_t>(floor_cbrt(x << 18) - 1);
  return v;
}
constexpr std::array<std::uint8_t, 64> kCbrtTable = make_table();

}  // namespace

std::uint32_t cubic_root(std::uint64_t a) {
  std::uint32_t b = fls64(a);
  if (b < 7) return (std::uint32_t{kCbrtTable[a]} + 35) >> 6;  // a < 64: rounded root
  // b / 3 - 1 (84/256 ~ 1/3): shift a so that its top bits index the table,
  // the estimate is the table's root shifted back by b.
  b = ((b * 84) >> 8) - 1;
  const auto top = static_cast<std::uint32_t>(a >> (b * 3));
  std::uint32_t x = static_cast<std::uint32_t>((std::uint32_t{kCbrtTable[top]} + 10) << b) >> 6;
  // One Newton-Raphson step x' = (2x + a / x^2) / 3, with x(x-1) for x^2
  // and * 341 / 1024 for / 3, as the kernel does it.
  x = 2 * x + static_cast<std::uint32_t>(a / (std::uint64_t{x} * (x - 1)));
  return static_cast<std::uint32_t>((std::uint64_t{x} * 341) >> 10);
}

Cubic::Cubic(const CubicParams& params) : prm_(params) {
  beta_scale_ = 8 * (kBetaScale + prm_.beta) / 3 / (kBetaScale - prm_.beta);
  cube_rtt_scale_ = prm_.bic_scale * 10;  // 1024 * C / rtt, rtt taken as 100 ms
  cube_factor_ = (std::uint64_t{1} << (10 + 3 * kCubicHzShift)) / (prm_.bic_scale * 10);
  w_.cwnd = prm_.initial_cwnd;
  if (!prm_.hystart && prm_.initial_ssthresh) w_.ssthresh = prm_.initial_ssthresh;
}

std::uint32_t Cubic::jiffies(Time now) const { return static_cast<std::uint32_t>(to_jiffies(now, prm_.hz)); }

void Cubic::reset() {
  // bictcp_reset: everything but HyStart's round.
  cnt_ = last_max_cwnd_ = last_cwnd_ = last_time_ = bic_origin_point_ = bic_k_ = delay_min_ = 0;
  epoch_valid_ = false;
  epoch_start_ = ack_cnt_ = tcp_cwnd_ = 0;
  sample_cnt_ = 0;
  found_ = false;
}

void Cubic::hystart_reset(const Path& p) {
  round_start_ = last_ack_ = static_cast<std::uint32_t>(p.now / kMicrosecond);
  end_seq_ = p.snd_nxt;
  curr_rtt_ = ~0u;
  sample_cnt_ = 0;
}

void Cubic::init(const Path& p) {
  reset();
  if (prm_.hystart) hystart_reset(p);
}

void Cubic::on_tx_start(Time now, Time last_send) {
  // Application limited (idle) for a while: shift the epoch so the window
  // keeps to the cubic curve instead of jumping ahead by the idle time.
  const std::uint32_t now_j = jiffies(now);
  const auto delta = static_cast<std::int32_t>(now_j - jiffies(last_send));
  if (!epoch_valid_ || delta <= 0) return;
  epoch_start_ += static_cast<std::uint32_t>(delta);
  if (static_cast<std::int32_t>(epoch_start_ - now_j) > 0) epoch_start_ = now_j;
}

void Cubic::update(std::uint32_t now_j, std::uint32_t acked) {
  const std::uint32_t cwnd = w_.cwnd;
  ack_cnt_ += acked;
  if (last_cwnd_ == cwnd && static_cast<std::int32_t>(now_j - last_time_) <= prm_.hz / 32) return;
  // The cubic function is evaluated at most once per jiffy.
  if (!(epoch_valid_ && now_j == last_time_)) {
    last_cwnd_ = cwnd;
    last_time_ = now_j;
    if (!epoch_valid_) {
      epoch_valid_ = true;
      epoch_start_ = now_j;
      ack_cnt_ = acked;
      tcp_cwnd_ = cwnd;
      if (last_max_cwnd_ <= cwnd) {
        bic_k_ = 0;
        bic_origin_point_ = cwnd;
      } else {
        bic_k_ = cubic_root(cube_factor_ * (last_max_cwnd_ - cwnd));
        bic_origin_point_ = last_max_cwnd_;
      }
    }
    // t: time since the epoch plus one minimum RTT, in 1/1024 s.
    std::uint64_t t = static_cast<std::uint64_t>(static_cast<std::int32_t>(now_j - epoch_start_));
    t += static_cast<std::uint64_t>(duration_to_jiffies(Duration{delay_min_} * kMicrosecond, prm_.hz));
    t = (t << kCubicHzShift) / static_cast<std::uint64_t>(prm_.hz);
    const std::uint64_t offs = t < bic_k_ ? bic_k_ - t : t - bic_k_;
    // C (t - K)^3 in segments; unsigned wrap as in the kernel's u64/u32.
    const auto delta =
        static_cast<std::uint32_t>((cube_rtt_scale_ * offs * offs * offs) >> (10 + 3 * kCubicHzShift));
    const std::uint32_t target = t < bic_k_ ? bic_origin_point_ - delta : bic_origin_point_ + delta;
    // cnt: segments to acknowledge per one-segment increase.
    cnt_ = target > cwnd ? cwnd / (target - cwnd) : 100 * cwnd;
    // Without a previous maximum grow at least 5 % per RTT.
    if (last_max_cwnd_ == 0 && cnt_ > 20) cnt_ = 20;
  }
  if (prm_.tcp_friendliness) friendliness(cwnd);
  cnt_ = std::max(cnt_, 2u);  // at most 1 segment per 2 acknowledged: 1.5x per RTT
}

void Cubic::friendliness(std::uint32_t cwnd) {
  // The emulated Reno window: one segment per `delta` segments acknowledged
  // (the kernel's subtraction loop, as one division).
  const std::uint32_t delta = std::max((cwnd * beta_scale_) >> 3, 1u);
  if (ack_cnt_ > delta) {
    const std::uint32_t steps = (ack_cnt_ - 1) / delta;
    ack_cnt_ -= steps * delta;
    tcp_cwnd_ += steps;
  }
  if (tcp_cwnd_ > cwnd) {  // Reno would be faster: go at least as fast
    const std::uint32_t max_cnt = cwnd / (tcp_cwnd_ - cwnd);
    cnt_ = std::min(cnt_, max_cnt);
  }
}

void Cubic::on_ack(const Path& p, const Delivery& d) {
  acked(p, d.rtt);
  if (!d.cwnd_limited) return;
  std::uint32_t n = d.segments;
  if (in_slow_start()) {
    n = w_.slow_start(n);
    if (n == 0) return;
  }
  update(jiffies(p.now), n);
  w_.cong_avoid_ai(cnt_, n);
}

std::uint32_t Cubic::recalc_ssthresh() {
  epoch_valid_ = false;  // end of epoch
  const std::uint32_t cwnd = w_.cwnd;
  if (cwnd < last_max_cwnd_ && prm_.fast_convergence)
    last_max_cwnd_ = (cwnd * (kBetaScale + prm_.beta)) / (2 * kBetaScale);
  else
    last_max_cwnd_ = cwnd;
  return std::max((cwnd * prm_.beta) / kBetaScale, 2u);
}

void Cubic::on_congestion_event(const Path&) { w_.begin_reduction(recalc_ssthresh()); }

void Cubic::on_rto(const Path& p, bool first) {
  // tcp_enter_loss asks for ssthresh only on the episode's first timeout,
  // then the Loss state resets CUBIC (W_max too) and HyStart's round.
  const std::uint32_t ss = first ? recalc_ssthresh() : w_.ssthresh;
  w_.enter_loss(ss, p.flight_segments, first);
  reset();
  hystart_reset(p);
}

void Cubic::on_idle_restart(Time now, Time last_send, Duration rto) {
  w_.restart(to_jiffies(now, prm_.hz) - to_jiffies(last_send, prm_.hz), duration_to_jiffies(rto, prm_.hz));
}

void Cubic::acked(const Path& p, Duration rtt) {
  if (rtt < 0) return;
  // Discard delay samples right after fast recovery (within 1 s of the epoch).
  if (epoch_valid_ && static_cast<std::int32_t>(jiffies(p.now) - epoch_start_) < prm_.hz) return;
  std::uint32_t delay = static_cast<std::uint32_t>(std::min<Duration>(rtt / kMicrosecond, 0xffffffff));
  if (delay == 0) delay = 1;
  if (delay_min_ == 0 || delay_min_ > delay) delay_min_ = delay;
  if (!found_ && in_slow_start() && prm_.hystart && w_.cwnd >= prm_.hystart_low_window)
    hystart_update(p, delay);
}

void Cubic::hystart_update(const Path& p, std::uint32_t delay) {
  if (seq_gt(p.snd_una, end_seq_)) hystart_reset(p);  // a new round
  if (prm_.hystart_ack_train) {
    const auto now = static_cast<std::uint32_t>(p.now / kMicrosecond);
    // ACKs closely spaced: the train is still arriving.
    if (static_cast<std::int32_t>(now - last_ack_) <= static_cast<std::int32_t>(prm_.hystart_ack_delta_us)) {
      last_ack_ = now;
      std::uint32_t threshold = delay_min_ + prm_.hystart_ack_cushion_us;
      if (!prm_.paced) threshold >>= 1;
      if (static_cast<std::int32_t>(now - round_start_) > static_cast<std::int32_t>(threshold)) {
        found_ = true;
        w_.ssthresh = w_.cwnd;
      }
    }
  }
  if (prm_.hystart_delay) {
    curr_rtt_ = std::min(curr_rtt_, delay);
    if (sample_cnt_ < kHystartMinSamples) {
      ++sample_cnt_;
    } else if (curr_rtt_ > delay_min_ + std::clamp(delay_min_ >> 3, kHystartDelayMinUs, kHystartDelayMaxUs)) {
      found_ = true;
      w_.ssthresh = w_.cwnd;
    }
  }
}

}  // namespace tcpsim::model::cc
