#include "sim/host.h"

#include <algorithm>

#include "model/keepalive.h"
#include "sim/network.h"

namespace tcpsim::sim {

namespace {

std::uint64_t listen_key(Addr a) { return (std::uint64_t{a.ip} << 16) | a.port; }

}  // namespace

Host::Host(Network& net, std::uint8_t index, std::string name, std::uint32_t ip, Profile profile)
    : net_(net),
      index_(index),
      name_(std::move(name)),
      ip_(ip),
      profile_(std::move(profile)),
      closed_(profile_.tcp) {}

model::Seq Host::next_iss(const Addr&, const Addr&) {
  // RFC 9293 §3.4.1 wants ISNs hard to guess; a simulator wants them
  // reproducible. A keyed mix of the seed, the host and a counter is both.
  return static_cast<model::Seq>(mix64(mix64(net_.seed()) + (std::uint64_t{index_} << 48) + ++iss_counter_));
}

Conn& Host::new_conn(Addr local, Addr remote) {
  ConnId id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
    conns_[id]->reuse(profile_.tcp);
  } else {
    id = static_cast<ConnId>(conns_.size());
    conns_.push_back(std::make_unique<Conn>(profile_.tcp));
  }
  Conn& c = *conns_[id];
  c.id = id;
  c.local = local;
  c.remote = remote;
  ++live_;
  ++state_count_[static_cast<int>(c.state())];
  return c;
}

bool Host::ephemeral(std::uint16_t port) const {
  return port >= profile_.ephemeral_low && port <= profile_.ephemeral_high;
}

void Host::table_insert(Addr local, Addr remote, ConnId id) {
  table_[FourTuple{local, remote}] = id;
  if (ephemeral(local.port)) ++pair_count_[FourTuple{Addr{local.ip, 0}, remote}];
}

void Host::table_erase(Addr local, Addr remote) {
  table_.erase(FourTuple{local, remote});
  uncount(local, remote);
}

void Host::uncount(Addr local, Addr remote) {
  if (!ephemeral(local.port)) return;
  auto it = pair_count_.find(FourTuple{Addr{local.ip, 0}, remote});
  if (it != pair_count_.end() && --it->second == 0) pair_count_.erase(it);
}

void Host::free_conn(Conn& c, bool to_time_wait) {
  const ConnId id = c.id;
  for (std::size_t k = 0; k < c.timers.size(); ++k) net_.scheduler().cancel(c.timers[k]);
  if (c.listening) {
    auto it = listeners_.find(listen_key(c.local));
    if (it != listeners_.end()) {
      auto& v = it->second;
      v.erase(std::remove(v.begin(), v.end(), c.id), v.end());
      if (v.empty()) listeners_.erase(it);
    }
  } else {
    auto it = table_.find(FourTuple{c.local, c.remote});
    if (it != table_.end() && it->second == c.id) {
      table_.erase(it);
      // A compact TIME-WAIT record keeps the 4-tuple in use.
      if (!to_time_wait) uncount(c.local, c.remote);
    }
  }
  if (c.listener != kNoConn) {
    if (Conn* l = conn(c.listener); l && l->listening) {
      auto& q = l->accept_queue;
      q.erase(std::remove(q.begin(), q.end(), c.id), q.end());
    }
  }
  --state_count_[static_cast<int>(c.state())];
  c.id = kNoConn;
  free_ids_.push_back(id);
  --live_;
}

Conn* Host::find(Addr local, Addr remote) {
  const FourTuple key{local, remote};
  if (auto it = table_.find(key); it != table_.end()) return conn(it->second);
  if (tw_table_.empty()) return nullptr;
  auto it = tw_table_.find(key);
  if (it == tw_table_.end()) return nullptr;
  const std::uint32_t record = it->second;
  tw_table_.erase(it);
  return bring_back(record);
}

// Only a TIME-WAIT whose one pending timer is its 2MSL, entered with a
// fresh 2MSL (so records stay in expiry order), with nothing buffered, is
// kept compactly.
bool Host::compactable(const Conn& c) const {
  for (std::size_t k = 0; k < c.timers.size(); ++k) {
    const bool pending = net_.scheduler().is_pending(c.timers[k]);
    if (pending != (k == static_cast<std::size_t>(model::TimerKind::TimeWait))) return false;
  }
  const model::Tcb& t = c.ep.tcb();
  if (!t.send_buffer.empty() || !t.recv_buffer.empty()) return false;
  const Time expires = c.expires[static_cast<int>(model::TimerKind::TimeWait)];
  return tw_.empty() || tw_.back().expires <= expires;
}

void Host::compact(Conn& c) {
  const std::uint64_t number = tw_base_ + tw_.size();
  const int k = static_cast<int>(model::TimerKind::TimeWait);
  // The 2MSL timer's place in the event order is taken again at once: no
  // event was scheduled in between, so it keeps its place among equal times.
  net_.scheduler().cancel(c.timers[k]);
  c.timers[k] = EventId{};
  TimeWaitRecord r;
  r.local = c.local;
  r.remote = c.remote;
  r.expires = c.expires[k];
  r.seq = net_.scheduler().take_seq();
  r.live = true;
  r.tcb = c.ep.tcb();
  tw_.push_back(std::move(r));
  ++tw_live_;
  // The record stands in for the connection: it stays counted in TIME-WAIT.
  ++state_count_[static_cast<int>(model::State::TimeWait)];
  tw_table_[FourTuple{c.local, c.remote}] = static_cast<std::uint32_t>(number);
  free_conn(c, true);
  if (tw_.size() == 1) schedule_reaper();
}

Conn* Host::bring_back(std::uint32_t low_bits) {
  // Record numbers are kept modulo 2^32 in the table: find the one in tw_.
  const std::uint64_t offset = static_cast<std::uint32_t>(low_bits - static_cast<std::uint32_t>(tw_base_));
  if (offset >= tw_.size() || !tw_[offset].live) return nullptr;
  TimeWaitRecord& r = tw_[offset];
  r.live = false;
  --tw_live_;
  const Addr local = r.local, remote = r.remote;
  const Time expires = r.expires;
  const std::uint64_t seq = r.seq;
  model::Tcb tcb;
  static_cast<model::TcbVariables&>(tcb) = r.tcb;
  if (tw_.size() >= 4096 && tw_.size() > 2 * tw_live_) sweep_time_waits();  // r is gone
  Conn& c = new_conn(local, remote);
  --state_count_[static_cast<int>(model::State::Closed)];  // new_conn counted it CLOSED; it is TIME-WAIT
  table_[FourTuple{local, remote}] = c.id;
  c.held = false;
  c.ep.restore(model::State::TimeWait, tcb);
  // Its 2MSL timer again, where it was in the event order; the reaper passes
  // over the record.
  const int k = static_cast<int>(model::TimerKind::TimeWait);
  const ConnId id = c.id;
  const std::uint32_t epoch = c.epoch;
  c.timers[k] = net_.scheduler().schedule_at_seq(
      expires, seq, [this, id, epoch] { timer_fired(id, epoch, model::TimerKind::TimeWait); });
  c.expires[k] = expires;
  return &c;
}

void Host::schedule_reaper() {
  const TimeWaitRecord& r = tw_.front();
  reaper_ = net_.scheduler().schedule_at_seq(r.expires, r.seq, [this] { reap_front(); });
}

void Host::sweep_time_waits() {
  ChunkedFifo<TimeWaitRecord> kept;
  for (std::size_t i = 0; i < tw_.size(); ++i) {
    TimeWaitRecord& r = tw_[i];
    if (!r.live) continue;
    tw_table_[FourTuple{r.local, r.remote}] = static_cast<std::uint32_t>(tw_base_ + kept.size());
    kept.push_back(std::move(r));
  }
  tw_ = std::move(kept);
  // The reaper waits for the oldest record still kept.
  net_.scheduler().cancel(reaper_);
  if (!tw_.empty()) schedule_reaper();
}

void Host::reap_front() {
  TimeWaitRecord& r = tw_.front();
  if (r.live) {
    // What the 2MSL row does for a connection nobody holds: it leaves.
    --tw_live_;
    tw_table_.erase(FourTuple{r.local, r.remote});
    uncount(r.local, r.remote);
    --state_count_[static_cast<int>(model::State::TimeWait)];
  }
  // Then the records brought back: their connections have the timers.
  do {
    tw_.pop_front();
    ++tw_base_;
  } while (!tw_.empty() && !tw_.front().live);
  if (!tw_.empty()) schedule_reaper();
}

Conn* Host::find_listener(Addr local, Addr remote) {
  // A listener on the exact address wins over one on the wildcard.
  for (std::uint32_t ip : {local.ip, 0u}) {
    auto it = listeners_.find(listen_key(Addr{ip, local.port}));
    if (it == listeners_.end() || it->second.empty()) continue;
    const auto& v = it->second;
    if (v.size() == 1) return conn(v.front());
    // SO_REUSEPORT group: Linux picks a listener by a hash of the 4-tuple,
    // so connections from different ports spread over the listeners.
    const std::uint64_t h =
        mix64((std::uint64_t{remote.ip} << 16) ^ remote.port ^ (std::uint64_t{local.port} << 48));
    return conn(v[h % v.size()]);
  }
  return nullptr;
}

bool Host::port_in_use(Addr local) const {
  for (const auto& c : conns_) {
    if (!c || c->id == kNoConn) continue;
    if (c->local.port == local.port && (c->local.ip == local.ip || c->local.ip == 0 || local.ip == 0))
      return true;
  }
  return false;
}

std::optional<std::uint16_t> Host::pick_ephemeral_port(std::uint32_t local_ip, Addr remote,
                                                       const std::function<bool(std::uint16_t)>& held) {
  // Linux (__inet_hash_connect) walks the range from an offset of its own
  // for each (source, destination) and takes the first port whose 4-tuple is
  // free; we keep a rolling hint per source address and destination, so each
  // client address has the whole range towards each server.
  const std::uint32_t lo = profile_.ephemeral_low, hi = profile_.ephemeral_high;
  const std::uint32_t n = hi - lo + 1;
  // Every port of the range already has a connection to `remote`: no scan
  // can succeed (a server's clients hit this at every connect once full).
  if (auto it = pair_count_.find(FourTuple{Addr{local_ip, 0}, remote});
      it != pair_count_.end() && it->second >= n) {
    return std::nullopt;
  }
  std::uint16_t& hint = port_hints_[FourTuple{Addr{local_ip, 0}, remote}];
  for (std::uint32_t k = 0; k < n; ++k) {
    const std::uint16_t port = static_cast<std::uint16_t>(lo + (hint + k) % n);
    if (table_.count(FourTuple{Addr{local_ip, port}, remote}) ||
        tw_table_.count(FourTuple{Addr{local_ip, port}, remote}))
      continue;
    if (listeners_.count(listen_key(Addr{local_ip, port})) || listeners_.count(listen_key(Addr{0, port})))
      continue;
    if (held && held(port)) continue;
    hint = static_cast<std::uint16_t>((hint + k + 1) % n);
    return port;
  }
  return std::nullopt;
}

ConnId Host::listen(Addr local, int backlog) {
  Conn& c = new_conn(local, Addr{});
  c.listening = true;
  c.backlog = std::min(backlog, profile_.somaxconn);
  listeners_[listen_key(local)].push_back(c.id);
  out_.clear();
  c.ep.open_passive(0, net_.now(), out_);
  apply_outbox(c);
  return c.id;
}

std::optional<ConnId> Host::connect(Addr local, Addr remote, std::uint32_t rcv_buffer,
                                    std::uint32_t snd_buffer) {
  if (local.ip == 0) local.ip = ip_;
  if (local.port == 0) {
    auto port = pick_ephemeral_port(local.ip, remote);
    if (!port) return std::nullopt;
    local.port = *port;
  } else if (table_.count(FourTuple{local, remote}) || tw_table_.count(FourTuple{local, remote})) {
    return std::nullopt;
  }
  Conn& c = new_conn(local, remote);
  table_insert(local, remote, c.id);
  c.ep.set_buffers(rcv_buffer, snd_buffer);
  out_.clear();
  c.ep.open_active(next_iss(local, remote), net_.now(), out_);
  apply_outbox(c);
  return c.id;
}

model::Error Host::send(ConnId id, std::string_view data, std::size_t* accepted) {
  Conn* c = conn(id);
  if (!c) return model::Error::ConnectionDoesNotExist;
  out_.clear();
  std::size_t n = 0;
  const model::Error e = c->ep.send(data, net_.now(), out_, &n);
  if (accepted) *accepted = n;
  net_.app_bytes(index_, n, 0);
  if (keep_ledger_ && n > 0) ledger_[FourTuple{c->local, c->remote}].written += n;
  apply_outbox(*c);
  return e;
}

model::Error Host::receive(ConnId id, std::size_t max, std::string& into) {
  Conn* c = conn(id);
  if (!c) return model::Error::ConnectionDoesNotExist;
  out_.clear();
  const std::size_t before = into.size();
  const model::Error e = c->ep.receive(max, into, net_.now(), out_);
  net_.app_bytes(index_, 0, into.size() - before);
  if (keep_ledger_ && into.size() > before)
    ledger_[FourTuple{c->local, c->remote}].read += into.size() - before;
  apply_outbox(*c);
  return e;
}

model::Error Host::close(ConnId id) {
  Conn* c = conn(id);
  if (!c) return model::Error::ConnectionDoesNotExist;
  out_.clear();
  const model::Error e = c->ep.close(net_.now(), out_);
  apply_outbox(*c);
  return e;
}

model::Error Host::abort(ConnId id) {
  Conn* c = conn(id);
  if (!c) return model::Error::ConnectionDoesNotExist;
  out_.clear();
  const model::Error e = c->ep.abort(net_.now(), out_);
  apply_outbox(*c);
  return e;
}

model::Error Host::shutdown_read(ConnId id) {
  Conn* c = conn(id);
  if (!c) return model::Error::ConnectionDoesNotExist;
  out_.clear();
  const model::Error e = c->ep.shutdown_read(net_.now(), out_);
  apply_outbox(*c);
  return e;
}

void Host::set_nagle(ConnId id, bool nodelay, bool cork) {
  Conn* c = conn(id);
  if (!c) return;
  out_.clear();
  c->ep.set_nagle(nodelay, cork, net_.now(), out_);
  apply_outbox(*c);
}

void Host::set_keepalive(ConnId id, const model::KeepaliveOptions& o) {
  Conn* c = conn(id);
  if (!c) return;
  out_.clear();
  c->ep.set_keepalive(o, net_.now(), out_);
  apply_outbox(*c);
}

void Host::release(ConnId id) {
  Conn* c = conn(id);
  if (!c) return;
  c->held = false;
  if (c->listening) {
    // Closing a listener resets the connections still waiting in its queue
    // (Linux inet_csk_listen_stop).
    std::vector<ConnId> pending;
    pending.swap(c->accept_queue);
    for (ConnId child : pending) {
      if (Conn* ch = conn(child)) {
        ch->held = false;
        abort(child);
      }
    }
    for (const auto& other : conns_) {
      if (other && other->id != kNoConn && other->listener == id && !other->in_accept_queue &&
          other->state() == model::State::SynReceived) {
        other->held = false;
        abort(other->id);
      }
    }
    if (conn(id) && conn(id)->state() != model::State::Closed) close(id);
    if (Conn* l = conn(id); l && l->state() == model::State::Closed) free_conn(*l);
    return;
  }
  if (c->state() == model::State::Closed) {
    free_conn(*c);
    return;
  }
  out_.clear();
  c->ep.orphan(net_.now(), out_);
  apply_outbox(*c);
}

std::optional<ConnId> Host::accept(ConnId listener) {
  Conn* l = conn(listener);
  if (!l || !l->listening || l->accept_queue.empty()) return std::nullopt;
  const ConnId child = l->accept_queue.front();
  l->accept_queue.erase(l->accept_queue.begin());
  if (Conn* ch = conn(child)) {
    ch->in_accept_queue = false;
    ch->listener = kNoConn;
  }
  return child;
}

void Host::answer_closed(const Packet& p) {
  out_.clear();
  closed_.segment_arrives(p.seg, net_.now(), out_);
  for (const model::Action& a : out_.actions) {
    if (a.kind != model::ActionKind::SendSegment) continue;
    Packet reply;
    reply.src = p.dst;
    reply.dst = p.src;
    reply.seg = out_.segment_of(a);
    net_.transmit(*this, kNoConn, std::move(reply));
  }
  if (net_.trace().enabled()) {
    net_.note(*this, kNoConn,
              p.seg.has(model::kRst) ? "no connection: RST discarded (RFC 9293 §3.10.7.1)"
                                     : "no connection: answered with RST (RFC 9293 §3.10.7.1)");
  }
}

std::optional<model::Seq> Host::reopened_by(const model::Outbox& out) {
  for (const model::Action& a : out.actions) {
    if (a.kind == model::ActionKind::TimeWaitReopened) return a.iss;
  }
  return std::nullopt;
}

void Host::syn_to_listener(Conn& listener, const Packet& p, std::optional<model::Seq> iss) {
  // Linux drops a SYN while the accept queue is full (more than backlog
  // connections waiting): the client retransmits it later.
  if (listener.accept_queue.size() > static_cast<std::size_t>(listener.backlog)) {
    ++listener.syn_drops;
    if (net_.trace().enabled()) net_.note(*this, listener.id, "accept queue full: SYN dropped");
    return;
  }
  Conn& child = new_conn(p.dst, p.src);
  child.listener = listener.id;
  table_insert(p.dst, p.src, child.id);
  out_.clear();
  // Linux sk_clone_lock(): the listener's keepalive settings (armed on ESTABLISHED).
  child.ep.set_keepalive(model::keepalive_options(listener.ep.config()), net_.now(), out_);
  child.ep.open_passive(iss ? *iss : next_iss(p.dst, p.src), net_.now(), out_);
  if (profile_.fast_open.sysctl != 0) fast_open_syn(listener, child, p);
  model::Segment seen;
  const bool changed = wire_in(child.wire, profile_.wire, child.ep.tcb(), p, seen);
  child.ep.segment_arrives(changed ? seen : p.seg, net_.now(), out_);
  apply_outbox(child);
}

void Host::receive_packet(const Packet& p) {
  if (Conn* c = find(p.dst, p.src)) {
    if (c->listener != kNoConn && !c->in_accept_queue && c->state() == model::State::SynReceived &&
        p.seg.has(model::kAck) && !p.seg.has(model::kRst)) {
      Conn* l = conn(c->listener);
      if (l && l->accept_queue.size() > static_cast<std::size_t>(l->backlog)) {
        // Linux: the handshake's last ACK is ignored while the queue is full;
        // the SYN,ACK is retransmitted and the client, which believes it is
        // connected, retransmits its data.
        if (net_.trace().enabled()) net_.note(*this, c->id, "accept queue full: ACK ignored");
        return;
      }
    }
    out_.clear();
    model::Segment seen;
    const bool changed = wire_in(c->wire, profile_.wire, c->ep.tcb(), p, seen);
    c->ep.segment_arrives(changed ? seen : p.seg, net_.now(), out_);
    const std::optional<model::Seq> reopened = reopened_by(out_);
    apply_outbox(*c);
    if (reopened) {
      // RFC 9293 §3.6.1 MAY-2 (Linux TCP_TW_SYN): TIME-WAIT is gone and the
      // SYN goes on as if it had found no connection, with the ISS the model
      // chose above the old connection's sequence space.
      // A CLOSED connection an application still holds leaves the table.
      if (find(p.dst, p.src)) table_erase(p.dst, p.src);
      if (Conn* l = find_listener(p.dst, p.src)) {
        syn_to_listener(*l, p, *reopened);
      } else {
        answer_closed(p);
      }
    }
    return;
  }
  if (Conn* l = find_listener(p.dst, p.src)) {
    const auto& s = p.seg;
    if (s.has(model::kSyn) && !s.has(model::kAck) && !s.has(model::kRst)) {
      syn_to_listener(*l, p);
      return;
    }
    // Anything else to a listener: the LISTEN rows (RST for an ACK, ignore a RST).
    out_.clear();
    l->ep.segment_arrives(p.seg, net_.now(), out_);
    // A listener answers from the address the segment was sent to, to its sender.
    apply_outbox(*l, p.dst, p.src);
    return;
  }
  answer_closed(p);
}

void Host::timer_fired(ConnId id, std::uint32_t epoch, model::TimerKind k) {
  Conn* c = conn(id);
  if (!c || c->id == kNoConn || c->epoch != epoch) return;
  c->timers[static_cast<int>(k)] = EventId{};
  if (net_.trace().enabled()) {
    TraceRecord& r = net_.trace().record(TraceKind::TimerFired, net_.now(), index_, id);
    r.timer = k;
    r.from = r.to = c->state();
  }
  out_.clear();
  c->ep.timeout(k, net_.now(), out_);
  apply_outbox(*c);
}

void Host::apply_outbox(Conn& c, Addr from, Addr to) {
  // The application hears of events only after the whole outbox is applied:
  // what it does in response (send, close) uses the outbox again.
  // told_ is shared by nested calls (the application's reactions run this
  // again): each call handles the entries it added, then removes them.
  const std::size_t told_from = told_.size();
  const bool tracing = net_.trace().enabled();
  bool closed = false;
  bool back_to_listen = false;
  for (const model::Action& a : out_.actions) {
    switch (a.kind) {
      case model::ActionKind::SendSegment: {
        Packet p;
        p.src = from;
        p.dst = to;
        p.seg = std::move(out_.segments[a.segment]);  // the outbox is cleared before its next use
        p.retransmission = a.retransmission;
        wire_out(c.wire, profile_.wire, c.ep.tcb(), c.ep.config().rcv_buffer, p, net_.now());
        net_.transmit(*this, c.id, std::move(p), SendContext{a.reason, a.cwnd, a.ssthresh});
        break;
      }
      case model::ActionKind::ArmTimer: arm_timer(c, a.timer, a.after, tracing); break;
      case model::ActionKind::CancelTimer: cancel_timer(c, a.timer, tracing); break;
      case model::ActionKind::Notify:
        if (tracing) {
          TraceRecord& r = net_.trace().record(TraceKind::App, net_.now(), index_, c.id);
          r.app = a.app;
          r.from = r.to = c.state();
          r.orphan = !c.held;
        }
        if (a.app == model::AppEvent::Closed) closed = true;
        if (on_app && c.held) told_.push_back({c.id, c.epoch, a.app});
        break;
      case model::ActionKind::StateChange:
        state_changed(c, a, tracing);
        // A connection spawned by a listener that fell back to LISTEN (RST or
        // SYN in SYN-RECEIVED) is simply forgotten: the listener itself never left.
        if (a.from == model::State::SynReceived && a.to == model::State::Listen && c.listener != kNoConn) {
          back_to_listen = true;
        }
        break;
      case model::ActionKind::HandshakeComplete: queue_for_accept(c); break;
      case model::ActionKind::TimeWaitReopened: break;  // receive_packet hands the SYN on
      case model::ActionKind::Note:
      case model::ActionKind::Ignored:
        if (tracing) trace_note(c, a);
        break;
    }
  }
  if (back_to_listen) {
    free_conn(c);
  } else if (closed && !c.held && !c.listening) {
    free_conn(c);
  } else if (closed && c.listener != kNoConn && !c.in_accept_queue) {
    free_conn(c);
  } else if (compact_tw_ && c.id != kNoConn && c.state() == model::State::TimeWait && !c.held &&
             c.listener == kNoConn && !tracing && compactable(c)) {
    compact(c);
  }
  const std::size_t told_to = told_.size();
  for (std::size_t i = told_from; i < told_to; ++i) {
    const Told t = told_[i];
    Conn* x = conn(t.id);
    if (x && x->id == t.id && x->epoch == t.epoch) on_app(*x, t.e);
  }
  told_.resize(told_from);
}

void Host::arm_timer(Conn& c, model::TimerKind kind, Duration after, bool tracing) {
  const int k = static_cast<int>(kind);
  net_.scheduler().cancel(c.timers[k]);
  const ConnId id = c.id;
  const std::uint32_t epoch = c.epoch;
  Host* self = this;
  c.timers[k] =
      net_.scheduler().schedule_after(after, [self, id, epoch, kind] { self->timer_fired(id, epoch, kind); });
  c.expires[k] = sat_add(net_.now(), after);  // as schedule_after: never past the end of time
  if (tracing) {
    TraceRecord& r = net_.trace().record(TraceKind::TimerArmed, net_.now(), index_, c.id);
    r.timer = kind;
    r.after = after;
    r.from = r.to = c.state();
  }
}

void Host::cancel_timer(Conn& c, model::TimerKind kind, bool tracing) {
  const int k = static_cast<int>(kind);
  const bool was = net_.scheduler().cancel(c.timers[k]);
  c.timers[k] = EventId{};
  if (tracing && was) {
    TraceRecord& r = net_.trace().record(TraceKind::TimerCancelled, net_.now(), index_, c.id);
    r.timer = kind;
    r.from = r.to = c.state();
  }
}

void Host::state_changed(Conn& c, const model::Action& a, bool tracing) {
  if (tracing) {
    TraceRecord& r = net_.trace().record(TraceKind::State, net_.now(), index_, c.id);
    r.from = a.from;
    r.to = a.to;
    r.rule = a.rule;
  }
  --state_count_[static_cast<int>(a.from)];
  ++state_count_[static_cast<int>(a.to)];
  if (a.to == model::State::Closed) c.state_before_close = a.from;
}

void Host::queue_for_accept(Conn& c) {
  // A connection a listener spawned completed its handshake (also when the
  // completing ACK carried a FIN and went straight to CLOSE-WAIT): into the
  // listener's accept queue.
  if (c.listener == kNoConn || c.in_accept_queue) return;
  Conn* l = conn(c.listener);
  if (!l || !l->listening) return;
  l->accept_queue.push_back(c.id);
  c.in_accept_queue = true;
  // Tell the socket layer a connection is ready to accept().
  if (on_app && l->held) told_.push_back({l->id, l->epoch, model::AppEvent::Connected});
}

void Host::trace_note(const Conn& c, const model::Action& a) {
  const std::uint32_t ref = net_.trace().add_static_text(a.note);
  const TraceKind kind = a.kind == model::ActionKind::Ignored ? TraceKind::Ignored
                         : a.rule != model::kNoRule           ? TraceKind::Row
                                                              : TraceKind::Note;
  TraceRecord& r = net_.trace().record(kind, net_.now(), index_, c.id);
  r.rule = a.rule;
  r.from = a.from;
  r.to = a.to;
  r.ref = ref;
}

}  // namespace tcpsim::sim
