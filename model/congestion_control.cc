// Linux's shared window arithmetic (net/ipv4/tcp_cong.c, tcp_input.c,
// tcp_output.c), in segments. See congestion_control.h.
#include "model/congestion_control.h"

namespace tcpsim::model::cc {

std::uint32_t LinuxWindow::slow_start(std::uint32_t acked) {
  // Grow by what was acknowledged but stop at ssthresh; the rest of `acked`
  // goes to congestion avoidance on the same ACK.
  const std::uint64_t grown = std::min<std::uint64_t>(std::uint64_t{cwnd} + acked, ssthresh);
  const auto used = static_cast<std::uint32_t>(grown - cwnd);
  cwnd = std::min(static_cast<std::uint32_t>(grown), clamp);
  return acked - used;
}

void LinuxWindow::cong_avoid_ai(std::uint32_t w, std::uint32_t acked) {
  w = std::max(w, 1u);
  // Credit counted while the window was larger is applied gently: one step.
  if (cwnd_cnt >= w) {
    cwnd_cnt = 0;
    ++cwnd;
  }
  cwnd_cnt += acked;
  if (cwnd_cnt >= w) {
    const std::uint32_t delta = cwnd_cnt / w;
    cwnd_cnt -= delta * w;
    cwnd += delta;
  }
  cwnd = std::min(cwnd, clamp);
}

std::uint32_t LinuxWindow::current_ssthresh() const { return std::max(ssthresh, (cwnd >> 1) + (cwnd >> 2)); }

void LinuxWindow::begin_reduction(std::uint32_t new_ssthresh) {
  prior_ssthresh = current_ssthresh();
  prior_cwnd = cwnd;
  cwnd_cnt = 0;
  ssthresh = new_ssthresh;
}

void LinuxWindow::end_reduction() {
  if (ssthresh < kInfiniteSsthresh) cwnd = ssthresh;
}

void LinuxWindow::enter_loss(std::uint32_t new_ssthresh, std::uint32_t in_flight, bool first) {
  if (first) {
    prior_ssthresh = current_ssthresh();
    prior_cwnd = cwnd;
    ssthresh = new_ssthresh;
  }
  cwnd = in_flight + 1;
  cwnd_cnt = 0;
}

void LinuxWindow::undo() {
  if (prior_ssthresh == 0) return;
  cwnd = std::max(cwnd, prior_cwnd);
  ssthresh = std::max(ssthresh, prior_ssthresh);
  prior_ssthresh = 0;  // undone once; a second undo finds nothing
}

void LinuxWindow::restart(std::int64_t idle_jiffies, std::int64_t rto_jiffies) {
  const std::uint32_t restart_cwnd = std::min(kLinuxInitialWindow, cwnd);
  ssthresh = current_ssthresh();
  std::uint32_t w = cwnd;
  // One halving per RTO of idle time, as long as the window is above IW.
  while ((idle_jiffies -= rto_jiffies) > 0 && w > restart_cwnd) w >>= 1;
  cwnd = std::max(w, restart_cwnd);
}

}  // namespace tcpsim::model::cc
