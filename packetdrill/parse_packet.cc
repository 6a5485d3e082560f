// Packet events: `< S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,eol,eol>`.
// The checks are packetdrill's (parser.y, tcp_packet.c): field ranges, a
// payload length that matches the sequence range, a window on every inbound
// packet, `<...>` and [ect01] on outbound packets only, options padded to a
// multiple of 4 bytes and at most 40.
#include <fmt/format.h>

#include <cctype>

#include "packetdrill/parser_impl.h"

namespace tcpsim::packetdrill {
namespace {

constexpr std::uint64_t kU32 = 0xffffffffu, kU16 = 0xffff, kU8 = 0xff;
constexpr int kMaxOptionBytes = 40;
constexpr std::size_t kMaxCookieBytes = 16;

bool all_hex(const std::string& s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return !s.empty();
}

// Bytes on the wire; -1 when a cookie is still a symbol.
int option_bytes(const TcpOption& o) {
  using K = TcpOption::Kind;
  switch (o.kind) {
    case K::Nop:
    case K::Eol: return 1;
    case K::Mss: return 4;
    case K::WindowScale: return 3;
    case K::SackPermitted: return 2;
    case K::Sack: return 2 + 8 * static_cast<int>(o.sack_blocks.size());
    case K::Timestamp: return 10;
    case K::Md5: return 18;
    case K::FastOpen:
    case K::FastOpenExp:
      if (o.blob_is_symbol) return -1;
      return (o.kind == K::FastOpen ? 2 : 4) + static_cast<int>(o.blob.size() / 2);
  }
  return 0;
}

}  // namespace

std::variant<Packet, Unsupported> Parser::packet() {
  Packet p;
  const Token& dir = next();
  p.direction = dir.text == "<" ? Packet::Direction::Inbound : Packet::Direction::Outbound;
  if (at_punct('[') || at_punct('(')) {
    char close = next().text[0] == '[' ? ']' : ')';
    ip_info(p, close);
  }
  // UDP, ICMP and encapsulated packets parse in packetdrill; tcpsim models
  // none of them: the rest of the line is kept for the runner to report.
  static const char* const kOther[] = {"udp", "icmp", "ipv4", "ipv6", "gre", "GREv0", "mpls"};
  std::string what;
  for (const char* w : kOther) {
    if (at_word(w)) what = fmt::format("{} packet", w);
  }
  if (peek().kind == TokenKind::Integer && at_punct('>', 1)) what = "packet with port numbers";
  if (!what.empty()) {
    int line = dir.where.line;
    std::size_t begin = dir.begin, end = dir.end;
    while (peek().kind != TokenKind::End && peek().where.line == line) end = next().end;
    return Unsupported{what, std::string(src_.substr(begin, end - begin))};
  }
  tcp_flags(p);
  sequence(p);
  if (at_word("ack")) {
    next();
    p.ack = static_cast<std::uint32_t>(unsigned_integer("ack number", kU32));
  }
  if (at_word("win")) {
    next();
    p.window = static_cast<std::uint32_t>(unsigned_integer("window", kU16));
  }
  if (at_word("urg")) {
    next();
    p.urg_ptr = static_cast<std::uint32_t>(unsigned_integer("urgent pointer", kU16));
  }
  if (at_punct('<')) tcp_options(p);
  if (at_punct('{')) fail(peek(), "packet fuzzing ({...} after a packet) is not supported");
  bool inbound = p.direction == Packet::Direction::Inbound;
  if (inbound && !p.window) fail(dir, "window must be specified for inbound packets");
  if (inbound && p.options_unchecked)
    fail(dir, "<...> for TCP options can only be used with outbound packets");
  if (inbound && p.ecn && *p.ecn == "ect01") fail(dir, "[ect01] can only be used with outbound packets");
  if (inbound && p.any_seq) fail(dir, "...(len) for the sequence can only be used with outbound packets");
  return p;
}

// [noecn], [ect0], [ect1], [ce], [ect01], (tos 0x..), ttl N, flowlabel 0x..,
// comma-separated.
void Parser::ip_info(Packet& p, char close) {
  do {
    const Token& t = peek();
    if (at_word("noecn") || at_word("ect0") || at_word("ect1") || at_word("ce") || at_word("ect01")) {
      if (p.ecn || p.tos) fail(t, "ECN or TOS given twice");
      p.ecn = next().text;
    } else if (at_word("tos")) {
      next();
      if (p.ecn || p.tos) fail(t, "ECN or TOS given twice");
      p.tos = static_cast<std::uint8_t>(unsigned_integer("tos", kU8));
    } else if (at_word("ttl")) {
      next();
      p.ttl = static_cast<std::uint8_t>(unsigned_integer("ttl", kU8));
    } else if (at_word("flowlabel")) {
      next();
      p.flow_label = static_cast<std::uint32_t>(unsigned_integer("flow label", 0xfffff));
    } else {
      fail(t,
           fmt::format("expected noecn, ect0, ect1, ce, ect01, tos, ttl or flowlabel, not {}", describe(t)));
    }
  } while (at_punct(',') && (next(), true));
  expect_punct(close, "after the IP fields");
}

void Parser::tcp_flags(Packet& p) {
  const Token& t = peek();
  if (at_punct('-')) {
    next();
    return;
  }
  if (at_punct('.')) {
    p.flags = next().text;
  } else if (t.kind == TokenKind::Word) {
    p.flags = next().text;
    if (at_punct('.')) p.flags += next().text;
  } else {
    fail(t, fmt::format("expected TCP flags (S, S., ., F., R, P., -, ...), not {}", describe(t)));
  }
  for (char c : p.flags) {
    switch (c) {
      case 'F': p.fin = true; break;
      case 'S': p.syn = true; break;
      case 'R': p.rst = true; break;
      case 'P': p.psh = true; break;
      case '.': p.ack_flag = true; break;
      case 'E': p.ece = true; break;
      case 'W': p.cwr = true; break;
      case 'U': p.urg_flag = true; break;
      case 'A': p.ae = true; break;
      default: fail(t, fmt::format("invalid TCP flag '{}' in '{}' (valid: . F S R P E W U A)", c, p.flags));
    }
  }
}

// start:end(len), or NPLab's ...(len) for "any sequence number".
void Parser::sequence(Packet& p) {
  const Token& start = peek();
  if (start.kind == TokenKind::Ellipsis) {
    next();
    p.any_seq = true;
  } else {
    if (start.kind != TokenKind::Integer) {
      fail(start, fmt::format("expected a sequence range start:end(length), not {}", describe(start)));
    }
    p.seq = static_cast<std::uint32_t>(unsigned_integer("start sequence number", kU32));
    expect_punct(':', "in start:end(length)");
    p.end_seq = static_cast<std::uint32_t>(unsigned_integer("end sequence number", kU32));
  }
  expect_punct('(', "before the payload length");
  p.len = static_cast<std::uint32_t>(unsigned_integer("payload length", kU16));
  expect_punct(')', "after the payload length");
  if (!p.any_seq && static_cast<std::uint64_t>(p.end_seq) != static_cast<std::uint64_t>(p.seq) + p.len) {
    fail(start, fmt::format("inconsistent TCP sequence numbers and payload size: {}:{}({})", p.seq, p.end_seq,
                            p.len));
  }
}

void Parser::tcp_options(Packet& p) {
  const Token& open = next();
  if (peek().kind == TokenKind::Ellipsis) {
    next();
    p.options_unchecked = true;
    expect_punct('>', "after <...");
    return;
  }
  int bytes = 0;
  bool known = true;
  do {
    if (p.options.size() >= kMaxOptionBytes) fail(peek(), "more than 40 TCP options");
    p.options.push_back(tcp_option());
    int b = option_bytes(p.options.back());
    known = known && b >= 0;
    bytes += b;
  } while (at_punct(',') && (next(), true));
  expect_punct('>', "after the TCP options");
  if (!known) return;
  if (bytes > kMaxOptionBytes) fail(open, fmt::format("TCP options take {} bytes, more than 40", bytes));
  if (bytes % 4 != 0) {
    fail(open,
         fmt::format("TCP options are not padded to a multiple of 4 bytes: {} excess bytes", bytes % 4));
  }
}

TcpOption Parser::tcp_option() {
  using K = TcpOption::Kind;
  TcpOption o;
  const Token& t = peek();
  o.where = t.where;
  if (t.kind != TokenKind::Word) fail(t, fmt::format("expected a TCP option, not {}", describe(t)));
  std::string name = next().text;
  if (name == "nop") {
    o.kind = K::Nop;
  } else if (name == "eol") {
    o.kind = K::Eol;
  } else if (name == "sackOK") {
    o.kind = K::SackPermitted;
  } else if (name == "mss") {
    o.kind = K::Mss;
    o.value = static_cast<std::uint32_t>(unsigned_integer("mss", kU16));
  } else if (name == "wscale") {
    o.kind = K::WindowScale;
    o.value = static_cast<std::uint32_t>(unsigned_integer("window scale", kU8));
  } else if (name == "sack") {
    o.kind = K::Sack;
    do {
      if (o.sack_blocks.size() >= 4) fail(peek(), "more than 4 SACK blocks");
      auto left = static_cast<std::uint32_t>(unsigned_integer("SACK block left edge", kU32));
      expect_punct(':', "in the SACK block left:right");
      auto right = static_cast<std::uint32_t>(unsigned_integer("SACK block right edge", kU32));
      o.sack_blocks.emplace_back(left, right);
    } while (peek().kind == TokenKind::Integer);
  } else if (name == "TS") {
    o.kind = K::Timestamp;
    if (!at_word("val")) fail(peek(), fmt::format("expected 'val' after TS, not {}", describe(peek())));
    next();
    o.ts_val = static_cast<std::uint32_t>(unsigned_integer("TS val", kU32));
    if (!at_word("ecr")) fail(peek(), fmt::format("expected 'ecr' after TS val, not {}", describe(peek())));
    next();
    o.ts_ecr = static_cast<std::uint32_t>(unsigned_integer("TS ecr", kU32));
  } else if (name == "FO" || name == "FOEXP" || name == "md5") {
    o.kind = name == "FO" ? K::FastOpen : name == "FOEXP" ? K::FastOpenExp : K::Md5;
    if (peek().kind == TokenKind::Word || peek().kind == TokenKind::Integer) {
      o.blob = next().text;
    } else if (o.kind == K::Md5) {
      fail(peek(), fmt::format("expected the MD5 digest in hex after md5, not {}", describe(peek())));
    }
    o.blob_is_symbol = !o.blob.empty() && !all_hex(o.blob);
    if (!o.blob.empty() && !o.blob_is_symbol) {
      if (o.blob.size() % 2 != 0) fail(t, fmt::format("{} {}: an odd number of hex digits", name, o.blob));
      std::size_t max = o.kind == K::Md5 ? 16 : kMaxCookieBytes;
      if (o.blob.size() / 2 > max) fail(t, fmt::format("{} {}: longer than {} bytes", name, o.blob, max));
    }
  } else {
    fail(t,
         fmt::format("unknown TCP option '{}' (expected nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP "
                     "or md5)",
                     name));
  }
  return o;
}

}  // namespace tcpsim::packetdrill
