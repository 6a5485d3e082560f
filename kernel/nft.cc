#include "kernel/nft.h"

#include <fmt/format.h>

#include <set>
#include <tuple>

namespace tcpsim::kernel {

namespace {

constexpr std::uint64_t kModulus = 1000000000;  // numgen counts up to here; enough for any run

std::string ip(std::uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

std::string flag_set(std::uint8_t f) {
  std::string s;
  const std::pair<std::uint8_t, const char*> names[] = {{model::kFin, "fin"}, {model::kSyn, "syn"},
                                                        {model::kRst, "rst"}, {model::kPsh, "psh"},
                                                        {model::kAck, "ack"}, {model::kUrg, "urg"}};
  for (const auto& [bit, name] : names) {
    if (f & bit) s += (s.empty() ? "" : "|") + std::string(name);
  }
  return s;
}

std::string flags_match(const sim::PacketMatch& m) {
  const std::uint8_t mask = m.required | m.forbidden;
  if (mask == 0) return "";
  return fmt::format(" tcp flags & ({}) == {}", flag_set(mask), m.required ? flag_set(m.required) : "0x0");
}

model::Segment as_segment(const CapturedSegment& c) {
  model::Segment s;
  s.seq = c.seq;
  s.ack = c.ack;
  s.flags = c.flags;
  s.payload = c.payload;
  return s;
}

using SeenKey = std::tuple<std::uint32_t, std::uint16_t, std::uint32_t>;

}  // namespace

std::string window_chain(std::size_t i) { return fmt::format("w{}", i); }

std::string nft_ruleset(const std::vector<DirectedRule>& rules, const std::vector<DirectedWindow>& windows) {
  if (rules.empty() && windows.empty()) return "";
  std::string out = fmt::format("table ip {} {{\n", kNftTable);
  std::string base;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const sim::DropRule& r = rules[i].rule;
    if (r.count == 0) continue;  // a "last" rule whose segment never came
    std::string chain = fmt::format("  chain r{} {{\n", i);
    // Payload length is IP total length minus both headers: nft cannot
    // subtract, so one rule per TCP header length (doff 5 to 15).
    using P = sim::PacketMatch::Payload;
    if (r.match.payload != P::kAny) {
      for (int doff = 5; doff <= 15; ++doff) {
        chain += fmt::format("    tcp doff {} ip length {}{} return\n", doff,
                             r.match.payload == P::kWithout ? "!= " : "", 20 + doff * 4);
      }
    }
    if (!r.include_retransmissions) {
      out +=
          fmt::format("  set seen{} {{ typeof ip saddr . tcp sport . tcp sequence; flags dynamic; }}\n", i);
      chain += fmt::format("    ip saddr . tcp sport . tcp sequence @seen{} return\n", i);
      chain += fmt::format("    update @seen{} {{ ip saddr . tcp sport . tcp sequence }}\n", i);
    }
    const std::uint64_t first = r.nth - 1;
    const std::uint64_t last = r.count == sim::DropRule::kAll || r.count >= kModulus - r.nth
                                   ? kModulus - 1
                                   : r.nth - 1 + r.count - 1;
    chain += fmt::format("    numgen inc mod {} {}-{} meta mark set 1\n  }}\n", kModulus, first, last);
    out += chain;
    base += fmt::format("    ip saddr {} ip daddr {}{} jump r{}\n", ip(rules[i].src_ip), ip(rules[i].dst_ip),
                        flags_match(r.match), i);
  }
  for (std::size_t i = 0; i < windows.size(); ++i) {
    out += fmt::format("  chain {} {{\n  }}\n", window_chain(i));
    base += fmt::format("    ip saddr {} ip daddr {} jump {}\n", ip(windows[i].src_ip), ip(windows[i].dst_ip),
                        window_chain(i));
  }
  out += "  chain input {\n    type filter hook input priority 0; policy accept;\n";
  out += base;
  out += "    meta mark 1 counter drop\n  }\n}\n";
  return out;
}

DropReplay::DropReplay(std::vector<DirectedRule> rules, std::vector<DirectedWindow> windows)
    : rules_(std::move(rules)),
      windows_(std::move(windows)),
      counters_(rules_.size()),
      seen_(rules_.size()) {}

bool DropReplay::next(const CapturedSegment& c) {
  bool dropped = false;
  const model::Segment s = as_segment(c);
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const DirectedRule& d = rules_[i];
    if (d.rule.count == 0 || c.src.ip != d.src_ip || c.dst.ip != d.dst_ip || !d.rule.match.matches(s))
      continue;
    // A retransmission here: a segment whose sequence number was seen before.
    const bool again = (!d.rule.include_retransmissions || d.rule.retransmission != 0) &&
                       !seen_[i].insert(SeenKey{c.src.ip, c.src.port, c.seq}).second;
    if (counters_[i].offer(d.rule, s, again)) dropped = true;
  }
  for (const auto& w : windows_) {
    if (c.src.ip == w.src_ip && c.dst.ip == w.dst_ip && c.t >= w.span.start && c.t < w.span.end)
      dropped = true;
  }
  return dropped;
}

std::vector<bool> replay_drops(const std::vector<CapturedSegment>& segs,
                               const std::vector<DirectedRule>& rules,
                               const std::vector<DirectedWindow>& windows) {
  std::vector<bool> dropped(segs.size(), false);
  DropReplay replay(rules, windows);
  for (std::size_t k = 0; k < segs.size(); ++k) dropped[k] = replay.next(segs[k]);
  return dropped;
}

std::uint64_t count_matching(const std::vector<CapturedSegment>& segs, std::uint32_t src_ip,
                             std::uint32_t dst_ip, const sim::DropRule& rule) {
  std::uint64_t n = 0;
  std::set<SeenKey> seen;
  for (const auto& c : segs) {
    if (c.src.ip != src_ip || c.dst.ip != dst_ip || !rule.match.matches(as_segment(c))) continue;
    if (!rule.include_retransmissions && !seen.insert(SeenKey{c.src.ip, c.src.port, c.seq}).second) continue;
    ++n;
  }
  return n;
}

}  // namespace tcpsim::kernel
