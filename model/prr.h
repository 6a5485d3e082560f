// Proportional Rate Reduction: how much may be sent on each ACK during fast
// recovery, so that the flight shrinks smoothly from RecoverFS to ssthresh
// within one round trip instead of stopping and bursting.
//
//   RFC 6937 §3   prr_delivered, prr_out, RecoverFS; while pipe > ssthresh
//                 sndcnt = CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out;
//                 otherwise the reduction bound:
//                   PRR-CRB  limit = prr_delivered - prr_out
//                   PRR-SSRB limit = MAX(prr_delivered - prr_out, DeliveredData) + MSS
//                 sndcnt = MIN(ssthresh - pipe, limit)
//   Linux tcp_input.c tcp_cwnd_reduction (RFC 9937, PRR's standards-track
//                 revision): in segments, RecoverFS = prior_cwnd; SSRB's + 1
//                 only when the ACK advanced SND.UNA and marked nothing newly
//                 lost; at least one segment (the fast retransmit) while
//                 nothing has been sent in recovery; cwnd = pipe + sndcnt.
//
// Units are the caller's: bytes with mss = SMSS, or segments with mss = 1.
#pragma once

#include <cstdint>
#include <optional>

namespace tcpsim::model {

class Prr {
 public:
  enum class Bound { Conservative, SlowStart };  // PRR-CRB, PRR-SSRB

  // "At the beginning of recovery": ssthresh from the congestion control,
  // RecoverFS = the flight (RFC 6937) or the window (Linux prior_cwnd).
  void start(std::uint64_t ssthresh, std::uint64_t recover_fs);

  // RFC 6937 §3 on every ACK in recovery: how much may be sent now (never
  // negative). `delivered` is DeliveredData, `pipe` RFC 6675's pipe after the
  // ACK was processed.
  std::uint64_t on_ack(std::uint64_t delivered, std::uint64_t pipe, Bound bound, std::uint64_t mss);

  // Linux tcp_cwnd_reduction, segments: the sndcnt, so that the new cwnd is
  // in_flight + sndcnt; nothing (cwnd unchanged) for an ACK that delivered
  // nothing.
  std::optional<std::uint64_t> on_ack_linux(std::uint64_t delivered, std::uint64_t in_flight,
                                            bool snd_una_advanced, bool newly_lost);

  // "On any data transmission or retransmission": prr_out += data sent.
  void on_sent(std::uint64_t n) { prr_out_ += n; }

  std::uint64_t prr_delivered() const { return prr_delivered_; }
  std::uint64_t prr_out() const { return prr_out_; }
  std::uint64_t ssthresh() const { return ssthresh_; }

 private:
  std::uint64_t proportional() const;
  std::uint64_t ssthresh_ = 0;
  std::uint64_t recover_fs_ = 1;
  std::uint64_t prr_delivered_ = 0;
  std::uint64_t prr_out_ = 0;
};

}  // namespace tcpsim::model
