// Packets: the script's inbound packets made into segments for the host,
// and the host's outbound segments checked against the script's, the way
// packetdrill's run_packet.c checks them (field by field, then the option
// bytes, then the time).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "packetdrill/run_state.h"

namespace tcpsim::packetdrill {

namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, v >> 16);
  put16(b, v & 0xffff);
}

// A Fast Open option's cookie as the script writes it: hex bytes, or a
// name (packetdrill's -D). TFO_COOKIE, when the command line does not
// define it, is what the kselftest runner passes: the cookie of the
// script's addresses under the host's tcp_fastopen_key (sim/fast_open.h).
Bytes cookie_bytes(const Run& r, const TcpOption& o) {
  std::string hex = o.blob;
  if (o.blob_is_symbol) {
    const auto& d = r.script.flags.defines;
    if (auto it = d.find(o.blob); it != d.end()) {
      hex = it->second;
    } else if (o.blob == "TFO_COOKIE") {
      const auto c = sim::fast_open_cookie(r.host->profile().fast_open.key, r.remote.ip, r.local.ip);
      return Bytes(c.begin(), c.end());
    } else {
      r.unsupported(o.where, "the undefined name " + o.blob);
    }
  }
  Bytes b;
  auto nibble = [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10;
  };
  const bool ok = hex.size() % 2 == 0 && hex.size() <= 32 && std::all_of(hex.begin(), hex.end(), [](char c) {
                    return std::isxdigit(static_cast<unsigned char>(c));
                  });
  if (!ok) r.unsupported(o.where, "a Fast Open cookie that is not 0 to 16 hex bytes: " + hex);
  for (std::size_t i = 0; i < hex.size(); i += 2)
    b.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return b;
}

// The Fast Open option's bytes (kind 34, or 254 with RFC 6994's magic 0xF989).
void put_fast_open(Bytes& b, bool exp, const std::uint8_t* cookie, std::size_t n) {
  if (exp) {
    b.insert(b.end(), {254, static_cast<std::uint8_t>(4 + n), 0xf9, 0x89});
  } else {
    b.insert(b.end(), {34, static_cast<std::uint8_t>(2 + n)});
  }
  b.insert(b.end(), cookie, cookie + n);
}

// The option bytes as the script writes them (TS values as written: a
// script's TS options make the run unsupported before they are compared).
Bytes script_option_bytes(const Run& r, const std::vector<TcpOption>& opts) {
  Bytes b;
  for (const auto& o : opts) {
    switch (o.kind) {
      case TcpOption::Kind::FastOpen:
      case TcpOption::Kind::FastOpenExp: {
        const Bytes c = cookie_bytes(r, o);
        put_fast_open(b, o.kind == TcpOption::Kind::FastOpenExp, c.data(), c.size());
        break;
      }
      case TcpOption::Kind::Nop: b.push_back(1); break;
      case TcpOption::Kind::Eol: b.push_back(0); break;
      case TcpOption::Kind::Mss:
        b.insert(b.end(), {2, 4});
        put16(b, o.value);
        break;
      case TcpOption::Kind::WindowScale: b.insert(b.end(), {3, 3, static_cast<std::uint8_t>(o.value)}); break;
      case TcpOption::Kind::SackPermitted: b.insert(b.end(), {4, 2}); break;
      case TcpOption::Kind::Sack:
        b.push_back(5);
        b.push_back(static_cast<std::uint8_t>(2 + 8 * o.sack_blocks.size()));
        for (const auto& [l, r] : o.sack_blocks) {
          put32(b, l);
          put32(b, r);
        }
        break;
      case TcpOption::Kind::Timestamp:
        b.insert(b.end(), {8, 10});
        put32(b, o.ts_val);
        put32(b, o.ts_ecr);
        break;
      default: b.push_back(0xff); break;  // MD5: refused before this
    }
  }
  return b;
}

void pad_to(Bytes& b, std::size_t mod, std::size_t rem, std::uint8_t with) {
  while (b.size() % mod != rem) b.push_back(with);
}

// The options the host's stack puts on the wire for what the segment
// carries, in that stack's layout. Linux: tcp_options_write() (MSS, then
// SACK-permitted and timestamps in one word or NOP NOP before either,
// NOP window scale, NOP NOP SACK blocks). FreeBSD: tcp_addoptions()
// (MSS, NOPs to 4n+1 and window scale, SACK-permitted at an even offset,
// NOPs to 4n+2 before timestamps and before SACK blocks, then EOL bytes to
// a multiple of 4).
void put_ts(Bytes& b, const sim::WireOptions& o) {
  b.insert(b.end(), {8, 10});
  put32(b, o.ts_val);
  put32(b, o.ts_ecr);
}

Bytes linux_option_bytes(const model::Segment& s, const sim::WireOptions& o) {
  Bytes b;
  if (s.mss) {
    b.insert(b.end(), {2, 4});
    put16(b, s.mss);
  }
  if (o.ts) {
    // SACK-permitted rides in the two bytes before TS instead of NOPs.
    b.insert(b.end(),
             {static_cast<std::uint8_t>(s.sack_ok ? 4 : 1), static_cast<std::uint8_t>(s.sack_ok ? 2 : 1)});
    put_ts(b, o);
  } else if (s.sack_ok) {
    b.insert(b.end(), {1, 1, 4, 2});
  }
  if (o.wscale >= 0) b.insert(b.end(), {1, 3, 3, static_cast<std::uint8_t>(o.wscale)});
  return b;
}

Bytes freebsd_option_bytes(const model::Segment& s, const sim::WireOptions& o) {
  Bytes b;
  if (s.mss) {
    b.insert(b.end(), {2, 4});
    put16(b, s.mss);
  }
  if (o.wscale >= 0) {
    pad_to(b, 4, 1, 1);
    b.insert(b.end(), {3, 3, static_cast<std::uint8_t>(o.wscale)});
  }
  if (s.sack_ok) {
    pad_to(b, 2, 0, 1);
    b.insert(b.end(), {4, 2});
  }
  if (o.ts) {
    if (b.empty()) b.push_back(1);
    pad_to(b, 4, 2, 1);
    put_ts(b, o);
  }
  return b;
}

Bytes live_option_bytes(Stack stack, const model::Segment& s, const sim::WireOptions& o) {
  Bytes b = stack == Stack::Linux ? linux_option_bytes(s, o) : freebsd_option_bytes(s, o);
  if (!s.sack.empty()) {
    if (stack == Stack::Linux) {
      b.insert(b.end(), {1, 1});
    } else {
      pad_to(b, 4, 2, 1);
    }
    b.push_back(5);
    b.push_back(static_cast<std::uint8_t>(2 + 8 * s.sack.size()));
    for (const auto& blk : s.sack) {
      put32(b, blk.left);
      put32(b, blk.right);
    }
  }
  if (o.fo.len >= 0 && stack == Stack::Linux) {
    // tcp_options_write(): the Fast Open option last, then two NOPs when
    // its length leaves the word two bytes short.
    const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(o.fo.len), o.fo.cookie.size());
    put_fast_open(b, o.fo.exp, o.fo.cookie.data(), n);
    if (((o.fo.exp ? 4 : 2) + n) % 4 == 2) b.insert(b.end(), {1, 1});
  }
  if (stack == Stack::FreeBsd) pad_to(b, 4, 0, 0);
  return b;
}

// "mss 1460,nop,nop,sackOK": option bytes as packetdrill writes them.
std::string options_text(const Bytes& b) {
  std::string out;
  auto sep = [&] { return out.empty() ? "" : ","; };
  for (std::size_t i = 0; i < b.size();) {
    const std::uint8_t k = b[i];
    if (k == 0 || k == 1) {
      out += sep();
      out += k == 0 ? "eol" : "nop";
      ++i;
      continue;
    }
    const std::size_t len = i + 1 < b.size() ? std::max<std::size_t>(b[i + 1], 2) : 2;
    auto u32 = [&](std::size_t at) {
      return at + 4 <= b.size() ? (std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 |
                                   std::uint32_t{b[at + 2]} << 8 | b[at + 3])
                                : 0u;
    };
    if (k == 2 && i + 4 <= b.size()) {
      out += fmt::format("{}mss {}", sep(), (b[i + 2] << 8) | b[i + 3]);
    } else if (k == 3 && i + 3 <= b.size()) {
      out += fmt::format("{}wscale {}", sep(), b[i + 2]);
    } else if (k == 4) {
      out += fmt::format("{}sackOK", sep());
    } else if (k == 5) {
      out += fmt::format("{}sack", sep());
      for (std::size_t j = i + 2; j + 8 <= i + len && j + 8 <= b.size(); j += 8) {
        out += fmt::format(" {}:{}", u32(j), u32(j + 4));
      }
    } else if (k == 8) {
      out += fmt::format("{}TS val {} ecr {}", sep(), u32(i + 2), u32(i + 6));
    } else {
      out += fmt::format("{}option {}", sep(), k);
    }
    i += len;
  }
  return "<" + out + ">";
}

// Options one by one: (kind, the option's bytes).
std::vector<std::pair<std::uint8_t, Bytes>> split_options(const Bytes& b) {
  std::vector<std::pair<std::uint8_t, Bytes>> out;
  for (std::size_t i = 0; i < b.size();) {
    const std::uint8_t k = b[i];
    const std::size_t len = k <= 1 ? 1 : (i + 1 < b.size() ? std::max<std::size_t>(b[i + 1], 2) : 2);
    const std::size_t end = std::min(b.size(), i + len);
    out.emplace_back(k, Bytes(b.begin() + static_cast<long>(i), b.begin() + static_cast<long>(end)));
    i = end;
  }
  return out;
}

std::uint32_t ts_val_of(const Bytes& opt) {
  return opt.size() >= 6 ? (std::uint32_t{opt[2]} << 24 | std::uint32_t{opt[3]} << 16 |
                            std::uint32_t{opt[4]} << 8 | opt[5])
                         : 0;
}

// packetdrill's verify_outbound_live_tcp_options: the same kinds in the
// same order; each option's bytes equal, except the timestamps option,
// whose TSval is compared (with --tcp_ts_tick_usecs only) after mapping
// the live clock onto the script's by the connection's first TSval, and
// whose TSecr is not compared.
void compare_options(Run& r, const Event& e, const Bytes& want, const Bytes& got) {
  const auto w = split_options(want), g = split_options(got);
  auto mismatch = [&] {
    r.fail(e.where, fmt::format("bad outbound TCP options: expected: {} vs actual: {}", options_text(want),
                                options_text(got)));
  };
  if (w.size() != g.size()) mismatch();
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i].first != g[i].first) mismatch();
    if (w[i].first != 8) {
      if (w[i].second != g[i].second) mismatch();
      continue;
    }
    const std::uint32_t script_val = ts_val_of(w[i].second), live_val = ts_val_of(g[i].second);
    if (!r.ts_base) r.ts_base = std::make_pair(script_val, live_val);
    const std::uint32_t mapped = r.ts_base->first + (live_val - r.ts_base->second);
    const auto tick = r.script.flags.tcp_ts_tick;
    const std::int64_t off =
        std::abs(static_cast<std::int64_t>(static_cast<std::int32_t>(mapped - script_val)));
    if (tick && *tick > 0 && off * *tick > r.tolerance) {
      r.fail(e.where,
             fmt::format("bad outbound TCP timestamp value, tolerance {}: expected TS val {} vs actual {}",
                         r.tolerance / 1000, script_val, mapped));
    }
  }
}

std::string hexdec(std::int64_t v) { return fmt::format("{} ({:#x})", v, v); }

void check_field(Run& r, const Event& e, const char* name, std::int64_t expected, std::int64_t actual) {
  if (expected == actual) return;
  r.fail(e.where, fmt::format("live packet field {}: expected: {} vs actual: {}", name, hexdec(expected),
                              hexdec(actual)));
}

// The host's segment, or a run of contiguous segments it sent at one
// instant merged into the super-segment a TSO/GSO stack would have handed
// to the device (PSH and FIN from the last piece).
Sent take_outbound(Run& r, const Packet& p) {
  Sent first = r.wire.front();
  r.wire.pop_front();
  if (!r.tso) return first;
  model::Segment& s = first.packet.seg;
  while (s.payload.size() < p.len && !r.wire.empty() && !s.has(model::kFin)) {
    const Sent& next = r.wire.front();
    const model::Segment& n = next.packet.seg;
    const bool contiguous = next.at == first.at && n.seq == s.seq + s.payload.size() && !n.has(model::kSyn) &&
                            !n.has(model::kRst) && n.ack == s.ack && !n.payload.empty();
    if (!contiguous) break;
    s.payload += n.payload;
    s.flags = static_cast<std::uint8_t>((s.flags & ~(model::kPsh | model::kFin)) | n.flags);
    s.window = n.window;
    r.wire.pop_front();
  }
  return first;
}

}  // namespace

void check_packet_supported(Run& r, const Event& e, const Packet& p) {
  if (p.ecn && *p.ecn != "noecn") r.unsupported(e.where, "ECN codepoint [" + *p.ecn + "]");
  if (p.tos || p.flow_label) r.unsupported(e.where, "IP header fields (tos, flowlabel)");
  if (p.ece || p.cwr || p.ae) r.unsupported(e.where, "ECN flags (E, W): ECN is not modelled");
  if (p.urg_flag || p.urg_ptr) r.unsupported(e.where, "urgent data (U, urg)");
  if (p.window && *p.window > 0xffff) r.unsupported(e.where, "a window above 65535");
  for (const auto& o : p.options) {
    switch (o.kind) {
      case TcpOption::Kind::FastOpen:
      case TcpOption::Kind::FastOpenExp:
        // Fast Open is modelled as Linux does it (sim/fast_open.h).
        if (r.stack != Stack::Linux) r.unsupported(o.where, "TCP Fast Open option outside the linux profile");
        break;
      case TcpOption::Kind::Md5: r.unsupported(o.where, "TCP MD5 signature option"); break;
      default: break;
    }
  }
}

void inject(Run& r, const Event& e, const Packet& p) {
  sim::Packet pkt;
  pkt.src = r.remote;
  pkt.dst = r.local;
  model::Segment& s = pkt.seg;
  s.seq = p.seq;
  if (p.ack) s.ack = *p.ack + r.local_isn;
  s.flags = static_cast<std::uint8_t>((p.fin ? model::kFin : 0) | (p.syn ? model::kSyn : 0) |
                                      (p.rst ? model::kRst : 0) | (p.psh ? model::kPsh : 0) |
                                      (p.ack_flag ? model::kAck : 0));
  s.window = static_cast<std::uint16_t>(p.window.value_or(0));
  for (const auto& o : p.options) {
    if (o.kind == TcpOption::Kind::Mss) s.mss = static_cast<std::uint16_t>(o.value);
    if (o.kind == TcpOption::Kind::SackPermitted) s.sack_ok = true;
    if (o.kind == TcpOption::Kind::WindowScale)
      pkt.opt.wscale = static_cast<std::int8_t>(std::min<std::uint32_t>(o.value, 127));
    if (o.kind == TcpOption::Kind::Timestamp) {
      pkt.opt.ts = true;
      pkt.opt.ts_val = o.ts_val;
      pkt.opt.ts_ecr = o.ts_ecr;
    }
    if (o.kind == TcpOption::Kind::FastOpen || o.kind == TcpOption::Kind::FastOpenExp) {
      const Bytes c = cookie_bytes(r, o);
      pkt.opt.fo.len = static_cast<std::int8_t>(c.size());
      pkt.opt.fo.exp = o.kind == TcpOption::Kind::FastOpenExp;
      std::copy_n(c.begin(), std::min(c.size(), pkt.opt.fo.cookie.size()), pkt.opt.fo.cookie.begin());
    }
    if (o.kind == TcpOption::Kind::Sack) {
      for (const auto& [left, right] : o.sack_blocks)
        s.sack.push_back({left + r.local_isn, right + r.local_isn});
    }
  }
  s.payload.assign(p.len, 'x');
  if (p.syn && !p.ack_flag) r.ts_base.reset();  // a new connection: a new TSval baseline
  if (r.options.verbose)
    r.log += fmt::format("{:.6f} {}: < {} injected\n", r.net.now() / 1e9, e.where.line, p.flags);
  r.host->receive_packet(pkt);
}

void expect(Run& r, const Event& e, const Packet& p, Time lo, Time hi) {
  auto& sched = r.net.scheduler();
  while (r.wire.empty()) {
    const Time next = sched.next_time();
    if (next == sim::Scheduler::kNever || next > hi) break;
    r.net.run_until(next);
  }
  if (r.wire.empty()) {
    r.fail(e.where,
           fmt::format("timing error: expected outbound packet at {:.6f} sec but the host sent none by "
                       "{:.6f} sec",
                       std::max<Time>(lo, 0) / 1e9, hi / 1e9));
  }
  Sent live = take_outbound(r, p);
  model::Segment& s = live.packet.seg;
  if (s.has(model::kSyn) && !s.has(model::kAck)) r.ts_base.reset();
  if (s.has(model::kSyn)) {
    // The host's ISN: packetdrill numbers the local side relative to it.
    r.local_isn = s.seq;
    r.isn_known = true;
    r.local = live.packet.src;
    r.remote = live.packet.dst;
  }
  if (r.options.verbose) {
    r.log += fmt::format("{:.6f} {}: > {} seq {} ack {} win {} len {} (expected > {} {}:{}({}))\n",
                         live.at / 1e9, e.where.line, model::flags_label(s.flags), s.seq - r.local_isn, s.ack,
                         s.window, s.payload.size(), p.flags, p.seq, p.end_seq, p.len);
  }
  check_field(r, e, "tcp_fin", p.fin, s.has(model::kFin));
  check_field(r, e, "tcp_syn", p.syn, s.has(model::kSyn));
  check_field(r, e, "tcp_rst", p.rst, s.has(model::kRst));
  check_field(r, e, "tcp_psh", p.psh, s.has(model::kPsh));
  check_field(r, e, "tcp_ack", p.ack_flag, s.has(model::kAck));
  check_field(r, e, "tcp_urg", p.urg_flag, s.has(model::kUrg));
  if (!p.any_seq) check_field(r, e, "tcp_seq", p.seq, static_cast<std::uint32_t>(s.seq - r.local_isn));
  if (p.ack_flag && p.ack) check_field(r, e, "tcp_ack_seq", *p.ack, s.ack);
  if (p.window) check_field(r, e, "tcp_window", *p.window, s.window);
  if (p.len != s.payload.size()) {
    r.fail(e.where,
           fmt::format("live packet payload: expected {} bytes vs actual {} bytes", p.len, s.payload.size()));
  }
  if (!p.options_unchecked) {
    compare_options(r, e, script_option_bytes(r, p.options), live_option_bytes(r.stack, s, live.packet.opt));
  }
  if (live.at < lo || live.at > hi) {
    const bool exact = hi - lo == 2 * r.tolerance;
    r.fail(e.where,
           fmt::format("timing error: expected outbound packet at {:.6f} sec but happened at {:.6f} sec; "
                       "tolerance {:.6f} sec",
                       (exact ? lo + r.tolerance : lo) / 1e9, live.at / 1e9, r.tolerance / 1e9));
  }
}

}  // namespace tcpsim::packetdrill
