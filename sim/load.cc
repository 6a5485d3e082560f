#include "sim/load.h"

#include <algorithm>

namespace tcpsim::sim {

namespace {

// Arrival k of a load: k / rate seconds after its start, in whole
// nanoseconds computed exactly (no accumulated rounding).
Time arrival_time(const LoadSpec& l, std::uint64_t k) {
  return l.start + static_cast<Time>((k * 1'000'000'000ull) / l.rate);
}

}  // namespace

LoadRun::LoadRun(Network& net, std::vector<LoadSpec> loads, Duration sample_every)
    : net_(net), loads_(std::move(loads)), sample_every_(sample_every) {
  state_.resize(loads_.size());
  series_.resize(loads_.size());
  per_.resize(net_.host_count());
  std::uint32_t most = 0;
  for (const LoadSpec& l : loads_) most = std::max({most, l.request, l.response});
  payload_.assign(most, 'x');
}

LoadRun::PerConn& LoadRun::per(std::uint8_t host, ConnId id) {
  auto& v = per_[host];
  if (id >= v.size()) v.resize(std::max<std::size_t>(id + 1, v.size() * 2));
  return v[id];
}

std::uint32_t LoadRun::load_of_listener(std::uint8_t host, ConnId listener) const {
  for (std::uint32_t i = 0; i < loads_.size(); ++i) {
    if (loads_[i].server == host && state_[i].listener == listener) return i;
  }
  return 0;
}

void LoadRun::start() {
  for (std::uint32_t i = 0; i < loads_.size(); ++i) {
    const LoadSpec& l = loads_[i];
    Host& server = net_.host(l.server);
    state_[i].listener = server.listen(Addr{server.ip(), l.port}, l.backlog);
    if (l.rate > 0 && l.length > 0)
      net_.scheduler().schedule_at(arrival_time(l, 0), [this, i] { arrive(i); });
    if (l.accept_rate > 0) {
      net_.scheduler().schedule_at(l.start, [this, i] { accept_one(i); });
      ++periodic_;
    }
  }
  for (std::size_t h = 0; h < net_.host_count(); ++h) {
    Host& host = net_.host(h);
    host.compact_time_wait(true);
    host.on_app = [this, &host](Conn& c, model::AppEvent e) {
      if (c.listening || c.in_accept_queue) {
        if (c.listening) server_event(host, c, e);
        return;
      }
      if (per(host.index(), c.id).server)
        server_event(host, c, e);
      else
        client_event(host, c, e);
    };
  }
  net_.scheduler().schedule_at(0, [this] { sample(); });
  ++periodic_;
}

void LoadRun::arrive(std::uint32_t i) {
  const LoadSpec& l = loads_[i];
  State& st = state_[i];
  Host& client = net_.host(l.client);
  const Host& server = net_.host(l.server);
  const std::uint32_t from = client.ip() + static_cast<std::uint32_t>(st.next % l.client_addresses);
  ++st.totals.attempted;
  if (auto id = client.connect(Addr{from, 0}, Addr{server.ip(), l.port})) {
    // connect() may already have failed synchronously; the bookkeeping is
    // only read for events that follow.
    if (Conn* c = client.conn(*id); c && c->id == *id) per(client.index(), *id) = PerConn{i, 0, false, false};
  } else {
    ++st.totals.no_port;
    if (st.first_no_port < 0) st.first_no_port = net_.now();
  }
  st.peak_client = std::max(st.peak_client, client.conn_count() + client.compact_time_waits());
  const std::uint64_t next = ++st.next;
  const Time t = arrival_time(l, next);
  if (t < sat_add(l.start, l.length)) net_.scheduler().schedule_at(t, [this, i] { arrive(i); });
}

void LoadRun::accept_one(std::uint32_t i) {
  const LoadSpec& l = loads_[i];
  State& st = state_[i];
  Host& server = net_.host(l.server);
  if (auto id = server.accept(st.listener)) accepted(i, server, *id);
  // Keep accepting while anything else can still happen.
  const Conn* lc = server.conn(st.listener);
  const bool queued = lc && !lc->accept_queue.empty();
  if (queued || net_.scheduler().pending() > periodic_ - 1) {
    net_.scheduler().schedule_after(static_cast<Duration>(1'000'000'000ull / l.accept_rate),
                                    [this, i] { accept_one(i); });
  } else {
    --periodic_;
  }
}

void LoadRun::accepted(std::uint32_t load, Host& server, ConnId id) {
  ++state_[load].totals.accepted;
  per(server.index(), id) = PerConn{load, 0, false, true};
  // The request may be there already: read it as if it had just arrived.
  if (Conn* c = server.conn(id)) server_event(server, *c, model::AppEvent::Readable);
}

// The application's close() of its last descriptor.
void LoadRun::close(Host& h, ConnId id) {
  h.close(id);
  h.release(id);
}

void LoadRun::client_event(Host& h, Conn& c, model::AppEvent e) {
  PerConn& pc = per(h.index(), c.id);
  const LoadSpec& l = loads_[pc.load];
  LoadCounters& t = state_[pc.load].totals;
  switch (e) {
    case model::AppEvent::Connected:
      if (l.request > 0) h.send(c.id, std::string_view(payload_.data(), l.request));
      if (l.response == 0 && !pc.done) {
        pc.done = true;
        ++t.completed;
        if (!l.server_closes) {
          close(h, c.id);
        }
      }
      break;
    case model::AppEvent::Readable:
    case model::AppEvent::EndOfStream: {
      buf_.clear();
      h.receive(c.id, 1u << 20, buf_);
      pc.got += static_cast<std::uint32_t>(buf_.size());
      if (!pc.done && pc.got >= l.response) {
        pc.done = true;
        ++t.completed;
        if (!l.server_closes) {
          close(h, c.id);
          break;
        }
      }
      if (e == model::AppEvent::EndOfStream) {
        close(h, c.id);
      }
      break;
    }
    case model::AppEvent::Reset:
    case model::AppEvent::Refused:
    case model::AppEvent::TimedOut:
      ++(e == model::AppEvent::Reset ? t.reset : e == model::AppEvent::Refused ? t.refused : t.timed_out);
      h.release(c.id);
      break;
    default: break;
  }
}

void LoadRun::server_event(Host& h, Conn& c, model::AppEvent e) {
  if (c.listening) {
    const std::uint32_t i = load_of_listener(h.index(), c.id);
    if (e != model::AppEvent::Connected || loads_[i].accept_rate > 0) return;
    while (auto id = h.accept(c.id)) accepted(i, h, *id);
    return;
  }
  PerConn& pc = per(h.index(), c.id);
  const LoadSpec& l = loads_[pc.load];
  switch (e) {
    case model::AppEvent::Readable:
    case model::AppEvent::EndOfStream:
    case model::AppEvent::Connected: {
      buf_.clear();
      h.receive(c.id, 1u << 20, buf_);
      pc.got += static_cast<std::uint32_t>(buf_.size());
      const ConnId id = c.id;
      if (!pc.done && pc.got >= l.request) {
        pc.done = true;
        if (l.response > 0) h.send(id, std::string_view(payload_.data(), l.response));
        if (l.server_closes) {
          close(h, id);
          break;
        }
      }
      // The client closed first: end of stream, then our close.
      const Conn* now = h.conn(id);
      if (pc.done && !l.server_closes && now && now->id == id && now->ep.tcb().fin_received) {
        close(h, id);
      }
      break;
    }
    case model::AppEvent::Reset:
    case model::AppEvent::TimedOut:
    case model::AppEvent::Refused: h.release(c.id); break;
    default: break;
  }
}

void LoadRun::sample() {
  for (std::size_t i = 0; i < loads_.size(); ++i) {
    const LoadSpec& l = loads_[i];
    State& st = state_[i];
    const Host& client = net_.host(l.client);
    const Host& server = net_.host(l.server);
    LoadSample s;
    s.t = net_.now();
    for (int k = 0; k < model::kStateCount; ++k) {
      s.client_states[k] = client.count_in(static_cast<model::State>(k));
      s.server_states[k] = server.count_in(static_cast<model::State>(k));
    }
    for (std::uint32_t a = 0; a < l.client_addresses; ++a)
      s.client_ports += client.ports_towards(client.ip() + a, Addr{server.ip(), l.port});
    if (const Conn* lc = server.conn(st.listener)) {
      s.accept_queue = static_cast<std::uint32_t>(lc->accept_queue.size());
      st.totals.syn_drops = lc->syn_drops;
    }
    st.peak_client = std::max(st.peak_client, client.conn_count() + client.compact_time_waits());
    st.peak_server = std::max(st.peak_server, server.conn_count() + server.compact_time_waits());
    s.totals = st.totals;
    series_[i].push_back(s);
  }
  // Sample again while anything but the periodic events can still happen.
  if (net_.scheduler().pending() > periodic_ - 1) {
    net_.scheduler().schedule_after(sample_every_, [this] { sample(); });
  } else {
    --periodic_;
  }
}

}  // namespace tcpsim::sim
