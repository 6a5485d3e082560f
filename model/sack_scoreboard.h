// The sender's SACK scoreboard, pure: the segments sent from SND.UNA to
// SND.NXT, what the peer has selectively acknowledged, what is lost.
//
//   RFC 6675 §2   HighACK, HighData, HighRxt, RescueRxt, RecoveryPoint, DupAck
//   RFC 6675 §3   the scoreboard: SACK blocks recorded against sent data
//   RFC 6675 §4   Update(), IsLost() (DupThresh = 3 SACKed segments above,
//                 or more than (DupThresh - 1) * SMSS SACKed octets above),
//                 SetPipe(), NextSeg() rules (1)-(4)
//   RFC 6675 §5   entering recovery (DupAcks >= DupThresh or IsLost(HighACK)),
//                 RecoveryPoint = HighData, leaving it when it is acknowledged
//   RFC 2883 §4   D-SACK at the sender: the first block lies below the
//                 cumulative ACK, or inside the second block (Linux
//                 tcp_check_dsack(), net/ipv4/tcp_input.c)
//   RFC 3708 §2   a recovery whose every retransmission was D-SACKed was
//                 spurious (Linux: undo_retrans reaching 0)
//
// In segments, as the sender sent them (Linux's skbs, each at most one
// SMSS), not octets: a segment is SACKed when a block covers it whole, as
// Linux's tcp_match_skb_to_sack() rounds to whole MSSes. A cumulative ACK
// inside a segment trims it (tcp_trim_head()). Sequence numbers compare
// modulo 2^32 (model/seq.h). A FIN is a segment of length 1.
//
// HighData and HighRxt are kept one past their octet (SND.NXT-like), where
// RFC 6675 names the octet itself: "S2 > HighRxt" reads seq >= high_rxt().
//
// The counts a sender asks for on every segment it sends and every ACK
// (pipe, segments in flight, SACKed, lost, retransmissions out) are kept as
// the segments change, not recounted: a recount walks the whole window, which
// made a bulk transfer's cost grow with its window.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "model/reassembly.h"  // SackBlock
#include "model/seq.h"
#include "model/time.h"

namespace tcpsim::model {

struct SentSegment {
  Seq seq = 0;
  std::uint32_t len = 0;
  Time xmit_ts = 0;       // the latest (re)transmission
  int transmissions = 1;  // > 1: retransmitted (Karn; RACK's ambiguity check)
  bool sacked = false;
  bool lost = false;        // IsLost(), RACK or an RTO said so
  bool rexmit_out = false;  // a retransmission is in flight (Linux TCPCB_SACKED_RETRANS)
  Seq end() const { return seq + len; }
  bool retransmitted() const { return transmissions > 1; }
};

struct ScoreboardConfig {
  std::uint32_t smss = 1460;
  int dup_thresh = 3;  // RFC 6675 §2 DupThresh (Linux tp->reordering starts at 3)
  // RFC 6675 marks segments lost by IsLost() on every ACK; Linux with RACK
  // (tcp_recovery = 1) leaves marking to RACK (model/rack.h) and calls mark_lost().
  bool mark_lost_by_dupthresh = true;
};

// What one ACK taught the scoreboard (RFC 6675 §4 Update()).
struct AckResult {
  std::uint32_t acked_bytes = 0;   // newly cumulatively acknowledged octets
  std::uint32_t sacked_bytes = 0;  // newly SACKed octets
  // Segments newly delivered: SACKed by this ACK (sacked = true), then
  // cumulatively ACKed without an earlier SACK (sacked = false), each group
  // in sequence order: RACK's and the RTT estimator's input.
  std::vector<SentSegment> delivered;
  bool dup_ack = false;  // RFC 6675 §2: no cumulative progress, new data SACKed
  bool dsack = false;    // RFC 2883 §4: the first block reports a duplicate
  SackBlock dsack_block;
  int newly_lost = 0;              // segments IsLost() marked with this ACK
  bool recovery_ended = false;     // the ACK covered RecoveryPoint (RFC 6675 §5)
  bool spurious_recovery = false;  // RFC 3708: every retransmission D-SACKed
};

// NextSeg()'s answer (RFC 6675 §4).
struct NextSegment {
  enum class Rule { None, LostHole, NewData, UnsackedHole, Rescue };
  Rule rule = Rule::None;
  Seq seq = 0;
  std::uint32_t len = 0;  // the segment's length (NewData: 0, the caller sizes it)
};

class SackScoreboard {
 public:
  explicit SackScoreboard(Seq snd_una, const ScoreboardConfig& cfg = {});

  // A new segment at HighData (SND.NXT) went out. Returns false (and records
  // nothing) when `seq` is not HighData or `len` is 0.
  bool on_send(Seq seq, std::uint32_t len, Time now);
  // The segment starting at `seq` was sent again. A rescue retransmission
  // (NextSeg rule 4) sets RescueRxt and leaves HighRxt alone (RFC 6675 §4).
  bool on_retransmit(Seq seq, Time now, bool rescue = false);
  // RFC 6675 §4 Update(): the cumulative ACK and the SACK blocks of one ACK.
  AckResult on_ack(Seq ack, const std::vector<SackBlock>& blocks);
  // RACK (RFC 8985 §6.2) or a timeout declared the segment at `seq` lost; a
  // retransmission of it in flight is lost too (Linux tcp_mark_skb_lost()).
  bool mark_lost(Seq seq);
  // The retransmission timer fired: every unSACKed segment is lost, no
  // retransmission is in flight, recovery is over (Linux
  // tcp_timeout_mark_lost(); SACKed segments stay SACKed).
  void on_rto();

  // RFC 6675 §4 IsLost(SeqNum).
  bool is_lost(Seq seq) const;
  // RFC 6675 §4 SetPipe(): octets in flight.
  std::uint32_t pipe() const { return static_cast<std::uint32_t>(pipe_bytes_); }
  // The same in 64 bits, and in segments (Linux tcp_packets_in_flight():
  // packets_out - sacked_out - lost_out + retrans_out).
  std::uint64_t pipe_bytes() const { return pipe_bytes_; }
  std::uint32_t pipe_segments() const { return pipe_segments_; }
  // Segments SACKed (Linux sacked_out) and their octets.
  std::uint32_t sacked_segments() const { return sacked_segments_; }
  std::uint64_t sacked_octets() const { return sacked_octets_; }
  // UnSACKed segments marked lost (Linux lost_out), and those of them whose
  // retransmission is not in flight (NextSeg() rule 1's candidates).
  std::uint32_t lost_segments() const { return lost_segments_; }
  std::uint32_t lost_unretransmitted() const { return lost_unretransmitted_; }
  // UnSACKed segments with a retransmission in flight (Linux retrans_out).
  std::uint32_t retransmitted_out() const { return retransmitted_out_; }
  // RFC 6675 §4 NextSeg(); `new_data_ok`: unsent data exists and the peer's
  // window allows it (rule 2).
  NextSegment next_seg(bool new_data_ok) const;

  // RFC 6675 §5: the loss recovery episode.
  bool should_enter_recovery() const;
  void enter_recovery();
  bool in_recovery() const { return in_recovery_; }
  Seq recovery_point() const { return recovery_point_; }

  Seq high_ack() const { return high_ack_; }    // SND.UNA
  Seq high_data() const { return high_data_; }  // SND.NXT
  Seq high_rxt() const { return high_rxt_; }
  Seq high_sacked() const { return high_sacked_; }  // end of the highest SACKed segment
  int dup_acks() const { return dup_acks_; }
  int undo_retrans() const { return undo_retrans_; }
  const std::deque<SentSegment>& segments() const { return segs_; }
  const SentSegment* find(Seq seq) const;

 private:
  std::size_t index_of(Seq seq) const;  // the segment holding `seq`, or size()
  void split_at(Seq seq);               // a segment boundary at `seq`
  bool is_dsack(Seq ack, const std::vector<SackBlock>& blocks) const;
  void note_dsack(const SackBlock& b, AckResult& r);
  void cumulative_ack(Seq ack, AckResult& r);
  void apply_block(const SackBlock& b, AckResult& r);
  bool lost_given(int sacked_segs, std::uint64_t sacked_octets) const;
  int mark_lost_by_dupthresh();
  // Adds (sign 1) or takes away (sign -1) one segment's share of the counts;
  // every change to a segment is bracketed by the two.
  void count(const SentSegment& s, int sign);
  const SentSegment* first_lost_hole() const;

  ScoreboardConfig cfg_;
  std::deque<SentSegment> segs_;  // SND.UNA .. SND.NXT in sequence order
  Seq high_ack_;
  Seq high_data_;
  Seq high_rxt_;
  Seq high_sacked_;
  bool in_recovery_ = false;
  Seq recovery_point_ = 0;
  bool rescue_sent_ = false;
  Seq rescue_rxt_ = 0;
  int dup_acks_ = 0;
  int undo_retrans_ = 0;  // retransmissions of the episode not yet D-SACKed
  bool episode_retransmitted_ = false;

  std::uint64_t pipe_bytes_ = 0;
  std::uint32_t pipe_segments_ = 0;
  std::uint32_t sacked_segments_ = 0;
  std::uint64_t sacked_octets_ = 0;
  std::uint32_t lost_segments_ = 0;
  std::uint32_t lost_unretransmitted_ = 0;
  std::uint32_t retransmitted_out_ = 0;
  // No segment below this one is lost and unretransmitted: NextSeg() rule
  // 1 starts its search here (moved down by count(), up by the search).
  mutable Seq lost_hint_;
};

}  // namespace tcpsim::model
