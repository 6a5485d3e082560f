// Discrete-event scheduler in virtual time (integer ns).
//
// Events fire in (time, insertion sequence) order, a strict total order, so a
// run depends only on what was scheduled and never on heap layout, addresses
// or hash seeds. Cancelling is O(1): the event's slot gets a new generation
// and its queue entry is skipped when it surfaces (the queue is compacted when
// dead entries outnumber live ones, so re-arming a timer on every ACK costs no
// memory growth).
//
// Callbacks are stored inline (no heap allocation): any callable up to
// kCallbackCapacity bytes, e.g. a lambda capturing a Packet and a pointer.
//
// Most events come a fixed delay after the moment they are scheduled (a
// link's propagation delay, TIME-WAIT's 60 s, the delayed-ACK timer): for a
// fixed delay, times only grow, so such events queue in FIFO lanes, O(1)
// each, and only the rest go through the heap. A busy server's million
// TIME-WAIT timers then cost nothing to order. The next event is the
// earliest of the heap's top and the lanes' fronts by (time, seq): the order
// is the same as with the heap alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "model/time.h"

namespace tcpsim::sim {

// Names one scheduled event. Stays valid (and harmless) after the event fired
// or was cancelled: cancel() then returns false.
struct EventId {
  std::uint32_t slot = UINT32_MAX;
  std::uint32_t gen = 0;
  bool valid() const { return slot != UINT32_MAX; }
  friend bool operator==(EventId a, EventId b) { return a.slot == b.slot && a.gen == b.gen; }
  friend bool operator!=(EventId a, EventId b) { return !(a == b); }
};

enum class RunStatus : std::uint8_t {
  kEmpty,       // no event left
  kTimeLimit,   // run_until: the next event is after the limit
  kPredicate,   // run_while: the predicate returned false
  kStopped,     // a callback called stop()
  kEventLimit,  // max_events fired: the run was cut short, events remain
};
const char* to_string(RunStatus s);

struct EventLoopResult {
  RunStatus status;
  std::uint64_t events;  // fired during this call
  bool hit_event_limit() const { return status == RunStatus::kEventLimit; }
};

class Scheduler {
 public:
  // A packet (its segment now carries SACK blocks, issue 15, and its wire
  // options a Fast Open cookie) and two pointers. 136 keeps a Slot at 160
  // bytes, as 128 did (alignment to 16).
  static constexpr std::size_t kCallbackCapacity = 136;
  // A run that fires this many events without finishing stops with
  // kEventLimit: a scenario stuck in a retransmission loop must end.
  static constexpr std::uint64_t kDefaultMaxEvents = 100'000'000;

  Scheduler();
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  Time now() const { return now_; }
  // Live events: scheduled, not yet fired nor cancelled.
  std::size_t pending() const { return live_; }
  bool empty() const { return live_ == 0; }
  // Queue entries held, cancelled ones included: what the queues cost in
  // memory, which must follow the live events, not the total ever scheduled.
  std::size_t queued() const;
  std::uint64_t fired_total() const { return fired_total_; }
  // Time of the earliest live event, or kNever when none.
  static constexpr Time kNever = kTimeMax;
  Time next_time();

  // t must not be before now() (std::invalid_argument otherwise): the past
  // cannot be changed, and silently clamping would hide a model bug.
  // kTimeMax is the end of time: an event there is pending but never fires.
  template <class F>
  EventId schedule_at(Time t, F&& f);
  // now() + d, saturating at kTimeMax: a delay past the end of time (a huge
  // `set time_wait`, a backoff) gives an event that never fires instead of
  // one that wraps into the past.
  template <class F>
  EventId schedule_after(Duration d, F&& f) {
    return schedule_at(sat_add(now_, d), std::forward<F>(f));
  }
  // A place in the order taken now for an event scheduled later with
  // schedule_at_seq(): it then fires where one scheduled now would have. A
  // host's TIME-WAIT records wait this way without an event each.
  std::uint64_t take_seq() { return seq_++; }
  template <class F>
  EventId schedule_at_seq(Time t, std::uint64_t seq, F&& f);
  // True if the event was pending and now never fires; false if it already
  // fired, was already cancelled, or id is default-constructed.
  bool cancel(EventId id);
  bool is_pending(EventId id) const;

  // Fires events until none is left but those at the end of time (kEmpty).
  EventLoopResult run(std::uint64_t max_events = kDefaultMaxEvents);
  // Fires every event at or before limit, then moves now() to limit (unless
  // the event bound or stop() ended the run first).
  EventLoopResult run_until(Time limit, std::uint64_t max_events = kDefaultMaxEvents);
  // Checks pred() before each event; stops when it returns false.
  template <class Pred>
  EventLoopResult run_while(Pred&& pred, std::uint64_t max_events = kDefaultMaxEvents);
  // From inside a callback: the current run returns kStopped after it.
  void stop() { stop_requested_ = true; }

 private:
  struct Slot {
    alignas(std::max_align_t) unsigned char storage[kCallbackCapacity];
    void (*invoke)(void*) = nullptr;   // non-null while an event is pending
    void (*destroy)(void*) = nullptr;  // null for trivially destructible callables
    std::uint32_t next_free = UINT32_MAX;
  };
  struct Entry {
    std::uint64_t time;  // >= 0, so unsigned compare is the same order
    std::uint64_t seq;
    std::uint32_t slot;
    std::uint32_t gen;
  };
  // Slots live in fixed chunks that never move, so a callback runs in place
  // while it schedules more events.
  static constexpr unsigned kChunkBits = 10;
  static constexpr std::uint32_t kChunkMask = (1u << kChunkBits) - 1;

  // A FIFO of entries scheduled with one delay, in (time, seq) order.
  struct Lane {
    Duration delay = -1;
    std::vector<Entry> q;
    std::size_t head = 0;
    bool empty() const { return head == q.size(); }
  };
  static constexpr std::size_t kLanes = 8;

  static bool earlier(const Entry& a, const Entry& b);
  Slot& slot(std::uint32_t i) { return chunks_[i >> kChunkBits][i & kChunkMask]; }
  const Slot& slot(std::uint32_t i) const { return chunks_[i >> kChunkBits][i & kChunkMask]; }
  std::uint32_t alloc_slot();
  void release_slot(std::uint32_t i);
  template <class F>
  std::uint32_t emplace(Time t, F&& f);
  EventId push(Time t, std::uint32_t s);
  EventId push_keyed(Time t, std::uint64_t seq, std::uint32_t s);
  EventId into_heap(const Entry& e);
  void heap_push(const Entry& e);
  void heap_pop();
  void compact();
  bool live(const Entry& e) const { return gens_[e.slot] == e.gen; }
  // Finds the earliest live entry, dropping the cancelled ones that come
  // before it; false when nothing is queued.
  bool settle_top();
  const Entry& top() const {
    return top_lane_ < kLanes ? lanes_[top_lane_].q[lanes_[top_lane_].head] : heap_.front();
  }
  void pop_top();
  // After a lane's head moved: an empty lane starts over, and a consumed
  // front is given back now and then (the check is inline: it runs for
  // nearly every event, the work rarely).
  void reclaim(std::size_t lane) {
    const Lane& l = lanes_[lane];
    if (l.empty() || l.head >= kReclaimFrom) reclaim_slow(lane);
  }
  static constexpr std::size_t kReclaimFrom = 4096;
  void reclaim_slow(std::size_t lane);
  // A new entry at the front of its queue: the top if it is earlier.
  void new_candidate(const Entry& e, std::size_t where);
  // Fires the top entry (settle_top() returned true).
  void fire_top();
  template <class Pred>
  EventLoopResult run_loop(Pred&& keep_going, Time limit, std::uint64_t max_events);

  std::vector<Entry> heap_;  // 4-ary min-heap on (time, seq)
  Lane lanes_[kLanes];
  std::uint32_t busy_ = 0;     // bit k: lane k is not empty
  std::size_t last_lane_ = 0;  // where push() looks first
  // settle_top()'s answer, kept until something could change it: it is
  // asked two or three times per event.
  std::size_t top_lane_ = kLanes;  // the lane holding the top, or kLanes for the heap
  bool top_valid_ = false;
  bool has_top_ = false;
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  // Each slot's generation, apart from its 128 bytes: checking whether a
  // queued entry or an EventId is still pending then reads 4 bytes, which
  // stay in the cache with a hundred thousand events queued.
  std::vector<std::uint32_t> gens_;
  std::uint32_t free_head_ = UINT32_MAX;
  std::uint32_t slot_count_ = 0;
  std::size_t live_ = 0;
  std::size_t dead_ = 0;  // cancelled entries still queued (heap or lanes)
  std::uint64_t seq_ = 0;
  std::uint64_t fired_total_ = 0;
  Time now_ = 0;
  bool stop_requested_ = false;
};

template <class F>
std::uint32_t Scheduler::emplace(Time t, F&& f) {
  using Fn = std::decay_t<F>;
  static_assert(sizeof(Fn) <= kCallbackCapacity,
                "callback too large for inline storage: capture less, or capture a pointer");
  static_assert(alignof(Fn) <= alignof(std::max_align_t), "callback over-aligned");
  static_assert(std::is_invocable_v<Fn&>, "callback must be callable with no arguments");
  if (t < now_) throw std::invalid_argument("Scheduler::schedule_at: time is in the past");
  const std::uint32_t i = alloc_slot();
  Slot& s = slot(i);
  ::new (static_cast<void*>(s.storage)) Fn(std::forward<F>(f));
  s.invoke = [](void* p) { (*std::launder(static_cast<Fn*>(p)))(); };
  if constexpr (std::is_trivially_destructible_v<Fn>) {
    s.destroy = nullptr;
  } else {
    s.destroy = [](void* p) { std::launder(static_cast<Fn*>(p))->~Fn(); };
  }
  return i;
}

template <class F>
EventId Scheduler::schedule_at(Time t, F&& f) {
  return push(t, emplace(t, std::forward<F>(f)));
}

template <class F>
EventId Scheduler::schedule_at_seq(Time t, std::uint64_t seq, F&& f) {
  if (seq >= seq_) throw std::invalid_argument("Scheduler::schedule_at_seq: seq was not taken");
  return push_keyed(t, seq, emplace(t, std::forward<F>(f)));
}

template <class Pred>
EventLoopResult Scheduler::run_while(Pred&& pred, std::uint64_t max_events) {
  return run_loop(std::forward<Pred>(pred), kNever, max_events);
}

template <class Pred>
EventLoopResult Scheduler::run_loop(Pred&& keep_going, Time limit, std::uint64_t max_events) {
  stop_requested_ = false;
  std::uint64_t n = 0;
  for (;;) {
    if (!settle_top()) return {RunStatus::kEmpty, n};
    // What is left waits for the end of time, which never comes.
    if (static_cast<Time>(top().time) == kTimeMax) return {RunStatus::kEmpty, n};
    if (static_cast<Time>(top().time) > limit) return {RunStatus::kTimeLimit, n};
    if (!keep_going()) return {RunStatus::kPredicate, n};
    if (n == max_events) return {RunStatus::kEventLimit, n};
    fire_top();
    ++n;
    if (stop_requested_) {
      stop_requested_ = false;
      return {RunStatus::kStopped, n};
    }
  }
}

}  // namespace tcpsim::sim
