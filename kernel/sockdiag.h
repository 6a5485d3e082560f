// The namespace's TCP sockets as socket diagnostics list them (netlink
// NETLINK_SOCK_DIAG, INET_DIAG: what `ss` reads), every state included.
#pragma once

#include <optional>
#include <vector>

#include "kernel/recording.h"

namespace tcpsim::kernel {

class SockDiag {
 public:
  SockDiag();
  ~SockDiag();
  SockDiag(const SockDiag&) = delete;
  SockDiag& operator=(const SockDiag&) = delete;

  bool ok() const { return fd_ >= 0; }
  // Every IPv4 TCP socket now; nullopt when the kernel did not answer.
  // Sockets in CLOSE are left out, as ss leaves them out.
  // Without listeners the dump skips the listening hash table, which is
  // global and large: a dump then costs microseconds, not milliseconds.
  std::optional<std::vector<SocketSample>> dump(bool listeners = true);

 private:
  int fd_ = -1;
  unsigned seq_ = 0;
};

}  // namespace tcpsim::kernel
