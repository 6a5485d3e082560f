// When bind() and listen() fail with EADDRINUSE on Linux: one pure function
// per call, over plain values the socket layer fills in from its own tables.
//
// The rules (Linux 6.x, IPv4 TCP; net/ipv4/inet_connection_sock.c:
// inet_csk_get_port -> inet_csk_bind_conflict -> inet_bind_conflict, always
// called with relax = true and reuseport_ok = true for an explicit port).
// They were checked against the real kernel for every case of
// tests/sim/data/bind_matrix.tsv (see tests/sim/kernel_bind_matrix_test.cc).
//
// A new socket N asking for (ip, port) conflicts with an existing socket E
// when all of the following hold:
//
//  1. E holds the same port.
//  2. The addresses overlap: either is INADDR_ANY (0), or they are equal.
//     Two different specific addresses never conflict, whatever the flags.
//     E's address is its CURRENT local address: a socket bound to INADDR_ANY
//     that then connect()s gets the source address of its route as its local
//     address (tcp_v4_connect sets inet_rcv_saddr, 6.x moves it to that bhash2
//     bucket), so from then on, and in the TIME-WAIT it leaves, it no longer
//     covers the other local addresses. Pass getsockname()'s address.
//  3. Neither exemption applies:
//     (a) SO_REUSEADDR: N and E both set it, and E is not in LISTEN.
//         E's own state is what matters, not N's: a bound-only, connected or
//         TIME-WAIT socket is passed over. (A socket that set SO_REUSEADDR
//         binds beside a LISTEN socket only through (b).)
//     (b) SO_REUSEPORT: N and E both set it, and either they were created by
//         the same user (sk_uid, the socket inode's owner: the fsuid at
//         socket() time), or E is in TIME-WAIT (a timewait socket carries no
//         uid; the kernel skips the uid test for it). This holds for
//         listeners too: that is how several listeners share a port.
//     A TIME-WAIT socket keeps the SO_REUSEADDR / SO_REUSEPORT flags of the
//     socket it came from (tw_reuse, tw_reuseport): the old server must have
//     set the flag too, the new one alone does not get past it.
//
// bind() fails with EADDRINUSE when N conflicts with any socket on the port.
//
// listen() re-runs the same check for the listening socket against every
// OTHER socket on its port (inet_csk_listen_start -> get_port), with the
// same rule: only the other socket's state counts. So two SO_REUSEADDR
// sockets can both bind one port; the first to listen() succeeds (the other
// is not listening), the second then fails with EADDRINUSE (the first is
// LISTEN now), unless both also set SO_REUSEPORT under one uid.
//
// Not modelled: SO_BINDTODEVICE (different devices never conflict),
// IPv6/dual-stack, SO_REUSEPORT BPF groups, port 0 (ephemeral choice), and
// the EACCES / EINVAL bind errors.
#pragma once

#include <cstdint>
#include <vector>

namespace tcpsim::sim {

// What a socket on the port is doing, as far as bind conflicts go.
enum class BindState : std::uint8_t {
  Bound,        // bound, neither listening nor connected (kernel TCP_CLOSE)
  Listen,       // listen() called
  Established,  // any connection state, SYN-SENT through LAST-ACK
  TimeWait,     // a TIME-WAIT socket. An orphaned FIN-WAIT-2 kept as a timewait
                // mini-socket has kernel sk_state TCP_TIME_WAIT too, so
                // presumably belongs here (from the source; not measured).
};

// A socket that holds a local port: a bound socket, a listener, a
// connection, or a TIME-WAIT left behind by one. ip is its current local
// address (0 = INADDR_ANY), in whatever byte order the caller uses
// consistently (only compared for equality and with 0).
struct BoundSocket {
  std::uint32_t ip = 0;
  std::uint16_t port = 0;
  bool reuseaddr = false;
  bool reuseport = false;
  std::uint32_t owner_uid = 0;  // ignored when state is TimeWait
  BindState state = BindState::Bound;
};

// The arguments of a bind() plus the socket options and owner of the socket
// making it.
struct BindRequest {
  std::uint32_t ip = 0;  // 0 = INADDR_ANY
  std::uint16_t port = 0;
  bool reuseaddr = false;
  bool reuseport = false;
  std::uint32_t owner_uid = 0;
};

enum class BindVerdict : std::uint8_t { Ok, AddrInUse };

// Whether a socket asking for `req` conflicts with the one socket `existing`
// (rules 1 to 3 above).
bool bind_conflict(const BindRequest& req, const BoundSocket& existing);

// bind(): AddrInUse when `req` conflicts with any socket of [begin, end).
BindVerdict bind_allowed(const BindRequest& req, const BoundSocket* begin, const BoundSocket* end);
BindVerdict bind_allowed(const BindRequest& req, const std::vector<BoundSocket>& existing);

// listen() on the bound socket `me`: AddrInUse when `me` conflicts with any
// other socket on its port. `me` itself may be an element of `others` (it is
// recognised by address and skipped); me.state is not consulted.
BindVerdict listen_allowed(const BoundSocket& me, const BoundSocket* begin, const BoundSocket* end);
BindVerdict listen_allowed(const BoundSocket& me, const std::vector<BoundSocket>& others);

const char* to_string(BindState s);
const char* to_string(BindVerdict v);  // "OK" or "EADDRINUSE"

}  // namespace tcpsim::sim
