// getsockopt(TCP_INFO): the fields of Linux's struct tcp_info that tcpsim
// has, filled as Linux's tcp_get_info() (net/ipv4/tcp.c) fills them, so a
// scenario, a packetdrill `%{ assert tcpi_x ... }%` and the kernel runner
// read the same names with the same meaning and units.
//
// One list (TCPSIM_TCP_INFO_FIELDS) names them; each name is the member of
// Linux's struct tcp_info (<netinet/tcp.h>), which the kernel runner reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tcpsim::model {
class Endpoint;
}

namespace tcpsim::sim {

// Linux's struct tcp_info members tcpsim fills, with what each holds.
#define TCPSIM_TCP_INFO_FIELDS(X)                                                          \
  X(tcpi_state)        /* sk_state, Linux's TCP_* number (ESTABLISHED 1 ... CLOSING 11) */ \
  X(tcpi_ca_state)     /* TCP_CA_Open 0, Disorder 1, CWR 2, Recovery 3, Loss 4 */          \
  X(tcpi_retransmits)  /* icsk_retransmits: timeouts of the head segment in a row */       \
  X(tcpi_options)      /* TCPI_OPT_TIMESTAMPS 1 | SACK 2 | WSCALE 4 */                     \
  X(tcpi_rto)          /* icsk_rto, microseconds */                                        \
  X(tcpi_snd_mss)      /* mss_cache: the segment size the sender uses */                   \
  X(tcpi_unacked)      /* packets_out (a listener: its accept queue's length) */           \
  X(tcpi_sacked)       /* sacked_out (a listener: its backlog) */                          \
  X(tcpi_lost)         /* lost_out */                                                      \
  X(tcpi_retrans)      /* retrans_out */                                                   \
  X(tcpi_rtt)          /* srtt_us >> 3, microseconds (0 before a sample) */                \
  X(tcpi_rttvar)       /* mdev_us >> 2, microseconds */                                    \
  X(tcpi_snd_ssthresh) /* snd_ssthresh (TCP_INFINITE_SSTHRESH 0x7fffffff at first) */      \
  X(tcpi_snd_cwnd)     /* snd_cwnd, segments */                                            \
  X(tcpi_reordering)   /* reordering: the duplicate threshold (3 at first) */

enum class TcpInfoField : std::uint8_t {
#define TCPSIM_TCP_INFO_ID(name) name,
  TCPSIM_TCP_INFO_FIELDS(TCPSIM_TCP_INFO_ID)
#undef TCPSIM_TCP_INFO_ID
};

struct TcpInfo {
#define TCPSIM_TCP_INFO_MEMBER(name) std::uint32_t name = 0;
  TCPSIM_TCP_INFO_FIELDS(TCPSIM_TCP_INFO_MEMBER)
#undef TCPSIM_TCP_INFO_MEMBER
  std::uint32_t get(TcpInfoField f) const;
};

// "tcpi_rto" -> its field; nullopt for a name tcpsim does not fill.
std::optional<TcpInfoField> tcp_info_field(std::string_view name);
std::string_view tcp_info_name(TcpInfoField f);
// "tcpi_state, tcpi_ca_state, ...", for messages.
std::string_view tcp_info_names();

// Linux's TCPI_OPT_ bits and TCP_CA_ states, by name (for assertions).
std::optional<std::uint32_t> tcp_info_constant(std::string_view name);

// What a connection's endpoint says, as tcp_get_info() says it. `ts_ok`,
// `ws_ok`: the RFC 7323 options the host negotiated on its wire.
struct TcpInfoWire {
  bool ts_ok = false, ws_ok = false;
  bool syn_data = false;  // a Fast Open child that took its SYN's data
};
TcpInfo tcp_info_of(const model::Endpoint& ep, TcpInfoWire wire);
// A socket with no connection (CLOSED): tcp_init_sock()'s values.
TcpInfo tcp_info_closed(bool linux_window);

}  // namespace tcpsim::sim
