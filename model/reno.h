// Reno and NewReno congestion control.
//
//   RFC 5681 §3.1  slow start: cwnd += min(N, SMSS) per ACK; congestion
//                  avoidance: about one SMSS per RTT; after loss
//                  ssthresh = max(FlightSize / 2, 2*SMSS) (equation 4);
//                  after an RTO cwnd = 1 SMSS (the loss window)
//   RFC 5681 §3.2  fast recovery: cwnd = ssthresh + 3*SMSS, + SMSS per
//                  further duplicate ACK
//   RFC 5681 §4.1  restart after idle: cwnd = min(IW, cwnd)
//   RFC 6582 §3.2  NewReno: a partial ACK deflates cwnd by the data it
//                  acknowledges and adds back SMSS if that was at least SMSS;
//                  the full ACK sets cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS)
//   RFC 3465 §2    appropriate byte counting: congestion avoidance counts the
//                  bytes acknowledged and adds SMSS once a window's worth is in;
//                  slow start adds min(N, L*SMSS), L = 1 per RFC 5681
//
// LinuxReno is net/ipv4/tcp_cong.c's "reno" (segments): tcp_reno_cong_avoid,
// tcp_reno_ssthresh (cwnd / 2, at least 2), tcp_reno_undo_cwnd; PRR sets the
// window during recovery. RfcNewReno is the rfc9293 profile's (bytes).
#pragma once

#include "model/congestion_control.h"

namespace tcpsim::model::cc {

class LinuxReno : public CongestionControl {
 public:
  explicit LinuxReno(int hz = 250, std::uint32_t initial_cwnd = kLinuxInitialWindow);

  Unit unit() const override { return Unit::Segments; }
  std::uint32_t cwnd() const override { return w_.cwnd; }
  std::uint32_t ssthresh() const override { return w_.ssthresh; }
  std::uint32_t cwnd_cnt() const { return w_.cwnd_cnt; }

  void on_ack(const Path& p, const Delivery& d) override;
  void on_congestion_event(const Path& p) override;
  void set_cwnd(std::uint32_t cwnd) override { w_.cwnd = cwnd; }
  void on_recovery_end(const Path& p) override;
  void on_rto(const Path& p, bool first) override;
  void undo() override { w_.undo(); }
  void on_idle_restart(Time now, Time last_send, Duration rto) override;

 private:
  std::uint32_t reno_ssthresh() const { return std::max(w_.cwnd >> 1, 2u); }
  int hz_;
  LinuxWindow w_;
};

class RfcNewReno : public CongestionControl {
 public:
  // abc_limit: RFC 3465's L, the most SMSS one ACK may add in slow start.
  explicit RfcNewReno(std::uint32_t smss, std::uint32_t abc_limit = 1);

  Unit unit() const override { return Unit::Bytes; }
  std::uint32_t cwnd() const override { return cwnd_; }
  std::uint32_t ssthresh() const override { return ssthresh_; }

  void on_ack(const Path& p, const Delivery& d) override;
  void on_congestion_event(const Path& p) override;
  void set_cwnd(std::uint32_t cwnd) override { cwnd_ = cwnd; }
  void on_recovery_ack(const Path& p, const Delivery& d) override;
  void on_recovery_end(const Path& p) override;
  void on_rto(const Path& p, bool first) override;
  void undo() override;
  void on_idle_restart(Time now, Time last_send, Duration rto) override;

 private:
  std::uint32_t half_flight(const Path& p) const;
  std::uint32_t smss_;
  std::uint32_t abc_limit_;
  std::uint32_t cwnd_;
  std::uint32_t ssthresh_ = kInfiniteSsthresh;
  std::uint64_t bytes_acked_ = 0;  // RFC 3465's counter in congestion avoidance
  std::uint32_t prior_cwnd_ = 0;
  std::uint32_t prior_ssthresh_ = 0;
};

}  // namespace tcpsim::model::cc
