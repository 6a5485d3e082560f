// What the endpoint model asks of the world after one input: segments to
// send, timers to arm or cancel, what the application sees, state changes.
// Kept in one ordered list so the trace shows them in the order they happened.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/segment.h"
#include "model/state.h"
#include "model/time.h"

namespace tcpsim::model {

enum class TimerKind : std::uint8_t {
  Retransmission,  // RFC 6298
  TimeWait,        // 2 MSL, RFC 9293 §3.10.7.4
  FinWait2,        // orphaned FIN-WAIT-2 (Linux tcp_fin_timeout)
  DelayedAck,      // RFC 1122 4.2.3.2
  User,            // RFC 9293 §3.8.3 user timeout
  LossProbe,       // Linux tail-loss probe (RFC 8985); armed instead of the RTO, never with it
  Persist,         // zero-window probes (RFC 9293 §3.8.6.1), Linux's ICSK_TIME_PROBE0
  Keepalive,       // RFC 1122 §4.2.3.6 keep-alives (model/keepalive.h)
};
constexpr int kTimerKindCount = 8;
std::string_view timer_name(TimerKind k);

// What the application is told. Socket-level meaning (errno, epoll bits) is
// the socket layer's business.
enum class AppEvent : std::uint8_t {
  Connected,    // handshake complete
  Readable,     // new data in the receive buffer
  EndOfStream,  // peer's FIN processed: read() will return 0 once drained
  Writable,     // send buffer space freed
  Reset,        // "connection reset" (RST in a synchronized state)
  Refused,      // "connection refused" (RST in SYN-SENT)
  TimedOut,     // retransmissions or user timeout exhausted
  Closed,       // TCB deleted
};
std::string_view app_event_name(AppEvent e);

// What decided that a retransmission was needed (the -v ladder and the trace
// name it): the retransmission timer (RFC 6298 §5.4), a tail-loss probe
// (RFC 8985 §7), duplicate ACKs or SACKed data above a hole (RFC 5681 §3.2,
// RFC 6675 §5, RFC 6582's partial ACKs), RACK's time-based marking (RFC 8985
// §6). None: not a loss repair (a SYN,ACK resent to a repeated SYN).
enum class LossReason : std::uint8_t { None, Rto, Tlp, DupAck, Rack };
std::string_view loss_reason_name(LossReason r);

// A row of the transition table; see model/transition_table.h.
using RuleId = std::uint16_t;
constexpr RuleId kNoRule = 0xffff;

enum class ActionKind : std::uint8_t {
  SendSegment,  // index into Outbox::segments
  ArmTimer,     // timer, after
  CancelTimer,  // timer
  Notify,       // app
  StateChange,  // from, to, rule
  Ignored,      // an event no row accepts in this state; `note` names the event
  Note,         // a step of RFC 9293's processing that changes no state (`note` says which)
  // What the endpoint knows and a host needs, said once here instead of
  // being re-derived from state pairs or rule names:
  HandshakeComplete,  // the ACK of our SYN,ACK arrived: a listener may queue the connection
  TimeWaitReopened,   // RFC 9293 §3.6.1 MAY-2: a new SYN ended TIME-WAIT; the listener
                      // takes the SYN, the new connection starting at `iss`
};

constexpr std::uint32_t kNoSsthresh = 0xffffffff;

struct Action {
  Action() = default;
  explicit Action(ActionKind k) : kind(k) {}

  ActionKind kind = ActionKind::Note;
  State from = State::Closed;
  State to = State::Closed;
  TimerKind timer = TimerKind::Retransmission;
  RuleId rule = kNoRule;
  AppEvent app = AppEvent::Connected;
  bool retransmission = false;  // SendSegment: this repeats sequence space already sent
  std::uint32_t segment = 0;    // SendSegment: index into segments
  // SendSegment, for the trace: why it is resent, and the sender's window
  // as it left, in bytes (cwnd 0: no congestion controller yet; ssthresh
  // kNoSsthresh: none set, Linux's TCP_INFINITE_SSTHRESH).
  LossReason reason = LossReason::None;
  std::uint32_t cwnd = 0;
  std::uint32_t ssthresh = 0;
  Seq iss = 0;            // TimeWaitReopened: the ISS for the connection the SYN opens
  Duration after = 0;     // ArmTimer
  std::string_view note;  // Ignored, Note: a static string
};

struct Outbox {
  std::vector<Action> actions;
  std::vector<Segment> segments;

  void clear() {
    actions.clear();
    segments.clear();
  }
  const Segment& segment_of(const Action& a) const { return segments[a.segment]; }
};

}  // namespace tcpsim::model
