#include "sim/fast_open.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace tcpsim::sim {

std::optional<FastOpenKey> parse_fast_open_key(std::string_view text, std::string* error) {
  auto bad = [&](const char* why) -> std::optional<FastOpenKey> {
    if (error) *error = why;
    return std::nullopt;
  };
  FastOpenKey key{};
  std::size_t at = 0;
  for (int word = 0; word < 4; ++word) {
    const std::size_t end = word < 3 ? text.find('-', at) : text.size();
    if (end == std::string_view::npos) return bad("expected four hex words joined by '-'");
    const std::string_view w = text.substr(at, end - at);
    if (w.empty() || w.size() > 8 ||
        !std::all_of(w.begin(), w.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
      return bad("each of the four words is 1 to 8 hex digits");
    const std::uint32_t v = static_cast<std::uint32_t>(std::strtoul(std::string(w).c_str(), nullptr, 16));
    for (int b = 0; b < 4; ++b)
      key[static_cast<std::size_t>(4 * word + b)] = static_cast<std::uint8_t>(v >> (8 * b));
    at = end + 1;
  }
  return key;
}

std::array<std::uint8_t, kFastOpenCookieBytes> fast_open_cookie(const FastOpenKey& key,
                                                                std::uint32_t client_ip,
                                                                std::uint32_t server_ip) {
  // crypto_shorthash_siphash24 is SipHash-2-4 with its 64-bit result
  // written little-endian, as Linux's cpu_to_le64(siphash(...)).
  const unsigned char in[8] = {
      static_cast<unsigned char>(client_ip >> 24), static_cast<unsigned char>(client_ip >> 16),
      static_cast<unsigned char>(client_ip >> 8),  static_cast<unsigned char>(client_ip),
      static_cast<unsigned char>(server_ip >> 24), static_cast<unsigned char>(server_ip >> 16),
      static_cast<unsigned char>(server_ip >> 8),  static_cast<unsigned char>(server_ip)};
  std::array<std::uint8_t, kFastOpenCookieBytes> out{};
  crypto_shorthash_siphash24(out.data(), in, sizeof in, key.data());
  return out;
}

FastOpenVerdict fast_open_verdict(const FastOpenSettings& s, bool qlen_room, bool syn_data,
                                  const FastOpenOption& syn_option, std::uint32_t client_ip,
                                  std::uint32_t server_ip) {
  FastOpenVerdict v;
  // tcp_try_fastopen: the server side on, a SYN with data or the option,
  // and room in the listener's Fast Open queue; otherwise no option back.
  if (!(s.sysctl & kTfoServerEnable) || !(syn_data || syn_option.len >= 0) || !qlen_room) return v;
  if (s.sysctl & kTfoServerCookieNotReqd) {
    v.child = true;
    return v;
  }
  if (syn_option.len < 0) return v;
  const auto valid = fast_open_cookie(s.key, client_ip, server_ip);
  if (syn_option.len == static_cast<std::int8_t>(valid.size()) &&
      std::equal(valid.begin(), valid.end(), syn_option.cookie.begin())) {
    v.child = true;  // the SYN,ACK carries no cookie (foc->len = -1)
    return v;
  }
  // A request or a wrong cookie: the valid one goes back, in the
  // encoding the client used.
  v.reply.len = static_cast<std::int8_t>(valid.size());
  v.reply.exp = syn_option.exp;
  std::copy(valid.begin(), valid.end(), v.reply.cookie.begin());
  return v;
}

}  // namespace tcpsim::sim
