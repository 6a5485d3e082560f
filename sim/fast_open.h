// TCP Fast Open (RFC 7413) on a simulated host's server side, as Linux
// does it (net/ipv4/tcp_fastopen.c): the cookie is SipHash-2-4 of the
// client's and the server's IPv4 addresses under the primary key of
// net.ipv4.tcp_fastopen_key; a SYN carrying a valid cookie (or any SYN with
// data under TFO_SERVER_COOKIE_NOT_REQD) makes a child that takes the SYN's
// data, is acknowledged by the SYN,ACK and goes to the accept queue at once,
// in SYN-RECEIVED; a SYN with an empty or a wrong cookie gets the valid one
// on its SYN,ACK and an ordinary handshake.
// Not modelled: the client side (MSG_FASTOPEN, TCP_FASTOPEN_CONNECT), the
// backup key, the fastopen queue's expiry of old requests, blackhole
// detection, IPv6.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcpsim::sim {

// net.ipv4.tcp_fastopen's bits that the server side reads.
constexpr std::uint32_t kTfoServerEnable = 0x2;
constexpr std::uint32_t kTfoServerCookieNotReqd = 0x200;
constexpr std::uint32_t kTfoServerWoSockopt1 = 0x400;  // every listener, without setsockopt

using FastOpenKey = std::array<std::uint8_t, 16>;

// A host's Fast Open settings (part of its profile). Off in every profile;
// the packetdrill runner sets them from a script's sysctls.
struct FastOpenSettings {
  std::uint32_t sysctl = 0;  // net.ipv4.tcp_fastopen
  FastOpenKey key{};         // net.ipv4.tcp_fastopen_key's primary key, as Linux stores it
};

// The Fast Open option of a segment (kind 34, or the experimental kind 254
// with magic 0xF989): absent, a cookie request (len 0), or a cookie. Only
// its first 8 bytes are kept: RFC 7413 cookies are 4 to 16 bytes, but the
// only valid one here is Linux's, 8 bytes (a longer one, its length kept,
// is never valid), and every Packet carries this in the scheduler's inline
// storage.
constexpr std::size_t kFastOpenCookieBytes = 8;
struct FastOpenOption {
  std::int8_t len = -1;  // cookie bytes as sent (up to 16); -1: no option
  bool exp = false;      // the experimental encoding (RFC 6994)
  std::array<std::uint8_t, kFastOpenCookieBytes> cookie{};
  bool operator==(const FastOpenOption& o) const {
    return len == o.len && exp == o.exp && (len <= 0 || cookie == o.cookie);
  }
};

// "a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4" (the sysctl's form: four 32-bit
// hex words; Linux proc_tcp_fastopen_key stores each little-endian) into
// the key's bytes; nullopt, with why in `error`, when it is not that form.
std::optional<FastOpenKey> parse_fast_open_key(std::string_view text, std::string* error = nullptr);

// Linux __tcp_fastopen_cookie_gen_cipher for IPv4: SipHash-2-4 of the SYN's
// source then destination address (network order), the 64-bit result
// stored little-endian: 8 bytes.
std::array<std::uint8_t, kFastOpenCookieBytes> fast_open_cookie(const FastOpenKey& key,
                                                                std::uint32_t client_ip,
                                                                std::uint32_t server_ip);

// What a listener does with a SYN (Linux tcp_try_fastopen).
struct FastOpenVerdict {
  bool child = false;    // make a Fast Open child that takes the SYN's data
  FastOpenOption reply;  // the option on the SYN,ACK (len -1: none)
};
// `qlen_room`: the listener's Fast Open queue (TCP_FASTOPEN's qlen, or the
// backlog under TFO_SERVER_WO_SOCKOPT1) has room.
FastOpenVerdict fast_open_verdict(const FastOpenSettings& s, bool qlen_room, bool syn_data,
                                  const FastOpenOption& syn_option, std::uint32_t client_ip,
                                  std::uint32_t server_ip);

}  // namespace tcpsim::sim
