// The bookkeeping half of the endpoint: everything RFC 9293 §3.10 does to the
// TCB and the outbox, with no notion of which state comes next. The state
// table (model/rfc9293_table.h) decides transitions and calls these steps from
// its guards and actions, as INET's TcpConnection does: work first, then a
// side-effect free choice of the next state.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "model/config.h"
#include "model/outbox.h"
#include "model/segment.h"
#include "model/state.h"
#include "model/tcb.h"
#include "model/time.h"

namespace tcpsim::model {

struct DataPath;  // model/data_path.h: made on a connection's first data
class DelayedAck;
struct AckDecision;

class Engine {
 public:
  explicit Engine(const Config& cfg);
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  // Every input sets these before any step runs.
  void begin(Outbox& out, Time now, State state) {
    out_ = &out;
    now_ = now;
    state_ = state;
  }
  void end() { out_ = nullptr; }
  bool has_out() const { return out_ != nullptr; }
  void set_state(State s) { state_ = s; }
  State state() const { return state_; }

  Config& config() { return cfg_; }
  const Config& config() const { return cfg_; }
  Tcb& tcb() { return tcb_; }
  const Tcb& tcb() const { return tcb_; }
  Outbox& out() { return *out_; }
  Time now() const { return now_; }

  // Trace records.
  void arm(TimerKind k, Duration after);
  void cancel(TimerKind k);
  void notify(AppEvent e);
  void note(std::string_view why);
  void state_change(State from, State to, RuleId rule);

  // Opening.
  void init_active(Seq iss);
  void init_passive(Seq iss);
  void take_syn(const Segment& seg);  // RFC 9293 §3.10.7.2/3: IRS, RCV.NXT, SND.WND, MSS
  void send_syn(bool retransmission);
  void send_syn_ack(bool retransmission);

  // Segments that answer another segment.
  void send_ack_now();
  void send_rst(Seq seq);                    // <SEQ=seq><CTL=RST>
  void send_rst_ack(Seq seq, Seq ack);       // <SEQ=seq><ACK=ack><CTL=RST,ACK>
  void rst_for_closed(const Segment& seg);   // RFC 9293 §3.10.7.1
  void rst_for_bad_ack(const Segment& seg);  // <SEQ=SEG.ACK><CTL=RST>
  void send_rst_abort();                     // §3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>

  // Sequence tests.
  bool acceptable(const Segment& seg) const;               // §3.10.7.4 first check
  bool ack_acceptable_syn_sent(const Segment& seg) const;  // SND.UNA < SEG.ACK =< SND.NXT
  bool ack_in_range(const Segment& seg) const;             // SND.UNA =< SEG.ACK =< SND.NXT
  bool acks_our_fin(Seq ack) const { return tcb_.fin_sent && seq_gt(ack, tcb_.fin_seq); }
  // The segment fills the gap before a FIN held out of order: the FIN is
  // processed with it (RFC 9293 §3.10.7.4 eighth step).
  bool completes_queued_fin(const Segment& seg) const;
  // The sender's data path (tests and traces): nullptr before any data.
  const DataPath* data_path() const { return dp_.get(); }

  // §3.10.7.4 fifth step (ACK), sixth-seventh (text), eighth (FIN).
  void process_ack(const Segment& seg);
  void process_text(const Segment& seg);
  void process_fin(const Segment& seg);
  void ack_received_data(bool fin);  // ACK now, or arm the delayed-ACK timer

  // Sending data and FIN as window and buffers allow, then any ACK still owed.
  void output();
  void queue_fin();

  // Timers.
  void retransmit_head();  // RFC 6298 §5.4: the earliest unacknowledged segment
  bool retries_exhausted() const;
  void backoff();  // RFC 6298 §5.5
  void restart_rexmt();
  void cancel_rexmt();  // the RTO or the loss probe, whichever is armed
  // The retransmission timer after new data or an ACK: the RTO, or under
  // Config::tail_loss_probe a loss probe first.
  void arm_rexmt_or_probe();
  void send_loss_probe();
  int segments_in_flight() const;
  void stop_all_timers();

  // Socket options (model/engine_data.cc): TCP_NODELAY and TCP_CORK; setting
  // TCP_NODELAY or clearing TCP_CORK pushes what they held (Linux
  // tcp_push_pending_frames()).
  void set_nagle(bool nodelay, bool cork);
  // The persist timer fired (Linux tcp_probe_timer()); false: give up.
  bool persist_timeout();
  // Linux tcp_oow_rate_limited(): may an ACK answer this out-of-window segment?
  bool oow_ack_allowed(const Segment& seg);
  // The application read `copied` bytes (the window was `window_before`):
  // a window update, or an ACK the read makes due (Linux tcp_cleanup_rbuf()).
  void ack_after_read(std::size_t copied, std::uint16_t window_before);
  // The delayed-ACK timer fired.
  void delayed_ack_fired();

  // Buffers.
  std::size_t send_space() const;
  std::uint16_t receive_window() const { return advertised_window(); }

 private:
  Segment& new_segment(std::uint8_t flags, Seq seq, bool retransmission);
  std::uint16_t advertised_window() const;
  void rtt_sample(Duration r);
  void send_range(Seq from, bool retransmission);
  void send_data_and_fin();  // one segment starting at `from`
  // Our SYN is not acknowledged yet: SND.UNA is still ISS, just before the
  // send buffer's first byte (wraparound-safe, unlike SND.UNA == ISS).
  bool syn_unacked() const { return seq_lt(tcb_.snd_una, tcb_.snd_buf_seq); }
  Seq data_end() const { return tcb_.snd_buf_seq + static_cast<Seq>(tcb_.send_buffer.size()); }

  // The data path (model/engine_data.cc): reassembly, scoreboard, cwnd.
  DataPath& dp();
  bool has_scoreboard() const;
  void start_sender();
  std::uint32_t smss() const;
  bool text_to_queue(const Segment& seg);  // false: the old in-order path applies
  void attach_sack(Segment& seg);
  void record_send(Seq seq, std::uint32_t len);
  Time xmit_stamp();
  void retransmit_seq(Seq seq, bool rescue = false);
  bool retransmit_first_lost();
  bool send_within_cwnd();
  bool cwnd_allows();
  void on_ack_data(const Segment& seg, Seq prior_una, bool dup_candidate);
  void ack_in_recovery(const Segment& seg, bool forward, bool dup, std::uint32_t delivered_segs,
                       std::uint64_t delivered_bytes, int newly_lost);
  void enter_recovery();
  bool enter_loss();  // an RTO with data in flight; false: nothing to resend
  bool hole_known() const;
  bool send_probe_with_scoreboard();
  Duration rto_from_estimate() const;
  // Nagle (RFC 9293 §3.7.4, Linux tcp_nagle_test()) and the persist timer.
  bool nagle_holds(Seq from, std::uint32_t len);
  bool fits_window(Seq from, std::uint32_t len) const;
  void persist_check();   // Linux tcp_check_probe_timer()
  void persist_on_ack();  // Linux tcp_ack_probe()
  void write_wakeup();    // Linux tcp_write_wakeup()
  // Linux's ACK policy (model/delayed_ack.h), under Config::ack_policy_linux.
  DelayedAck& ack_policy();
  void linux_ack_data(const Segment& seg, bool filled_hole, bool duplicate);
  bool linux_ack_fin();  // true: ACK at once
  void run_ack_decision();
  void apply_ack_decision(const AckDecision& a);

  Config cfg_;
  Tcb tcb_;
  std::unique_ptr<DataPath> dp_;
  Outbox* out_ = nullptr;
  Time now_ = 0;
  State state_ = State::Closed;
};

}  // namespace tcpsim::model
