// What travels on a simulated link: a TCP segment plus the addressing the
// endpoint model leaves out (model::Segment is one endpoint's view).
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "model/segment.h"
#include "sim/wire_options.h"

namespace tcpsim::sim {

// An IPv4 address and port. The ip is host-order so 127.0.0.1 is 0x7f000001.
struct Addr {
  std::uint32_t ip = 0;
  std::uint16_t port = 0;
};

constexpr bool operator==(const Addr& a, const Addr& b) { return a.ip == b.ip && a.port == b.port; }
constexpr bool operator!=(const Addr& a, const Addr& b) { return !(a == b); }

constexpr std::uint32_t ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return (std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d;
}

// "127.0.0.1:9090".
std::string to_string(const Addr& a);

// IPv4 (20) + TCP (20) headers without options: what every packet costs on the
// wire on top of its payload, for serialisation delay and MTU checks.
constexpr std::uint32_t kHeaderBytes = 40;

struct Packet {
  Addr src, dst;
  model::Segment seg;
  bool retransmission = false;  // set by the sender; drop rules may ignore these
  // RFC 7323 options, which the model does not carry; placed here, in the
  // padding after the flag, so that a Packet still fits a scheduler
  // callback's inline storage (tests/sim/scheduler_test.cc).
  WireOptions opt;
  std::uint64_t id = 0;  // assigned by the caller, carried for traces

  std::uint32_t wire_size() const { return kHeaderBytes + static_cast<std::uint32_t>(seg.payload.size()); }
};

}  // namespace tcpsim::sim

template <>
struct fmt::formatter<tcpsim::sim::Addr> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const tcpsim::sim::Addr& a, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(tcpsim::sim::to_string(a), ctx);
  }
};
