// The real run: a child process in a network namespace of its own
// (unshare(CLONE_NEWNET)), never named, so nothing outlives it: when the child
// exits, by any path, even killed, the kernel frees the namespace with its
// sockets and nftables rules. The child sets up loopback, the hosts'
// addresses, sysctls and drop rules, captures lo with libpcap, samples the
// socket table, runs one thread per program, stops at the cap, and sends its
// recording back through a pipe.
#pragma once

#include <string>
#include <variant>

#include "kernel/plan.h"
#include "kernel/recording.h"
#include "scenario/ast.h"

namespace tcpsim::kernel {

struct NamespaceRunOptions {
  Time cap = 10 * kSecond;                      // real time the run may take
  Duration sample_interval = 1 * kMillisecond;  // socket-table sampling between events
};

// The recording, or one line saying why there is none (no CAP_NET_ADMIN,
// nft failed, ...).
std::variant<Recording, std::string> run_in_namespace(const scenario::Scenario& sc, const Plan& plan,
                                                      const NamespaceRunOptions& opt);

// Kills the runner child, if one is running: for SIGINT/SIGTERM handlers.
void kill_runner();

}  // namespace tcpsim::kernel
