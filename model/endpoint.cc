// The one translation unit that instantiates Boost.MSM: the back-end of the
// table in model/rfc9293_table.h, the dispatch of classified segments to it,
// and the run-time view of the table (model/transition_table.h).
#include "model/endpoint.h"

#include <boost/mpl/for_each.hpp>
#include <new>
#include <type_traits>

#include "model/classify.h"
#include "model/rfc9293_table.h"

namespace tcpsim::model {

namespace fsm {

void Rfc9293::enter(State s) {
  engine.set_state(s);
  if (!engine.has_out()) return;  // the machine's own start(), before any input
  switch (s) {
    case State::Closed:
      engine.stop_all_timers();
      engine.notify(AppEvent::Closed);
      break;
    case State::Listen: {
      // Back from SYN-RECEIVED (RFC 9293 §3.10.7.4): forget the half-open peer.
      engine.stop_all_timers();
      const Seq iss = engine.tcb().iss;
      engine.init_passive(iss);
      break;
    }
    case State::Established: {
      // RFC 6298 §5.7: no RTT sample and the SYN timed out: start data at 3 s.
      Tcb& t = engine.tcb();
      if (!t.rtt.has_sample && t.syn_retransmitted && engine.config().rto_after_syn_timeout > 0) {
        t.rtt.rto = engine.config().rto_after_syn_timeout;
      }
      engine.notify(AppEvent::Connected);
      break;
    }
    case State::FinWait2:
      engine.cancel_rexmt();
      if (engine.tcb().orphaned && engine.config().fin_wait_2_timeout > 0) {
        engine.arm(TimerKind::FinWait2, engine.config().fin_wait_2_timeout);
      }
      break;
    case State::TimeWait:
      // An ACK still owed for data is sent now, not lost with its timer.
      if (engine.tcb().ack_pending) engine.tcb().ack_now = true;
      engine.stop_all_timers();
      engine.arm(TimerKind::TimeWait, engine.config().time_wait);
      break;
    default: break;
  }
}

// RFC 9293 deletes the TCB, timers included, whenever TIME-WAIT or an
// orphaned FIN-WAIT-2 ends early (RST, SYN, ABORT, the peer's FIN): their
// timers must not outlive the state that armed them.
void Rfc9293::leave(State s) {
  if (!engine.has_out()) return;
  if (s == State::TimeWait) engine.cancel(TimerKind::TimeWait);
  if (s == State::FinWait2 && engine.tcb().orphaned && engine.config().fin_wait_2_timeout > 0) {
    engine.cancel(TimerKind::FinWait2);
  }
}

using Back = boost::msm::back::state_machine<Rfc9293>;

template <class S>
constexpr int msm_id() {
  return boost::msm::back::get_state_id<Back::stt, S>::value;
}

int msm_id_of(State s) {
  switch (s) {
    case State::Closed: return msm_id<Closed>();
    case State::Listen: return msm_id<Listen>();
    case State::SynSent: return msm_id<SynSent>();
    case State::SynReceived: return msm_id<SynRcvd>();
    case State::Established: return msm_id<Estab>();
    case State::FinWait1: return msm_id<FinWait1>();
    case State::FinWait2: return msm_id<FinWait2>();
    case State::CloseWait: return msm_id<CloseWait>();
    case State::Closing: return msm_id<Closing>();
    case State::LastAck: return msm_id<LastAck>();
    case State::TimeWait: return msm_id<TimeWait>();
  }
  return 0;
}

// Walks the MSM table once and lists its rows.
struct RowCollector {
  std::vector<TransitionRow>* rows;

  template <class G>
  static std::string_view guard_text() {
    if constexpr (std::is_same_v<G, msmf::none>) {
      return {};
    } else {
      return G::text;
    }
  }

  template <class RowT>
  void operator()(boost::msm::wrap<RowT>) const {
    using Rule = typename RowT::Action::rule;
    constexpr bool internal = std::is_same_v<typename RowT::row_type_tag, boost::msm::a_irow_tag> ||
                              std::is_same_v<typename RowT::row_type_tag, boost::msm::irow_tag>;
    TransitionRow r;
    r.id = static_cast<RuleId>(rows->size());
    r.source = RowT::Source::id;
    if (!internal) r.target = RowT::Target::id;
    r.event = RowT::Evt::name;
    r.guard = guard_text<typename RowT::Guard>();
    r.rule = Rule::name;
    r.ref = Rule::ref;
    r.summary = Rule::summary;
    RuleIdOf<Rule>::value = r.id;
    rows->push_back(r);
  }
};

}  // namespace fsm

const std::vector<TransitionRow>& transition_table() {
  static const std::vector<TransitionRow> rows = [] {
    std::vector<TransitionRow> v;
    boost::mpl::for_each<fsm::Rfc9293::transition_table, boost::msm::wrap<boost::mpl::placeholders::_1>>(
        fsm::RowCollector{&v});
    return v;
  }();
  return rows;
}

std::string_view rule_name(RuleId id) {
  const auto& t = transition_table();
  return id < t.size() ? t[id].rule : std::string_view{};
}

RuleId rule_named(std::string_view name) {
  for (const TransitionRow& r : transition_table()) {
    if (r.rule == name) return r.id;
  }
  return kNoRule;
}

std::string_view error_name(Error e) {
  switch (e) {
    case Error::None: return "ok";
    case Error::ConnectionDoesNotExist: return "connection does not exist";
    case Error::ConnectionAlreadyExists: return "connection already exists";
    case Error::ConnectionClosing: return "connection closing";
    case Error::InsufficientResources: return "insufficient resources";
    case Error::ConnectionReset: return "connection reset";
    case Error::ConnectionRefused: return "connection refused";
    case Error::TimedOut: return "connection timed out";
    case Error::WouldBlock: return "would block";
  }
  return "?";
}

struct Endpoint::Machine {
  explicit Machine(const Config& cfg) : back(cfg) {
    (void)transition_table();  // assigns the rule ids before any row can fire
    Outbox scratch;
    back.engine.begin(scratch, 0, State::Closed);
    back.engine.end();
    back.start();
  }
  fsm::Back back;
  // Set when the connection died of a RST or a timeout, for later calls.
  Error failure = Error::None;

  Engine& engine() { return back.engine; }
  State state() const { return back.engine.state(); }

  template <class Event>
  void dispatch(const Event& ev) {
    back.process_event(ev);
  }

  // Inputs begin and end here; the epilogue sends what the row left owing.
  void begin(Outbox& out, Time now) { back.engine.begin(out, now, state()); }
  void end() {
    back.engine.output();
    back.engine.end();
  }
  void remember_failure(const Outbox& out, std::size_t from) {
    for (std::size_t i = from; i < out.actions.size(); ++i) {
      const Action& a = out.actions[i];
      if (a.kind != ActionKind::Notify) continue;
      if (a.app == AppEvent::Reset) failure = Error::ConnectionReset;
      if (a.app == AppEvent::Refused) failure = Error::ConnectionRefused;
      if (a.app == AppEvent::TimedOut) failure = Error::TimedOut;
    }
  }
};

Endpoint::Endpoint(const Config& config) : m_(std::make_unique<Machine>(config)) {}
Endpoint::~Endpoint() = default;
Endpoint::Endpoint(Endpoint&&) noexcept = default;
Endpoint& Endpoint::operator=(Endpoint&&) noexcept = default;

void Endpoint::reset(const Config& config) {
  // The machine is a plain object inside its allocation: rebuild it in place.
  m_->~Machine();
  new (m_.get()) Machine(config);
}

void Endpoint::set_nagle(bool nodelay, bool cork, Time now, Outbox& out) {
  m_->begin(out, now);
  m_->engine().set_nagle(nodelay, cork);
  m_->end();
}

void Endpoint::set_buffers(std::uint32_t rcv, std::uint32_t snd) {
  if (rcv) m_->engine().config().rcv_buffer = rcv;
  if (snd) m_->engine().config().snd_buffer = snd;
}

State Endpoint::state() const { return m_->state(); }
const Tcb& Endpoint::tcb() const { return m_->back.engine.tcb(); }
const Config& Endpoint::config() const { return m_->back.engine.config(); }
Error Endpoint::failure() const { return m_->failure; }

Error Endpoint::open_active(Seq iss, Time now, Outbox& out) {
  if (state() != State::Closed && state() != State::Listen) return Error::ConnectionAlreadyExists;
  m_->begin(out, now);
  m_->failure = Error::None;
  if (state() == State::Listen) {
    // RFC 9293 §3.10.1: an active OPEN on a LISTEN connection is the SEND that
    // turns it active; tcpsim takes the new ISS from this call.
    m_->engine().tcb().iss = iss;
    m_->engine().tcb().snd_una = iss;
    m_->engine().tcb().snd_nxt = iss;
    m_->engine().tcb().snd_buf_seq = iss + 1;
    m_->engine().tcb().passive_open = false;
    m_->dispatch(fsm::SendInListen{});
  } else {
    m_->dispatch(fsm::OpenActive{iss});
  }
  m_->end();
  return Error::None;
}

Error Endpoint::open_passive(Seq iss, Time now, Outbox& out) {
  if (state() != State::Closed) return Error::ConnectionAlreadyExists;
  m_->begin(out, now);
  m_->failure = Error::None;
  m_->dispatch(fsm::OpenPassive{iss});
  m_->end();
  return Error::None;
}

Error Endpoint::send(std::string_view data, Time now, Outbox& out, std::size_t* accepted) {
  if (accepted) *accepted = 0;
  switch (state()) {
    case State::Closed: return m_->failure != Error::None ? m_->failure : Error::ConnectionDoesNotExist;
    case State::FinWait1:
    case State::FinWait2:
    case State::Closing:
    case State::LastAck:
    case State::TimeWait: return Error::ConnectionClosing;
    default: break;
  }
  if (m_->engine().tcb().fin_queued) return Error::ConnectionClosing;
  const std::size_t n = std::min(data.size(), m_->engine().send_space());
  if (n == 0 && !data.empty()) return Error::WouldBlock;
  m_->begin(out, now);
  m_->engine().tcb().send_buffer.append(data.data(), n);
  if (state() == State::Listen) m_->dispatch(fsm::SendInListen{});
  m_->end();
  if (accepted) *accepted = n;
  return Error::None;
}

Error Endpoint::receive(std::size_t max, std::string& into, Time now, Outbox& out) {
  Tcb& t = m_->engine().tcb();
  if (state() == State::Closed && t.recv_buffer.empty()) {
    return m_->failure != Error::None ? m_->failure : Error::ConnectionDoesNotExist;
  }
  if (t.recv_buffer.empty()) {
    if (t.fin_received || t.read_shut) return Error::None;  // end of stream: read() = 0
    if (state() == State::Closing || state() == State::LastAck || state() == State::TimeWait) {
      return Error::ConnectionClosing;
    }
    return Error::WouldBlock;
  }
  m_->begin(out, now);
  const std::uint16_t before = m_->engine().receive_window();
  const std::size_t n = std::min(max, t.recv_buffer.size());
  into.append(t.recv_buffer, 0, n);
  t.recv_buffer.erase(0, n);
  m_->engine().ack_after_read(n, before);
  m_->end();
  return Error::None;
}

Error Endpoint::close(Time now, Outbox& out) {
  switch (state()) {
    case State::Closed: return Error::ConnectionDoesNotExist;
    case State::FinWait1:
    case State::FinWait2:
    case State::Closing:
    case State::LastAck:
    case State::TimeWait: return Error::ConnectionClosing;
    default: break;
  }
  m_->begin(out, now);
  m_->dispatch(fsm::Close{});
  m_->end();
  return Error::None;
}

Error Endpoint::abort(Time now, Outbox& out) {
  if (state() == State::Closed) return Error::ConnectionDoesNotExist;
  m_->begin(out, now);
  m_->engine().tcb().send_buffer.clear();
  m_->engine().tcb().recv_buffer.clear();
  m_->dispatch(fsm::Abort{});
  m_->end();
  return Error::None;
}

Error Endpoint::shutdown_read(Time now, Outbox& out) {
  if (state() == State::Closed) return Error::ConnectionDoesNotExist;
  m_->begin(out, now);
  m_->engine().tcb().read_shut = true;
  m_->end();
  return Error::None;
}

void Endpoint::orphan(Time now, Outbox& out) {
  m_->begin(out, now);
  Tcb& t = m_->engine().tcb();
  t.orphaned = true;
  t.read_shut = true;
  if (state() == State::FinWait2 && m_->engine().config().fin_wait_2_timeout > 0) {
    m_->engine().arm(TimerKind::FinWait2, m_->engine().config().fin_wait_2_timeout);
  }
  m_->end();
}

void Endpoint::segment_arrives(const Segment& seg, Time now, Outbox& out) {
  m_->begin(out, now);
  const std::size_t first = out.actions.size();
  Engine& e = m_->engine();
  const Classified c = classify(state(), e, seg);
  switch (c.kind) {
    case SegKind::InClosed: m_->dispatch(fsm::RcvInClosed{seg}); break;
    case SegKind::Syn: m_->dispatch(fsm::RcvSyn{seg}); break;
    case SegKind::SynAck: m_->dispatch(fsm::RcvSynAck{seg}); break;
    case SegKind::Ack: m_->dispatch(fsm::RcvAck{seg, c.acks_fin, c.ack_now}); break;
    case SegKind::Fin:
      if (state() == State::FinWait1 && c.acks_fin) {
        // RFC 9293 §3.10.7.4: the fifth step (the ACK of our FIN: enter
        // FIN-WAIT-2) comes before the eighth (the FIN: TIME-WAIT), as Linux's
        // tcp_rcv_state_process() then tcp_fin() take them. The first pass
        // sees the ACK fields only; the second the whole segment, whose ACK
        // field then acknowledges nothing new.
        Segment ack_only;
        ack_only.flags = static_cast<std::uint8_t>(seg.flags & ~(kFin | kPsh));
        ack_only.seq = seg.seq;
        ack_only.ack = seg.ack;
        ack_only.window = seg.window;
        ack_only.sack = seg.sack;
        m_->dispatch(fsm::RcvAck{ack_only, true, false});
      }
      m_->dispatch(fsm::RcvFin{seg, c.acks_fin});
      break;
    case SegKind::Rst: m_->dispatch(fsm::RcvRst{seg}); break;
    case SegKind::BadAck: m_->dispatch(fsm::RcvBadAck{seg}); break;
    case SegKind::DataAfterClose: m_->dispatch(fsm::RcvDataAfterClose{seg}); break;
    case SegKind::NewSyn: m_->dispatch(fsm::RcvNewSyn{seg}); break;
    case SegKind::Drop: e.note(c.why); break;
    case SegKind::ResendSynAck:
      e.note(c.why);
      e.send_syn_ack(true);
      break;
    case SegKind::AckAndDrop:
      e.note(c.why);
      if (e.oow_ack_allowed(seg)) e.tcb().ack_now = true;
      break;
    case SegKind::ChallengeAck:
      e.note(c.why);
      e.tcb().ack_now = true;
      break;
  }
  m_->remember_failure(out, first);
  m_->end();
}

void Endpoint::timeout(TimerKind kind, Time now, Outbox& out) {
  m_->begin(out, now);
  const std::size_t first = out.actions.size();
  Engine& e = m_->engine();
  Tcb& t = e.tcb();
  switch (kind) {
    case TimerKind::LossProbe:
    case TimerKind::Retransmission:
      t.rexmt_armed = false;
      if (state() == State::Closed || state() == State::Listen || state() == State::TimeWait ||
          state() == State::FinWait2) {
        break;  // stale: nothing of ours is outstanding here
      }
      if (kind == TimerKind::LossProbe) {
        e.send_loss_probe();
        break;
      }
      if (e.retries_exhausted()) {
        m_->dispatch(fsm::GiveUp{});
        break;
      }
      if (t.give_up_stamp < 0) t.give_up_stamp = now;  // Linux retrans_stamp: the first retransmission
      e.backoff();
      e.retransmit_head();
      e.arm(TimerKind::Retransmission, t.rtt.rto);
      break;
    case TimerKind::TimeWait: m_->dispatch(fsm::TimeWaitTimeout{}); break;
    case TimerKind::FinWait2: m_->dispatch(fsm::FinWait2Timeout{}); break;
    case TimerKind::DelayedAck: e.delayed_ack_fired(); break;
    case TimerKind::User: m_->dispatch(fsm::GiveUp{}); break;
    case TimerKind::Persist:
      if (!e.persist_timeout()) m_->dispatch(fsm::GiveUp{});
      break;
  }
  m_->remember_failure(out, first);
  m_->end();
}

void Endpoint::restore(State state, const Tcb& tcb) {
  // MSM has no public setter for the active state; its current_state() array
  // is the machine's own storage, and writing the id there is what MSM's
  // explicit entry does internally.
  const_cast<int*>(m_->back.current_state())[0] = fsm::msm_id_of(state);
  m_->engine().set_state(state);
  m_->engine().tcb() = tcb;
}

}  // namespace tcpsim::model
