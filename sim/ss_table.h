// The `ss` view (the socket API itself is sim/sockets.h): a host's socket
// table the way Linux shows it, the rows of `ss -tan` (with `-o`'s timers)
// and of /proc/net/tcp, computed from the connections the host holds,
// orphans and TIME-WAIT included. Measured layouts and meanings:
// docs/linux-observations.md §7 and tests/sim/data/ss/ (raw captures of
// kernel 6.18, CONFIG_HZ=250, and iproute2-6.1 `ss` writing to a pipe).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/host.h"

namespace tcpsim::sim {

// How Linux holds the connection, which decides what its rows look like.
enum class SockKind : std::uint8_t {
  Full,      // a struct sock: the long /proc line
  TimeWait,  // inet_timewait_sock: TIME-WAIT, and an orphan's FIN-WAIT-2
             // (tcp_fin_timeout <= 60 s); queues 0, inode 0, short /proc line
  Request,   // request_sock: a passive SYN-RECEIVED; queues 0, inode 0, short line
};

struct SocketRow {
  model::State state = model::State::Closed;
  std::uint32_t recv_q = 0;  // unread bytes (+1 for an unread FIN); listeners: accept queue
  std::uint32_t send_q = 0;  // write_seq - SND.UNA: unacked and unsent bytes, +1 for a SYN
                             // or FIN not yet acked; listeners: backlog (ss only)
  Addr local, peer;
  bool listening = false;
  SockKind kind = SockKind::Full;
  bool orphan = false;  // no socket file holds it (Linux: inode 0)
  // -o: "on" (retransmission), "timewait" (TIME-WAIT, orphaned FIN-WAIT-2),
  // "" (none); remaining time; retransmissions so far (Linux
  // icsk_retransmits, a request's num_retrans).
  std::string timer;
  Duration timer_left = 0;
  int retransmits = 0;
  // /proc/net/tcp only.
  std::uint32_t uid = 0;    // every simulated socket belongs to one user, uid 0
  std::uint64_t inode = 0;  // placeholder (see socket_rows); 0 when orphan
  Duration rto = 0;         // 0: not known (printed as the initial 1 s)
};

// Rows in a fixed order (Linux's is its hash tables' order, which tcpsim
// cannot reproduce): listeners first, then by local port, peer port, local
// address, peer address.
std::vector<SocketRow> socket_rows(const Host& h, Time now);

// `ss -tan` (with_timers: `ss -tano`), header included, as iproute2-6.1's ss
// prints it into a pipe (no terminal: columns as wide as their content).
std::string format_ss(const std::vector<SocketRow>& rows, bool with_timers);
// `cat /proc/net/tcp`, header included.
std::string format_proc_net_tcp(const std::vector<SocketRow>& rows);
// ss's timer text without "timer:(...)": "timewait,59sec,0", "on,028ms,0",
// "on,1.304ms,5" (sic: 1.304 s), "keepalive,2min4sec,0"; "" when no timer.
std::string ss_timer(const SocketRow& r);

// The pieces, exposed for tests.
// Linux's view of a remaining time: whole jiffies of CONFIG_HZ=250 (4 ms),
// rounded up (a timer armed on a tick has ceil(left / 4 ms) ticks to go).
std::int64_t kernel_jiffies_left(Duration left);
// ss's print_ms_timer(): "" (0), "028ms", "1.304ms", "2sec", "59sec", "1min",
// "1min1sec", "11min".
std::string ss_ms_timer(std::uint32_t ms);

}  // namespace tcpsim::sim
