// RACK-TLP loss detection, pure, as Linux runs it (net/ipv4/tcp_recovery.c,
// tcp_schedule_loss_probe()/tcp_send_loss_probe() in tcp_output.c,
// tcp_process_tlp_ack() in tcp_input.c).
//
//   RFC 8985 §6.2  RACK: on each ACK, RACK.xmit_ts/end_seq/rtt from the most
//                  recently sent segment delivered (step 2; an ambiguous
//                  retransmission is skipped), reordering detection (step 3),
//                  the reordering window min_RTT/4 * reo_wnd_mult capped by
//                  SRTT, 0 with no reordering seen in recovery or once
//                  DupThresh segments are SACKed (step 4), grown once per
//                  round by D-SACK and kept for 16 recoveries; a segment sent
//                  before RACK.xmit_ts is lost once RACK.rtt + reo_wnd has
//                  passed since it was sent (step 5), else a timer for it
//   RFC 8985 §7    TLP: PTO = 2 SRTT (+ the delayed-ACK allowance when one
//                  segment is out), never after the RTO; no probe in
//                  recovery; the probe is new data, else the last segment;
//                  the ACK of the probe (or a D-SACK of it) tells whether a
//                  loss was repaired (§7.4)
//
// What Linux does differently from the RFC's pseudocode, and this follows:
//   - the reordering timer waits for the LAST remaining segment (Linux's
//     "Record maximum wait time"), where RFC 8985 §6.2 step 5 says min; both
//     are returned, the profile picks;
//   - timers get a 2 ms slack (TCP_TIMEOUT_MIN_US) and are rounded up to
//     jiffies; the PTO adds 2 ms when more than one segment is out, and the
//     route's rto_min (200 ms), not RFC 8985's WCDelAckT, when one is;
//   - a D-SACK round is counted from SND.NXT as in RFC 8985 §6.2 (Linux
//     counts delivered packets; the effect, one step per round trip, is the same).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "model/reassembly.h"  // SackBlock
#include "model/sack_scoreboard.h"
#include "model/seq.h"
#include "model/time.h"

namespace tcpsim::model {

struct RackConfig {
  int dup_thresh = 3;                       // Linux tp->reordering's initial value
  int recovery_thresh = 16;                 // TCP_RACK_RECOVERY_THRESH: recoveries a grown window persists
  bool static_reo_wnd = false;              // net.ipv4.tcp_recovery & TCP_RACK_STATIC_REO_WND
  bool no_dupthresh = false;                // net.ipv4.tcp_recovery & TCP_RACK_NO_DUPTHRESH
  Duration timer_slack = 2 * kMillisecond;  // TCP_TIMEOUT_MIN_US (RFC 8985: 0)
  Duration jiffy = 0;                       // timers round up to this (4 ms at HZ=250); 0 = exact
  bool wait_for_last = true;                // Linux: the timer for the latest segment (RFC: the earliest)
};

// RFC 8985 §6.2 step 5's outcome.
struct RackLoss {
  std::vector<Seq> lost;  // segments to mark lost, in sequence order
  Duration wait_min = 0;  // the earliest remaining deadline (0: none)
  Duration wait_max = 0;  // the latest (Linux's reo_timeout)
  Duration timer = 0;     // the reordering timer to arm (0: none), slack and jiffies applied
};

class Rack {
 public:
  explicit Rack(const RackConfig& cfg = {}) : cfg_(cfg) {}

  // Steps 2, 3 and 4's D-SACK part, for one ACK: its newly delivered
  // segments (the scoreboard's AckResult, in its order) and D-SACK.
  // `min_rtt`: the RTT estimator's windowed minimum. `ts_echo`: the send
  // time of the transmission the ACK's TSecr echoes, when timestamps are
  // on: a retransmitted segment sent after it was not what this ACK
  // acknowledges (RFC 8985 §6.2 step 2, Linux tcp_skb_spurious_retrans()).
  // SND.UNA/SND.NXT after the ACK time the D-SACK rounds.
  void on_ack(const AckResult& ack, Time now, Duration min_rtt, Seq snd_una, Seq snd_nxt,
              std::optional<Time> ts_echo = std::nullopt);
  // A recovery ended: without an undo it uses up one of the 16 recoveries a
  // widened window persists (Linux tcp_try_undo_recovery()); a D-SACK undo
  // gives one back (tcp_try_undo_dsack()).
  void on_recovery_end(bool undone);
  // Step 4: RACK.reo_wnd.
  Duration reo_wnd(Duration min_rtt, Duration srtt, bool in_recovery, int sacked_segments) const;
  // Step 5 over the scoreboard's segments: what is lost now, and when to look again.
  RackLoss detect_loss(const std::deque<SentSegment>& segs, Time now, Duration reo_wnd) const;

  bool advanced() const { return advanced_; }  // new state since the last detect_loss
  void clear_advanced() { advanced_ = false; }
  Time xmit_ts() const { return xmit_ts_; }
  Seq end_seq() const { return end_seq_; }
  Duration rtt() const { return rtt_; }
  bool reordering_seen() const { return reord_; }
  int reo_wnd_mult() const { return mult_; }
  int reo_wnd_persist() const { return persist_; }

 private:
  void on_delivered(const SentSegment& s, Time now, Duration min_rtt, std::optional<Time> ts_echo);
  void update_reo_wnd(bool dsack, Seq snd_una, Seq snd_nxt);
  Duration round_timer(Duration d) const;

  RackConfig cfg_;
  bool has_state_ = false;
  Time xmit_ts_ = 0;
  Seq end_seq_ = 0;
  Duration rtt_ = 0;
  bool advanced_ = false;
  bool has_fack_ = false;
  Seq fack_ = 0;  // the highest end_seq delivered (RACK.fack)
  bool reord_ = false;
  int mult_ = 1;
  int persist_ = 0;
  std::optional<Seq> dsack_round_;
};

// --------------------------------------------------------------- TLP

struct TlpConfig {
  // Added to 2 SRTT when one segment is in flight (its ACK may be delayed):
  // Linux tcp_rto_min_us() (200 ms); RFC 8985 §7.2 WCDelAckT (200 ms).
  Duration delayed_ack_allowance = 200 * kMillisecond;
  // Added otherwise: Linux TCP_TIMEOUT_MIN_US (2 ms); RFC 8985: 0.
  Duration slack = 2 * kMillisecond;
  Duration no_srtt = 1 * kSecond;  // no RTT sample yet: TCP_TIMEOUT_INIT, RFC 8985 §7.2's 1 s
  Duration jiffy = 0;              // the PTO rounds up to this; 0 = exact
};

// RFC 8985 §7.2 / tcp_schedule_loss_probe(): whether to arm a probe at all.
// Linux: SACK negotiated, something in flight, not in recovery or loss
// (ca_state Open or CWR), no probe already out (tcp_send_loss_probe()).
bool tlp_allowed(bool sack, int packets_out, bool in_recovery_or_loss, bool probe_outstanding);

// RFC 8985 §7.2 / tcp_schedule_loss_probe(): the probe timeout.
// `rto_remaining`: how far away the RTO would fire (Linux tcp_rto_delta_us(),
// or the RTO itself when it is being restarted); the PTO never exceeds it.
Duration tlp_pto(const TlpConfig& cfg, bool has_srtt, Duration srtt, int packets_out, Duration rto_remaining);

// RFC 8985 §7.3 / tcp_send_loss_probe(): what the probe sends.
enum class TlpProbe { NewData, LastSegment, Nothing };
TlpProbe tlp_choose_probe(bool new_data_fits_window, bool data_outstanding);

// RFC 8985 §7.4 / tcp_process_tlp_ack(): detecting a loss the probe repaired.
class TailLossProbe {
 public:
  enum class Outcome {
    Pending,       // no probe out, or the ACK is below its end
    Delivered,     // the probe was new data and it arrived: nothing learnt
    NoLoss,        // the probe and the original both arrived (D-SACK, or a pure dup ACK)
    LossRepaired,  // the probe repaired a loss: reduce cwnd (Linux: CWR, TCPLossProbeRecovery)
  };
  // A probe went out; `snd_nxt` after it (TLP.end_seq, Linux tlp_high_seq).
  void on_probe_sent(Seq snd_nxt, bool retransmission);
  // An ACK: `dsack` its D-SACK block if any; `pure_dup`: it acknowledges
  // nothing new, carries no data, no window change and SACKs nothing new.
  Outcome on_ack(Seq ack, const std::optional<SackBlock>& dsack, bool pure_dup);
  // An RTO or a new recovery forgets the probe.
  void reset() { end_seq_.reset(); }
  bool outstanding() const { return end_seq_.has_value(); }
  std::optional<Seq> end_seq() const { return end_seq_; }

 private:
  std::optional<Seq> end_seq_;
  bool retrans_ = false;
};

}  // namespace tcpsim::model
