// RFC 9293's state machine as a Boost.MSM transition table: one row per arrow
// of Figure 5, plus the rows §3.10 adds (RST, SYN in synchronized states,
// timeouts, ABORT, retransmitted FINs, Linux's RST for data after close).
// Included only by model/endpoint.cc: MSM costs seconds and hundreds of MB of
// compiler memory per translation unit.
//
// Reading a row:  Row< from, event, to (none: stays, no exit/entry), Do<rule, steps...>, guard >
// The rule's name is stable: traces print it, tests are named after it, the
// state diagram (`tcpsim states`) labels its edges with it.
//
/*
RFC 9293 Figure 5, the TCP connection state diagram:

                            +---------+ ---------\      active OPEN
                            |  CLOSED |            \    -----------
                            +---------+<---------\   \   create TCB
                              |     ^              \   \  snd SYN
                 passive OPEN |     |   CLOSE        \   \
                 ------------ |     | ----------       \   \
                  create TCB  |     | delete TCB         \   \
                              V     |                      \   \
          rcv RST (note 1)  +---------+            CLOSE    |    \
       -------------------->|  LISTEN |          ---------- |     |
      /                     +---------+          delete TCB |     |
     /           rcv SYN      |     |     SEND              |     |
    /           -----------   |     |    -------            |     V
+--------+      snd SYN,ACK  /       \   snd SYN          +--------+
|        |<-----------------           ------------------>|        |
|  SYN   |                    rcv SYN                     |  SYN   |
|  RCVD  |<-----------------------------------------------|  SENT  |
|        |                  snd SYN,ACK                   |        |
|        |------------------           -------------------|        |
+--------+   rcv ACK of SYN  \       /  rcv SYN,ACK       +--------+
   |         --------------   |     |   -----------
   |                x         |     |     snd ACK
   |                          V     V
   |  CLOSE                 +---------+
   | -------                |  ESTAB  |
   | snd FIN                +---------+
   |                 CLOSE    |     |    rcv FIN
   V                -------   |     |    -------
+---------+         snd FIN  /       \   snd ACK         +---------+
|  FIN    |<----------------           ------------------>|  CLOSE  |
| WAIT-1  |------------------                             |   WAIT  |
+---------+          rcv FIN  \                           +---------+
  | rcv ACK of FIN   -------   |                            CLOSE  |
  | --------------   snd ACK   |                           ------- |
  V        x                   V                           snd FIN V
+---------+               +---------+                     +---------+
|FINWAIT-2|               | CLOSING |                     | LAST-ACK|
+---------+               +---------+                     +---------+
  |              rcv ACK of FIN |                 rcv ACK of FIN |
  |  rcv FIN     -------------- |    Timeout=2MSL -------------- |
  |  -------            x       V    ------------        x       V
   \ snd ACK              +---------+delete TCB           +---------+
     -------------------->|TIME-WAIT|-------------------->| CLOSED  |
                          +---------+                     +---------+

note 1: the transition from SYN-RECEIVED to LISTEN on receiving a RST is
conditional on having reached SYN-RECEIVED after a passive OPEN.
(A FIN that also acknowledges ours takes two arrows, as §3.10.7.4 orders
the steps: the fifth (rcv ACK of FIN: FIN-WAIT-2), then the eighth (rcv FIN:
TIME-WAIT); model/endpoint.cc dispatches it as those two events.)
*/

#pragma once

#include <string_view>
#include <type_traits>
#include <utility>

#include "model/classify.h"
#include "model/engine.h"
#include "model/msm_config.h"
#include "model/transition_table.h"

namespace tcpsim::model::fsm {

namespace msmf = boost::msm::front;
using msmf::none;
using msmf::Row;

// ------------------------------------------------------------------ events
// User calls (RFC 9293 §3.10.1-5).
struct OpenActive {
  static constexpr std::string_view name = "OPEN(active)";
  Seq iss;
};
struct OpenPassive {
  static constexpr std::string_view name = "OPEN(passive)";
  Seq iss;
};
// An active OPEN or a SEND on a LISTEN connection (the OPEN brings a new
// ISS, the SEND the one the connection has).
struct SendInListen {
  static constexpr std::string_view name = "SEND";
  Seq iss;
};
struct Close {
  static constexpr std::string_view name = "CLOSE";
};
struct Abort {
  static constexpr std::string_view name = "ABORT";
};
// Segments, as model/classify.h sorts them (§3.10.7).
struct RcvInClosed {
  static constexpr std::string_view name = "rcv any";
  const Segment& seg;
};
struct RcvSyn {
  static constexpr std::string_view name = "rcv SYN";
  const Segment& seg;
};
// TIME-WAIT: a SYN that opens a new connection (RFC 9293 §3.6.1 MAY-2).
struct RcvNewSyn {
  static constexpr std::string_view name = "rcv new SYN";
  const Segment& seg;
};
struct RcvSynAck {
  static constexpr std::string_view name = "rcv SYN,ACK";
  const Segment& seg;
};
struct RcvAck {
  static constexpr std::string_view name = "rcv ACK";
  const Segment& seg;
  bool acks_fin;
  bool ack_now;
};
struct RcvFin {
  static constexpr std::string_view name = "rcv FIN";
  const Segment& seg;
  bool acks_fin;
};
struct RcvRst {
  static constexpr std::string_view name = "rcv RST";
  const Segment& seg;
};
struct RcvBadAck {
  static constexpr std::string_view name = "rcv unacceptable ACK";
  const Segment& seg;
};
struct RcvDataAfterClose {
  static constexpr std::string_view name = "rcv data after close";
  const Segment& seg;
};
// Timeouts (§3.10.8).
struct TimeWaitTimeout {
  static constexpr std::string_view name = "2MSL timeout";
};
struct FinWait2Timeout {
  static constexpr std::string_view name = "FIN-WAIT-2 timeout";
};
struct GiveUp {
  static constexpr std::string_view name = "retransmission or user timeout";
};

// ------------------------------------------------------------------ states
template <State S>
struct St : msmf::state<> {
  static constexpr State id = S;
  // Entering a state arms or cancels its timers and tells the application;
  // leaving it cancels the timers that belong to it alone (2MSL, FIN-WAIT-2).
  template <class Event, class Fsm>
  void on_entry(const Event&, Fsm& fsm) {
    fsm.engine.enter(S);
  }
  template <class Event, class Fsm>
  void on_exit(const Event&, Fsm& fsm) {
    fsm.engine.leave(S);
  }
};
using Closed = St<State::Closed>;
using Listen = St<State::Listen>;
using SynSent = St<State::SynSent>;
using SynRcvd = St<State::SynReceived>;
using Estab = St<State::Established>;
using FinWait1 = St<State::FinWait1>;
using FinWait2 = St<State::FinWait2>;
using CloseWait = St<State::CloseWait>;
using Closing = St<State::Closing>;
using LastAck = St<State::LastAck>;
using TimeWait = St<State::TimeWait>;

// ------------------------------------------------------------------ rules
// Each rule: its stable name, where the RFC says it, what it does.
#define TCPSIM_RULE(ident, reference, what)            \
  struct ident {                                       \
    static constexpr std::string_view name = #ident;   \
    static constexpr std::string_view ref = reference; \
    static constexpr std::string_view summary = what;  \
  }

TCPSIM_RULE(closed_open_passive, "RFC 9293 §3.10.1", "passive OPEN / create TCB");
TCPSIM_RULE(closed_open_active, "RFC 9293 §3.10.1", "active OPEN / create TCB, snd SYN");
TCPSIM_RULE(closed_rcv_segment, "RFC 9293 §3.10.7.1", "rcv segment / snd RST (none for a RST)");
TCPSIM_RULE(listen_rcv_syn, "RFC 9293 §3.10.7.2", "rcv SYN / snd SYN,ACK");
TCPSIM_RULE(listen_rcv_ack, "RFC 9293 §3.10.7.2", "rcv ACK / snd RST <SEQ=SEG.ACK>");
TCPSIM_RULE(listen_rcv_rst, "RFC 9293 §3.10.7.2", "rcv RST / ignore");
TCPSIM_RULE(listen_send, "RFC 9293 §3.10.2", "SEND / snd SYN");
TCPSIM_RULE(listen_close, "RFC 9293 §3.10.4", "CLOSE / delete TCB");
TCPSIM_RULE(listen_abort, "RFC 9293 §3.10.5", "ABORT / delete TCB");
TCPSIM_RULE(synsent_rcv_syn_ack, "RFC 9293 §3.10.7.3", "rcv SYN,ACK / snd ACK");
TCPSIM_RULE(synsent_rcv_syn, "RFC 9293 §3.10.7.3", "rcv SYN / snd SYN,ACK (simultaneous open)");
TCPSIM_RULE(synsent_rcv_rst, "RFC 9293 §3.10.7.3", "rcv RST with acceptable ACK / connection refused");
TCPSIM_RULE(synsent_rcv_bad_ack, "RFC 9293 §3.10.7.3", "rcv unacceptable ACK / snd RST <SEQ=SEG.ACK>");
TCPSIM_RULE(synsent_close, "RFC 9293 §3.10.4", "CLOSE / delete TCB");
TCPSIM_RULE(synsent_abort, "RFC 9293 §3.10.5", "ABORT / delete TCB");
TCPSIM_RULE(synsent_give_up, "RFC 9293 §3.8.3", "SYN retransmissions exhausted / connection timed out");
TCPSIM_RULE(synrcvd_rcv_ack, "RFC 9293 §3.10.7.4", "rcv ACK of SYN / x");
TCPSIM_RULE(synrcvd_rcv_fin, "RFC 9293 §3.10.7.4", "rcv ACK of SYN and FIN / snd ACK");
TCPSIM_RULE(synrcvd_rcv_bad_ack, "RFC 9293 §3.10.7.4", "rcv unacceptable ACK / snd RST <SEQ=SEG.ACK>");
TCPSIM_RULE(synrcvd_rcv_rst_passive, "RFC 9293 §3.10.7.4", "rcv RST (from passive OPEN) / return to LISTEN");
TCPSIM_RULE(synrcvd_rcv_rst_fast_open, "RFC 7413 §4.2.2", "rcv RST (TCP Fast Open child) / connection reset");
TCPSIM_RULE(synrcvd_rcv_rst_active, "RFC 9293 §3.10.7.4", "rcv RST (from active OPEN) / connection refused");
TCPSIM_RULE(synrcvd_rcv_syn_passive, "RFC 9293 §3.10.7.4", "rcv SYN (from passive OPEN) / return to LISTEN");
TCPSIM_RULE(synrcvd_rcv_syn, "RFC 9293 §3.10.7.4", "rcv SYN without RFC 5961 / snd RST, connection reset");
TCPSIM_RULE(synrcvd_close, "RFC 9293 §3.10.4", "CLOSE / snd FIN");
TCPSIM_RULE(synrcvd_abort, "RFC 9293 §3.10.5", "ABORT / snd RST");
TCPSIM_RULE(synrcvd_give_up, "RFC 9293 §3.8.3", "SYN,ACK retransmissions exhausted / delete TCB");
TCPSIM_RULE(estab_rcv_ack, "RFC 9293 §3.10.7.4", "rcv ACK or data / update SND.UNA, deliver, ACK");
TCPSIM_RULE(estab_rcv_fin, "RFC 9293 §3.10.7.4", "rcv FIN / snd ACK");
TCPSIM_RULE(estab_rcv_rst, "RFC 9293 §3.10.7.4", "rcv RST / connection reset");
TCPSIM_RULE(estab_rcv_syn, "RFC 9293 §3.10.7.4", "rcv SYN without RFC 5961 / snd RST, connection reset");
TCPSIM_RULE(estab_close, "RFC 9293 §3.10.4", "CLOSE / snd FIN");
TCPSIM_RULE(estab_abort, "RFC 9293 §3.10.5", "ABORT / snd RST");
TCPSIM_RULE(estab_give_up, "RFC 9293 §3.8.3", "retransmissions exhausted / connection timed out");
TCPSIM_RULE(fw1_rcv_ack, "RFC 9293 §3.10.7.4", "rcv ACK (not of our FIN) / update SND.UNA, deliver");
TCPSIM_RULE(fw1_rcv_ack_of_fin, "RFC 9293 §3.10.7.4", "rcv ACK of FIN / x");
TCPSIM_RULE(fw1_rcv_fin, "RFC 9293 §3.10.7.4", "rcv FIN / snd ACK (simultaneous close)");
TCPSIM_RULE(fw1_rcv_rst, "RFC 9293 §3.10.7.4", "rcv RST / connection reset");
TCPSIM_RULE(fw1_rcv_syn, "RFC 9293 §3.10.7.4", "rcv SYN without RFC 5961 / snd RST, connection reset");
TCPSIM_RULE(fw1_rcv_data_after_close, "Linux tcp_rcv_state_process", "rcv new data, reading shut / snd RST");
TCPSIM_RULE(fw1_abort, "RFC 9293 §3.10.5", "ABORT / snd RST");
TCPSIM_RULE(fw1_give_up, "RFC 9293 §3.8.3", "retransmissions exhausted / delete TCB");
TCPSIM_RULE(fw2_rcv_ack, "RFC 9293 §3.10.7.4", "rcv ACK or data / deliver");
TCPSIM_RULE(fw2_rcv_fin, "RFC 9293 §3.10.7.4", "rcv FIN / snd ACK");
TCPSIM_RULE(fw2_rcv_rst, "RFC 9293 §3.10.7.4", "rcv RST / connection reset");
TCPSIM_RULE(fw2_rcv_syn, "RFC 9293 §3.10.7.4", "rcv SYN without RFC 5961 / snd RST, connection reset");
TCPSIM_RULE(fw2_rcv_data_after_close, "Linux tcp_rcv_state_process", "rcv new data, reading shut / snd RST");
TCPSIM_RULE(fw2_timeout, "Linux tcp_fin_timeout", "orphan's FIN-WAIT-2 timeout / delete TCB");
TCPSIM_RULE(fw2_abort, "RFC 9293 §3.10.5", "ABORT / snd RST");
TCPSIM_RULE(fw2_give_up, "RFC 1122 §4.2.3.6", "keep-alive probes unanswered / connection timed out");
TCPSIM_RULE(closewait_rcv_ack, "RFC 9293 §3.10.7.4", "rcv ACK / update SND.UNA");
TCPSIM_RULE(closewait_rcv_fin, "RFC 9293 §3.10.7.4", "rcv retransmitted FIN / snd ACK");
TCPSIM_RULE(closewait_rcv_rst, "RFC 9293 §3.10.7.4", "rcv RST / connection reset");
TCPSIM_RULE(closewait_rcv_syn, "RFC 9293 §3.10.7.4", "rcv SYN without RFC 5961 / snd RST, connection reset");
TCPSIM_RULE(closewait_close, "RFC 9293 §3.10.4", "CLOSE / snd FIN");
TCPSIM_RULE(closewait_abort, "RFC 9293 §3.10.5", "ABORT / snd RST");
TCPSIM_RULE(closewait_give_up, "RFC 9293 §3.8.3", "retransmissions exhausted / connection timed out");
TCPSIM_RULE(closing_rcv_ack, "RFC 9293 §3.10.7.4", "rcv ACK (not of our FIN) / update SND.UNA");
TCPSIM_RULE(closing_rcv_ack_of_fin, "RFC 9293 §3.10.7.4", "rcv ACK of FIN / x");
TCPSIM_RULE(closing_rcv_fin, "RFC 9293 §3.10.7.4", "rcv retransmitted FIN / snd ACK");
TCPSIM_RULE(closing_rcv_fin_ack_of_fin, "RFC 9293 §3.10.7.4",
            "rcv retransmitted FIN with ACK of FIN / snd ACK");
TCPSIM_RULE(closing_rcv_rst, "RFC 9293 §3.10.7.4", "rcv RST / connection reset, delete TCB");
TCPSIM_RULE(closing_rcv_syn, "RFC 9293 §3.10.7.4", "rcv SYN without RFC 5961 / snd RST, connection reset");
TCPSIM_RULE(closing_abort, "RFC 9293 §3.10.5", "ABORT / delete TCB");
TCPSIM_RULE(closing_give_up, "RFC 9293 §3.8.3", "FIN retransmissions exhausted / delete TCB");
TCPSIM_RULE(lastack_rcv_ack, "RFC 9293 §3.10.7.4", "rcv ACK (not of our FIN) / update SND.UNA");
TCPSIM_RULE(lastack_rcv_ack_of_fin, "RFC 9293 §3.10.7.4", "rcv ACK of FIN / delete TCB");
TCPSIM_RULE(lastack_rcv_fin, "RFC 9293 §3.10.7.4", "rcv retransmitted FIN / snd ACK");
TCPSIM_RULE(lastack_rcv_fin_ack_of_fin, "RFC 9293 §3.10.7.4",
            "rcv retransmitted FIN with ACK of FIN / delete TCB");
TCPSIM_RULE(lastack_rcv_rst, "RFC 9293 §3.10.7.4", "rcv RST / connection reset, delete TCB");
TCPSIM_RULE(lastack_rcv_syn, "RFC 9293 §3.10.7.4", "rcv SYN without RFC 5961 / snd RST, connection reset");
TCPSIM_RULE(lastack_abort, "RFC 9293 §3.10.5", "ABORT / delete TCB");
TCPSIM_RULE(lastack_give_up, "RFC 9293 §3.8.3", "FIN retransmissions exhausted / delete TCB");
TCPSIM_RULE(timewait_rcv_ack, "RFC 9293 §3.10.7.4", "rcv ACK / snd ACK, restart 2MSL");
TCPSIM_RULE(timewait_rcv_fin, "RFC 9293 §3.10.7.4", "rcv retransmitted FIN / snd ACK, restart 2MSL");
TCPSIM_RULE(timewait_rcv_rst, "RFC 9293 §3.10.7.4", "rcv RST / delete TCB");
TCPSIM_RULE(timewait_rcv_rst_rfc1337, "RFC 1337", "rcv RST / ignore (TIME-WAIT assassination hazard)");
TCPSIM_RULE(timewait_rcv_syn, "RFC 9293 §3.10.7.4", "rcv SYN without RFC 5961 / snd RST, connection reset");
TCPSIM_RULE(timewait_rcv_new_syn, "RFC 9293 §3.6.1 MAY-2",
            "rcv new SYN / delete TCB, the listener takes the SYN");
TCPSIM_RULE(timewait_2msl, "RFC 9293 §3.10.8", "Timeout=2MSL / delete TCB");
TCPSIM_RULE(timewait_abort, "RFC 9293 §3.10.5", "ABORT / delete TCB");
#undef TCPSIM_RULE

// ------------------------------------------------------------------ guards
struct AcksFin {
  static constexpr std::string_view text = "SEG.ACK covers our FIN";
  template <class E, class F, class S, class T>
  bool operator()(const E& e, F&, S&, T&) const {
    return e.acks_fin;
  }
};
struct NotAcksFin {
  static constexpr std::string_view text = "SEG.ACK does not cover our FIN";
  template <class E, class F, class S, class T>
  bool operator()(const E& e, F&, S&, T&) const {
    return !e.acks_fin;
  }
};
struct PassiveOpen {
  static constexpr std::string_view text = "reached from LISTEN";
  template <class E, class F, class S, class T>
  bool operator()(const E&, F& f, S&, T&) const {
    return f.engine.tcb().passive_open;
  }
};
// A Fast Open child came from LISTEN but is the application's already
// (Linux: a full socket in the accept queue), so a RST closes it.
struct PassiveNotFastOpen {
  static constexpr std::string_view text = "reached from LISTEN, not by TCP Fast Open";
  template <class E, class F, class S, class T>
  bool operator()(const E&, F& f, S&, T&) const {
    return f.engine.tcb().passive_open && !f.engine.tcb().fast_open;
  }
};
struct FastOpenChild {
  static constexpr std::string_view text = "a TCP Fast Open child";
  template <class E, class F, class S, class T>
  bool operator()(const E&, F& f, S&, T&) const {
    return f.engine.tcb().passive_open && f.engine.tcb().fast_open;
  }
};
struct ActiveOpen {
  static constexpr std::string_view text = "reached from SYN-SENT";
  template <class E, class F, class S, class T>
  bool operator()(const E&, F& f, S&, T&) const {
    return !f.engine.tcb().passive_open;
  }
};
struct Rfc1337 {
  static constexpr std::string_view text = "RFC 1337 on";
  template <class E, class F, class S, class T>
  bool operator()(const E&, F& f, S&, T&) const {
    return f.engine.config().rfc1337;
  }
};
struct NotRfc1337 {
  static constexpr std::string_view text = "RFC 1337 off";
  template <class E, class F, class S, class T>
  bool operator()(const E&, F& f, S&, T&) const {
    return !f.engine.config().rfc1337;
  }
};

// ------------------------------------------------------------------ steps
// A row's steps are calls of the engine, in RFC order: Call<&Engine::step>
// calls engine.step() with what it takes of the event (nothing, the
// arriving segment, the segment and classify's "answer at once", or the ISS
// of an OPEN), then any arguments bound in the row. "Go to definition" on a
// step's name lands on its code in model/engine_rows.cc or model/engine.cc.
template <class E, class = void>
struct HasSeg : std::false_type {};
template <class E>
struct HasSeg<E, std::void_t<decltype(std::declval<const E&>().seg)>> : std::true_type {};

template <auto step, auto... bound>
struct Call {
  using Step = decltype(step);
  template <class E>
  void operator()(const E& ev, Engine& e) const {
    if constexpr (std::is_invocable_v<Step, Engine&, decltype(bound)...>) {
      (e.*step)(bound...);
    } else if constexpr (!HasSeg<E>::value) {
      (e.*step)(ev.iss, bound...);
    } else if constexpr (std::is_invocable_v<Step, Engine&, const Segment&, decltype(bound)...>) {
      (e.*step)(ev.seg, bound...);
    } else {
      (e.*step)(ev.seg, ev.ack_now, bound...);
    }
  }
};

// Every row's action: record which rule fired, then do the steps.
template <class Rule, class... Steps>
struct Do {
  using rule = Rule;
  template <class E, class F, class S, class T>
  void operator()(const E& ev, F& fsm, S&, T&) const {
    constexpr int id = F::Table::template id_of<Rule>();
    static_assert(id >= 0, "tcpsim: a rule must name exactly one row of the table");
    fsm.engine.fired(S::id, T::id, static_cast<RuleId>(id), Rule::name);
    (void)ev;  // a row without steps
    (Steps{}(ev, fsm.engine), ...);
  }
};

// ------------------------------------------------------------------ the table
struct Rfc9293 : msmf::state_machine_def<Rfc9293> {
  // No event queue and no exceptions: actions never call process_event (they
  // append to the outbox the simulator drains), so MSM need not guard against it.
  using no_message_queue = int;
  using no_exception_thrown = int;

  explicit Rfc9293(const Config& cfg) : engine(cfg) {}

  Engine engine;
  using initial_state = Closed;
  using E = Engine;  // the rows' steps: Call<&E::step>

  template <class Fsm, class Event>
  void no_transition(const Event&, Fsm&, int) {
    engine.ignored(Event::name);
  }

  // clang-format off
  struct transition_table : TableRows<
  //   from       event              to         action: rule, steps                                                                                               guard
  //  +---------+------------------+----------+------------------------------------------------------------------------------------------------------------------+------------+
  Row< Closed,    OpenPassive,       Listen,    Do<closed_open_passive, Call<&E::init_passive>>                                                                   >,
  Row< Closed,    OpenActive,        SynSent,   Do<closed_open_active, Call<&E::init_active>, Call<&E::send_syn, false>>                                          >,
  Row< Closed,    RcvInClosed,       none,      Do<closed_rcv_segment, Call<&E::rst_for_closed>>                                                                  >,
  //  +---------+------------------+----------+------------------------------------------------------------------------------------------------------------------+------------+
  Row< Listen,    RcvSyn,            SynRcvd,   Do<listen_rcv_syn, Call<&E::answer_syn>>                                                                          >,
  Row< Listen,    RcvBadAck,         none,      Do<listen_rcv_ack, Call<&E::rst_for_bad_ack>>                                                                     >,
  Row< Listen,    RcvRst,            none,      Do<listen_rcv_rst>                                                                                                >,
  Row< Listen,    SendInListen,      SynSent,   Do<listen_send, Call<&E::become_active>, Call<&E::send_syn, false>>                                               >,
  Row< Listen,    Close,             Closed,    Do<listen_close>                                                                                                  >,
  Row< Listen,    Abort,             Closed,    Do<listen_abort>                                                                                                  >,
  //  +---------+------------------+----------+------------------------------------------------------------------------------------------------------------------+------------+
  Row< SynSent,   RcvSynAck,         Estab,     Do<synsent_rcv_syn_ack, Call<&E::complete_active_open>>                                                           >,
  Row< SynSent,   RcvSyn,            SynRcvd,   Do<synsent_rcv_syn, Call<&E::answer_syn>>                                                                         >,
  Row< SynSent,   RcvRst,            Closed,    Do<synsent_rcv_rst, Call<&E::notify, AppEvent::Refused>>                                                          >,
  Row< SynSent,   RcvBadAck,         none,      Do<synsent_rcv_bad_ack, Call<&E::rst_for_bad_ack>>                                                                >,
  Row< SynSent,   Close,             Closed,    Do<synsent_close>                                                                                                 >,
  Row< SynSent,   Abort,             Closed,    Do<synsent_abort>                                                                                                 >,
  Row< SynSent,   GiveUp,            Closed,    Do<synsent_give_up, Call<&E::notify, AppEvent::TimedOut>>                                                         >,
  //  +---------+------------------+----------+------------------------------------------------------------------------------------------------------------------+------------+
  Row< SynRcvd,   RcvAck,            Estab,     Do<synrcvd_rcv_ack, Call<&E::handshake_complete>, Call<&E::ack_and_text>>                                         >,
  Row< SynRcvd,   RcvFin,            CloseWait, Do<synrcvd_rcv_fin, Call<&E::handshake_complete>, Call<&E::notify, AppEvent::Connected>, Call<&E::ack_text_fin>>  >,
  Row< SynRcvd,   RcvBadAck,         none,      Do<synrcvd_rcv_bad_ack, Call<&E::rst_for_bad_ack>>                                                                >,
  Row< SynRcvd,   RcvRst,            Listen,    Do<synrcvd_rcv_rst_passive>,                                                                                      PassiveNotFastOpen >,
  Row< SynRcvd,   RcvRst,            Closed,    Do<synrcvd_rcv_rst_fast_open, Call<&E::notify, AppEvent::Reset>>,                                                 FastOpenChild >,
  Row< SynRcvd,   RcvRst,            Closed,    Do<synrcvd_rcv_rst_active, Call<&E::notify, AppEvent::Refused>>,                                                  ActiveOpen >,
  Row< SynRcvd,   RcvSyn,            Listen,    Do<synrcvd_rcv_syn_passive>,                                                                                      PassiveOpen >,
  Row< SynRcvd,   RcvSyn,            Closed,    Do<synrcvd_rcv_syn, Call<&E::send_rst_abort>, Call<&E::notify, AppEvent::Reset>>,                                 ActiveOpen >,
  Row< SynRcvd,   Close,             FinWait1,  Do<synrcvd_close, Call<&E::queue_fin>>                                                                            >,
  Row< SynRcvd,   Abort,             Closed,    Do<synrcvd_abort, Call<&E::send_rst_abort>>                                                                       >,
  Row< SynRcvd,   GiveUp,            Closed,    Do<synrcvd_give_up, Call<&E::notify, AppEvent::TimedOut>>                                                         >,
  //  +---------+------------------+----------+------------------------------------------------------------------------------------------------------------------+------------+
  Row< Estab,     RcvAck,            none,      Do<estab_rcv_ack, Call<&E::ack_and_text>>                                                                         >,
  Row< Estab,     RcvFin,            CloseWait, Do<estab_rcv_fin, Call<&E::ack_text_fin>>                                                                         >,
  Row< Estab,     RcvRst,            Closed,    Do<estab_rcv_rst, Call<&E::notify, AppEvent::Reset>>                                                              >,
  Row< Estab,     RcvSyn,            Closed,    Do<estab_rcv_syn, Call<&E::send_rst_abort>, Call<&E::notify, AppEvent::Reset>>                                    >,
  Row< Estab,     Close,             FinWait1,  Do<estab_close, Call<&E::queue_fin>>                                                                              >,
  Row< Estab,     Abort,             Closed,    Do<estab_abort, Call<&E::send_rst_abort>>                                                                         >,
  Row< Estab,     GiveUp,            Closed,    Do<estab_give_up, Call<&E::notify, AppEvent::TimedOut>>                                                           >,
  //  +---------+------------------+----------+------------------------------------------------------------------------------------------------------------------+------------+
  Row< FinWait1,  RcvAck,            none,      Do<fw1_rcv_ack, Call<&E::ack_and_text>>,                                                                          NotAcksFin >,
  Row< FinWait1,  RcvAck,            FinWait2,  Do<fw1_rcv_ack_of_fin, Call<&E::ack_and_text>>,                                                                   AcksFin >,
  Row< FinWait1,  RcvFin,            Closing,   Do<fw1_rcv_fin, Call<&E::ack_text_fin>>,                                                                          NotAcksFin >,
  Row< FinWait1,  RcvRst,            Closed,    Do<fw1_rcv_rst, Call<&E::notify, AppEvent::Reset>>                                                                >,
  Row< FinWait1,  RcvSyn,            Closed,    Do<fw1_rcv_syn, Call<&E::send_rst_abort>, Call<&E::notify, AppEvent::Reset>>                                      >,
  Row< FinWait1,  RcvDataAfterClose, Closed,    Do<fw1_rcv_data_after_close, Call<&E::rst_for_closed>>                                                            >,
  Row< FinWait1,  Abort,             Closed,    Do<fw1_abort, Call<&E::send_rst_abort>>                                                                           >,
  Row< FinWait1,  GiveUp,            Closed,    Do<fw1_give_up, Call<&E::notify, AppEvent::TimedOut>>                                                             >,
  //  +---------+------------------+----------+------------------------------------------------------------------------------------------------------------------+------------+
  Row< FinWait2,  RcvAck,            none,      Do<fw2_rcv_ack, Call<&E::ack_and_text>>                                                                           >,
  Row< FinWait2,  RcvFin,            TimeWait,  Do<fw2_rcv_fin, Call<&E::ack_text_fin>>                                                                           >,
  Row< FinWait2,  RcvRst,            Closed,    Do<fw2_rcv_rst, Call<&E::notify, AppEvent::Reset>>                                                                >,
  Row< FinWait2,  RcvSyn,            Closed,    Do<fw2_rcv_syn, Call<&E::send_rst_abort>, Call<&E::notify, AppEvent::Reset>>                                      >,
  Row< FinWait2,  RcvDataAfterClose, Closed,    Do<fw2_rcv_data_after_close, Call<&E::rst_for_closed>>                                                            >,
  Row< FinWait2,  FinWait2Timeout,   Closed,    Do<fw2_timeout>                                                                                                   >,
  Row< FinWait2,  Abort,             Closed,    Do<fw2_abort, Call<&E::send_rst_abort>>                                                                           >,
  Row< FinWait2,  GiveUp,            Closed,    Do<fw2_give_up, Call<&E::notify, AppEvent::TimedOut>>                                                             >,
  //  +---------+------------------+----------+------------------------------------------------------------------------------------------------------------------+------------+
  Row< CloseWait, RcvAck,            none,      Do<closewait_rcv_ack, Call<&E::ack_and_text>>                                                                     >,
  Row< CloseWait, RcvFin,            none,      Do<closewait_rcv_fin, Call<&E::reack_fin>>                                                                        >,
  Row< CloseWait, RcvRst,            Closed,    Do<closewait_rcv_rst, Call<&E::notify, AppEvent::Reset>>                                                          >,
  Row< CloseWait, RcvSyn,            Closed,    Do<closewait_rcv_syn, Call<&E::send_rst_abort>, Call<&E::notify, AppEvent::Reset>>                                >,
  Row< CloseWait, Close,             LastAck,   Do<closewait_close, Call<&E::queue_fin>>                                                                          >,
  Row< CloseWait, Abort,             Closed,    Do<closewait_abort, Call<&E::send_rst_abort>>                                                                     >,
  Row< CloseWait, GiveUp,            Closed,    Do<closewait_give_up, Call<&E::notify, AppEvent::TimedOut>>                                                       >,
  //  +---------+------------------+----------+------------------------------------------------------------------------------------------------------------------+------------+
  Row< Closing,   RcvAck,            none,      Do<closing_rcv_ack, Call<&E::ack_and_text>>,                                                                      NotAcksFin >,
  Row< Closing,   RcvAck,            TimeWait,  Do<closing_rcv_ack_of_fin, Call<&E::ack_and_text>>,                                                               AcksFin >,
  Row< Closing,   RcvFin,            none,      Do<closing_rcv_fin, Call<&E::reack_fin>>,                                                                         NotAcksFin >,
  Row< Closing,   RcvFin,            TimeWait,  Do<closing_rcv_fin_ack_of_fin, Call<&E::reack_fin>>,                                                              AcksFin >,
  Row< Closing,   RcvRst,            Closed,    Do<closing_rcv_rst, Call<&E::notify, AppEvent::Reset>>                                                            >,
  Row< Closing,   RcvSyn,            Closed,    Do<closing_rcv_syn, Call<&E::send_rst_abort>, Call<&E::notify, AppEvent::Reset>>                                  >,
  Row< Closing,   Abort,             Closed,    Do<closing_abort>                                                                                                 >,
  Row< Closing,   GiveUp,            Closed,    Do<closing_give_up, Call<&E::notify, AppEvent::TimedOut>>                                                         >,
  //  +---------+------------------+----------+------------------------------------------------------------------------------------------------------------------+------------+
  Row< LastAck,   RcvAck,            none,      Do<lastack_rcv_ack, Call<&E::ack_and_text>>,                                                                      NotAcksFin >,
  Row< LastAck,   RcvAck,            Closed,    Do<lastack_rcv_ack_of_fin, Call<&E::ack_and_text>>,                                                               AcksFin >,
  Row< LastAck,   RcvFin,            none,      Do<lastack_rcv_fin, Call<&E::reack_fin>>,                                                                         NotAcksFin >,
  Row< LastAck,   RcvFin,            Closed,    Do<lastack_rcv_fin_ack_of_fin, Call<&E::reack_fin>>,                                                              AcksFin >,
  Row< LastAck,   RcvRst,            Closed,    Do<lastack_rcv_rst, Call<&E::notify, AppEvent::Reset>>                                                            >,
  Row< LastAck,   RcvSyn,            Closed,    Do<lastack_rcv_syn, Call<&E::send_rst_abort>, Call<&E::notify, AppEvent::Reset>>                                  >,
  Row< LastAck,   Abort,             Closed,    Do<lastack_abort>                                                                                                 >,
  Row< LastAck,   GiveUp,            Closed,    Do<lastack_give_up, Call<&E::notify, AppEvent::TimedOut>>                                                         >,
  //  +---------+------------------+----------+------------------------------------------------------------------------------------------------------------------+------------+
  Row< TimeWait,  RcvAck,            none,      Do<timewait_rcv_ack, Call<&E::time_wait_ack>>                                                                     >,
  Row< TimeWait,  RcvFin,            none,      Do<timewait_rcv_fin, Call<&E::reack_fin>, Call<&E::restart_time_wait>>                                            >,
  Row< TimeWait,  RcvRst,            Closed,    Do<timewait_rcv_rst>,                                                                                             NotRfc1337 >,
  Row< TimeWait,  RcvRst,            none,      Do<timewait_rcv_rst_rfc1337>,                                                                                     Rfc1337 >,
  Row< TimeWait,  RcvSyn,            Closed,    Do<timewait_rcv_syn, Call<&E::send_rst_abort>, Call<&E::notify, AppEvent::Reset>>                                 >,
  Row< TimeWait,  RcvNewSyn,         Closed,    Do<timewait_rcv_new_syn, Call<&E::reopened_by_new_syn>>                                                           >,
  Row< TimeWait,  TimeWaitTimeout,   Closed,    Do<timewait_2msl>                                                                                                 >,
  Row< TimeWait,  Abort,             Closed,    Do<timewait_abort>                                                                                                >
  //  +---------+------------------+----------+------------------------------------------------------------------------------------------------------------------+------------+
  > {};
  // clang-format on
  using Table = transition_table;
};

}  // namespace tcpsim::model::fsm
