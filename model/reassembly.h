// The receiver's out-of-order queue and the SACK option it makes, pure.
//
//   RFC 9293 §3.10.7.4  segment text: in-window data beyond RCV.NXT is held
//                       until the gap before it fills (RFC 1122 §4.2.2.20 (g):
//                       "SHOULD queue out-of-order segments"); octets already
//                       received are trimmed; RCV.NXT advances over the FIN
//   RFC 2018 §4         SACK blocks: the first holds the segment that
//                       triggered this ACK, then the most recently reported
//                       others; up to 4 (3 with the timestamp option)
//   RFC 2883 §4         D-SACK: a duplicate is reported once, as the first
//                       block; when it lies inside a queued block, that block
//                       comes second (RFC 2883 §4 (2))
//   Linux               tcp_data_queue(), tcp_data_queue_ofo(),
//                       tcp_sack_new_ofo_skb(), tcp_sack_remove(),
//                       tcp_dsack_set() (net/ipv4/tcp_input.c): the same
//                       rules; a block's right edge covers a queued FIN
//                       (end_seq counts it), 4 blocks remembered
//
// Octets are ranges, not bytes: a segment may carry its payload (kept, and
// handed back in order) or not (a bulk transfer nobody inspects: only the
// numbers are kept, so a 1 GB transfer holds no gigabyte). The queue is
// bounded by the receive window passed with each segment.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/segment.h"  // SackBlock
#include "model/seq.h"

namespace tcpsim::model {

// What one segment's arrival did.
struct ReassemblyArrival {
  std::uint32_t delivered = 0;      // data octets that became in order (RCV.NXT moved by them)
  std::string data;                 // their bytes, where the segments carried them
  bool fin = false;                 // the FIN became in order: RCV.NXT is past it
  bool out_of_order = false;        // some of it was queued above RCV.NXT
  bool filled_hole = false;         // queued data was delivered with it
  bool duplicate = false;           // some octets had arrived before (a D-SACK is pending)
  std::uint32_t beyond_window = 0;  // data octets past RCV.NXT + RCV.WND, dropped
};

class ReassemblyQueue {
 public:
  static constexpr std::size_t kMaxBlocks = 4;  // Linux TCP_NUM_SACKS; RFC 2018 §3's 40-byte bound

  explicit ReassemblyQueue(Seq rcv_nxt);

  // A segment's text: `len` data octets from `seq`, then a FIN if `fin`.
  // `rcv_wnd` bounds what is kept: data past RCV.NXT + rcv_wnd is dropped
  // (with any FIN after it). `payload` is empty (octets not stored) or
  // exactly `len` bytes.
  ReassemblyArrival arrive(Seq seq, std::uint32_t len, bool fin, std::uint32_t rcv_wnd,
                           std::string_view payload = {});

  // RCV.NXT: the next octet expected (past the FIN once it is in order).
  Seq rcv_nxt() const { return to_seq(rcv_nxt_); }
  // The SACK option's blocks, at most `max_blocks` (RFC 2018 §3: 4, or 3 with
  // timestamps): the pending D-SACK first, then the queued blocks, the one
  // holding the latest segment first, then the most recently reported.
  std::vector<SackBlock> sack_blocks(std::size_t max_blocks) const;
  // An ACK went out: its D-SACK has been reported (RFC 2883 §4: once).
  void ack_sent() { dsack_.reset(); }
  std::optional<SackBlock> pending_dsack() const;

  bool empty() const { return queue_.empty(); }
  // A FIN held out of order: its sequence number (the engine asks whether a
  // segment that fills the gap makes it in order, RFC 9293 §3.10.7.4 eighth).
  std::optional<Seq> queued_fin() const {
    if (!fin_at_) return std::nullopt;
    return to_seq(*fin_at_);
  }
  std::uint32_t queued_bytes() const { return queued_bytes_; }  // data octets held
  std::size_t queued_ranges() const { return queue_.size(); }

 private:
  // Sequence numbers unwrapped to 64 bits (2^32 + the initial RCV.NXT at the
  // start), so ordered keys hold across wraparound; to_seq() wraps back.
  using Abs = std::int64_t;
  struct Entry {
    Abs end = 0;          // one past the last octet (the FIN's, if `fin`)
    bool fin = false;     // the last octet is the FIN
    bool stored = false;  // `bytes` holds the data octets
    std::string bytes;
  };
  struct Range {
    Abs left = 0;
    Abs right = 0;
  };

  Abs to_abs(Seq s) const { return rcv_nxt_ + static_cast<std::int32_t>(s - to_seq(rcv_nxt_)); }
  static Seq to_seq(Abs a) { return static_cast<Seq>(static_cast<std::uint64_t>(a)); }
  static std::uint32_t data_octets(Abs left, const Entry& e) {
    return static_cast<std::uint32_t>(e.end - left - (e.fin ? 1 : 0));
  }

  std::optional<Range> first_duplicate(Abs left, Abs right) const;
  void insert_new(Abs left, Abs right, bool fin, Abs seg_left, std::string_view payload);
  void merge_span(Abs from, Abs to);
  void deliver(ReassemblyArrival& out);
  Range run_containing(Abs at) const;
  void note_recent(Range run);

  Abs rcv_nxt_;
  std::map<Abs, Entry> queue_;  // disjoint ranges above RCV.NXT, by left edge
  std::uint32_t queued_bytes_ = 0;
  std::optional<Abs> fin_at_;  // a FIN seen out of order: its octet
  std::vector<Range> recent_;  // reported blocks, most recent first
  std::optional<Range> dsack_;
};

}  // namespace tcpsim::model
