// Load instead of single programs: clients that open connections at a fixed
// rate towards a server, each doing one request and response and closing,
// and a time series of what the hosts hold (sockets per state, ports in
// use, failures). Applications here are callbacks on the hosts' events, not
// interpreted programs: a busy server makes millions of connections.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "model/state.h"
#include "sim/network.h"

namespace tcpsim::sim {

struct LoadSpec {
  std::uint8_t client = 0;  // host indices
  std::uint8_t server = 0;
  std::uint16_t port = 80;
  std::uint64_t rate = 100;   // connections per second, evenly spaced
  Duration length = kSecond;  // how long the clients keep opening
  Time start = 0;
  std::uint32_t request = 100;    // bytes the client sends
  std::uint32_t response = 100;   // bytes the server answers
  bool server_closes = false;     // who closes first (and so holds TIME-WAIT)
  int backlog = 4096;             // listen() backlog (capped by somaxconn)
  std::uint64_t accept_rate = 0;  // accept() calls per second; 0: at once
  // Source addresses the clients use in turn, from the client host's own:
  // each has its own ephemeral ports (set the host's addresses to match).
  std::uint32_t client_addresses = 1;
};

// Totals since the start, per load.
struct LoadCounters {
  std::uint64_t attempted = 0;  // connect() calls
  std::uint64_t no_port = 0;    // connect() = -1 EADDRNOTAVAIL
  std::uint64_t completed = 0;  // the client read the whole response
  std::uint64_t refused = 0;    // ECONNREFUSED
  std::uint64_t timed_out = 0;  // ETIMEDOUT
  std::uint64_t reset = 0;      // ECONNRESET
  std::uint64_t accepted = 0;   // accept() returned a connection
  std::uint64_t syn_drops = 0;  // SYNs the server dropped, accept queue full
};

struct LoadSample {
  Time t = 0;
  // Sockets per state on each host of the load, listeners included.
  std::array<std::uint32_t, model::kStateCount> client_states{};
  std::array<std::uint32_t, model::kStateCount> server_states{};
  std::uint32_t client_ports = 0;  // ephemeral ports in use towards the server
  std::uint32_t accept_queue = 0;
  LoadCounters totals;
};

class LoadRun {
 public:
  LoadRun(Network& net, std::vector<LoadSpec> loads, Duration sample_every);
  LoadRun(const LoadRun&) = delete;
  LoadRun& operator=(const LoadRun&) = delete;

  // Schedules the arrivals, the server's accepts and the samples; then run
  // the network. Sampling stops when nothing else is left to happen.
  void start();
  const std::vector<LoadSample>& samples(std::size_t load) const { return series_[load]; }
  const LoadCounters& totals(std::size_t load) const { return state_[load].totals; }
  const LoadSpec& spec(std::size_t load) const { return loads_[load]; }
  std::size_t loads() const { return loads_.size(); }
  // When a client first failed to find a port (EADDRNOTAVAIL); -1 if never.
  Time first_no_port(std::size_t load) const { return state_[load].first_no_port; }
  // Most connections (any state) the client and server hosts held at once.
  std::size_t peak_client_conns(std::size_t load) const { return state_[load].peak_client; }
  std::size_t peak_server_conns(std::size_t load) const { return state_[load].peak_server; }

 private:
  struct PerConn {
    std::uint32_t load = 0;
    std::uint32_t got = 0;  // bytes read
    bool done = false;      // request/response finished
    bool server = false;    // the server's end (accepted), not a client's
  };
  struct State {
    LoadCounters totals;
    ConnId listener = kNoConn;
    std::uint64_t next = 0;  // next arrival's index
    Time first_no_port = -1;
    std::size_t peak_client = 0;
    std::size_t peak_server = 0;
  };

  void arrive(std::uint32_t load);
  void accept_one(std::uint32_t load);
  void accepted(std::uint32_t load, Host& server, ConnId id);
  static void close(Host& h, ConnId id);
  void sample();
  void client_event(Host& h, Conn& c, model::AppEvent e);
  void server_event(Host& h, Conn& c, model::AppEvent e);
  PerConn& per(std::uint8_t host, ConnId id);
  std::uint32_t load_of_listener(std::uint8_t host, ConnId listener) const;

  Network& net_;
  std::vector<LoadSpec> loads_;
  Duration sample_every_;
  std::vector<State> state_;
  std::vector<std::vector<LoadSample>> series_;
  // Per host, per connection id: the application's own bookkeeping.
  std::vector<std::vector<PerConn>> per_;
  std::string buf_;
  std::string payload_;
  // Events that reschedule themselves (sampling, paced accepts): they stop
  // once nothing else is left to happen, or the run would never end.
  std::uint32_t periodic_ = 0;
};

}  // namespace tcpsim::sim
