// CUBIC as Linux's net/ipv4/tcp_cubic.c computes it (the linux profile's
// controller), not RFC 9438's text: integer arithmetic in segments and
// jiffies, a fixed-point cube root, classic HyStart (ACK train and delay
// increase, not HyStart++).
//
//   beta = 717/1024 (BICTCP_BETA_SCALE 1024): ssthresh = cwnd * 717 / 1024
//   C = bic_scale 41 / 1024 * 10 = 410/1024, about 0.4 (RFC 9438 §5's C)
//   K = cbrt((W_max - cwnd) / C), in 1/1024 s (BICTCP_HZ = 10)
//   W(t) = C (t - K)^3 + W_max, t counted from the epoch start plus the
//       minimum RTT (the target one RTT ahead)
//   fast convergence (RFC 9438 §4.7): W_max = cwnd * (1 + beta) / 2 when the
//       window did not reach the previous W_max
//   TCP friendliness (RFC 9438 §4.3): an emulated Reno window grows one
//       segment per (cwnd * beta_scale / 8) segments acknowledged
//   HyStart: leaves slow start (ssthresh = cwnd) when, once cwnd >= 16,
//       ACKs spaced <= 2 ms stretch past delay_min / 2 from the round's
//       start (ACK train), or the round's minimum RTT over 8 samples
//       exceeds delay_min + clamp(delay_min / 8, 4 ms, 16 ms) (delay)
//   undo: tcp_reno_undo_cwnd, cwnd = max(cwnd, prior cwnd)
//
// Follows tcp_cubic.c as of Linux 6.6 (hystart_ack_delay, tcp_jiffies32);
// the defaults above are those /sys/module/tcp_cubic/parameters shows on the
// 6.18 kernel the runner compares with (beta 717, bic_scale 41,
// fast_convergence 1, tcp_friendliness 1, hystart 1, hystart_detect 3,
// hystart_low_window 16, hystart_ack_delta_us 2000, initial_ssthresh 0).
#pragma once

#include <cstdint>

#include "model/congestion_control.h"

namespace tcpsim::model::cc {

struct CubicParams {
  int hz = 250;                  // profile value: jiffies per second
  std::uint32_t beta = 717;      // / 1024
  std::uint32_t bic_scale = 41;  // C = bic_scale * 10 / 1024
  bool fast_convergence = true;
  bool tcp_friendliness = true;
  bool hystart = true;
  bool hystart_ack_train = true;  // HYSTART_ACK_TRAIN
  bool hystart_delay = true;      // HYSTART_DELAY
  std::uint32_t hystart_low_window = 16;
  std::uint32_t hystart_ack_delta_us = 2000;
  // hystart_ack_delay(): min(1 ms, 4 * GSO max size / pacing rate), a cushion
  // for TSO/GRO; 0 when the sender has no pacing rate. Set by the engine.
  std::uint32_t hystart_ack_cushion_us = 0;
  bool paced = false;                  // sk_pacing_status != SK_PACING_NONE (fq)
  std::uint32_t initial_ssthresh = 0;  // only used with hystart off
  std::uint32_t initial_cwnd = kLinuxInitialWindow;
};

// The cube root of `a` by Linux's method: the top 6 bits of `a` index a
// table of cube roots, one Newton-Raphson step refines (error about 0.2 %).
std::uint32_t cubic_root(std::uint64_t a);

class Cubic : public CongestionControl {
 public:
  explicit Cubic(const CubicParams& params = {});

  Unit unit() const override { return Unit::Segments; }
  std::uint32_t cwnd() const override { return w_.cwnd; }
  std::uint32_t ssthresh() const override { return w_.ssthresh; }

  // cubictcp_init, when the connection is established (HyStart's first round).
  void init(const Path& p) override;
  void on_ack(const Path& p, const Delivery& d) override;
  void on_congestion_event(const Path& p) override;
  void set_cwnd(std::uint32_t cwnd) override { w_.cwnd = cwnd; }
  // During recovery only the RTT sample is taken (cubictcp_acked).
  void on_recovery_ack(const Path& p, const Delivery& d) override { acked(p, d.rtt); }
  void on_recovery_end(const Path&) override { w_.end_reduction(); }
  void on_rto(const Path& p, bool first) override;
  void undo() override { w_.undo(); }
  void on_tx_start(Time now, Time last_send) override;
  void on_idle_restart(Time now, Time last_send, Duration rto) override;

  // State the tests and the -v output read.
  std::uint32_t last_max_cwnd() const { return last_max_cwnd_; }
  std::uint32_t k() const { return bic_k_; }  // 1/1024 s
  std::uint32_t cnt() const { return cnt_; }
  std::uint32_t delay_min_us() const { return delay_min_; }
  bool hystart_found() const { return found_; }

 private:
  std::uint32_t jiffies(Time now) const;
  std::uint32_t recalc_ssthresh();
  void update(std::uint32_t now_j, std::uint32_t acked);
  void friendliness(std::uint32_t cwnd);
  void acked(const Path& p, Duration rtt);
  void hystart_reset(const Path& p);
  void hystart_update(const Path& p, std::uint32_t delay_us);
  void reset();

  CubicParams prm_;
  std::uint32_t beta_scale_;      // 8 * (1024 + beta) / 3 / (1024 - beta)
  std::uint32_t cube_rtt_scale_;  // bic_scale * 10
  std::uint64_t cube_factor_;     // 2^40 / (bic_scale * 10)
  LinuxWindow w_;

  // struct bictcp. Linux marks "no epoch" with epoch_start == 0; tcpsim's
  // clock starts at 0, so a flag says it instead.
  std::uint32_t cnt_ = 0;
  std::uint32_t last_max_cwnd_ = 0;
  std::uint32_t last_cwnd_ = 0;
  std::uint32_t last_time_ = 0;
  std::uint32_t bic_origin_point_ = 0;
  std::uint32_t bic_k_ = 0;
  std::uint32_t delay_min_ = 0;  // us
  bool epoch_valid_ = false;
  std::uint32_t epoch_start_ = 0;  // jiffies
  std::uint32_t ack_cnt_ = 0;
  std::uint32_t tcp_cwnd_ = 0;
  std::uint32_t sample_cnt_ = 0;
  bool found_ = false;
  std::uint32_t round_start_ = 0;  // us
  Seq end_seq_ = 0;
  std::uint32_t last_ack_ = 0;  // us
  std::uint32_t curr_rtt_ = 0;  // us
};

}  // namespace tcpsim::model::cc
