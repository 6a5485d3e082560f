// A simulated host at the TCP level: its connections (TCBs) keyed by
// 4-tuple, listeners and their accept queues, timers in virtual time, and the
// RST it answers for segments nobody owns. The socket API a program sees
// (file descriptors, bind rules, epoll) is built on top of this in
// sim/sockets.h.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/endpoint.h"
#include "sim/chunked_fifo.h"
#include "sim/packet.h"
#include "sim/profile.h"
#include "sim/scheduler.h"

namespace tcpsim::sim {

class Network;

using ConnId = std::uint32_t;
constexpr ConnId kNoConn = 0xffffffff;

struct Conn {
  ConnId id = kNoConn;
  std::uint32_t epoch = 0;  // bumped on reuse of the id, so stale timers are ignored
  Addr local, remote;
  model::Endpoint ep;
  std::array<EventId, model::kTimerKindCount> timers{};
  std::array<Time, model::kTimerKindCount> expires{};  // when each armed timer fires
  // A connection spawned by a listener, until the application accepts it.
  ConnId listener = kNoConn;
  bool in_accept_queue = false;
  // A listener's own data.
  bool listening = false;
  int backlog = 0;
  // A vector, not a deque: libstdc++'s deque allocates ~600 bytes even
  // empty, and every connection (a million TIME-WAITs) carries this field.
  std::vector<ConnId> accept_queue;
  std::uint32_t syn_drops = 0;  // SYNs dropped because the accept queue was full
  int fastopen_qlen = 0;        // TCP_FASTOPEN's queue length (0: Fast Open off)
  bool syn_data_acked = false;  // a Fast Open child whose SYN's data was taken (TCPI_OPT_SYN_DATA)
  // The application still holds it (a socket); a CLOSED connection nobody
  // holds leaves the table.
  bool held = true;
  void* user = nullptr;  // the socket layer's back pointer
  // What the socket layer keeps with the connection after its socket is gone
  // (an orphan, a TIME-WAIT): the bind flags of the socket it came from,
  // whether the application read end of stream (ss counts an unread FIN in
  // Recv-Q), and the error the next call will report (Linux sk_err).
  bool reuseaddr = false;
  bool reuseport = false;
  bool eof_read = false;
  // The state a connection was in before it last went to CLOSED (Linux's
  // errno after a RST depends on it).
  model::State state_before_close = model::State::Closed;
  WireState wire;  // RFC 7323 options (sim/wire_options.h)

  explicit Conn(const model::Config& cfg) : ep(cfg) {}
  explicit Conn(model::Endpoint&& e) : ep(std::move(e)) {}
  // Back to a new connection, keeping the endpoint's memory (hosts reuse
  // their Conns: a busy server makes millions).
  void reuse(const model::Config& cfg) {
    model::Endpoint e = std::move(ep);
    e.reset(cfg);
    const std::uint32_t next_epoch = epoch + 1;
    *this = Conn(std::move(e));
    epoch = next_epoch;
  }
  model::State state() const { return ep.state(); }
};

struct FourTuple {
  Addr local, remote;
  bool operator==(const FourTuple& o) const { return local == o.local && remote == o.remote; }
};
// Eight consecutive remote ports of one (local address, remote address)
// share their place in the table and differ in the tag bits only (Abseil's
// H2, the low 7 bits): ephemeral ports are handed out in order, so the
// connections a busy server sees one after another sit in the same cache
// lines, in a table of a million.
struct FourTupleHash {
  std::size_t operator()(const FourTuple& t) const {
    std::uint64_t a = (std::uint64_t{t.local.ip} << 16) ^ t.local.port;
    std::uint64_t b = (std::uint64_t{t.remote.ip} << 16) ^ (t.remote.port >> 3);
    a ^= b * 0x9e3779b97f4a7c15ull;
    a ^= a >> 29;
    a *= 0xbf58476d1ce4e5b9ull;
    a ^= a >> 32;
    return static_cast<std::size_t>((a & ~std::uint64_t{0x70}) | (std::uint64_t{t.remote.port & 7u} << 4));
  }
};

class Host {
 public:
  Host(Network& net, std::uint8_t index, std::string name, std::uint32_t ip, Profile profile);
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  std::uint8_t index() const { return index_; }
  const std::string& name() const { return name_; }
  std::uint32_t ip() const { return ip_; }
  // A host may own consecutive addresses ip() .. ip() + addresses() - 1 (a
  // load's clients spread over many source addresses, as behind a NAT pool).
  std::uint32_t addresses() const { return addresses_; }
  void set_addresses(std::uint32_t n) { addresses_ = n == 0 ? 1 : n; }
  bool owns(std::uint32_t ip) const { return ip - ip_ < addresses_; }
  const Profile& profile() const { return profile_; }
  Profile& profile() { return profile_; }

  // RFC 9293 §3.10.1 OPEN, passive: a listener on local (ip 0 = any address).
  ConnId listen(Addr local, int backlog);
  // OPEN, active. local.port 0 picks an ephemeral port; nullopt when no
  // 4-tuple is free (EADDRNOTAVAIL).
  // rcv_buffer/snd_buffer: the socket's SO_RCVBUF/SO_SNDBUF (0: the profile's),
  // in force before the SYN so that it advertises that window.
  std::optional<ConnId> connect(Addr local, Addr remote, std::uint32_t rcv_buffer = 0,
                                std::uint32_t snd_buffer = 0);
  // `held`, when given, names ports the socket layer holds by bind(), which
  // Linux's __inet_hash_connect never hands to connect().
  std::optional<std::uint16_t> pick_ephemeral_port(std::uint32_t local_ip, Addr remote,
                                                   const std::function<bool(std::uint16_t)>& held = {});

  model::Error send(ConnId c, std::string_view data, std::size_t* accepted = nullptr);
  model::Error receive(ConnId c, std::size_t max, std::string& into);
  model::Error close(ConnId c);
  model::Error abort(ConnId c);
  model::Error shutdown_read(ConnId c);
  // TCP_NODELAY / TCP_CORK changed: what they held may go now.
  void set_nagle(ConnId c, bool nodelay, bool cork);
  // SO_KEEPALIVE and TCP_KEEPIDLE/INTVL/CNT on the connection (model/keepalive.h).
  void set_keepalive(ConnId c, const model::KeepaliveOptions& o);
  // The application lets go of the connection (close() of its last
  // descriptor): reading is shut, the FIN-WAIT-2 bound applies, and once
  // CLOSED it leaves the table.
  void release(ConnId c);
  // A connection that finished its handshake, taken off the listener's queue.
  std::optional<ConnId> accept(ConnId listener);

  Conn* conn(ConnId c) { return c < conns_.size() ? conns_[c].get() : nullptr; }
  const Conn* conn(ConnId c) const { return c < conns_.size() ? conns_[c].get() : nullptr; }
  // Every live connection (listeners and orphans included), in id order.
  template <class F>
  void for_each_conn(F&& f) const {
    for (const auto& c : conns_) {
      if (c && c->id != kNoConn) f(*c);
    }
  }
  std::size_t conn_count() const { return live_; }
  // Live connections in each state (listeners in LISTEN), kept as they
  // change: a busy server's time series reads them without a walk.
  std::uint32_t count_in(model::State s) const { return state_count_[static_cast<int>(s)]; }
  // Ephemeral ports of local_ip with a connection (any state) to remote.
  std::uint32_t ports_towards(std::uint32_t local_ip, Addr remote) const {
    auto it = pair_count_.find(FourTuple{Addr{local_ip, 0}, remote});
    return it == pair_count_.end() ? 0 : it->second;
  }
  // Is this local address:port used by any connection or listener?
  bool port_in_use(Addr local) const;

  // Called by the network.
  void receive_packet(const Packet& p);
  void timer_fired(ConnId c, std::uint32_t epoch, model::TimerKind k);

  // What the application is told, for the socket layer.
  std::function<void(Conn&, model::AppEvent)> on_app;

  // Bytes the applications handed to TCP and took from it, per 4-tuple
  // (summed over connections that reuse one): with the peer's, they tell
  // whether data written was ever read. Kept only when asked (scenarios do;
  // a busy server with millions of connections does not).
  struct Ledger {
    std::uint64_t written = 0;
    std::uint64_t read = 0;
  };
  void keep_ledger(bool on) { keep_ledger_ = on; }

  // Keep orphaned TIME-WAIT connections as a TCB and an expiry time, as
  // Linux's inet_timewait_sock does, instead of a whole connection: a busy
  // server holds a million. A segment for one brings the connection back.
  // They are not listed by for_each_conn (so not by ss) nor seen by bind():
  // for load runs, which have neither.
  void compact_time_wait(bool on) { compact_tw_ = on; }
  std::size_t compact_time_waits() const { return tw_live_; }
  // Records held, those brought back included until they are swept out:
  // what compact TIME-WAITs cost in memory.
  std::size_t time_wait_records() const { return tw_.size(); }
  const std::unordered_map<FourTuple, Ledger, FourTupleHash>& ledger() const { return ledger_; }

 private:
  Conn& new_conn(Addr local, Addr remote);
  void free_conn(Conn& c, bool to_time_wait = false);
  // Applies out_, the outbox of one input to c: its segments go out from
  // `from` to `to` (c's own addresses, but a listener answers from the
  // address a segment was sent to), its timers are set, the trace records
  // it, and the application is told, last.
  void apply_outbox(Conn& c) { apply_outbox(c, c.local, c.remote); }
  void apply_outbox(Conn& c, Addr from, Addr to);
  void arm_timer(Conn& c, model::TimerKind kind, Duration after, bool tracing);
  void cancel_timer(Conn& c, model::TimerKind kind, bool tracing);
  void state_changed(Conn& c, const model::Action& a, bool tracing);
  void queue_for_accept(Conn& c);  // ActionKind::HandshakeComplete
  void trace_note(const Conn& c, const model::Action& a);
  Conn* find(Addr local, Addr remote);
  Conn* find_listener(Addr local, Addr remote);
  void answer_closed(const Packet& p);
  void syn_to_listener(Conn& listener, const Packet& p, std::optional<model::Seq> iss = std::nullopt);
  // TCP Fast Open's answer to a SYN (sim/host_fast_open.cc), before the child sees it.
  void fast_open_syn(const Conn& listener, Conn& child, const Packet& p);
  // The ISS for the new connection when the outbox says a new SYN closed a
  // TIME-WAIT connection (RFC 9293 §3.6.1 MAY-2).
  static std::optional<model::Seq> reopened_by(const model::Outbox& out);
  model::Seq next_iss(const Addr& local, const Addr& remote);

  Network& net_;
  std::uint8_t index_;
  std::string name_;
  std::uint32_t ip_;
  std::uint32_t addresses_ = 1;
  Profile profile_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<ConnId> free_ids_;
  std::size_t live_ = 0;
  // Looked up for every segment: an open-addressing table (Abseil's) costs
  // half what std::unordered_map's node per entry does.
  absl::flat_hash_map<FourTuple, ConnId, FourTupleHash> table_;
  std::unordered_map<std::uint64_t, std::vector<ConnId>> listeners_;  // (ip, port) -> listeners
  struct Told {
    ConnId id;
    std::uint32_t epoch;
    model::AppEvent e;
  };
  std::vector<Told> told_;  // application events waiting to be told (apply_outbox)
  model::Outbox out_;       // reused for every input
  model::Endpoint closed_;  // answers for segments no TCB owns (RFC 9293 §3.10.7.1)
  std::uint64_t iss_counter_ = 0;
  absl::flat_hash_map<FourTuple, std::uint16_t, FourTupleHash>
      port_hints_;  // (local ip, remote) -> next offset
  std::array<std::uint32_t, model::kStateCount> state_count_{};
  // Connections from an ephemeral port per (local ip, remote address): when
  // every port towards one destination is taken, connect() fails without a
  // scan. Assumes ip_local_port_range is not changed while connections exist.
  absl::flat_hash_map<FourTuple, std::uint32_t, FourTupleHash> pair_count_;
  bool ephemeral(std::uint16_t port) const;
  void table_insert(Addr local, Addr remote, ConnId id);
  void table_erase(Addr local, Addr remote);
  void uncount(Addr local, Addr remote);  // pair_count_'s side of a 4-tuple leaving
  bool keep_ledger_ = false;
  // A compact TIME-WAIT: no Conn, and no event of its own. One event per
  // host (the reaper) waits for the oldest record, at the place in the event
  // order its 2MSL timer would have had (seq), so a run is the same event
  // for event with or without compaction.
  struct TimeWaitRecord {
    Addr local, remote;
    Time expires = 0;
    std::uint64_t seq = 0;
    bool live = false;  // still kept here: not expired nor brought back
    model::TcbVariables tcb;
  };
  // Compact TIME-WAITs by 4-tuple: record numbers modulo 2^32. Apart from
  // table_ so the live connections' table, touched by every segment, stays
  // small enough for the cache.
  absl::flat_hash_map<FourTuple, std::uint32_t, FourTupleHash> tw_table_;
  bool compact_tw_ = false;
  ChunkedFifo<TimeWaitRecord> tw_;  // by expiry: TIME-WAIT's length is fixed
  std::uint64_t tw_base_ = 0;       // the number of tw_.front()
  std::size_t tw_live_ = 0;
  // The reaper is pending while tw_ is not empty, and fires for tw_.front().
  EventId reaper_;
  void compact(Conn& c);
  bool compactable(const Conn& c) const;
  Conn* bring_back(std::uint32_t record);
  void reap_front();
  void schedule_reaper();
  // Drops the records brought back once they outnumber the rest: a server
  // whose clients reuse ports (MAY-2) brings back most of them, and memory
  // must follow the TIME-WAITs alive, not those of the last 2MSL.
  void sweep_time_waits();
  std::unordered_map<FourTuple, Ledger, FourTupleHash> ledger_;
};

}  // namespace tcpsim::sim
