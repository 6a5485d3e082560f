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
struct SendInListen {
  static constexpr std::string_view name = "SEND";
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
  // Entering a state arms or cancels its timers and tells the application.
  template <class Event, class Fsm>
  void on_entry(const Event&, Fsm& fsm) {
    fsm.enter(S);
  }
  // Leaving it cancels the timers that belong to it alone (2MSL, FIN-WAIT-2).
  template <class Event, class Fsm>
  void on_exit(const Event&, Fsm& fsm) {
    fsm.leave(S);
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
// The id each rule gets in transition_table(), in table order.
template <class Rule>
struct RuleIdOf {
  static inline RuleId value = kNoRule;
};

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
// The bookkeeping each row does, in RFC order, all of it in model/engine.h.
struct SendSyn {
  template <class E>
  void operator()(const E&, Engine& e) const {
    e.send_syn(false);
  }
};
struct InitActive {
  void operator()(const OpenActive& ev, Engine& e) const { e.init_active(ev.iss); }
};
struct BecomeActive {  // RFC 9293 §3.10.2: SEND in LISTEN turns the connection active
  template <class E>
  void operator()(const E&, Engine& e) const {
    e.tcb().passive_open = false;
  }
};
struct InitPassive {
  void operator()(const OpenPassive& ev, Engine& e) const { e.init_passive(ev.iss); }
};
struct RstForClosed {
  void operator()(const RcvInClosed& ev, Engine& e) const { e.rst_for_closed(ev.seg); }
};
struct TakeSynSendSynAck {
  template <class E>
  void operator()(const E& ev, Engine& e) const {
    e.take_syn(ev.seg);
    // RFC 9293 §3.10.7.2 says text on a SYN SHOULD be queued until
    // ESTABLISHED; tcpsim drops it (Linux does too, without TCP Fast Open).
    if (!ev.seg.payload.empty()) e.note("text on a SYN dropped (not queued)");
    e.send_syn_ack(false);
  }
};
struct RstForBadAck {
  template <class E>
  void operator()(const E& ev, Engine& e) const {
    e.rst_for_bad_ack(ev.seg);
  }
};
// The RST that answers a segment, as if no connection existed (RFC 9293
// §3.5.2; Linux and BSD answer data after close so): <SEQ=SEG.ACK><CTL=RST>.
// SEG.ACK is the peer's RCV.NXT, the one RST an RFC 5961 peer accepts
// without a challenge even when our FIN has not reached it.
struct RstForSegment {
  template <class E>
  void operator()(const E& ev, Engine& e) const {
    e.rst_for_closed(ev.seg);
  }
};
struct CompleteActiveOpen {  // RFC 9293 §3.10.7.3: SND.UNA = SEG.ACK, ACK the SYN,ACK
  void operator()(const RcvSynAck& ev, Engine& e) const {
    e.take_syn(ev.seg);
    e.process_ack(ev.seg);
    // "continue processing at the sixth step": text on the SYN,ACK is taken.
    e.set_state(State::Established);
    e.process_text(ev.seg);
    e.tcb().ack_now = true;
  }
};
struct Ack {  // fifth step, then the text
  template <class E>
  void operator()(const E& ev, Engine& e) const {
    e.process_ack(ev.seg);
    e.process_text(ev.seg);
    if constexpr (std::is_same_v<E, RcvAck>) {
      if (ev.ack_now) e.tcb().ack_now = true;
    }
  }
};
struct AckTextFin {  // fifth, seventh and eighth steps
  template <class E>
  void operator()(const E& ev, Engine& e) const {
    e.process_ack(ev.seg);
    e.process_text(ev.seg);
    e.process_fin(ev.seg);
  }
};
struct ReAckFin {  // a retransmitted FIN: take its ACK field, answer at once
  template <class E>
  void operator()(const E& ev, Engine& e) const {
    e.process_ack(ev.seg);
    e.tcb().ack_now = true;
  }
};
// RFC 9293 §3.10.7.4 fifth step, TIME-WAIT: "The only thing that can arrive
// in this state is a retransmission of the remote FIN. Acknowledge it, and
// restart the 2 MSL timeout." Linux ignores a bare ACK at RCV.NXT.
struct TimeWaitAck {
  void operator()(const RcvAck& ev, Engine& e) const {
    const bool bare = ev.seg.payload.empty() && !ev.seg.has(kFin) && ev.seg.seq == e.tcb().rcv_nxt;
    if (bare && e.config().timewait_ignores_bare_ack) {
      e.note("Linux: a bare ACK in TIME-WAIT is ignored");
      return;
    }
    e.tcb().ack_now = true;
    e.arm(TimerKind::TimeWait, e.config().time_wait);
  }
};
struct RestartTimeWait {
  template <class E>
  void operator()(const E&, Engine& e) const {
    e.arm(TimerKind::TimeWait, e.config().time_wait);
  }
};
struct NotifyConnected {
  template <class E>
  void operator()(const E&, Engine& e) const {
    e.notify(AppEvent::Connected);
  }
};
struct NotifyReset {
  template <class E>
  void operator()(const E&, Engine& e) const {
    e.notify(AppEvent::Reset);
  }
};
struct NotifyRefused {
  template <class E>
  void operator()(const E&, Engine& e) const {
    e.notify(AppEvent::Refused);
  }
};
struct NotifyTimedOut {
  template <class E>
  void operator()(const E&, Engine& e) const {
    e.notify(AppEvent::TimedOut);
  }
};
struct SendRstAbort {
  template <class E>
  void operator()(const E&, Engine& e) const {
    e.send_rst_abort();
  }
};
struct QueueFin {
  template <class E>
  void operator()(const E&, Engine& e) const {
    e.queue_fin();
  }
};
struct Nothing {
  template <class E>
  void operator()(const E&, Engine&) const {}
};

// Every row's action: record which rule fired, then do the steps.
template <class Rule, class... Steps>
struct Do {
  using rule = Rule;
  template <class E, class F, class S, class T>
  void operator()(const E& ev, F& fsm, S&, T&) const {
    fsm.fired(S::id, T::id, RuleIdOf<Rule>::value);
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

  void fired(State from, State to, RuleId rule) {
    if (from != to) {
      engine.state_change(from, to, rule);
    } else {
      Action a{ActionKind::Note};
      a.from = a.to = from;
      a.rule = rule;
      a.note = rule_name(rule);
      engine.out().actions.push_back(a);
    }
  }
  void enter(State s);  // model/endpoint.cc
  void leave(State s);  // model/endpoint.cc

  template <class Fsm, class Event>
  void no_transition(const Event&, Fsm&, int) {
    Action a{ActionKind::Ignored};
    a.note = Event::name;
    engine.out().actions.push_back(a);
  }

  // clang-format off
  struct transition_table : TableRows<
  //   from       event              to         action: rule, steps                                             guard
  //  +---------+------------------+----------+-----------------------------------------------------------------+------------+
  Row< Closed,    OpenPassive,       Listen,    Do<closed_open_passive, InitPassive>                              >,
  Row< Closed,    OpenActive,        SynSent,   Do<closed_open_active, InitActive, SendSyn>                       >,
  Row< Closed,    RcvInClosed,       none,      Do<closed_rcv_segment, RstForClosed>                              >,
  //  +---------+------------------+----------+-----------------------------------------------------------------+------------+
  Row< Listen,    RcvSyn,            SynRcvd,   Do<listen_rcv_syn, TakeSynSendSynAck>                             >,
  Row< Listen,    RcvBadAck,         none,      Do<listen_rcv_ack, RstForBadAck>                                  >,
  Row< Listen,    RcvRst,            none,      Do<listen_rcv_rst, Nothing>                                       >,
  Row< Listen,    SendInListen,      SynSent,   Do<listen_send, BecomeActive, SendSyn>                            >,
  Row< Listen,    Close,             Closed,    Do<listen_close, Nothing>                                         >,
  Row< Listen,    Abort,             Closed,    Do<listen_abort, Nothing>                                         >,
  //  +---------+------------------+----------+-----------------------------------------------------------------+------------+
  Row< SynSent,   RcvSynAck,         Estab,     Do<synsent_rcv_syn_ack, CompleteActiveOpen>                       >,
  Row< SynSent,   RcvSyn,            SynRcvd,   Do<synsent_rcv_syn, TakeSynSendSynAck>                            >,
  Row< SynSent,   RcvRst,            Closed,    Do<synsent_rcv_rst, NotifyRefused>                                >,
  Row< SynSent,   RcvBadAck,         none,      Do<synsent_rcv_bad_ack, RstForBadAck>                             >,
  Row< SynSent,   Close,             Closed,    Do<synsent_close, Nothing>                                        >,
  Row< SynSent,   Abort,             Closed,    Do<synsent_abort, Nothing>                                        >,
  Row< SynSent,   GiveUp,            Closed,    Do<synsent_give_up, NotifyTimedOut>                               >,
  //  +---------+------------------+----------+-----------------------------------------------------------------+------------+
  Row< SynRcvd,   RcvAck,            Estab,     Do<synrcvd_rcv_ack, Ack>                                          >,
  Row< SynRcvd,   RcvFin,            CloseWait, Do<synrcvd_rcv_fin, NotifyConnected, AckTextFin>                  >,
  Row< SynRcvd,   RcvBadAck,         none,      Do<synrcvd_rcv_bad_ack, RstForBadAck>                             >,
  Row< SynRcvd,   RcvRst,            Listen,    Do<synrcvd_rcv_rst_passive, Nothing>,                               PassiveOpen >,
  Row< SynRcvd,   RcvRst,            Closed,    Do<synrcvd_rcv_rst_active, NotifyRefused>,                          ActiveOpen  >,
  Row< SynRcvd,   RcvSyn,            Listen,    Do<synrcvd_rcv_syn_passive, Nothing>,                               PassiveOpen >,
  Row< SynRcvd,   RcvSyn,            Closed,    Do<synrcvd_rcv_syn, SendRstAbort, NotifyReset>,                     ActiveOpen  >,
  Row< SynRcvd,   Close,             FinWait1,  Do<synrcvd_close, QueueFin>                                       >,
  Row< SynRcvd,   Abort,             Closed,    Do<synrcvd_abort, SendRstAbort>                                   >,
  Row< SynRcvd,   GiveUp,            Closed,    Do<synrcvd_give_up, NotifyTimedOut>                               >,
  //  +---------+------------------+----------+-----------------------------------------------------------------+------------+
  Row< Estab,     RcvAck,            none,      Do<estab_rcv_ack, Ack>                                            >,
  Row< Estab,     RcvFin,            CloseWait, Do<estab_rcv_fin, AckTextFin>                                     >,
  Row< Estab,     RcvRst,            Closed,    Do<estab_rcv_rst, NotifyReset>                                    >,
  Row< Estab,     RcvSyn,            Closed,    Do<estab_rcv_syn, SendRstAbort, NotifyReset>                      >,
  Row< Estab,     Close,             FinWait1,  Do<estab_close, QueueFin>                                         >,
  Row< Estab,     Abort,             Closed,    Do<estab_abort, SendRstAbort>                                     >,
  Row< Estab,     GiveUp,            Closed,    Do<estab_give_up, NotifyTimedOut>                                 >,
  //  +---------+------------------+----------+-----------------------------------------------------------------+------------+
  Row< FinWait1,  RcvAck,            none,      Do<fw1_rcv_ack, Ack>,                                               NotAcksFin  >,
  Row< FinWait1,  RcvAck,            FinWait2,  Do<fw1_rcv_ack_of_fin, Ack>,                                        AcksFin     >,
  Row< FinWait1,  RcvFin,            Closing,   Do<fw1_rcv_fin, AckTextFin>,                                        NotAcksFin  >,
  Row< FinWait1,  RcvRst,            Closed,    Do<fw1_rcv_rst, NotifyReset>                                      >,
  Row< FinWait1,  RcvSyn,            Closed,    Do<fw1_rcv_syn, SendRstAbort, NotifyReset>                        >,
  Row< FinWait1,  RcvDataAfterClose, Closed,    Do<fw1_rcv_data_after_close, RstForSegment>                       >,
  Row< FinWait1,  Abort,             Closed,    Do<fw1_abort, SendRstAbort>                                       >,
  Row< FinWait1,  GiveUp,            Closed,    Do<fw1_give_up, NotifyTimedOut>                                   >,
  //  +---------+------------------+----------+-----------------------------------------------------------------+------------+
  Row< FinWait2,  RcvAck,            none,      Do<fw2_rcv_ack, Ack>                                              >,
  Row< FinWait2,  RcvFin,            TimeWait,  Do<fw2_rcv_fin, AckTextFin>                                       >,
  Row< FinWait2,  RcvRst,            Closed,    Do<fw2_rcv_rst, NotifyReset>                                      >,
  Row< FinWait2,  RcvSyn,            Closed,    Do<fw2_rcv_syn, SendRstAbort, NotifyReset>                        >,
  Row< FinWait2,  RcvDataAfterClose, Closed,    Do<fw2_rcv_data_after_close, RstForSegment>                       >,
  Row< FinWait2,  FinWait2Timeout,   Closed,    Do<fw2_timeout, Nothing>                                          >,
  Row< FinWait2,  Abort,             Closed,    Do<fw2_abort, SendRstAbort>                                       >,
  //  +---------+------------------+----------+-----------------------------------------------------------------+------------+
  Row< CloseWait, RcvAck,            none,      Do<closewait_rcv_ack, Ack>                                        >,
  Row< CloseWait, RcvFin,            none,      Do<closewait_rcv_fin, ReAckFin>                                   >,
  Row< CloseWait, RcvRst,            Closed,    Do<closewait_rcv_rst, NotifyReset>                                >,
  Row< CloseWait, RcvSyn,            Closed,    Do<closewait_rcv_syn, SendRstAbort, NotifyReset>                  >,
  Row< CloseWait, Close,             LastAck,   Do<closewait_close, QueueFin>                                     >,
  Row< CloseWait, Abort,             Closed,    Do<closewait_abort, SendRstAbort>                                 >,
  Row< CloseWait, GiveUp,            Closed,    Do<closewait_give_up, NotifyTimedOut>                             >,
  //  +---------+------------------+----------+-----------------------------------------------------------------+------------+
  Row< Closing,   RcvAck,            none,      Do<closing_rcv_ack, Ack>,                                           NotAcksFin  >,
  Row< Closing,   RcvAck,            TimeWait,  Do<closing_rcv_ack_of_fin, Ack>,                                    AcksFin     >,
  Row< Closing,   RcvFin,            none,      Do<closing_rcv_fin, ReAckFin>,                                      NotAcksFin  >,
  Row< Closing,   RcvFin,            TimeWait,  Do<closing_rcv_fin_ack_of_fin, ReAckFin>,                           AcksFin     >,
  Row< Closing,   RcvRst,            Closed,    Do<closing_rcv_rst, NotifyReset>                                      >,
  Row< Closing,   RcvSyn,            Closed,    Do<closing_rcv_syn, SendRstAbort, NotifyReset>                    >,
  Row< Closing,   Abort,             Closed,    Do<closing_abort, Nothing>                                        >,
  Row< Closing,   GiveUp,            Closed,    Do<closing_give_up, NotifyTimedOut>                               >,
  //  +---------+------------------+----------+-----------------------------------------------------------------+------------+
  Row< LastAck,   RcvAck,            none,      Do<lastack_rcv_ack, Ack>,                                           NotAcksFin  >,
  Row< LastAck,   RcvAck,            Closed,    Do<lastack_rcv_ack_of_fin, Ack>,                                    AcksFin     >,
  Row< LastAck,   RcvFin,            none,      Do<lastack_rcv_fin, ReAckFin>,                                      NotAcksFin  >,
  Row< LastAck,   RcvFin,            Closed,    Do<lastack_rcv_fin_ack_of_fin, ReAckFin>,                           AcksFin     >,
  Row< LastAck,   RcvRst,            Closed,    Do<lastack_rcv_rst, NotifyReset>                                      >,
  Row< LastAck,   RcvSyn,            Closed,    Do<lastack_rcv_syn, SendRstAbort, NotifyReset>                    >,
  Row< LastAck,   Abort,             Closed,    Do<lastack_abort, Nothing>                                        >,
  Row< LastAck,   GiveUp,            Closed,    Do<lastack_give_up, NotifyTimedOut>                               >,
  //  +---------+------------------+----------+-----------------------------------------------------------------+------------+
  Row< TimeWait,  RcvAck,            none,      Do<timewait_rcv_ack, TimeWaitAck>                                     >,
  Row< TimeWait,  RcvFin,            none,      Do<timewait_rcv_fin, ReAckFin, RestartTimeWait>                   >,
  Row< TimeWait,  RcvRst,            Closed,    Do<timewait_rcv_rst, Nothing>,                                      NotRfc1337  >,
  Row< TimeWait,  RcvRst,            none,      Do<timewait_rcv_rst_rfc1337, Nothing>,                              Rfc1337     >,
  Row< TimeWait,  RcvSyn,            Closed,    Do<timewait_rcv_syn, SendRstAbort, NotifyReset>                   >,
  Row< TimeWait,  RcvNewSyn,         Closed,    Do<timewait_rcv_new_syn, Nothing>                                 >,
  Row< TimeWait,  TimeWaitTimeout,   Closed,    Do<timewait_2msl, Nothing>                                        >,
  Row< TimeWait,  Abort,             Closed,    Do<timewait_abort, Nothing>                                       >
  //  +---------+------------------+----------+-----------------------------------------------------------------+------------+
  > {};
  // clang-format on
};

}  // namespace tcpsim::model::fsm
