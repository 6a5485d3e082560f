// The delay line: tcpsim's own link between hosts that each run in a network
// namespace of their own (this kernel has no tc netem). Each host's namespace
// has a tun device, `wire`, its default route; the delay line reads every
// packet a host sends on its wire, applies the link from that host to the
// destination (drop rules, random loss, the drop-tail queue, serialisation at
// the link's bandwidth, then its delay) and writes the packet into the
// destination host's wire at its due time.
//
// It is also the run's capture point: every segment is recorded when it is
// read from the sender's wire (CLOCK_REALTIME, one clock for every
// namespace), with whether the line lost it and how long it spent inside.
//
// Two threads: a reader (poll on every wire) that decides each packet's fate
// and due time, and a writer that sleeps until the earliest due time of a
// heap (absolute CLOCK_MONOTONIC deadlines) and delivers. Memory is bounded:
// at most kMaxInFlight packets are held, a link's queue at most its limit.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "kernel/nft.h"
#include "kernel/plan.h"
#include "kernel/recording.h"
#include "sim/rng.h"

namespace tcpsim::kernel {

// The wire's MTU: a wire between hosts, as the loopback path's lo has.
inline constexpr int kWireMtu = 1500;
// Packets held in the line at once, all links together (about 15 MB at 1500
// bytes); past it a packet is lost as at a full queue.
inline constexpr std::size_t kMaxInFlight = 10000;
// The wire's own queue (the tun device's txqueuelen): what the kernel may
// send before the line reads it; larger than Linux's 500 so that a burst is
// never lost there, unrecorded.
inline constexpr int kWireTxQueue = 10000;

// The wire of one host: its tun descriptor and address.
struct Wire {
  int fd = -1;
  std::uint32_t ip = 0;
};

// The fate of one packet through one link: a pure function of the link's
// state, for the tests. `now` is when the sender's packet was read.
struct LinkState {
  DirectedLink link;
  sim::Rng rng{1};
  Time tx_free = 0;  // when the link ends its current transmission
  // Transmissions not yet ended, with their sizes: the front one is on the
  // wire, the others wait in the queue (sim::Link's convention, Linux's qdisc).
  struct Tx {
    Time end;
    std::uint32_t bytes;
  };
  std::deque<Tx> tx_ends;
  std::uint64_t waiting_bytes = 0;  // of tx_ends after the front
};
struct Passage {
  bool lost = false;
  Time due = 0;  // delivery time, when not lost
};
Passage pass(LinkState& l, Time now, std::uint32_t ip_bytes);

class DelayLine {
 public:
  DelayLine(std::vector<Wire> wires, const Plan& plan, std::uint64_t seed);
  ~DelayLine();
  // As Capture::start: t0 is the run's start (CLOCK_REALTIME ns), on_segment
  // runs after each packet read.
  void start(const std::atomic<std::int64_t>* t0, std::function<void()> on_segment);
  // Stops both threads (what is still in the line is not delivered) and
  // returns every segment read, in order.
  std::vector<CapturedSegment> stop();
  // Segments the line could not record or deliver (a failed write).
  unsigned dropped() const { return failed_; }

 private:
  struct Held {
    Time due = 0;
    std::uint64_t order = 0;  // FIFO among equal due times
    int fd = -1;
    std::string bytes;
    bool operator>(const Held& o) const { return due != o.due ? due > o.due : order > o.order; }
  };
  void read_loop();
  void write_loop();
  void take(const unsigned char* p, std::size_t n, std::int64_t now);
  LinkState* link_for(std::uint32_t src, std::uint32_t dst);

  std::vector<Wire> wires_;
  std::vector<LinkState> links_;
  std::vector<LinkState> free_links_;  // pairs without a declared link: no delay
  DropReplay rules_;
  const std::atomic<std::int64_t>* t0_ = nullptr;
  std::function<void()> on_segment_;
  std::thread reader_, writer_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Held, std::vector<Held>, std::greater<Held>> heap_;
  std::uint64_t order_ = 0;
  std::vector<CapturedSegment> segs_;
  unsigned failed_ = 0;
};

}  // namespace tcpsim::kernel
