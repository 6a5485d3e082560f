// What a scenario asks of the real kernel, decided before anything runs: the
// namespace's addresses and sysctls, socket options standing in for per-host
// settings, the nftables drop rules, and every directive the kernel cannot
// reproduce (each refused with its file:line:col, rather than ignored).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "scenario/ast.h"
#include "sim/link.h"

namespace tcpsim::kernel {

// A drop rule between two addresses (one direction), as the simulator's link
// applies it; windows are in time since the run's start.
struct DirectedRule {
  std::uint32_t src_ip = 0, dst_ip = 0;
  sim::DropRule rule;
  std::string text;   // as written: "drop A -> B first FIN"
  bool last = false;  // "the last ACK": counted in a first run without it
};
struct DirectedWindow {
  std::uint32_t src_ip = 0, dst_ip = 0;
  sim::DropWindow span;
  std::string text;
};

// A link the delay line (kernel/delayline.h) reproduces: one direction.
struct DirectedLink {
  std::uint32_t src_ip = 0, dst_ip = 0;
  Duration delay = 0;
  std::uint64_t bandwidth_bps = 0;  // 0: no serialisation
  sim::Probability loss;
  sim::QueueLimit queue;  // drop-tail, where there is a bandwidth (default Linux's txqueuelen, 1000)
};

// Settings per host that a socket option reproduces (the sysctl would set
// them for every host of the one namespace).
struct HostOptions {
  int linger2_s = 0;  // TCP_LINGER2: the orphaned FIN-WAIT-2 bound; 0 = the sysctl's
  int syncnt = 0;     // TCP_SYNCNT: SYN retransmissions; 0 = the sysctl's
  // TCP_CONGESTION: the linux profile's controller. A new namespace takes
  // the host's default (BBR on this machine), and a namespace cannot allow
  // one outside the host's list, but a socket of root's may ask for any.
  std::string congestion = "cubic";
};

struct Plan {
  std::vector<std::uint32_t> host_ips;                       // by host index
  std::vector<std::pair<std::string, std::string>> sysctls;  // "net.ipv4.tcp_retries2", value
  std::vector<HostOptions> host_options;                     // by host index
  std::vector<DirectedRule> rules;
  std::vector<DirectedWindow> windows;
  // Links with a delay, a bandwidth or a loss: each host then runs in a
  // namespace of its own, joined to the others through the delay line, which
  // also applies the drop rules (no nftables). Empty: one namespace, loopback.
  std::vector<DirectedLink> links;
  std::uint64_t seed = 1;             // the scenario's: the delay line's random loss
  std::vector<std::string> notes;     // what the reader should know (profiles compared)
  std::vector<std::string> refusals;  // "file:line:col: ...", one per directive
};

// `sets` are --set key=value from the command line, for every host.
Plan make_plan(const scenario::Scenario& sc, const std::vector<std::pair<std::string, std::string>>& sets);

}  // namespace tcpsim::kernel
