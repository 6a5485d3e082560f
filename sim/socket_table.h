// A host's socket table the way Linux shows it: the rows of `ss -tan` (with
// `-o`'s timers) and of /proc/net/tcp, computed from the connections the
// host holds, orphans and TIME-WAIT included. Measured layouts and meanings:
// docs/linux-observations.md §7.
#pragma once

#include <string>
#include <vector>

#include "sim/host.h"

namespace tcpsim::sim {

struct SocketRow {
  model::State state = model::State::Closed;
  std::uint32_t recv_q = 0;  // unread bytes (+1 for an unread FIN); listeners: accept queue
  std::uint32_t send_q = 0;  // unacknowledged and unsent bytes (+1 for the FIN); listeners: backlog
  Addr local, peer;
  bool listening = false;
  bool orphan = false;       // no socket holds it (Linux: inode 0)
  // -o: "on" (retransmission), "timewait" (TIME-WAIT, orphaned FIN-WAIT-2),
  // "" (none); remaining time; retransmissions so far.
  std::string timer;
  Duration timer_left = 0;
  int retransmits = 0;
};

// Rows in the host's connection order (listeners first, then by creation).
std::vector<SocketRow> socket_rows(const Host& h, Time now);

// `ss -tan` (with_timers: `ss -tano`), header included, Linux's layout.
std::string format_ss(const std::vector<SocketRow>& rows, bool with_timers);
// `cat /proc/net/tcp`, header included.
std::string format_proc_net_tcp(const std::vector<SocketRow>& rows);
// ss's timer text: "timewait,59sec,0", "on,028ms,0", "on,1.304ms,5" (sic).
std::string ss_timer(const SocketRow& r);

}  // namespace tcpsim::sim
