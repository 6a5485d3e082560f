#include "sim/network.h"

#include <algorithm>
#include <stdexcept>

namespace tcpsim::sim {

Network::Network(std::uint64_t seed) : seed_(seed), rng_(seed) {}

Host& Network::add_host(std::string name, std::uint32_t ip, Profile profile) {
  if (hosts_.size() == kMaxHosts) throw std::length_error("at most 256 hosts");
  const auto index = static_cast<std::uint8_t>(hosts_.size());
  if (hosts_.size() == stride_) {
    const std::size_t stride = stride_ * 2;
    std::vector<std::unique_ptr<Link>> links(stride * stride);
    for (std::size_t f = 0; f < stride_; ++f) {
      for (std::size_t t = 0; t < stride_; ++t) links[f * stride + t] = std::move(links_[f * stride_ + t]);
    }
    links_ = std::move(links);
    stride_ = stride;
  }
  hosts_.push_back(std::make_unique<Host>(*this, index, std::move(name), ip, std::move(profile)));
  host_counters_.emplace_back();
  return *hosts_.back();
}

Host* Network::host_by_ip(std::uint32_t ip) {
  for (auto& h : hosts_) {
    if (h->owns(ip)) return h.get();
  }
  return nullptr;
}

void Network::set_link(const Host& from, const Host& to, LinkConfig cfg) {
  // Each direction draws from its own stream, fixed by the two hosts, so
  // adding a host or a link never changes another link's randomness.
  const std::uint64_t stream = (std::uint64_t{from.index()} << 8) | to.index();
  links_[from.index() * stride_ + to.index()] = std::make_unique<Link>(std::move(cfg), rng_.fork(stream));
}

Link& Network::link(const Host& from, const Host& to) {
  auto& l = links_[from.index() * stride_ + to.index()];
  if (!l) set_link(from, to, default_link);
  return *l;
}

std::uint32_t Network::park(InFlight f) {
  if (!flight_free_.empty()) {
    const std::uint32_t i = flight_free_.back();
    flight_free_.pop_back();
    flight_[i] = std::move(f);
    return i;
  }
  flight_.push_back(std::move(f));
  return static_cast<std::uint32_t>(flight_.size() - 1);
}

void Network::transmit(Host& from, ConnId conn, Packet p, const SendContext& context) {
  // 127.0.0.0/8 never leaves the host: it goes round its loopback link.
  Host* to = (p.dst.ip >> 24) == 127 ? &from : host_by_ip(p.dst.ip);
  p.id = next_packet_id_++;
  const Time now = sched_.now();
  count_sent(from.index(), p, context);
  std::uint32_t index = kNone32;
  if (trace_.enabled()) {
    index =
        trace_.add_packet(PacketRecord{p, now, from.index(), to ? to->index() : from.index(), conn, context});
    trace_.record(TraceKind::Sent, now, from.index(), conn).ref = index;
  }
  if (!to && unrouted_hook_) {
    unrouted_hook_(p);
    return;
  }
  if (!to) {
    // No host has that address: the packet goes nowhere (no ICMP modelled).
    note(from, conn, "no host has the destination address: packet lost");
    return;
  }
  Link& l = link(from, *to);
  LinkOutcome o = l.offer(p, now);
  if (fate_hook_ && !o.dropped()) ask_fate(p, from, *to, o, l);
  if (o.dropped()) {
    ++host_counters_[from.index()].dropped;
    if (trace_.enabled()) {
      TraceRecord& r = trace_.record(TraceKind::Dropped, now, from.index(), conn);
      r.ref = index;
      r.drop = static_cast<std::uint8_t>(o.drop);
      r.drop_index = o.index;
    }
    return;
  }
  if (o.deliveries == 2 && trace_.enabled()) {
    trace_.record(TraceKind::Duplicated, now, from.index(), conn).ref = index;
  }
  const std::uint64_t id = p.id;
  for (std::uint8_t k = 0; k < o.deliveries; ++k) {
    const bool last = k + 1 == o.deliveries;
    const std::uint32_t slot = park(InFlight{last ? std::move(p) : p, index, to->index(), true});
    sched_.schedule_at(o.at[k], [this, slot] { deliver(slot); });
    if (fate_hook_ && last) {
      LastOnLink* e = nullptr;
      for (auto& x : last_on_link_) {
        if (x.from == from.index() && x.to == to->index()) e = &x;
      }
      if (!e) e = &last_on_link_.emplace_back();
      *e = LastOnLink{from.index(), to->index(), slot, id, o.at[k]};
    }
  }
}

void Network::count_sent(std::uint8_t from, const Packet& p, const SendContext& context) {
  HostCounters& c = host_counters_[from];
  ++c.segments;
  if (!p.seg.payload.empty()) {
    ++c.data_segments;
    c.payload_bytes += p.seg.payload.size();
  }
  if (p.retransmission) {
    ++c.retransmissions;
    const auto why = static_cast<std::size_t>(context.reason);
    if (why < c.by_reason.size()) ++c.by_reason[why];
  }
  if (p.seg.has(model::kSyn) && run_counters_.first_syn < 0) run_counters_.first_syn = sched_.now();
}

void Network::ask_fate(const Packet& p, const Host& from, const Host& to, LinkOutcome& o, const Link& l) {
  const LastOnLink* last = nullptr;
  for (const auto& x : last_on_link_) {
    if (x.from == from.index() && x.to == to.index()) last = &x;
  }
  // Still in flight: its slot is live and not reused by a later packet. (A
  // live last packet has not arrived yet: only a later one could defer it.)
  const bool in_flight = last && flight_[last->slot].live && flight_[last->slot].packet.id == last->id;
  Transmission t{p, from.index(), to.index(), in_flight, in_flight ? last->id : 0};
  switch (fate_hook_(t)) {
    case Fate::kDeliver: break;
    case Fate::kDrop:
      o.drop = DropReason::kForced;
      o.deliveries = 0;
      break;
    case Fate::kDuplicate:
      o.deliveries = 2;
      o.at[1] = o.at[0] + l.config().duplicate_gap;
      break;
    case Fate::kOvertake:
      if (!in_flight) break;  // nothing to overtake: delivered as decided
      // Swap arrival times. At equal times the earlier packet's event fires
      // first and, deferred, goes back in the queue behind this one's.
      flight_[last->slot].deferred = true;
      flight_[last->slot].defer_to = o.at[0];
      o.at[0] = std::max(last->at, sched_.now());
      if (o.deliveries == 2) o.at[1] = o.at[0] + l.config().duplicate_gap;
      break;
  }
}

void Network::deliver(std::uint32_t slot) {
  if (flight_[slot].deferred) {
    flight_[slot].deferred = false;
    sched_.schedule_at(std::max(flight_[slot].defer_to, sched_.now()), [this, slot] { deliver(slot); });
    return;
  }
  InFlight f = std::move(flight_[slot]);
  flight_[slot].live = false;
  flight_free_.push_back(slot);
  Host& to = *hosts_[f.to];
  ++host_counters_[f.to].received;
  if (!f.packet.seg.payload.empty()) run_counters_.last_data_delivered = sched_.now();
  if (trace_.enabled()) {
    trace_.record(TraceKind::Delivered, sched_.now(), to.index()).ref = f.trace_index;
  }
  to.receive_packet(f.packet);
}

void Network::note(const Host& h, ConnId conn, std::string_view text) {
  if (!trace_.enabled()) return;
  const std::uint32_t ref = trace_.add_static_text(text);
  trace_.record(TraceKind::Note, sched_.now(), h.index(), conn).ref = ref;
}

}  // namespace tcpsim::sim
