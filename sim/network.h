// The simulated world: hosts, the links between them (one per direction,
// each configured on its own), the scheduler that runs it all in virtual
// time, and the trace that records it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/host.h"
#include "sim/link.h"
#include "sim/profile.h"
#include "sim/rng.h"
#include "sim/scheduler.h"
#include "sim/trace.h"

namespace tcpsim::sim {

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
  void transmit(Host& from, ConnId conn, Packet p);
  // `text` must have static storage (a literal): it is recorded by reference.
  void note(const Host& h, ConnId conn, std::string_view text);

  RunResult run(std::uint64_t max_events = Scheduler::kDefaultMaxEvents) { return sched_.run(max_events); }
  RunResult run_until(Time t, std::uint64_t max_events = Scheduler::kDefaultMaxEvents) {
    return sched_.run_until(t, max_events);
  }

  std::uint64_t packets_sent() const { return packets_sent_; }

 private:
  struct InFlight {
    Packet packet;
    std::uint32_t trace_index = kNone32;
    std::uint8_t to = 0;
  };
  void deliver(std::uint32_t slot);
  std::uint32_t park(InFlight f);

  std::uint64_t seed_;
  Rng rng_;
  Scheduler sched_;
  Trace trace_;
  std::vector<std::unique_ptr<Host>> hosts_;
  // links_[from * stride_ + to]; made on first use. The stride grows with
  // the hosts (a sweep builds a network per run: no 256 x 256 table each time).
  static constexpr std::size_t kMaxHosts = 256;
  std::size_t stride_ = 4;
  std::vector<std::unique_ptr<Link>> links_ = std::vector<std::unique_ptr<Link>>(stride_ * stride_);
  std::vector<InFlight> flight_;
  std::vector<std::uint32_t> flight_free_;
  std::uint64_t packets_sent_ = 0;
};

}  // namespace tcpsim::sim
