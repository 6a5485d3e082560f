#include "sim/link.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace tcpsim::sim {
namespace {

std::string ordinal(std::uint64_t n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    switch (n % 10) {
      case 1: suffix = "st"; break;
      case 2: suffix = "nd"; break;
      case 3: suffix = "rd"; break;
      default: break;
    }
  }
  return std::to_string(n) + suffix;
}

// "SYN,ACK": the order in which the notes write flag combinations. Local so
// that sim/ needs nothing from model/ beyond headers.
std::string flag_names(std::uint8_t flags) {
  static constexpr std::pair<std::uint8_t, const char*> kNames[] = {
      {model::kSyn, "SYN"}, {model::kRst, "RST"}, {model::kFin, "FIN"},
      {model::kPsh, "PSH"}, {model::kAck, "ACK"}, {model::kUrg, "URG"},
  };
  std::string s;
  for (const auto& [bit, name] : kNames) {
    if ((flags & bit) == 0) continue;
    if (!s.empty()) s += ',';
    s += name;
  }
  return s;
}

// "no SYN/FIN, no payload": the conditions beyond the required flags.
std::string qualifiers(const PacketMatch& m) {
  std::string q;
  auto add = [&q](const std::string& part) { q += (q.empty() ? "" : ", ") + part; };
  if (m.forbidden != 0) {
    std::string names = flag_names(m.forbidden);
    for (char& c : names) c = c == ',' ? '/' : c;
    add("no " + names);
  }
  if (m.payload == PacketMatch::Payload::kWith) add("with payload");
  if (m.payload == PacketMatch::Payload::kWithout) add("no payload");
  return q;
}

// ceil(a * b / d) without overflow in the product; the quotient must fit in 64
// bits. The portable branch gives the same integers as the __int128 one.
std::uint64_t mul_div_ceil(std::uint64_t a, std::uint64_t b, std::uint64_t d) {
#ifdef __SIZEOF_INT128__
  using u128 = unsigned __int128;
  return static_cast<std::uint64_t>((u128{a} * b + d - 1) / d);
#else
  // Shift-and-subtract over the 128-bit product, one bit at a time.
  std::uint64_t q = 0, r = 0;
  const std::uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
  const std::uint64_t mid = ((al * bl) >> 32) + ((al * bh) & 0xffffffffu) + ((ah * bl) & 0xffffffffu);
  const std::uint64_t hi = ah * bh + ((al * bh) >> 32) + ((ah * bl) >> 32) + (mid >> 32);
  const std::uint64_t lo = (mid << 32) | ((al * bl) & 0xffffffffu);
  for (int i = 127; i >= 0; --i) {
    const bool bit = ((i >= 64 ? hi >> (i - 64) : lo >> i) & 1) != 0;
    const bool carry = (r >> 63) != 0;
    r = (r << 1) | (bit ? 1 : 0);
    q <<= 1;
    if (carry || r >= d) {
      r -= d;
      q |= 1;
    }
  }
  return q + (r != 0 ? 1 : 0);
#endif
}

}  // namespace

bool PacketMatch::matches(const model::Segment& s) const {
  if ((s.flags & required) != required || (s.flags & forbidden) != 0) return false;
  switch (payload) {
    case Payload::kAny: return true;
    case Payload::kWith: return !s.payload.empty();
    case Payload::kWithout: return s.payload.empty();
  }
  return false;
}

const char* to_string(DropReason r) {
  switch (r) {
    case DropReason::kNone: return "none";
    case DropReason::kRule: return "rule";
    case DropReason::kWindow: return "window";
    case DropReason::kMtu: return "mtu";
    case DropReason::kLoss: return "loss";
    case DropReason::kBurstLoss: return "burst-loss";
    case DropReason::kForced: return "forced";
    case DropReason::kQueue: return "queue-full";
  }
  return "?";
}

std::string to_string(const QueueLimit& q) {
  if (!q.bounded()) return "unlimited";
  return fmt::format("{} {}", q.limit, q.unit == QueueLimit::Unit::kBytes ? "bytes" : "packets");
}

std::string describe(const DropRule& r) {
  const std::string what = r.match.required == 0 ? "packet" : flag_names(r.match.required);
  std::string s;
  if (r.count == 0) {
    s = "no " + what + " (count 0)";
  } else if (r.count == 1) {
    s = ordinal(r.nth) + " " + what;
  } else if (r.count == DropRule::kAll || r.nth - 1 > DropRule::kAll - r.count) {
    s = ordinal(r.nth) + " and every later " + what;
  } else {
    s = ordinal(r.nth) + " to " + ordinal(r.nth + r.count - 1) + " " + what;
  }
  if (r.retransmission != 0) s = ordinal(r.retransmission) + " retransmission of the " + s;
  std::string q = qualifiers(r.match);
  if (r.retransmission == 0) {
    q += q.empty() ? "" : ", ";
    q += r.include_retransmissions ? "retransmissions included" : "retransmissions excluded";
  }
  return q.empty() ? s : s + " (" + q + ")";
}

bool DropCounter::offer(const DropRule& rule, const model::Segment& s, bool retransmission) {
  if (!rule.match.matches(s)) return false;
  if (rule.retransmission != 0) {
    if (watching_) {
      // Wrap-safe: does [seq, seq + len) hold the watched octet?
      const bool carries = s.seg_len() != 0 && first_ - s.seq < s.seg_len();
      return carries && ++resent_ == rule.retransmission;
    }
    if (!retransmission && ++seen_ == rule.nth) {
      watching_ = true;
      first_ = s.seq;
    }
    return false;
  }
  if (retransmission && !rule.include_retransmissions) return false;
  const std::uint64_t seen = ++seen_;
  return seen >= rule.nth && seen - rule.nth < rule.count;
}

Link::Link(LinkConfig config, Rng rng) : cfg_(std::move(config)), rng_(rng), rule_seen_(cfg_.rules.size()) {
  stats_.rule_drops.assign(cfg_.rules.size(), 0);
  stats_.window_drops.assign(cfg_.windows.size(), 0);
  const bool burst = cfg_.burst.any();
  random_ = !cfg_.loss.is_zero() || burst || !cfg_.duplicate.is_zero() || !cfg_.reorder.is_zero() ||
            cfg_.jitter != 0;
  // Draws after the last effect configured cannot change anything: they are
  // not made (draws before it are, to keep every draw in its place).
  draws_ = cfg_.jitter != 0 ? 6 : !cfg_.reorder.is_zero() ? 5 : !cfg_.duplicate.is_zero() ? 4 : burst ? 3 : 1;
}

Duration serialisation_time(std::uint64_t bandwidth_bps, std::uint32_t wire_bytes) {
  if (bandwidth_bps == 0) return 0;
  return static_cast<Duration>(mul_div_ceil(std::uint64_t{wire_bytes} * 8, kSecond, bandwidth_bps));
}

LinkOutcome Link::offer(const Packet& p, Time now) {
  const std::uint64_t k = stats_.offered++;
  LinkOutcome out;

  // Fixed draw order on the packet's own stream; every draw is made whatever
  // the config, so enabling one effect never shifts another's outcomes. A
  // link with no random effect at all skips the draws: each packet has its
  // own stream, so nothing else depends on them.
  bool random_loss = false, burst_loss = false, duplicate = false, reorder = false;
  Duration jitter = 0;
  if (random_) {
    Rng r = rng_.fork(k);
    random_loss = r.bernoulli(cfg_.loss);
    if (draws_ >= 3) {
      burst_loss = r.bernoulli(burst_bad_ ? cfg_.burst.loss_bad : cfg_.burst.loss_good);
      const bool burst_flip = r.bernoulli(burst_bad_ ? cfg_.burst.p_bad_to_good : cfg_.burst.p_good_to_bad);
      if (burst_flip) burst_bad_ = !burst_bad_;
    }
    if (draws_ >= 4) duplicate = r.bernoulli(cfg_.duplicate);
    if (draws_ >= 5) reorder = r.bernoulli(cfg_.reorder);
    if (draws_ >= 6) jitter = r.uniform_duration(0, cfg_.jitter);  // last: may draw twice
  }

  // Targeted rules first: each counts every packet it matches.
  for (std::size_t i = 0; i < cfg_.rules.size(); ++i) {
    if (rule_seen_[i].offer(cfg_.rules[i], p.seg, p.retransmission) && !out.dropped()) {
      out.drop = DropReason::kRule;
      out.index = static_cast<std::uint32_t>(i);
    }
  }
  if (!out.dropped()) {
    for (std::size_t i = 0; i < cfg_.windows.size(); ++i) {
      if (now >= cfg_.windows[i].start && now < cfg_.windows[i].end) {
        out.drop = DropReason::kWindow;
        out.index = static_cast<std::uint32_t>(i);
        break;
      }
    }
  }
  // Causes before the wire (MTU, queue), then losses in flight. The queue
  // draws nothing: a packet it drops has made its draws like any other.
  const std::uint32_t size = p.wire_size();
  const bool too_big = cfg_.mtu != 0 && size > cfg_.mtu;
  const bool queue_full = !too_big && !queue_admits(size, now);
  if (!out.dropped() && too_big) out.drop = DropReason::kMtu;
  if (!out.dropped() && queue_full) out.drop = DropReason::kQueue;
  if (!out.dropped() && random_loss) out.drop = DropReason::kLoss;
  if (!out.dropped() && burst_loss) out.drop = DropReason::kBurstLoss;

  // A packet that gets past the MTU and the queue is transmitted, and so
  // occupies the sender (and first the queue), even if it is lost in flight.
  Time tx_end = 0;
  if (!too_big && !queue_full) {
    const Time tx_start = std::max(now, tx_free_);
    tx_end = tx_start + serialisation(size);
    tx_free_ = tx_end;
    if (tx_start > now && cfg_.queue.bounded()) {
      waiting_.push_back(Waiting{tx_start, size});
      waiting_bytes_ += size;
    }
  }

  if (out.dropped()) {
    ++stats_.dropped;
    ++stats_.dropped_by[static_cast<std::size_t>(out.drop)];
    if (out.drop == DropReason::kRule) ++stats_.rule_drops[out.index];
    if (out.drop == DropReason::kWindow) ++stats_.window_drops[out.index];
    return out;
  }

  Time arrival = std::max(tx_end + cfg_.delay + jitter, last_in_order_);
  if (reorder) {
    // Held back after the packets before it, so that later ones overtake it.
    arrival += cfg_.reorder_delay;
    out.reordered = true;
    ++stats_.reordered;
  } else {
    last_in_order_ = arrival;
  }
  ++stats_.delivered;
  out.at[0] = arrival;
  out.deliveries = 1;
  if (duplicate) {
    out.at[1] = arrival + cfg_.duplicate_gap;
    out.deliveries = 2;
    ++stats_.duplicated;
  }
  return out;
}

bool Link::queue_admits(std::uint32_t bytes, Time now) {
  if (cfg_.bandwidth_bps == 0 || !cfg_.queue.bounded()) return true;
  while (!waiting_.empty() && waiting_.front().start <= now) {
    waiting_bytes_ -= waiting_.front().bytes;
    waiting_.pop_front();
  }
  if (tx_free_ <= now) return true;  // the transmitter is idle (so the queue is empty)
  if (cfg_.queue.unit == QueueLimit::Unit::kBytes) return waiting_bytes_ + bytes <= cfg_.queue.limit;
  return waiting_.size() < cfg_.queue.limit;
}

std::string Link::describe_rule(std::size_t i) const {
  return fmt::format("rule #{}: {}", i, describe(cfg_.rules.at(i)));
}

std::string Link::describe_window(std::size_t i) const {
  const DropWindow& w = cfg_.windows.at(i);
  return fmt::format("window #{}: sent in [{}, {})", i, format_duration(w.start), format_duration(w.end));
}

std::string Link::describe_drop(const LinkOutcome& o) const {
  switch (o.drop) {
    case DropReason::kNone: return "not dropped";
    case DropReason::kRule: return describe_rule(o.index);
    case DropReason::kWindow: return describe_window(o.index);
    case DropReason::kMtu: return fmt::format("mtu {} exceeded", cfg_.mtu);
    case DropReason::kLoss: return "random loss";
    case DropReason::kBurstLoss: return "burst loss";
    case DropReason::kForced: return "forced by the tool steering the run";
    case DropReason::kQueue: return fmt::format("queue full (limit {})", to_string(cfg_.queue));
  }
  return "?";
}

}  // namespace tcpsim::sim
