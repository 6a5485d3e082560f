// Round-trip time estimation and the retransmission timeout, pure:
// samples and instants come in as arguments, nothing reads a clock.
//
//   RFC 6298 §2    SRTT, RTTVAR, RTO = SRTT + max(G, K*RTTVAR), K = 4,
//                  RTO >= rto_min (§2.4), RTO <= rto_max (§2.5)
//   RFC 6298 §3    Karn: no sample from a retransmitted segment
//                  (RFC 7323 §4.1: unless it is timed by a timestamp echo)
//   RFC 6298 §5.5  backoff doubles the RTO, capped by rto_max
//   RFC 6298 §5.7  RTO of 3 s after a SYN timed out with no sample taken
//   Linux          tcp_rtt_estimator()/tcp_set_rto() (net/ipv4/tcp_input.c):
//                  microsecond arithmetic with mdev/mdev_max/rttvar, so the
//                  RTO is SRTT + rttvar where rttvar >= rto_min; the sample
//                  is clamped to >= 1 us; the RTO is rounded up to jiffies
//   Linux          tcp_update_rtt_min() with lib/win_minmax.c: the windowed
//                  minimum RTT over tcp_min_rtt_wlen (300 s) RACK reads
//
// The class is RtoEstimator, not RttEstimator, because model/tcb.h already
// has a struct of that name (the engine's estimator this one replaces).
#pragma once

#include <array>
#include <cstdint>

#include "model/seq.h"
#include "model/time.h"

namespace tcpsim::model {

// Kathleen Nichols' windowed min filter, as lib/win_minmax.c runs it: the
// best, second best and third best samples of the window, so a minimum
// that leaves the window is replaced without storing every sample.
class WindowedMin {
 public:
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};
  // minmax_running_min(): takes the sample `value` at `now`, returns the minimum.
  std::uint64_t update(Time now, Duration window, std::uint64_t value);
  std::uint64_t get() const { return s_[0].value; }
  void reset(Time now, std::uint64_t value);

 private:
  struct Sample {
    Time t = 0;
    std::uint64_t value = kNone;
  };
  std::uint64_t subwindow_update(Duration window, Sample val);
  std::array<Sample, 3> s_{};
};

enum class RttFlavor {
  Rfc6298,  // RFC 6298's formulas in exact nanoseconds (what model/engine.cc does today)
  Linux,    // tcp_rtt_estimator(): microseconds, mdev_max per round, RTO in jiffies
};

struct RttConfig {
  RttFlavor flavor = RttFlavor::Rfc6298;
  Duration rto_initial = 1 * kSecond;  // RFC 6298 §2.1, Linux TCP_TIMEOUT_INIT
  Duration rto_min = 1 * kSecond;      // RFC 6298 §2.4 (Linux: 200 ms, TCP_RTO_MIN)
  Duration rto_max = 120 * kSecond;    // RFC 6298 §2.5, Linux TCP_RTO_MAX
  // Rfc6298 flavor only: Linux's form SRTT + max(4 RTTVAR, rto_min) instead
  // of max(rto_min, SRTT + 4 RTTVAR) (model::Config::rto_min_on_variance).
  bool rto_min_on_variance = false;
  // Linux flavor: one jiffy (4 ms at HZ=250); the RTO is rounded up to a
  // whole number of them (usecs_to_jiffies). 0 = no rounding.
  Duration jiffy = 0;
  // The min-RTT filter's window (Linux net.ipv4.tcp_min_rtt_wlen = 300 s).
  Duration min_rtt_window = 300 * kSecond;
};

// One RTT sample. `retransmitted`: the segment it times was sent more than
// once; `from_timestamp`: the RTT is now - TSecr (RFC 7323 §4), which is
// unambiguous even for a retransmission. `snd_una`/`snd_nxt` after the ACK
// (the Linux flavor resets mdev_max once per round of data, rtt_seq).
// `ack_maybe_delayed`: the receiver may have delayed this ACK (Linux does not
// let such a sample raise the min-RTT filter).
struct RttSample {
  Duration rtt = 0;
  Time now = 0;
  bool retransmitted = false;
  bool from_timestamp = false;
  Seq snd_una = 0;
  Seq snd_nxt = 0;
  bool ack_maybe_delayed = false;
};

class RtoEstimator {
 public:
  explicit RtoEstimator(const RttConfig& cfg = {}) : cfg_(cfg), rto_(cfg.rto_initial) {}

  // Takes a sample (RFC 6298 §2.2/§2.3 or tcp_rtt_estimator) and recomputes
  // the RTO. Returns false, changing nothing, when Karn's rule (§3) refuses
  // it: a retransmitted segment timed without a timestamp.
  bool sample(const RttSample& s);
  // RFC 6298 §5.5: RTO <- min(2 RTO, rto_max).
  void backoff();
  // RFC 6298 §5.7 (Linux TCP_TIMEOUT_FALLBACK): after a SYN timed out and no
  // sample was taken, the RTO when data transmission begins.
  void after_syn_timeout(Duration rto);

  bool has_sample() const { return has_sample_; }
  Duration srtt() const { return srtt_; }
  // RFC 6298's RTTVAR; for the Linux flavor mdev/4 (Linux's rttvar_us, the
  // RTO's variance term, is rto_variance()).
  Duration rttvar() const { return rttvar_; }
  Duration rto_variance() const { return linux_.rttvar_us * kMicrosecond; }
  Duration rto() const { return rto_; }
  // The windowed minimum RTT (RACK's min_RTT); kTimeMax before any sample.
  Duration min_rtt() const;

 private:
  void rfc6298(Duration r);
  void linux(std::int64_t r_us, Seq snd_una, Seq snd_nxt);
  Duration round_to_jiffies(Duration d) const;

  RttConfig cfg_;
  bool has_sample_ = false;
  Duration srtt_ = 0;
  Duration rttvar_ = 0;
  Duration rto_;
  struct LinuxState {           // tcp_sock fields, in microseconds
    std::int64_t srtt_us8 = 0;  // srtt_us: SRTT << 3
    std::int64_t mdev_us = 0;   // 4 * mean deviation
    std::int64_t mdev_max_us = 0;
    std::int64_t rttvar_us = 0;
    Seq rtt_seq = 0;
  } linux_;
  WindowedMin min_rtt_;
};

}  // namespace tcpsim::model
