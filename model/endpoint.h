// One TCP endpoint as a pure state machine: RFC 9293 (read §3.3 for the
// variables, §3.5-3.6 for opening and closing, §3.10 for the event
// processing this follows step by step), refined by RFC 1122 (4.2.2.13
// half-duplex close, 4.2.3.2 delayed ACK), RFC 5961 (challenge ACKs),
// RFC 6298 (retransmission timer) and RFC 1337 (TIME-WAIT assassination).
//
// No clock, no I/O, no randomness: every input carries `now`, every output
// goes to the Outbox the caller passes in. The state table itself is in
// model/rfc9293_table.h (its run-time view in model/transition_table.h);
// Boost.MSM is confined to model/endpoint.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "model/config.h"
#include "model/outbox.h"
#include "model/segment.h"
#include "model/state.h"
#include "model/tcb.h"
#include "model/time.h"

namespace tcpsim::model {

struct DataPath;          // model/data_path.h
struct KeepaliveOptions;  // model/keepalive.h

// RFC 9293 §3.10's error responses to user calls.
enum class Error : std::uint8_t {
  None,
  ConnectionDoesNotExist,   // "error: connection does not exist"
  ConnectionAlreadyExists,  // "error: connection already exists"
  ConnectionClosing,        // "error: connection closing"
  ConnectionReset,          // "error: connection reset"
  ConnectionRefused,        // "error: connection refused"
  TimedOut,                 // the connection was given up
  WouldBlock,               // nothing to read yet, or no room to queue: the call waits
};

class Endpoint {
 public:
  explicit Endpoint(const Config& config = Config{});
  ~Endpoint();
  Endpoint(Endpoint&&) noexcept;
  Endpoint& operator=(Endpoint&&) noexcept;
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  // Back to a fresh CLOSED endpoint with `config`, keeping the memory: a
  // simulator with a million short connections reuses its endpoints.
  void reset(const Config& config);

  // SO_RCVBUF / SO_SNDBUF on a live connection: the receive window and the
  // send buffer from now on (0 leaves one as it is).
  void set_buffers(std::uint32_t rcv, std::uint32_t snd);
  // TCP_NODELAY / TCP_CORK (RFC 9293 §3.7.4's Nagle algorithm, Linux's
  // cork): setting TCP_NODELAY or clearing TCP_CORK sends what they held.
  void set_nagle(bool nodelay, bool cork, Time now, Outbox& out);
  // SO_KEEPALIVE, TCP_KEEPIDLE/INTVL/CNT (RFC 1122 §4.2.3.6, as Linux):
  // turning it on arms the keepalive timer, off stops it.
  void set_keepalive(const KeepaliveOptions& o, Time now, Outbox& out);

  // TCP Fast Open (RFC 7413 §4.2.2): the SYN this passive endpoint is about
  // to receive carried a valid cookie, so its data is taken and acknowledged
  // by the SYN,ACK, and a RST in SYN-RECEIVED closes the connection.
  void accept_syn_data();
  // TCP_USER_TIMEOUT: RFC 9293 §3.8.3's user timeout from now on (0: off).
  void set_user_timeout(Duration d);

  State state() const;
  // Why the connection ended, once it has died of a RST or a timeout.
  Error failure() const;
  const Tcb& tcb() const;
  const Config& config() const;
  // The data path's state (cwnd, scoreboard, recovery) for TCP_INFO; null
  // until the connection first carries data.
  const DataPath* data_path() const;

  // RFC 9293 §3.10.1 OPEN. `iss` is the caller's choice (deterministic).
  Error open_active(Seq iss, Time now, Outbox& out);
  Error open_passive(Seq iss, Time now, Outbox& out);
  // §3.10.2 SEND: queue bytes; returns how many were accepted (buffer space).
  Error send(std::string_view data, Time now, Outbox& out, std::size_t* accepted = nullptr);
  // §3.10.3 RECEIVE: take up to `max` bytes. Returns 0 bytes with None at end
  // of stream (read() = 0), or after shutdown_read().
  Error receive(std::size_t max, std::string& into, Time now, Outbox& out);
  // §3.10.4 CLOSE: "I have no more to send" (shutdown(SHUT_WR) asks the same).
  Error close(Time now, Outbox& out);
  // §3.10.5 ABORT: RST if synchronized, TCB deleted.
  Error abort(Time now, Outbox& out);
  // shutdown(SHUT_RD): nothing is sent; further reads return end of stream
  // once queued data is gone (Linux keeps delivering queued data).
  Error shutdown_read(Time now, Outbox& out);

  // The application no longer holds the connection (Linux: close() on the
  // last descriptor). Reading is shut, and an orphaned FIN-WAIT-2 is bounded
  // by Config::fin_wait_2_timeout.
  void orphan(Time now, Outbox& out);

  // §3.10.7 SEGMENT ARRIVES.
  void segment_arrives(const Segment& seg, Time now, Outbox& out);
  // §3.10.8 timeouts, and the delayed-ACK and FIN-WAIT-2 timers.
  void timeout(TimerKind kind, Time now, Outbox& out);

  // Test support: put a fresh endpoint straight into `state` with the given
  // sequence variables, as the real path would have left it. Tests compare
  // each such fixture with the state reached by the real path.
  void force_state_for_test(State state, const Tcb& tcb) { restore(state, tcb); }
  // Puts the endpoint in `state` with this TCB, without running any row: for
  // a host that kept a TIME-WAIT connection compactly (its TCB only) and
  // brings it back when a segment arrives for it.
  void restore(State state, const Tcb& tcb);

 private:
  struct Machine;
  std::unique_ptr<Machine> m_;
};

}  // namespace tcpsim::model
