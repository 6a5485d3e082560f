// One direction of a simulated link. A pure decider: offer() says whether a
// packet is lost (and why) or when it arrives (twice when duplicated); the
// caller schedules the deliveries. Configure each direction on its own.
//
// Timing of a packet of wire size S = 40 + payload bytes, offered at `now`:
//   tx_start = max(now, end of the previous transmission)   (FIFO send queue)
//   tx_end   = tx_start + ceil(S * 8 * 10^9 / bandwidth_bps)
//   arrival  = tx_end + delay + jitter,  jitter uniform in [0, jitter]
// and, unless the packet is picked for reordering, arrival is raised to the
// previous in-order arrival so jitter never reorders. A reordered packet gets
// reorder_delay more, and later packets may overtake it. A duplicate arrives
// duplicate_gap after the original.
//
// Every packet that reaches the wire occupies the transmitter, lost or not
// (it is lost in flight); only an MTU drop and a queue drop happen before
// transmission.
//
// The queue (drop-tail, as Linux's pfifo/bfifo qdiscs): a packet offered while
// the transmitter is busy waits for it, in order. The limit counts the packets
// (or bytes of wire size) waiting, not the one being serialised: in Linux that
// one has left the qdisc for the driver. A packet is dropped, reason "queue
// full", when
//   packets: waiting >= limit                  (pfifo_enqueue: qlen < limit)
//   bytes:   waiting_bytes + S > limit          (bfifo_enqueue: backlog + len <= limit)
// A packet that finds the transmitter idle goes straight onto the wire and is
// never dropped by the queue (the qdisc bypass), whatever the limit. A packet
// waits from its offer until tx_start; at an instant t the ones with
// tx_start <= t are on the wire, not waiting. With no bandwidth nothing ever
// waits, so the limit never bites. Default: 1000 packets, Linux's txqueuelen.
//
// Randomness: packet k (counting every offer) draws from its own stream
// rng.fork(k), in a fixed order. So a packet's random fate depends only on the
// seed, k and the config: adding a targeted drop rule or a window never
// changes which other packets are randomly lost, duplicated or jittered.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "model/time.h"
#include "sim/chunked_fifo.h"
#include "sim/packet.h"
#include "sim/rng.h"
#include "sim/units.h"

namespace tcpsim::sim {

// Which packets a drop rule looks at: all `required` flags set, all
// `forbidden` flags clear, and optionally payload present or absent.
struct PacketMatch {
  enum class Payload : std::uint8_t { kAny, kWith, kWithout };
  std::uint8_t required = 0;   // model::Flag bits
  std::uint8_t forbidden = 0;  // model::Flag bits
  Payload payload = Payload::kAny;

  bool matches(const model::Segment& s) const;
};

// Drops matching packets number nth .. nth+count-1 (1-based, counting only the
// packets this rule looks at). Every rule counts every offered packet it
// matches, whether or not something else drops it, so "the 2nd FIN" is the 2nd
// FIN the sender put on this link.
struct DropRule {
  static constexpr std::uint64_t kAll = std::numeric_limits<std::uint64_t>::max();
  PacketMatch match;  // default: every packet
  std::uint64_t nth = 1;
  std::uint64_t count = 1;              // kAll: the nth and every later match
  bool include_retransmissions = true;  // false: retransmissions neither count nor drop
  // > 0: "first retransmission of 5th data". The nth match is counted
  // without retransmissions and let through; what is dropped is the
  // retransmission-th later segment that carries its first octet again.
  std::uint64_t retransmission = 0;
};

// One rule's count over the packets of its direction, in the order they were
// sent: the simulated link and the kernel's delay line both decide through it.
class DropCounter {
 public:
  // Whether `rule` drops `s`; `retransmission`: it re-sends sequence space
  // (each caller knows it its own way).
  bool offer(const DropRule& rule, const model::Segment& s, bool retransmission);

 private:
  std::uint64_t seen_ = 0;  // matches counted
  bool watching_ = false;   // the nth match went by: its first octet is `first_`
  std::uint32_t first_ = 0;
  std::uint64_t resent_ = 0;  // later segments carrying `first_`
};

// Everything sent in [start, end) is lost: the cable is pulled.
struct DropWindow {
  Time start = 0;
  Time end = 0;
};

// Two-state burst-loss channel (Gilbert-Elliott). The state moves once per
// offered packet; a packet is lost with the loss probability of the state it
// finds the channel in. Long-run loss rate, with p = p_good_to_bad and
// r = p_bad_to_good: (r * loss_good + p * loss_bad) / (p + r).
struct GilbertElliott {
  Probability p_good_to_bad;
  Probability p_bad_to_good;
  Probability loss_good;
  Probability loss_bad;
  bool enabled() const { return !p_good_to_bad.is_zero() || !loss_good.is_zero(); }
  // Any probability set: its draws can change something.
  bool any() const { return enabled() || !p_bad_to_good.is_zero() || !loss_bad.is_zero(); }
};

// How much may wait for the transmitter; see the header comment.
struct QueueLimit {
  enum class Unit : std::uint8_t { kPackets, kBytes };
  static constexpr std::uint64_t kLinuxTxQueueLen = 1000;  // ip link's default qlen
  static constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();
  Unit unit = Unit::kPackets;
  std::uint64_t limit = kLinuxTxQueueLen;  // packets or bytes waiting; kUnlimited: never full

  static QueueLimit packets(std::uint64_t n) { return {Unit::kPackets, n}; }
  static QueueLimit bytes(std::uint64_t n) { return {Unit::kBytes, n}; }
  static QueueLimit unlimited() { return {Unit::kPackets, kUnlimited}; }
  bool bounded() const { return limit != kUnlimited; }
};
// "1000 packets", "65536 bytes", "unlimited".
std::string to_string(const QueueLimit& q);

// Transmission time of wire_bytes at bandwidth_bps (0: infinite, no time),
// rounded up so that a link is never faster than configured. The one formula
// for the simulator's links and the kernel runner's delay line.
Duration serialisation_time(std::uint64_t bandwidth_bps, std::uint32_t wire_bytes);

struct LinkConfig {
  Duration delay = 0;
  Duration jitter = 0;              // extra delay uniform in [0, jitter]
  std::uint64_t bandwidth_bps = 0;  // 0: infinite, no serialisation delay
  QueueLimit queue;                 // drop-tail; only bites with a bandwidth
  std::uint32_t mtu = 0;            // 0: no limit; else wire size > mtu is dropped
  Probability loss;                 // independent per packet
  GilbertElliott burst;
  Probability duplicate;
  Duration duplicate_gap = kMicrosecond;
  Probability reorder;
  Duration reorder_delay = kMillisecond;
  std::vector<DropRule> rules;
  std::vector<DropWindow> windows;
};

enum class DropReason : std::uint8_t {
  kNone,
  kRule,    // a DropRule; LinkOutcome::index says which
  kWindow,  // a DropWindow; LinkOutcome::index says which
  kMtu,
  kLoss,       // independent random loss
  kBurstLoss,  // Gilbert-Elliott
  kForced,     // not the link: a tool steering the run (tcpsim explore) chose to lose it
  kQueue,      // the queue before the transmitter was full (drop-tail)
};
constexpr std::size_t kDropReasonCount = 8;
// "rule", "window", "mtu", "loss", "burst-loss", "forced", "queue-full"
const char* to_string(DropReason r);

struct LinkOutcome {
  DropReason drop = DropReason::kNone;
  std::uint32_t index = 0;      // rule or window index (0-based) when drop is kRule / kWindow
  std::uint8_t deliveries = 0;  // 0 when dropped, 2 when duplicated
  std::array<Time, 2> at{};     // arrival times, at[0] <= at[1]
  bool reordered = false;

  bool dropped() const { return drop != DropReason::kNone; }
};

struct LinkStats {
  std::uint64_t offered = 0;
  std::uint64_t delivered = 0;  // packets not dropped (a duplicate counts once)
  std::uint64_t dropped = 0;
  std::array<std::uint64_t, kDropReasonCount> dropped_by{};  // indexed by DropReason
  std::uint64_t duplicated = 0;
  std::uint64_t reordered = 0;
  std::vector<std::uint64_t> rule_drops;    // per rule
  std::vector<std::uint64_t> window_drops;  // per window
};

class Link {
 public:
  // rng: this direction's own stream (e.g. root.fork(direction)).
  Link(LinkConfig config, Rng rng);

  LinkOutcome offer(const Packet& p, Time now);

  const LinkConfig& config() const { return cfg_; }
  const LinkStats& stats() const { return stats_; }
  // Transmission time of a wire size at this link's bandwidth, rounded up.
  Duration serialisation(std::uint32_t wire_bytes) const {
    return serialisation_time(cfg_.bandwidth_bps, wire_bytes);
  }

  // "rule #2: 1st FIN (retransmissions excluded)".
  std::string describe_rule(std::size_t i) const;
  // "window #0: sent in [100ms, 2s)".
  std::string describe_window(std::size_t i) const;
  // Why a packet was dropped, for traces: the rule or window description, or
  // "mtu 1500 exceeded", "random loss", "burst loss", "queue full (limit 1000 packets)".
  std::string describe_drop(const LinkOutcome& o) const;

 private:
  // A packet waiting for the transmitter: when it starts, its wire size.
  struct Waiting {
    Time start = 0;
    std::uint32_t bytes = 0;
  };
  // Whether a packet of `bytes` offered at `now` gets onto the wire or into
  // the queue; forgets the packets that have started by `now`.
  bool queue_admits(std::uint32_t bytes, Time now);

  LinkConfig cfg_;
  Rng rng_;
  LinkStats stats_;
  std::vector<DropCounter> rule_seen_;  // per rule
  Time tx_free_ = 0;                    // transmitter busy until
  ChunkedFifo<Waiting, 256> waiting_;   // only with a bandwidth and a bounded queue
  std::uint64_t waiting_bytes_ = 0;     // sum of waiting_[i].bytes
  Time last_in_order_ = 0;              // latest arrival of a non-reordered packet
  bool burst_bad_ = false;              // Gilbert-Elliott channel state
  bool random_ = false;                 // any random effect configured
  int draws_ = 0;                       // how many of a packet's draws can matter
};

// "1st FIN (retransmissions excluded)", "2nd to 4th ACK (no SYN/FIN, no
// payload, retransmissions included)", "3rd and every later packet (...)".
std::string describe(const DropRule& r);

}  // namespace tcpsim::sim
