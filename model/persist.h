// Zero-window probing (the persist timer), as Linux does it.
//
//   RFC 9293 §3.8.6.1  a sender facing a zero window must probe it
//                      periodically; the probe interval grows exponentially
//   RFC 1122 §4.2.2.17 the connection stays open as long as the receiver
//                      keeps answering the probes
//   Linux tcp_check_probe_timer: armed when nothing is in flight, data waits
//       and the window is too small, at max(RTO, TCP_RTO_MIN) <<
//       icsk_backoff (tcp_probe0_base, tcp_probe0_when), at most TCP_RTO_MAX
//       (120 s)
//   Linux tcp_probe_timer / tcp_send_probe0: the probe is an empty segment
//       at SND.UNA - 1 (tcp_xmit_probe_skb: the receiver must answer an old
//       sequence number with an ACK that carries its window); each probe
//       increments the backoff (up to tcp_retries2) and the probe count; the
//       connection is aborted when tcp_retries2 (15) probes went unanswered
//   Linux tcp_ack / tcp_ack_probe: any ACK zeroes the probe count; an ACK
//       that opens the window stops the timer and zeroes the backoff;
//       otherwise the timer is re-armed with the current backoff
//
// Linux shares icsk_backoff with the retransmission timer; the engine seeds
// it with start(). Timers fire on jiffy ticks of 1/hz s.
#pragma once

#include <cstdint>

#include "model/seq.h"
#include "model/time.h"

namespace tcpsim::model {

struct PersistParams {
  int hz = 250;
  Duration rto_min = 200 * kMillisecond;  // TCP_RTO_MIN
  Duration rto_max = 120 * kSecond;       // TCP_RTO_MAX
  std::uint32_t retries2 = 15;            // net.ipv4.tcp_retries2
};

// The probe's sequence number: one before SND.UNA, already acknowledged.
constexpr Seq zero_window_probe_seq(Seq snd_una) { return snd_una - 1; }

class Persist {
 public:
  enum class Action { None, Probe, Abort };
  struct Step {
    Action action = Action::None;
    Time next = kTimeMax;  // when the timer fires next (kTimeMax: not armed)
  };

  explicit Persist(const PersistParams& p = {}) : prm_(p) {}

  // tcp_check_probe_timer: start probing; `backoff` is the shared icsk_backoff.
  // Returns when the first probe goes.
  Time start(Time now, Duration rto, std::uint32_t backoff = 0);
  // The timer fired: probe (and when the next one goes) or give up.
  Step on_timer(Time now, Duration rto);
  // An ACK arrived while probing; `window_open`: the window now takes the
  // next segment. Returns when the timer fires next (kTimeMax: stopped).
  Time on_ack(Time now, Duration rto, bool window_open);
  void stop();
  // tcp_send_probe0() once data is in flight again: probing is over, the
  // backoff and the probe count start from zero.
  void reset() {
    armed_ = false;
    backoff_ = 0;
    probes_out_ = 0;
  }

  bool armed() const { return armed_; }
  std::uint32_t backoff() const { return backoff_; }
  std::uint32_t probes_out() const { return probes_out_; }

 private:
  Duration when(Duration rto) const;  // tcp_probe0_when
  Time arm(Time now, Duration delay);

  PersistParams prm_;
  bool armed_ = false;
  std::uint32_t backoff_ = 0;
  std::uint32_t probes_out_ = 0;
};

}  // namespace tcpsim::model
