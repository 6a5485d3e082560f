// The floor of any discrete-event simulator: a bare binary-heap event loop
// doing trivial work per event (the workload of
// shared/bench/limit/des_floor.cc). Benchmarks report their cost per event
// as a ratio to this loop, measured in the same run.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace tcpsim::bench {

constexpr std::uint64_t kUs = 1000, kMs = 1000 * kUs, kSec = 1000 * kMs;
constexpr std::uint64_t kBatch = 10000;  // events per benchmark iteration

enum State : std::uint8_t { kClosed, kSynSent, kEstablished, kFinWait1, kFinWait2, kTimeWait };
enum Handler : std::uint32_t { kSegment = 0, kTimer = 1 };

struct Xorshift {
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  std::uint64_t jitter() {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x & 1023;
  }
};

// The per-event work shared by both loops: next state, delay and handler.
struct Step {
  std::uint64_t delay;
  std::uint32_t handler;
};
inline Step advance(State& st) {
  switch (st) {
    case kClosed: st = kSynSent; return {2 * kMs, kSegment};
    case kSynSent: st = kEstablished; return {2 * kMs, kSegment};
    case kEstablished: st = kFinWait1; return {1 * kMs, kSegment};
    case kFinWait1: st = kFinWait2; return {1 * kMs, kSegment};
    case kFinWait2: st = kTimeWait; return {1 * kSec, kTimer};
    case kTimeWait:
    default: st = kClosed; return {50 * kUs, kTimer};
  }
}

inline std::uint64_t mix(std::uint64_t h, std::uint64_t time, std::uint32_t conn, std::uint32_t handler) {
  return (h ^ (time + conn + handler)) * 1099511628211ull;
}

// --- the floor: a binary heap of plain 24-byte events --------------------------

struct FloorEvent {
  std::uint64_t time, seq;
  std::uint32_t handler, conn;
};
struct Later {  // min-heap on (time, seq) with the std max-heap algorithms
  bool operator()(const FloorEvent& a, const FloorEvent& b) const {
    using u128 = unsigned __int128;
    return ((u128{b.time} << 64) | b.seq) < ((u128{a.time} << 64) | a.seq);
  }
};

class FloorLoop {
 public:
  explicit FloorLoop(std::uint32_t live) : state_(live, kClosed) {
    heap_.reserve(live + 16);
    for (std::uint32_t c = 0; c < live; ++c) push({rng_.jitter() * kUs, seq_++, kTimer, c});
  }
  void run(std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) {
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      const FloorEvent e = heap_.back();
      heap_.pop_back();
      const Step s = advance(state_[e.conn]);
      hash_ = mix(hash_, e.time, e.conn, e.handler);
      push({e.time + s.delay + rng_.jitter(), seq_++, s.handler, e.conn});
    }
  }
  std::uint64_t hash() const { return hash_; }

 private:
  void push(const FloorEvent& e) {
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }
  std::vector<FloorEvent> heap_;
  std::vector<State> state_;
  Xorshift rng_;
  std::uint64_t seq_ = 0;
  std::uint64_t hash_ = 1469598103934665603ull;
};

}  // namespace tcpsim::bench
