#include "model/sack_scoreboard.h"

#include <algorithm>

namespace tcpsim::model {

SackScoreboard::SackScoreboard(Seq snd_una, const ScoreboardConfig& cfg)
    : cfg_(cfg),
      high_ack_(snd_una),
      high_data_(snd_una),
      high_rxt_(snd_una),
      high_sacked_(snd_una),
      lost_hint_(snd_una) {}

// RFC 6675 §3-4 per segment: a SACKed segment is neither in the pipe nor
// lost; an unSACKed one is in the pipe once unless lost, and once more while
// a retransmission of it is out (SetPipe() (a) and (b)).
void SackScoreboard::count(const SentSegment& s, int sign) {
  // Unsigned counters: adding the two's complement subtracts.
  const auto by = [sign](auto n) { return sign > 0 ? n : 0 - n; };
  if (s.sacked) {
    sacked_segments_ += by(1u);
    sacked_octets_ += by(std::uint64_t{s.len});
    return;
  }
  const std::uint32_t copies = (s.lost ? 0u : 1u) + (s.rexmit_out ? 1u : 0u);
  pipe_segments_ += by(copies);
  pipe_bytes_ += by(std::uint64_t{s.len} * copies);
  if (s.lost) lost_segments_ += by(1u);
  if (s.rexmit_out) retransmitted_out_ += by(1u);
  if (s.lost && !s.rexmit_out) {
    lost_unretransmitted_ += by(1u);
    if (sign > 0 && seq_lt(s.seq, lost_hint_)) lost_hint_ = s.seq;
  }
}

// ------------------------------------------------------------ bookkeeping

std::size_t SackScoreboard::index_of(Seq seq) const {
  // Segments are in order from HighACK on: compare offsets from it, which
  // holds across wraparound.
  const std::uint32_t off = seq - high_ack_;
  const auto it = std::partition_point(segs_.begin(), segs_.end(),
                                       [&](const SentSegment& s) { return s.end() - high_ack_ <= off; });
  if (it == segs_.end() || seq_lt(seq, it->seq)) return segs_.size();
  return static_cast<std::size_t>(it - segs_.begin());
}

const SentSegment* SackScoreboard::find(Seq seq) const {
  const std::size_t i = index_of(seq);
  return i < segs_.size() ? &segs_[i] : nullptr;
}

void SackScoreboard::split_at(Seq seq) {
  const std::size_t i = index_of(seq);
  if (i >= segs_.size() || segs_[i].seq == seq) return;
  count(segs_[i], -1);
  SentSegment tail = segs_[i];
  tail.seq = seq;
  tail.len = segs_[i].end() - seq;
  segs_[i].len = seq - segs_[i].seq;
  count(segs_[i], 1);
  count(tail, 1);
  segs_.insert(segs_.begin() + static_cast<std::ptrdiff_t>(i) + 1, tail);
}

bool SackScoreboard::on_send(Seq seq, std::uint32_t len, Time now) {
  if (seq != high_data_ || len == 0) return false;
  SentSegment s;
  s.seq = seq;
  s.len = len;
  s.xmit_ts = now;
  segs_.push_back(s);
  count(s, 1);
  high_data_ = seq + len;
  return true;
}

bool SackScoreboard::on_retransmit(Seq seq, Time now, bool rescue) {
  split_at(seq);
  const std::size_t i = index_of(seq);
  if (i >= segs_.size()) return false;
  SentSegment& s = segs_[i];
  count(s, -1);
  s.xmit_ts = now;
  ++s.transmissions;
  s.rexmit_out = true;
  count(s, 1);
  if (rescue) {
    rescue_sent_ = true;            // RFC 6675 §4 rule (4): RescueRxt = RecoveryPoint,
    rescue_rxt_ = recovery_point_;  // HighRxt untouched
  } else if (seq_gt(s.end(), high_rxt_)) {
    high_rxt_ = s.end();
  }
  ++undo_retrans_;
  episode_retransmitted_ = true;
  return true;
}

bool SackScoreboard::mark_lost(Seq seq) {
  const std::size_t i = index_of(seq);
  if (i >= segs_.size() || segs_[i].sacked) return false;
  SentSegment& s = segs_[i];
  const bool newly = !s.lost || s.rexmit_out;
  count(s, -1);
  s.lost = true;
  s.rexmit_out = false;
  count(s, 1);
  return newly;
}

void SackScoreboard::on_rto() {
  for (SentSegment& s : segs_) {
    if (s.sacked) continue;
    count(s, -1);
    s.lost = true;
    s.rexmit_out = false;
    count(s, 1);
  }
  in_recovery_ = false;
  high_rxt_ = high_ack_;
  rescue_sent_ = false;
  dup_acks_ = 0;
  undo_retrans_ = 0;
  episode_retransmitted_ = false;
}

// ------------------------------------------------------------ Update()

// RFC 2883 §4 / Linux tcp_check_dsack(): the first block is a D-SACK when
// it starts below the cumulative ACK, or lies inside the second block.
bool SackScoreboard::is_dsack(Seq ack, const std::vector<SackBlock>& blocks) const {
  if (blocks.empty()) return false;
  const SackBlock& b0 = blocks[0];
  if (seq_lt(b0.left, ack)) return true;
  return blocks.size() > 1 && seq_le(b0.right, blocks[1].right) && seq_ge(b0.left, blocks[1].left);
}

// RFC 3708 §2 as Linux counts it (tcp_dsack_seen(): undo_retrans minus the
// D-SACKed segments): when every retransmission of the episode has been
// reported as a duplicate, none was needed.
void SackScoreboard::note_dsack(const SackBlock& b, AckResult& r) {
  r.dsack = true;
  r.dsack_block = b;
  const std::uint32_t octets = b.right - b.left;
  const int segs = static_cast<int>(std::max<std::uint32_t>(1, (octets + cfg_.smss - 1) / cfg_.smss));
  if (undo_retrans_ <= 0) return;
  undo_retrans_ -= std::min(segs, undo_retrans_);
  if (undo_retrans_ == 0 && episode_retransmitted_) r.spurious_recovery = true;
}

void SackScoreboard::cumulative_ack(Seq ack, AckResult& r) {
  r.acked_bytes = ack - high_ack_;
  while (!segs_.empty() && seq_le(segs_.front().end(), ack)) {
    if (!segs_.front().sacked) r.delivered.push_back(segs_.front());
    count(segs_.front(), -1);
    segs_.pop_front();
  }
  if (!segs_.empty() && seq_lt(segs_.front().seq, ack)) {  // a partial ACK inside a segment
    count(segs_.front(), -1);
    segs_.front().len -= ack - segs_.front().seq;
    segs_.front().seq = ack;
    count(segs_.front(), 1);
  }
  high_ack_ = ack;
  if (seq_lt(lost_hint_, ack)) lost_hint_ = ack;  // kept inside the window, so compared mod 2^32 safely
  if (seq_lt(high_rxt_, ack)) high_rxt_ = ack;
  if (seq_lt(high_sacked_, ack)) high_sacked_ = ack;
}

// Marks the segments a block covers whole as SACKed; they are no longer
// lost nor in flight (Linux tcp_sacktag_one()). Like Linux
// (tcp_match_skb_to_sack() SACKs whole MSSes only), a segment the block
// covers in part is not SACKed: a one-octet SACK of a segment's last octet
// says nothing (packetdrill fr-4pkt-fack-last-byte.pkt). A block reaching
// past SND.NXT is refused (tcp_is_sackblock_valid()); one starting below
// SND.UNA counts from it.
void SackScoreboard::apply_block(const SackBlock& b, AckResult& r) {
  const Seq left = seq_lt(b.left, high_ack_) ? high_ack_ : b.left;
  if (seq_gt(b.right, high_data_) || seq_le(b.right, left)) return;
  for (std::size_t i = index_of(left); i < segs_.size() && seq_le(segs_[i].end(), b.right); ++i) {
    SentSegment& s = segs_[i];
    if (s.sacked || seq_lt(s.seq, left)) continue;
    count(s, -1);
    s.sacked = true;
    s.lost = false;
    s.rexmit_out = false;
    count(s, 1);
    r.sacked_bytes += s.len;
    r.delivered.push_back(s);
    if (seq_gt(s.end(), high_sacked_)) high_sacked_ = s.end();
  }
}

// RFC 6675 §4 IsLost()'s test, given what is SACKed above: DupThresh
// segments, or more than (DupThresh - 1) * SMSS octets.
bool SackScoreboard::lost_given(int sacked_segs, std::uint64_t sacked_octets) const {
  return sacked_segs >= cfg_.dup_thresh ||
         sacked_octets > std::uint64_t{cfg_.smss} * static_cast<std::uint64_t>(cfg_.dup_thresh - 1);
}

// IsLost() for every unSACKed segment in one pass from the top: the SACKed
// segments and octets above each are counted on the way down.
int SackScoreboard::mark_lost_by_dupthresh() {
  if (sacked_segments_ == 0) return 0;  // nothing SACKed: nothing is lost by it
  int newly = 0;
  int sacked_segs = 0;
  std::uint64_t sacked_octets = 0;
  for (auto it = segs_.rbegin(); it != segs_.rend(); ++it) {
    if (it->sacked) {
      ++sacked_segs;
      sacked_octets += it->len;
    } else if (!it->lost && lost_given(sacked_segs, sacked_octets)) {
      count(*it, -1);
      it->lost = true;
      count(*it, 1);
      ++newly;
    }
  }
  return newly;
}

AckResult SackScoreboard::on_ack(Seq ack, const std::vector<SackBlock>& blocks) {
  AckResult r;
  if (seq_lt(ack, high_ack_) || seq_gt(ack, high_data_)) ack = high_ack_;  // an old or impossible ACK
  const Seq old_una = high_ack_;
  const bool advanced = seq_gt(ack, high_ack_);
  const bool dsack = is_dsack(ack, blocks);
  if (dsack) note_dsack(blocks[0], r);
  cumulative_ack(ack, r);
  for (std::size_t i = dsack ? 1 : 0; i < blocks.size(); ++i) apply_block(blocks[i], r);
  if (advanced) {
    dup_acks_ = 0;
  } else if (r.sacked_bytes > 0 && !segs_.empty()) {
    ++dup_acks_;  // RFC 6675 §2 DupAck: SND.UNA unchanged, SACKing new data
    r.dup_ack = true;
  }
  if (cfg_.mark_lost_by_dupthresh) r.newly_lost = mark_lost_by_dupthresh();
  if (in_recovery_ && seq_ge(ack, recovery_point_)) {
    in_recovery_ = false;  // RFC 6675 §5: RecoveryPoint acknowledged
    r.recovery_ended = true;
  }
  // Linux's order (tcp_ack(): tcp_sacktag_write_queue() before
  // tcp_clean_rtx_queue()): the SACKed segments by sequence, then the
  // cumulatively acknowledged ones; RACK's RTT is the last one's.
  std::sort(r.delivered.begin(), r.delivered.end(), [&](const SentSegment& a, const SentSegment& b) {
    if (a.sacked != b.sacked) return a.sacked;
    return a.seq - old_una < b.seq - old_una;
  });
  return r;
}

// ------------------------------------------------------------ queries

// RFC 6675 §4 IsLost(SeqNum): what is SACKed above `seq`.
bool SackScoreboard::is_lost(Seq seq) const {
  // At or below HighACK every SACKed segment but the first is above `seq`.
  if (segs_.empty() || !seq_gt(seq, high_ack_)) {
    const bool first = !segs_.empty() && segs_.front().sacked && !seq_gt(segs_.front().seq, seq);
    return lost_given(static_cast<int>(sacked_segments_) - (first ? 1 : 0),
                      sacked_octets_ - (first ? segs_.front().len : 0));
  }
  int sacked_segs = 0;
  std::uint64_t sacked_octets = 0;
  for (const SentSegment& s : segs_) {
    if (!s.sacked || !seq_gt(s.seq, seq)) continue;
    ++sacked_segs;
    sacked_octets += s.len;
  }
  return lost_given(sacked_segs, sacked_octets);
}

// The lowest unSACKed segment marked lost whose retransmission is not out,
// searched from the hint (none lies below it) and not past the first.
const SentSegment* SackScoreboard::first_lost_hole() const {
  if (lost_unretransmitted_ == 0) return nullptr;
  const std::size_t from = index_of(lost_hint_);
  for (std::size_t i = from < segs_.size() ? from : 0; i < segs_.size(); ++i) {
    const SentSegment& s = segs_[i];
    if (!s.sacked && s.lost && !s.rexmit_out) {
      lost_hint_ = s.seq;
      return &s;
    }
  }
  return nullptr;
}

// RFC 6675 §4 NextSeg(). Rule (1)'s "S2 > HighRxt" is kept per segment:
// a lost segment whose retransmission is not in flight (RACK may declare a
// retransmission lost again, as Linux's tcp_xmit_retransmit_queue() resends).
NextSegment SackScoreboard::next_seg(bool new_data_ok) const {
  if (const SentSegment* s = first_lost_hole()) return {NextSegment::Rule::LostHole, s->seq, s->len};
  if (new_data_ok) return {NextSegment::Rule::NewData, high_data_, 0};
  for (const SentSegment& s : segs_) {
    if (seq_ge(s.seq, high_sacked_)) break;
    if (!s.sacked && !s.lost && !s.rexmit_out && seq_ge(s.seq, high_rxt_)) {
      return {NextSegment::Rule::UnsackedHole, s.seq, s.len};
    }
  }
  if (in_recovery_ && (!rescue_sent_ || seq_gt(high_ack_, rescue_rxt_))) {
    for (auto it = segs_.rbegin(); it != segs_.rend(); ++it) {
      if (!it->sacked) return {NextSegment::Rule::Rescue, it->seq, it->len};
    }
  }
  return {};
}

bool SackScoreboard::should_enter_recovery() const {
  if (in_recovery_ || segs_.empty()) return false;
  return dup_acks_ >= cfg_.dup_thresh || is_lost(high_ack_);
}

// RFC 6675 §5 step (4.1): RecoveryPoint = HighData; a new episode gets a
// new rescue retransmission and a new count of retransmissions to undo.
void SackScoreboard::enter_recovery() {
  in_recovery_ = true;
  recovery_point_ = high_data_;
  rescue_sent_ = false;
  undo_retrans_ = 0;
  episode_retransmitted_ = false;
}

}  // namespace tcpsim::model
