#include "sim/scheduler.h"

namespace tcpsim::sim {
namespace {

// Compacting once dead entries are both numerous and the majority keeps the
// cost amortised O(1) per cancel while bounding the heap at twice the live events.
constexpr std::size_t kCompactMinDead = 1024;

}  // namespace

const char* to_string(RunStatus s) {
  switch (s) {
    case RunStatus::kEmpty: return "empty";
    case RunStatus::kTimeLimit: return "time-limit";
    case RunStatus::kPredicate: return "predicate";
    case RunStatus::kStopped: return "stopped";
    case RunStatus::kEventLimit: return "event-limit";
  }
  return "?";
}

Scheduler::Scheduler() = default;

Scheduler::~Scheduler() {
  for (std::uint32_t i = 0; i < slot_count_; ++i) {
    Slot& s = slot(i);
    if (s.invoke != nullptr && s.destroy != nullptr) s.destroy(s.storage);
  }
}

std::uint32_t Scheduler::alloc_slot() {
  if (free_head_ != UINT32_MAX) {
    const std::uint32_t i = free_head_;
    free_head_ = slot(i).next_free;
    return i;
  }
  if (slot_count_ == UINT32_MAX - 1) throw std::length_error("Scheduler: too many pending events");
  if ((slot_count_ >> kChunkBits) == chunks_.size()) {
    // Default-initialised: make_unique<Slot[]> would zero all 96 KB of
    // callback storage first, which dominated a sweep's short runs.
    chunks_.push_back(std::unique_ptr<Slot[]>(new Slot[std::size_t{1} << kChunkBits]));
  }
  gens_.push_back(0);
  return slot_count_++;
}

void Scheduler::release_slot(std::uint32_t i) {
  Slot& s = slot(i);
  if (s.destroy != nullptr) s.destroy(s.storage);
  s.invoke = nullptr;
  s.next_free = free_head_;
  free_head_ = i;
}

EventId Scheduler::push(Time t, std::uint32_t s) {
  const std::uint32_t gen = gens_[s];
  const Entry e{static_cast<std::uint64_t>(t), seq_++, s, gen};
  ++live_;
  // The lane for this delay (most often the last one used: a link's
  // propagation delay), or an idle one to take it over.
  const Duration d = t - now_;
  std::size_t k = last_lane_;
  if (lanes_[k].delay != d) {
    std::size_t idle = kLanes;
    for (k = 0; k < kLanes; ++k) {
      if (lanes_[k].delay == d) break;
      if (idle == kLanes && lanes_[k].empty()) idle = k;
    }
    if (k == kLanes) {
      k = idle;
      if (k < kLanes) lanes_[k].delay = d;
    }
  }
  if (k < kLanes) {
    Lane& l = lanes_[k];
    if (l.empty() || l.q.back().time <= e.time) {
      const bool front = l.empty();
      l.q.push_back(e);
      busy_ |= 1u << k;
      last_lane_ = k;
      if (front) new_candidate(e, k);
      return EventId{s, gen};
    }
  }
  return into_heap(e);
}

EventId Scheduler::push_keyed(Time t, std::uint64_t seq, std::uint32_t s) {
  // Never into a lane: a lane's entries are in the order they were pushed.
  ++live_;
  return into_heap(Entry{static_cast<std::uint64_t>(t), seq, s, gens_[s]});
}

EventId Scheduler::into_heap(const Entry& e) {
  heap_push(e);
  if (heap_.front().seq == e.seq) new_candidate(e, kLanes);
  return EventId{e.slot, e.gen};
}

void Scheduler::new_candidate(const Entry& e, std::size_t where) {
  if (!top_valid_) return;
  if (!has_top_ || earlier(e, top())) {
    has_top_ = true;
    top_lane_ = where;
  }
}

bool Scheduler::is_pending(EventId id) const {
  if (id.slot >= slot_count_) return false;
  // A free slot's generation is one no EventId has yet.
  return gens_[id.slot] == id.gen;
}

bool Scheduler::cancel(EventId id) {
  if (!is_pending(id)) return false;
  if (top_valid_ && has_top_ && top().slot == id.slot && top().gen == id.gen) top_valid_ = false;
  ++gens_[id.slot];  // its queue entry no longer matches: skipped when it surfaces
  release_slot(id.slot);
  --live_;
  ++dead_;
  if (dead_ >= kCompactMinDead && dead_ > live_) compact();
  return true;
}

std::size_t Scheduler::queued() const {
  std::size_t n = heap_.size();
  for (const Lane& l : lanes_) n += l.q.size();
  return n;
}

Time Scheduler::next_time() { return settle_top() ? static_cast<Time>(top().time) : kNever; }

// --- 4-ary heap ------------------------------------------------------------
// Four children per node halve the depth of a binary heap and sit in one or
// two cache lines; (time, seq) compared as one 128-bit key needs no branches.

bool Scheduler::earlier(const Entry& a, const Entry& b) {
#ifdef __SIZEOF_INT128__
  using u128 = unsigned __int128;
  return ((u128{a.time} << 64) | a.seq) < ((u128{b.time} << 64) | b.seq);
#else
  return a.time < b.time || (a.time == b.time && a.seq < b.seq);
#endif
}

void Scheduler::heap_push(const Entry& e) {
  std::size_t i = heap_.size();
  heap_.push_back(e);
  while (i > 0) {
    const std::size_t parent = (i - 1) / 4;
    if (!earlier(e, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = e;
}

void Scheduler::heap_pop() {
  const Entry last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return;
  std::size_t i = 0;
  for (;;) {
    const std::size_t c = 4 * i + 1;
    if (c >= n) break;
    std::size_t best;
    if (c + 3 < n) {
      const std::size_t b01 = earlier(heap_[c + 1], heap_[c]) ? c + 1 : c;
      const std::size_t b23 = earlier(heap_[c + 3], heap_[c + 2]) ? c + 3 : c + 2;
      best = earlier(heap_[b23], heap_[b01]) ? b23 : b01;
    } else {
      best = c;
      for (std::size_t j = c + 1; j < n; ++j) best = earlier(heap_[j], heap_[best]) ? j : best;
    }
    if (!earlier(heap_[best], last)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = last;
}

void Scheduler::compact() {
  top_valid_ = false;
  busy_ = 0;
  for (std::size_t k = 0; k < kLanes; ++k) {
    Lane& l = lanes_[k];
    std::size_t out = 0;
    for (std::size_t i = l.head; i < l.q.size(); ++i) {
      if (live(l.q[i])) l.q[out++] = l.q[i];
    }
    l.q.resize(out);
    l.head = 0;
    if (out > 0) busy_ |= 1u << k;
  }
  std::size_t out = 0;
  for (const Entry& e : heap_) {
    if (live(e)) heap_[out++] = e;
  }
  heap_.resize(out);
  // Rebuild by sifting each internal node down, last parent first. Pop order
  // is fixed by the keys alone, so rebuilding cannot change the run.
  const std::size_t n = heap_.size();
  for (std::size_t start = n < 2 ? 0 : (n - 2) / 4 + 1; start-- > 0;) {
    const Entry e = heap_[start];
    std::size_t i = start;
    for (;;) {
      const std::size_t c = 4 * i + 1;
      if (c >= n) break;
      std::size_t best = c;
      for (std::size_t j = c + 1; j < n && j < c + 4; ++j) {
        best = earlier(heap_[j], heap_[best]) ? j : best;
      }
      if (!earlier(heap_[best], e)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = e;
  }
  dead_ = 0;
}

// --- running ---------------------------------------------------------------

bool Scheduler::settle_top() {
  if (top_valid_) return has_top_;
  // The earliest entry by key, live or not; only that one is checked, and a
  // cancelled one is dropped and the search repeated. Checking every queue's
  // front for liveness on every event cost more than the rest of the search.
  for (;;) {
    const Entry* best = heap_.empty() ? nullptr : &heap_.front();
    std::size_t where = kLanes;
    for (std::uint32_t m = busy_; m != 0; m &= m - 1) {
      const auto k = static_cast<std::size_t>(__builtin_ctz(m));
      const Entry& front = lanes_[k].q[lanes_[k].head];
      if (!best || earlier(front, *best)) {
        best = &front;
        where = k;
      }
    }
    if (best == nullptr || live(*best)) {
      top_lane_ = where;
      top_valid_ = true;
      has_top_ = best != nullptr;
      return has_top_;
    }
    // Cancelled entries come in runs (a timer re-armed on every ACK): drop
    // the whole run of this queue before searching again.
    if (where == kLanes) {
      do {
        heap_pop();
        --dead_;
      } while (!heap_.empty() && !live(heap_.front()));
    } else {
      Lane& l = lanes_[where];
      do {
        ++l.head;
        --dead_;
      } while (!l.empty() && !live(l.q[l.head]));
      reclaim(where);
    }
  }
}

void Scheduler::pop_top() {
  top_valid_ = false;
  if (top_lane_ == kLanes) {
    heap_pop();
    return;
  }
  ++lanes_[top_lane_].head;
  reclaim(top_lane_);
}

void Scheduler::reclaim_slow(std::size_t k) {
  // A lane whose timers are all cancelled before they fire (a loss probe
  // re-armed on every ACK) would otherwise grow for ever.
  Lane& l = lanes_[k];
  if (l.empty()) {
    l.q.clear();
    l.head = 0;
    busy_ &= ~(1u << k);
  } else if (l.head * 2 >= l.q.size()) {
    l.q.erase(l.q.begin(), l.q.begin() + static_cast<std::ptrdiff_t>(l.head));
    l.head = 0;
  }
}

void Scheduler::fire_top() {
  const Entry e = top();
  pop_top();
  now_ = static_cast<Time>(e.time);
  --live_;
  ++fired_total_;
  Slot& s = slot(e.slot);
  ++gens_[e.slot];  // from here on the id is no longer pending: cancel() returns false
  // Released even if the callback throws, so the slot is not lost.
  struct Release {
    Scheduler* self;
    std::uint32_t i;
    ~Release() { self->release_slot(i); }
  } release{this, e.slot};
  s.invoke(s.storage);
}

EventLoopResult Scheduler::run(std::uint64_t max_events) {
  return run_loop([] { return true; }, kNever, max_events);
}

EventLoopResult Scheduler::run_until(Time limit, std::uint64_t max_events) {
  const EventLoopResult r = run_loop([] { return true; }, limit, max_events);
  if ((r.status == RunStatus::kTimeLimit || r.status == RunStatus::kEmpty) && limit > now_) {
    now_ = limit;
  }
  return r;
}

}  // namespace tcpsim::sim
