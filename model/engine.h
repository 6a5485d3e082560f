// The endpoint's protocol work: everything RFC 9293 §3.10 does to the TCB and
// the outbox. An arriving segment is first sorted, with no side effect, into
// an event (model/classify.h); user calls and timeouts are events as they
// are. The state table (model/rfc9293_table.h) picks the row for the event in
// the current state, and the row's steps, each a call of one method below
// (`Call<&Engine::step>`, open to the table's types only), do the work;
// entering or leaving a state runs enter()/leave() here. The table decides
// which state comes next; the engine never does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "model/config.h"
#include "model/outbox.h"
#include "model/segment.h"
#include "model/state.h"
#include "model/tcb.h"
#include "model/time.h"

namespace tcpsim::model {

struct DataPath;          // model/data_path.h: made on a connection's first data
struct KeepaliveOptions;  // model/keepalive.h
class DelayedAck;
struct AckDecision;

namespace fsm {  // model/rfc9293_table.h: the only callers of the rows' steps
struct Rfc9293;
template <class Rule, class... Steps>
struct Do;
template <State S>
struct St;
}  // namespace fsm

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
  State state() const { return state_; }
  // Puts the engine in `state` with this TCB, as Endpoint::restore does.
  void restore(State state, const Tcb& tcb) {
    state_ = state;
    tcb_ = tcb;
  }

  Config& config() { return cfg_; }
  const Config& config() const { return cfg_; }
  Tcb& tcb() { return tcb_; }
  const Tcb& tcb() const { return tcb_; }
  const DataPath* data_path() const { return dp_.get(); }

  void note(std::string_view why);

  // ---- What classify (model/classify.h) asks: sequence tests.
  bool acceptable(const Segment& seg) const;               // §3.10.7.4 first check
  bool ack_acceptable_syn_sent(const Segment& seg) const;  // SND.UNA < SEG.ACK =< SND.NXT
  bool ack_in_range(const Segment& seg) const;             // SND.UNA =< SEG.ACK =< SND.NXT
  bool acks_our_fin(Seq ack) const { return tcb_.fin_sent && seq_gt(ack, tcb_.fin_seq); }
  // The segment fills the gap before a FIN held out of order: the FIN is
  // processed with it (RFC 9293 §3.10.7.4 eighth step).
  bool completes_queued_fin(const Segment& seg) const;
  std::uint16_t receive_window() const { return advertised_window(); }
  // RCV.WND as the acceptability test uses it: the advertised window, or
  // under Config::rcv_wnd_from_buffer the free receive buffer (FreeBSD).
  std::uint32_t check_window() const;

  // ---- What the endpoint's other inputs do (model/endpoint.cc).
  // Classify's table-free answers: note why, then send what they send.
  void resend_syn_ack(std::string_view why);         // Linux: a retransmitted SYN in SYN-RECEIVED
  void ack_and_drop(std::string_view why);           // an RFC 5961 challenge ACK
  void limited_challenge_ack(std::string_view why);  // RFC 5961 §5.2's, rate-limited (engine_data.cc)
  // An out-of-window segment: an ACK answers it unless Linux's
  // tcp_oow_rate_limited() holds it back (Config::invalid_ratelimit).
  void ack_unacceptable(const Segment& seg, std::string_view why);
  // The retransmission, loss-probe or delayed-ACK timer expired; true when
  // the retries are exhausted (the table's GiveUp rows take it from there).
  bool rexmt_or_delack_timeout(TimerKind kind);
  // The persist timer fired (Linux tcp_probe_timer()); false: give up.
  bool persist_timeout();
  // Keepalive (model/keepalive.h, model/engine_keepalive.cc): SO_KEEPALIVE
  // and TCP_KEEPIDLE/INTVL/CNT; the timer fired (false: the RST is sent,
  // give up); a segment was heard (Linux tcp_ack's rcv_tstamp).
  void set_keepalive(const KeepaliveOptions& o);
  bool keepalive_timeout();
  void keepalive_heard();
  // RECEIVE: moves up to `max` bytes into `into`, with a window update when
  // the window reopens (RFC 9293 §3.8.6.2.2), or an ACK the read makes due
  // (Linux tcp_cleanup_rbuf()).
  void deliver(std::size_t max, std::string& into);
  // Socket options (model/engine_data.cc): TCP_NODELAY and TCP_CORK; setting
  // TCP_NODELAY or clearing TCP_CORK pushes what they held (Linux
  // tcp_push_pending_frames()).
  void set_nagle(bool nodelay, bool cork);
  // The application let go: reading is shut, an orphan's FIN-WAIT-2 is bounded.
  void orphan();
  // Sending data and FIN as window and buffers allow, then any ACK still owed.
  void output();
  std::size_t send_space() const;

 private:
  // ---- What the state table calls (model/engine_rows.cc): row bookkeeping,
  // then the rows' steps. Only the table's types may: they are its friends.
  friend struct fsm::Rfc9293;
  template <class Rule, class... Steps>
  friend struct fsm::Do;
  template <State S>
  friend struct fsm::St;

  // A row fired (a state change or a Row note). The row passes its rule's
  // name as a constant: most segments in ESTABLISHED record a note, and
  // looking the name up by id (an out-of-line call into the table) was 6 %
  // of a duplicate ACK's instructions (callgrind, bench/model_bench.cc).
  void fired(State from, State to, RuleId rule, std::string_view name);
  void ignored(std::string_view event);  // no row takes this event here
  void enter(State s);                   // entering s: its timers, what the application hears
  void leave(State s);                   // leaving s: the timers that belong to it alone
  void notify(AppEvent e);

  // Opening.
  void init_active(Seq iss);
  void init_passive(Seq iss);
  // RFC 9293 §3.10.1/§3.10.2: an active OPEN or a SEND turns a LISTEN
  // connection active, with this ISS (a SEND keeps the one it has).
  void become_active(Seq iss);
  void send_syn(bool retransmission);
  void answer_syn(const Segment& seg);            // §3.10.7.2/3: take the SYN, send SYN,ACK
  void complete_active_open(const Segment& seg);  // §3.10.7.3: SYN,ACK taken, ACK it
  void handshake_complete();                      // ActionKind::HandshakeComplete

  // Segments in a synchronized state (§3.10.7.4).
  void ack_and_text(const Segment& seg, bool ack_now);  // fifth step, then the text
  void ack_text_fin(const Segment& seg);                // fifth, seventh and eighth steps
  void reack_fin(const Segment& seg);                   // a retransmitted FIN: its ACK, answered at once
  void time_wait_ack(const Segment& seg);
  void restart_time_wait();
  void reopened_by_new_syn();  // §3.6.1 MAY-2: ActionKind::TimeWaitReopened
  void queue_fin();

  // Resets.
  void rst_for_closed(const Segment& seg);   // RFC 9293 §3.10.7.1 (and data after close)
  void rst_for_bad_ack(const Segment& seg);  // <SEQ=SEG.ACK><CTL=RST>
  void send_rst_abort();                     // §3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>

  // ---- The engine's own bookkeeping.
  bool has_out() const { return out_ != nullptr; }
  void set_state(State s) { state_ = s; }
  void arm(TimerKind k, Duration after);
  void cancel(TimerKind k);
  void state_change(State from, State to, RuleId rule);

  void take_syn(const Segment& seg);  // RFC 9293 §3.10.7.2/3: IRS, RCV.NXT, SND.WND, MSS
  void send_syn_ack(bool retransmission);
  void send_ack_now();
  void send_rst(Seq seq);               // <SEQ=seq><CTL=RST>
  void send_rst_ack(Seq seq, Seq ack);  // <SEQ=seq><ACK=ack><CTL=RST,ACK>

  // §3.10.7.4 fifth step (ACK), sixth-seventh (text), eighth (FIN).
  void process_ack(const Segment& seg);
  void process_text(const Segment& seg);
  void process_fin(const Segment& seg);
  void ack_received_data(bool fin);  // ACK now, or arm the delayed-ACK timer
  // Linux tcp_oow_rate_limited(): may an ACK answer this out-of-window segment?
  bool oow_ack_allowed(const Segment& seg);
  bool oow_rate_limited();  // Linux __tcp_oow_rate_limited: true when an ACK went out too recently
  // The application read `copied` bytes (the window was `window_before`):
  // a window update, or an ACK the read makes due (Linux tcp_cleanup_rbuf()).
  void ack_after_read(std::size_t copied, std::uint16_t window_before);
  void delayed_ack_fired();

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

  Segment& new_segment(std::uint8_t flags, Seq seq, bool retransmission);
  std::uint16_t advertised_window() const;
  std::uint32_t rcv_buffer_free() const;  // the receive buffer (rounded, FreeBSD) less what it holds
  bool in_syncache() const;
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
  // Why the retransmission being made now is made: `cause_` while a timer,
  // a probe or recovery's entry sends, else what the sender's state says.
  LossReason retransmit_cause() const;
  void stamp_window(Action& a) const;  // the trace's cwnd and ssthresh
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
  LossReason cause_ = LossReason::None;
};

}  // namespace tcpsim::model
