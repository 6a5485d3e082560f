// When a receiver acknowledges: at once, by a delayed-ACK timer, or not yet.
// Linux's policy, which RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3 and RFC 5681
// §4.2 allow (delay < 0.5 s, an ACK for at least every second full-sized
// segment, an immediate ACK for out-of-order data and for data filling a hole).
//
// Linux (net/ipv4/tcp_input.c, tcp_output.c, tcp_timer.c, inet_connection_sock):
//   tcp_event_data_recv  in-order data: the first starts quick-ACK mode
//       (icsk_ack.quick = min(rcv_wnd / (2 rcv_mss), 16)) and sets
//       ato = TCP_ATO_MIN (HZ/25 jiffies, 40 ms); later arrivals adapt ato to
//       the inter-arrival time; an arrival after more than an RTO of silence
//       starts quick-ACK mode again
//   tcp_measure_rcv_mss  rcv_mss follows full-sized segments; a short one
//       marks ICSK_ACK_PUSHED (twice: PUSHED2)
//   __tcp_ack_snd_check  ACK now if more than rcv_mss is unacknowledged and
//       the window would not shrink, in quick-ACK mode (quick > 0 and not
//       interactive), or when ICSK_ACK_NOW is set (a hole filled); with an
//       out-of-order queue: at once (no SACK), the first 3 per rcv_nxt at
//       once, then SACK compression (a timer of min(1 ms, RTT/20), at most
//       44 compressed); otherwise tcp_send_delayed_ack
//   tcp_send_delayed_ack the timer: ato, bounded by HZ/2 (TCP_DELACK_MAX
//       200 ms when interactive or pushed) and the RTT, at most
//       icsk_delack_max; an earlier armed timer wins; a timer due within
//       ato/4 means "send now"
//   tcp_event_data_sent  data sent within ato of the last arrival makes the
//       connection interactive ("pingpong", TCP_PINGPONG_THRESH 1)
//   tcp_fin              a FIN in ESTABLISHED enters pingpong: its ACK is
//       delayed; with no data ever received ato is 0, so the timer fires on
//       the next tick
//   tcp_delack_timer_handler  a fired timer leaves pingpong (ato = min) or,
//       not interactive, doubles ato (at most the RTO)
//   tcp_cleanup_rbuf     after the application reads
//   tcp_event_ack_sent   any segment carrying the ACK: one quick ACK used,
//       timer cancelled
// Timers count in jiffies of 1/hz s (hz a profile value) and fire on ticks.
#pragma once

#include <cstdint>

#include "model/seq.h"
#include "model/time.h"

namespace tcpsim::model {

struct AckPolicyParams {
  int hz = 250;
  Duration ato_min = 40 * kMillisecond;      // TCP_ATO_MIN = TCP_DELACK_MIN = HZ/25
  Duration delack_max = 200 * kMillisecond;  // TCP_DELACK_MAX, icsk_delack_max
  std::uint32_t max_quickacks = 16;          // TCP_MAX_QUICKACKS
  std::uint32_t pingpong_thresh = 1;         // TCP_PINGPONG_THRESH
  bool sack = true;
  std::uint32_t comp_sack_nr = 44;              // net.ipv4.tcp_comp_sack_nr
  Duration comp_sack_delay = 1 * kMillisecond;  // net.ipv4.tcp_comp_sack_delay_ns
  std::uint32_t advmss = 1460;
  std::uint32_t tcp_header_len = 20;  // 32 with timestamps
};

// tcp_initialize_rcv_mss: the receiver's first guess of the peer's MSS.
std::uint32_t initial_rcv_mss(std::uint32_t advmss, std::uint32_t mss_cache, std::uint32_t rcv_wnd);

struct AckDecision {
  enum class Kind { None, Now, Delayed, CompressedSack };
  Kind kind = Kind::None;
  Time at = 0;  // Delayed, CompressedSack: when that timer fires
  bool operator==(const AckDecision& o) const { return kind == o.kind && at == o.at; }
};

// A data segment as tcp_measure_rcv_mss sees it.
struct ArrivedData {
  std::uint32_t len = 0;          // payload bytes
  std::uint32_t header_len = 20;  // TCP header with options
  bool remnant = false;           // PSH, FIN, URG or SYN set (TCP_REMNANT)
};

// What __tcp_ack_snd_check reads from the receiver.
struct ReceiverView {
  std::uint32_t unacked = 0;  // rcv_nxt - rcv_wup: received since the last ACK
  bool window_ok = true;      // __tcp_select_window() >= rcv_wnd, or below SO_RCVLOWAT
  bool ofo_queue = false;     // out-of-order queue not empty
  Seq rcv_nxt = 0;
  Duration srtt = 0;     // 0: no estimate yet
  Duration rcv_rtt = 0;  // receiver-side RTT estimate, 0: none
};

class DelayedAck {
 public:
  explicit DelayedAck(const AckPolicyParams& p = {}, std::uint32_t rcv_mss = 536);

  // -- what arrived (in tcp_data_queue's order), then decide() --
  void on_data(Time now, const ArrivedData& seg, std::uint32_t rcv_wnd, Duration rto);
  void on_out_of_order() { scheduled_ = true; }
  void on_hole_filled() { ack_now_ = true; }
  // Old data, data beyond the window: tcp_enter_quickack_mode, ACK at once.
  void on_unacceptable_data(std::uint32_t rcv_wnd);
  // A FIN: true when it must be ACKed at once (FIN-WAIT-1/2); in ESTABLISHED
  // it makes the connection interactive and its ACK is delayed.
  bool on_fin(bool established);

  AckDecision decide(Time now, const ReceiverView& v);

  // -- what left --
  void on_ack_sent();           // any segment that ACKs rcv_nxt
  void on_data_sent(Time now);  // a data segment

  // -- timers and reads --
  AckDecision on_timer(Time now, Duration rto);
  AckDecision on_compressed_timer();
  // tcp_cleanup_rbuf: `copied` bytes read; `rmem_empty` nothing left queued;
  // `window_raised` the window can now be at least doubled.
  AckDecision on_read(std::uint32_t copied, bool rmem_empty, bool window_raised, const ReceiverView& v);

  bool scheduled() const { return scheduled_; }
  bool pingpong() const { return pingpong_ >= prm_.pingpong_thresh; }
  bool in_quickack_mode() const { return quick_ > 0 && !pingpong(); }
  std::uint32_t quick() const { return quick_; }
  std::int64_t ato_jiffies() const { return ato_; }
  std::uint32_t rcv_mss() const { return rcv_mss_; }

 private:
  std::int64_t jiffies(Time t) const;
  std::int64_t ato_min() const;
  void measure_rcv_mss(const ArrivedData& seg);
  void incr_quickack(std::uint32_t rcv_wnd);
  void enter_quickack_mode(std::uint32_t rcv_wnd);
  AckDecision send_delayed(Time now, Duration srtt);
  AckDecision compress(Time now, const ReceiverView& v);

  AckPolicyParams prm_;
  std::uint32_t rcv_mss_;
  std::uint32_t last_seg_size_ = 0;
  std::uint32_t quick_ = 0;
  std::uint32_t pingpong_ = 0;
  std::int64_t ato_ = 0;       // jiffies; 0 until the first data
  std::int64_t lrcvtime_ = 0;  // jiffies
  bool scheduled_ = false;     // ICSK_ACK_SCHED
  bool timer_ = false;         // ICSK_ACK_TIMER
  bool pushed_ = false;        // ICSK_ACK_PUSHED
  bool pushed2_ = false;       // ICSK_ACK_PUSHED2
  bool ack_now_ = false;       // ICSK_ACK_NOW
  std::int64_t timeout_ = 0;   // jiffies
  std::uint32_t compressed_ = 0;
  bool comp_timer_ = false;
  Seq compressed_rcv_nxt_ = 0;
  std::uint32_t dup_ack_counter_ = 0;
};

}  // namespace tcpsim::model
