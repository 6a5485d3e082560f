#include "cli/sweep/shard_format.h"

namespace tcpsim::sweep {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '%' || c <= 0x20 || c == 0x7f) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

std::variant<std::string, std::size_t> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
    const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) return i;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

const char* axis_kind_name(Axis::Kind k) {
  switch (k) {
    case Axis::Kind::Loss: return "loss";
    case Axis::Kind::Profile: return "profile";
    case Axis::Kind::Setting: return "set";
  }
  return "?";
}

}  // namespace tcpsim::sweep
