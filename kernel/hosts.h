// Hosts in namespaces of their own, for the delay line (kernel/delayline.h):
// each a network namespace made from the run's (unshare, held only by a
// descriptor of the runner child, so it vanishes with the child), with lo up,
// a tun device `wire` holding the host's address and the default route, the
// plan's sysctls, and a socket-diagnostics socket of its own.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kernel/delayline.h"
#include "kernel/plan.h"
#include "kernel/sockdiag.h"

namespace tcpsim::kernel {

struct Hosts {
  std::vector<int> ns;  // by host index: the namespace, for setns()
  std::vector<Wire> wires;
  std::vector<std::unique_ptr<SockDiag>> diags;
  bool empty() const { return ns.empty(); }
  // Every host's sockets, one list; nullopt when a namespace did not answer.
  std::optional<std::vector<SocketSample>> dump();
};

// Writes the plan's sysctls in the calling thread's namespace; "" or why not.
std::string write_sysctls(const Plan& plan);

// Makes one namespace per host of the plan; the calling thread is back in
// its own namespace afterwards. "" or why not.
std::string setup_hosts(const Plan& plan, Hosts& hosts);

}  // namespace tcpsim::kernel
