// The simulated world: hosts, the links between them (one per direction,
// each configured on its own), the scheduler that runs it all in virtual
// time, and the trace that records it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/counters.h"
#include "sim/host.h"
#include "sim/link.h"
#include "sim/profile.h"
#include "sim/rng.h"
#include "sim/scheduler.h"
#include "sim/trace.h"

namespace tcpsim::sim {

// What a tool steering a run (tcpsim explore) makes of one transmission that
// the link would deliver. The link's own verdict (rules, windows, MTU, random
// effects) comes first; the hook is only asked about packets still alive.
enum class Fate : std::uint8_t {
  kDeliver,    // as the link decided
  kDrop,       // lost in flight (traced as dropped, reason "forced")
  kDuplicate,  // delivered twice, the copy the link's duplicate_gap later
  kOvertake,   // arrives before the packet sent just before it on the same
               // link, still in flight: the two swap arrival times
};

struct Transmission {
  const Packet& packet;  // packet.id: its number in this run, from 0
  std::uint8_t from = 0;
  std::uint8_t to = 0;
  // The packet sent just before on the same link is still in flight, so
  // kOvertake means something; its id is `overtakes`.
  bool can_overtake = false;
  std::uint64_t overtakes = 0;
};
using FateHook = std::function<Fate(const Transmission&)>;

class Network {
 public:
  explicit Network(std::uint64_t seed = 1);
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  std::uint64_t seed() const { return seed_; }
  Scheduler& scheduler() { return sched_; }
  Trace& trace() { return trace_; }
  const Trace& trace() const { return trace_; }
  Time now() const { return sched_.now(); }

  // Hosts are numbered with one byte (Transmission, trace records).
  static constexpr std::size_t kMaxHosts = 256;
  Host& add_host(std::string name, std::uint32_t ip, Profile profile);
  Host& host(std::size_t i) { return *hosts_[i]; }
  const Host& host(std::size_t i) const { return *hosts_[i]; }
  std::size_t host_count() const { return hosts_.size(); }
  Host* host_by_ip(std::uint32_t ip);

  // The link that carries packets from host a to host b (a == b: loopback).
  // Links are made on first use with `default_link`, or set here.
  void set_link(const Host& from, const Host& to, LinkConfig cfg);
  Link& link(const Host& from, const Host& to);
  LinkConfig default_link;

  // A host puts a packet on the wire: the link decides its fate, the
  // scheduler delivers it.
  void transmit(Host& from, ConnId conn, Packet p, const SendContext& context = {});
  // Counted traced or not (sim/counters.h): per host, by index, and for the run.
  const HostCounters& counters(std::size_t host) const { return host_counters_[host]; }
  const RunCounters& counters() const { return run_counters_; }
  // A program on `host` wrote or read these many bytes (Host::send, receive).
  void app_bytes(std::size_t host, std::size_t written, std::size_t read) {
    host_counters_[host].app_written += written;
    host_counters_[host].app_read += read;
  }
  // `text` must have static storage (a literal): it is recorded by reference.
  void note(const Host& h, ConnId conn, std::string_view text);

  EventLoopResult run(std::uint64_t max_events = Scheduler::kDefaultMaxEvents) {
    return sched_.run(max_events);
  }
  EventLoopResult run_until(Time t, std::uint64_t max_events = Scheduler::kDefaultMaxEvents) {
    return sched_.run_until(t, max_events);
  }

  // Asked about every transmission the link would deliver (none: the link
  // decides alone, at no cost). Set before the run starts.
  void set_fate_hook(FateHook hook) { fate_hook_ = std::move(hook); }

  // Packets for an address no host has are handed here, at the instant they
  // are sent, instead of being lost: a peer played by a tool outside the
  // simulation (the packetdrill runner's script) receives them this way.
  using UnroutedHook = std::function<void(const Packet&)>;
  void set_unrouted_hook(UnroutedHook hook) { unrouted_hook_ = std::move(hook); }

 private:
  struct InFlight {
    Packet packet;
    std::uint32_t trace_index = kNone32;
    std::uint8_t to = 0;
    bool live = false;
    // Overtaken (Fate::kOvertake): when its delivery event fires, it goes
    // back in the queue for defer_to, behind the packet that overtook it.
    bool deferred = false;
    Time defer_to = 0;
  };
  // The last packet put in flight on a link, for Fate::kOvertake.
  struct LastOnLink {
    std::uint8_t from = 0, to = 0;
    std::uint32_t slot = 0;
    std::uint64_t id = 0;
    Time at = 0;
  };
  void deliver(std::uint32_t slot);
  void count_sent(std::uint8_t from, const Packet& p, const SendContext& context);
  std::uint32_t park(InFlight f);
  // Lets the fate hook change the link's verdict `o` on a packet it would deliver.
  void ask_fate(const Packet& p, const Host& from, const Host& to, LinkOutcome& o, const Link& l);

  std::uint64_t seed_;
  Rng rng_;
  Scheduler sched_;
  Trace trace_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::vector<HostCounters> host_counters_;  // by host index
  RunCounters run_counters_;
  // links_[from * stride_ + to]; made on first use. The stride grows with
  // the hosts (a sweep builds a network per run: no 256 x 256 table each time).
  std::size_t stride_ = 4;
  std::vector<std::unique_ptr<Link>> links_ = std::vector<std::unique_ptr<Link>>(stride_ * stride_);
  std::vector<InFlight> flight_;
  std::vector<std::uint32_t> flight_free_;
  std::uint64_t next_packet_id_ = 0;  // Packet::id, in the order packets are sent
  FateHook fate_hook_;
  UnroutedHook unrouted_hook_;
  std::vector<LastOnLink> last_on_link_;  // only kept with a fate hook: a few links
};

}  // namespace tcpsim::sim
