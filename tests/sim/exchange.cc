#include "exchange.h"

#include "sim/trace_text.h"

namespace tcpsim::test {

using model::AppEvent;
using model::State;

Exchange::Exchange(ExchangeOptions o) : opt(std::move(o)), net(opt.seed) {
  const sim::Profile p = *sim::profile_named(opt.profile);
  a = &net.add_host("A", sim::ipv4(10, 0, 0, 1), p);
  b = &net.add_host("B", sim::ipv4(10, 0, 0, 2), p);
  sim::LinkConfig ab, ba;
  ab.delay = ba.delay = opt.delay;
  ab.rules = opt.a_to_b;
  ba.rules = opt.b_to_a;
  net.set_link(*a, *b, ab);
  net.set_link(*b, *a, ba);
}

void Exchange::run() {
  listener = b->listen(sim::Addr{0, 9090}, 16);
  b->on_app = [this](sim::Conn& c, AppEvent e) {
    if (c.id == listener && e == AppEvent::Connected) {
      if (auto s = b->accept(listener)) server = *s;
      return;
    }
    if (c.id != server) return;
    if (e == AppEvent::Readable || e == AppEvent::EndOfStream) {
      std::string got;
      while (b->receive(server, 4096, got) == model::Error::None && !got.empty()) {
        received += got;
        got.clear();
      }
    }
    if (e == AppEvent::EndOfStream) {
      net.scheduler().schedule_after(opt.server_close_after, [this] {
        b->close(server);
        b->release(server);
      });
    }
  };
  a->on_app = [this](sim::Conn& c, AppEvent e) {
    if (c.id != client || e != AppEvent::Connected) return;
    a->send(client, std::string(opt.bytes, 'x'));
    net.scheduler().schedule_after(opt.client_close_after, [this] {
      a->close(client);
      if (opt.orphan_client) a->release(client);
    });
  };
  client = *a->connect(sim::Addr{0, 0}, sim::Addr{b->ip(), 9090});
  net.run_until(opt.run_for);
}

std::vector<Time> Exchange::sent(bool from_a, std::uint8_t required, std::uint8_t forbidden,
                                 bool with_payload) const {
  std::vector<Time> v;
  for (const auto& p : net.trace().packets()) {
    if ((p.from_host == 0) != from_a) continue;
    const auto& s = p.packet.seg;
    if ((s.flags & required) != required || (s.flags & forbidden) != 0) continue;
    if (with_payload && s.payload.empty()) continue;
    v.push_back(p.sent);
  }
  return v;
}

std::vector<Time> Exchange::retransmitted(bool from_a) const {
  std::vector<Time> v;
  for (const auto& p : net.trace().packets()) {
    if ((p.from_host == 0) == from_a && p.packet.retransmission) v.push_back(p.sent);
  }
  return v;
}

Time Exchange::entered(bool a_side, State state) const {
  for (const auto& r : net.trace().records()) {
    if (r.kind == sim::TraceKind::State && (r.host == 0) == a_side && r.to == state) {
      // B's side: only the accepted connection (the listener is conn 0).
      if (!a_side && r.conn == listener) continue;
      return r.t;
    }
  }
  return -1;
}

bool Exchange::told(bool a_side, AppEvent e) const {
  for (const auto& r : net.trace().records()) {
    if (r.kind == sim::TraceKind::App && (r.host == 0) == a_side && r.app == e) return true;
  }
  return false;
}

std::string Exchange::trace_text() const { return sim::format_trace(net); }

}  // namespace tcpsim::test
