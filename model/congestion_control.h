// Congestion control behind one interface: the seam that Linux's
// tcp_congestion_ops, FreeBSD's cc_algo and smoltcp's Controller share.
//
//   RFC 5681 §3.1    slow start, congestion avoidance, IW, ssthresh after loss
//   RFC 5681 §3.2    fast retransmit / fast recovery (the congestion event)
//   RFC 5681 §4.1    restarting an idle connection
//   RFC 6928         IW10, the linux profile's initial window
//   RFC 6582         NewReno's partial and full ACKs (on_recovery_ack/_end)
//   Linux tcp_cong.c tcp_slow_start, tcp_cong_avoid_ai, tcp_reno_undo_cwnd;
//         tcp_input.c tcp_init_cwnd_reduction, tcp_end_cwnd_reduction,
//         tcp_enter_loss, tcp_undo_cwnd_reduction; tcp_output.c tcp_cwnd_restart
//
// Units. Linux counts the window in segments (snd_cwnd, with snd_cwnd_cnt for
// the fraction of congestion avoidance) and compares it with packets in
// flight, so ten 100-byte segments fill a window of 10 as ten full ones do;
// RFC 5681 counts bytes (and RFC 3465 bytes acknowledged). Matching either
// needs its own unit, so each controller says which it counts (unit()) and
// every event carries both counts; the engine compares flight with cwnd() in
// that unit. Linux's CUBIC and Reno count Segments, the rfc9293 profile's
// NewReno counts Bytes.
//
// Pure: no clock, no I/O, no randomness. Time comes in as tcpsim::Time.
// Who calls what, as Linux's tcp_ack does:
//   the connection is established             -> init
//   every ACK in the Open/Disorder states     -> on_ack (RTT sample, growth)
//   entering fast recovery (or ECN CWR)       -> on_congestion_event, then
//     each ACK in recovery: PRR computes cwnd -> set_cwnd (linux), or
//     on_recovery_ack (RFC 6582 inflation/deflation, rfc9293)
//   leaving recovery                          -> on_recovery_end
//   retransmission timeout                    -> on_rto
//   spurious recovery or RTO detected         -> undo (DSACK, Eifel, F-RTO)
//   sending with nothing in flight            -> on_tx_start
//   ... after idle longer than the RTO        -> on_idle_restart
#pragma once

#include <algorithm>
#include <cstdint>

#include "model/seq.h"
#include "model/time.h"

namespace tcpsim::model::cc {

enum class Unit { Segments, Bytes };

// What the sender knows when an event happens.
struct Path {
  Time now = 0;
  std::uint32_t flight_segments = 0;  // Linux tcp_packets_in_flight
  std::uint64_t flight_bytes = 0;     // RFC 5681 FlightSize
  Seq snd_una = 0;                    // after the event's ACK, if any
  Seq snd_nxt = 0;
  std::uint32_t smss = 1460;  // sender MSS in bytes (RFC 5681's SMSS)
};

// What one ACK delivered.
struct Delivery {
  std::uint32_t segments = 0;  // newly ACKed or SACKed segments (Linux's `acked`)
  std::uint64_t bytes = 0;     // the same in bytes (RFC 3465 bytes acknowledged)
  Duration rtt = -1;           // RTT sample from this ACK, -1 for none (Karn)
  // Linux tcp_is_cwnd_limited / RFC 7661: the window grows only when the
  // sender was using it, not when the application left it idle.
  bool cwnd_limited = true;
};

// Linux's "no slow start threshold yet" (TCP_INFINITE_SSTHRESH).
constexpr std::uint32_t kInfiniteSsthresh = 0x7fffffff;

// RFC 5681 §3.1 initial window, bytes: min(4*SMSS, max(2*SMSS, 4380)).
constexpr std::uint32_t rfc5681_initial_window(std::uint32_t smss) {
  return std::min(4 * smss, std::max(2 * smss, 4380u));
}

// RFC 6928 IW10, Linux TCP_INIT_CWND: 10 segments.
constexpr std::uint32_t kLinuxInitialWindow = 10;

// Linux tcp_is_cwnd_limited, for Delivery::cwnd_limited: the window was the
// limit (tp->is_cwnd_limited), or, in slow start, cwnd is below twice the
// largest flight of the last window (max_packets_out), so that an
// application-limited sender still doubles what it actually sent.
constexpr bool linux_is_cwnd_limited(std::uint32_t cwnd, std::uint32_t ssthresh,
                                     std::uint32_t max_packets_out, bool was_cwnd_limited) {
  if (was_cwnd_limited) return true;
  return cwnd < ssthresh && cwnd < 2 * max_packets_out;
}

class CongestionControl {
 public:
  virtual ~CongestionControl() = default;

  virtual Unit unit() const = 0;
  virtual std::uint32_t cwnd() const = 0;  // in unit()
  virtual std::uint32_t ssthresh() const = 0;
  // Linux tcp_in_slow_start and RFC 5681 §3.1: cwnd < ssthresh.
  bool in_slow_start() const { return cwnd() < ssthresh(); }

  // The connection is established (Linux tcp_init_congestion_control).
  virtual void init(const Path&) {}
  // An ACK outside recovery: take the RTT sample, grow the window.
  virtual void on_ack(const Path& p, const Delivery& d) = 0;
  // Fast recovery (or CWR) starts: set ssthresh and remember what undo needs.
  virtual void on_congestion_event(const Path& p) = 0;
  // During recovery PRR decides the window (Linux tcp_cwnd_reduction).
  virtual void set_cwnd(std::uint32_t cwnd) = 0;
  // An ACK during recovery (d.bytes == 0: a duplicate). Linux: nothing, PRR
  // drives; RFC 5681/6582: inflate by SMSS per duplicate, deflate on partial.
  virtual void on_recovery_ack(const Path&, const Delivery&) {}
  // Recovery ends (the ACK covers the recovery point).
  virtual void on_recovery_end(const Path& p) = 0;
  // Retransmission timeout. p.flight_* count what is still in flight once the
  // lost segments are marked. `first` is false for a repeated timeout of the
  // same episode, which leaves ssthresh alone (Linux tcp_enter_loss).
  virtual void on_rto(const Path& p, bool first) = 0;
  // The reduction was spurious: restore the window (Linux undo_cwnd).
  virtual void undo() = 0;
  // The first send with nothing in flight (Linux CA_EVENT_TX_START).
  virtual void on_tx_start(Time /*now*/, Time /*last_send*/) {}
  // Sending after an idle period longer than the RTO (RFC 5681 §4.1).
  virtual void on_idle_restart(Time now, Time last_send, Duration rto) = 0;
};

// Linux's window bookkeeping, the part of struct tcp_sock every
// tcp_congestion_ops shares (segments).
struct LinuxWindow {
  std::uint32_t cwnd = kLinuxInitialWindow;  // snd_cwnd
  std::uint32_t cwnd_cnt = 0;                // snd_cwnd_cnt
  std::uint32_t ssthresh = kInfiniteSsthresh;
  std::uint32_t clamp = 0xffffffff;  // snd_cwnd_clamp
  std::uint32_t prior_cwnd = 0;      // cwnd when the reduction began
  std::uint32_t prior_ssthresh = 0;  // 0: nothing to undo

  // tcp_slow_start: grow by `acked` up to ssthresh; returns what is left.
  std::uint32_t slow_start(std::uint32_t acked);
  // tcp_cong_avoid_ai: one segment per `w` segments acknowledged.
  void cong_avoid_ai(std::uint32_t w, std::uint32_t acked);
  // tcp_current_ssthresh outside CWR/Recovery: max(ssthresh, 3/4 cwnd).
  std::uint32_t current_ssthresh() const;
  // tcp_init_cwnd_reduction (with tcp_enter_recovery's prior_ssthresh).
  void begin_reduction(std::uint32_t new_ssthresh);
  // tcp_end_cwnd_reduction: cwnd = ssthresh.
  void end_reduction();
  // tcp_enter_loss: cwnd = in flight + 1.
  void enter_loss(std::uint32_t new_ssthresh, std::uint32_t in_flight, bool first);
  // tcp_undo_cwnd_reduction with tcp_reno_undo_cwnd.
  void undo();
  // tcp_cwnd_restart: halve cwnd once per RTO idle, not below min(IW, cwnd).
  void restart(std::int64_t idle_jiffies, std::int64_t rto_jiffies);
};

}  // namespace tcpsim::model::cc
