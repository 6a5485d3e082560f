#include "model/reassembly.h"

#include <algorithm>
#include <iterator>

namespace tcpsim::model {

ReassemblyQueue::ReassemblyQueue(Seq rcv_nxt) : rcv_nxt_((Abs{1} << 32) + rcv_nxt) {}

ReassemblyArrival ReassemblyQueue::arrive(Seq seq, std::uint32_t len, bool fin, std::uint32_t rcv_wnd,
                                          std::string_view payload) {
  ReassemblyArrival out;
  if (!payload.empty() && payload.size() != len) payload = {};  // not this segment's bytes
  const Abs left = to_abs(seq);
  Abs data_end = left + len;
  // Nothing follows a FIN: data past a FIN already seen is not the stream's,
  // and a second FIN elsewhere is not believed (Linux keeps the first).
  if (fin_at_ && data_end > *fin_at_) data_end = std::max(left, *fin_at_);
  if (fin_at_ && fin && data_end != *fin_at_) fin = false;
  // RFC 9293 §3.10.7.4: only what fits the window is kept (a FIN after
  // dropped data goes with it).
  const Abs limit = rcv_nxt_ + rcv_wnd;
  if (data_end > limit) {
    out.beyond_window = static_cast<std::uint32_t>(data_end - std::max(left, limit));
    data_end = std::max(left, limit);
    fin = false;
  }
  const Abs right = data_end + (fin ? 1 : 0);
  if (right <= left) return out;

  const Abs before = rcv_nxt_;
  const bool had_queue = !queue_.empty();
  if (const auto dup = first_duplicate(left, right)) {
    dsack_ = *dup;  // RFC 2883 §4: the latest duplicate replaces an unsent one
    out.duplicate = true;
  }
  insert_new(left, right, fin, left, payload);
  out.out_of_order = left > before;
  // RFC 2018 §4: the block holding this segment goes first (also when the
  // segment was a duplicate of queued data: RFC 2883 §4 (2), Linux's add_sack).
  if (out.out_of_order) note_recent(run_containing(left));
  deliver(out);
  out.filled_hole = had_queue && rcv_nxt_ > right && rcv_nxt_ > before;
  return out;
}

// The lowest contiguous run of octets of [left, right) that had arrived
// before: below RCV.NXT, or inside queued ranges.
std::optional<ReassemblyQueue::Range> ReassemblyQueue::first_duplicate(Abs left, Abs right) const {
  if (left < rcv_nxt_) return Range{left, std::min(right, rcv_nxt_)};
  auto it = queue_.upper_bound(left);
  if (it != queue_.begin() && std::prev(it)->second.end > left) {
    --it;
  } else if (it == queue_.end() || it->first >= right) {
    return std::nullopt;
  }
  Range dup{std::max(left, it->first), std::min(right, it->second.end)};
  for (++it; it != queue_.end() && it->first == dup.right && dup.right < right; ++it) {
    dup.right = std::min(right, it->second.end);  // a run of adjacent entries
  }
  return dup;
}

// Queues the parts of [left, right) not yet held, above RCV.NXT; the FIN
// (the octet right - 1 when `fin`) goes with the last part.
void ReassemblyQueue::insert_new(Abs left, Abs right, bool fin, Abs seg_left, std::string_view payload) {
  Abs cur = std::max(left, rcv_nxt_);
  auto it = queue_.upper_bound(cur);
  if (it != queue_.begin() && std::prev(it)->second.end > cur) cur = std::prev(it)->second.end;
  const Abs first = cur;
  while (cur < right) {
    it = queue_.lower_bound(cur);
    const Abs stop = it == queue_.end() ? right : std::min(right, it->first);
    if (stop > cur) {
      Entry e;
      e.end = stop;
      e.fin = fin && stop == right;
      e.stored = !payload.empty();
      const std::uint32_t octets = data_octets(cur, e);
      if (e.stored) e.bytes.assign(payload.substr(static_cast<std::size_t>(cur - seg_left), octets));
      if (e.fin) fin_at_ = stop - 1;
      queued_bytes_ += octets;
      queue_.emplace(cur, std::move(e));
    }
    if (it == queue_.end() || it->first >= right) break;
    cur = it->second.end;
  }
  merge_span(first, right);
}

// Coalesces adjacent entries of [from, to] (and the one before) while they
// can be one (same storage, no FIN in the middle), so a long in-order run
// behind a hole stays one entry and the queue's size follows its holes.
void ReassemblyQueue::merge_span(Abs from, Abs to) {
  auto it = queue_.lower_bound(from);
  if (it != queue_.begin()) --it;
  while (it != queue_.end() && it->first <= to) {
    auto next = std::next(it);
    Entry& a = it->second;
    if (next != queue_.end() && a.end == next->first && !a.fin && a.stored == next->second.stored) {
      if (a.stored) a.bytes += next->second.bytes;
      a.end = next->second.end;
      a.fin = next->second.fin;
      queue_.erase(next);
      continue;
    }
    it = next;
  }
}

void ReassemblyQueue::deliver(ReassemblyArrival& out) {
  while (!queue_.empty() && queue_.begin()->first == rcv_nxt_) {
    auto node = queue_.extract(queue_.begin());
    Entry& e = node.mapped();
    const std::uint32_t octets = data_octets(node.key(), e);
    out.delivered += octets;
    if (e.stored) out.data += e.bytes;
    if (e.fin) out.fin = true;
    queued_bytes_ -= octets;
    rcv_nxt_ = e.end;
  }
  // Linux tcp_sack_remove(): blocks RCV.NXT has reached are acknowledged.
  recent_.erase(
      std::remove_if(recent_.begin(), recent_.end(), [&](const Range& r) { return r.left <= rcv_nxt_; }),
      recent_.end());
}

// The contiguous queued run holding the octet `at`.
ReassemblyQueue::Range ReassemblyQueue::run_containing(Abs at) const {
  auto it = std::prev(queue_.upper_bound(at));
  Range run{it->first, it->second.end};
  for (auto back = it; back != queue_.begin();) {
    --back;
    if (back->second.end != run.left) break;
    run.left = back->first;
  }
  for (auto fwd = std::next(it); fwd != queue_.end() && fwd->first == run.right; ++fwd)
    run.right = fwd->second.end;
  return run;
}

// RFC 2018 §4: the run just extended goes first; the blocks it swallowed go;
// the others keep their order (most recently reported first), four at most.
void ReassemblyQueue::note_recent(Range run) {
  recent_.erase(std::remove_if(recent_.begin(), recent_.end(),
                               [&](const Range& r) { return r.left >= run.left && r.right <= run.right; }),
                recent_.end());
  recent_.insert(recent_.begin(), run);
  if (recent_.size() > kMaxBlocks) recent_.resize(kMaxBlocks);
}

std::vector<SackBlock> ReassemblyQueue::sack_blocks(std::size_t max_blocks) const {
  std::vector<SackBlock> blocks;
  if (dsack_ && blocks.size() < max_blocks) blocks.push_back({to_seq(dsack_->left), to_seq(dsack_->right)});
  for (const Range& r : recent_) {
    if (blocks.size() >= max_blocks) break;
    blocks.push_back({to_seq(r.left), to_seq(r.right)});
  }
  return blocks;
}

std::optional<SackBlock> ReassemblyQueue::pending_dsack() const {
  if (!dsack_) return std::nullopt;
  return SackBlock{to_seq(dsack_->left), to_seq(dsack_->right)};
}

}  // namespace tcpsim::model
