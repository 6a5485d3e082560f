// `--name=value` lines at the top of a script: the ones a runner acts on are
// checked and decoded here (the others are kept as written for it to report).
#include <arpa/inet.h>
#include <fmt/format.h>

#include <cctype>

#include "packetdrill/parser_impl.h"

namespace tcpsim::packetdrill {
namespace {

bool parse_u64(const std::string& s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (v > (max - (c - '0')) / 10) return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool is_name(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

void Parser::option(const Token& o, Flags& flags) {
  flags.all.push_back({o.where, o.text, o.has_value ? std::optional<std::string>(o.value) : std::nullopt});
  const std::string& name = o.text;
  const std::string& v = o.value;
  auto need_value = [&] {
    if (!o.has_value || v.empty()) fail(o, fmt::format("--{} needs a value (--{}=...)", name, name));
  };
  auto number = [&](std::uint64_t max) {
    need_value();
    std::uint64_t n = 0;
    if (!parse_u64(v, max, n)) fail(o, fmt::format("--{}={}: expected a number from 0 to {}", name, v, max));
    return n;
  };
  constexpr std::uint64_t kMaxUsecs = kMaxDuration / kMicrosecond;
  if (name == "tolerance_usecs") {
    flags.tolerance = static_cast<Duration>(number(kMaxUsecs)) * kMicrosecond;
  } else if (name == "tcp_ts_tick_usecs") {
    flags.tcp_ts_tick = static_cast<Duration>(number(kMaxUsecs)) * kMicrosecond;
  } else if (name == "mss" || name == "mtu") {
    auto n = static_cast<std::uint32_t>(number(65535));
    if (n == 0) fail(o, fmt::format("--{} cannot be 0", name));
    (name == "mss" ? flags.mss : flags.mtu) = n;
  } else if (name == "ip_version") {
    need_value();
    if (v != "ipv4" && v != "ipv6" && v != "ipv4-mapped-ipv6") {
      fail(o, fmt::format("--ip_version={}: expected ipv4, ipv6 or ipv4-mapped-ipv6", v));
    }
    flags.ip_version = v;
  } else if (name == "local_ip" || name == "remote_ip") {
    need_value();
    unsigned char buf[16];
    if (inet_pton(AF_INET, v.c_str(), buf) != 1 && inet_pton(AF_INET6, v.c_str(), buf) != 1) {
      fail(o, fmt::format("--{}={}: not an IPv4 or IPv6 address", name, v));
    }
    (name == "local_ip" ? flags.local_ip : flags.remote_ip) = v;
  } else if (name == "define") {
    need_value();
    std::size_t eq = v.find('=');
    std::string sym = v.substr(0, eq);
    if (!is_name(sym)) fail(o, fmt::format("--define={}: '{}' is not a name", v, sym));
    flags.defines[sym] = eq == std::string::npos ? "" : v.substr(eq + 1);
  }
}

}  // namespace tcpsim::packetdrill
