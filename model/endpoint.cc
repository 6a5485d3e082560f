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
    r.id = static_cast<RuleId>(Rfc9293::Table::id_of<Rule>());
    r.source = RowT::Source::id;
    if (!internal) r.target = RowT::Target::id;
    r.event = RowT::Evt::name;
    r.guard = guard_text<typename RowT::Guard>();
    r.rule = Rule::name;
    r.ref = Rule::ref;
    r.summary = Rule::summary;
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

struct Endpoint::Machine {
  // start() enters CLOSED with no outbox: Engine::enter() records nothing.
  explicit Machine(const Config& cfg) : back(cfg) { back.start(); }
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

void Endpoint::set_keepalive(const KeepaliveOptions& o, Time now, Outbox& out) {
  m_->begin(out, now);
  m_->engine().set_keepalive(o);
  m_->end();
}

void Endpoint::set_buffers(std::uint32_t rcv, std::uint32_t snd) {
  if (rcv) m_->engine().config().rcv_buffer = rcv;
  if (snd) m_->engine().config().snd_buffer = snd;
}

void Endpoint::accept_syn_data() { m_->engine().tcb().fast_open = true; }
void Endpoint::set_user_timeout(Duration d) { m_->engine().config().user_timeout = d; }

State Endpoint::state() const { return m_->state(); }
const Tcb& Endpoint::tcb() const { return m_->back.engine.tcb(); }
const Config& Endpoint::config() const { return m_->back.engine.config(); }
const DataPath* Endpoint::data_path() const { return m_->back.engine.data_path(); }
Error Endpoint::failure() const { return m_->failure; }

Error Endpoint::open_active(Seq iss, Time now, Outbox& out) {
  if (state() != State::Closed && state() != State::Listen) return Error::ConnectionAlreadyExists;
  m_->begin(out, now);
  m_->failure = Error::None;
  if (state() == State::Listen) {
    // RFC 9293 §3.10.1: an active OPEN on a LISTEN connection is the SEND that
    // turns it active; tcpsim takes the new ISS from this call.
    m_->dispatch(fsm::SendInListen{iss});
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
  if (state() == State::Listen) m_->dispatch(fsm::SendInListen{m_->engine().tcb().iss});
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
  m_->engine().deliver(max, into);
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
  m_->engine().orphan();
  m_->end();
}

void Endpoint::segment_arrives(const Segment& seg, Time now, Outbox& out) {
  m_->begin(out, now);
  const std::size_t first = out.actions.size();
  Engine& e = m_->engine();
  const Classified c = classify_segment(state(), e, seg);
  // Heard (keepalive's idle time restarts): what the table takes past the
  // sequence checks; an answer-only or dropped segment is not (Linux
  // tcp_validate_incoming() drops it before tcp_ack()).
  if (c.kind == SegKind::Ack || c.kind == SegKind::Fin || c.kind == SegKind::SynAck) e.keepalive_heard();
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
    case SegKind::ResendSynAck: e.resend_syn_ack(c.why); break;
    case SegKind::AckAndDrop: e.ack_unacceptable(seg, c.why); break;
    case SegKind::ChallengeAck: e.ack_and_drop(c.why); break;
    case SegKind::LimitedChallengeAck: e.limited_challenge_ack(c.why); break;
  }
  m_->remember_failure(out, first);
  m_->end();
}

void Endpoint::timeout(TimerKind kind, Time now, Outbox& out) {
  m_->begin(out, now);
  const std::size_t first = out.actions.size();
  switch (kind) {
    case TimerKind::TimeWait: m_->dispatch(fsm::TimeWaitTimeout{}); break;
    case TimerKind::FinWait2: m_->dispatch(fsm::FinWait2Timeout{}); break;
    case TimerKind::User: m_->dispatch(fsm::GiveUp{}); break;
    case TimerKind::Persist:
      if (!m_->engine().persist_timeout()) m_->dispatch(fsm::GiveUp{});
      break;
    case TimerKind::Keepalive:
      if (!m_->engine().keepalive_timeout()) m_->dispatch(fsm::GiveUp{});
      break;
    case TimerKind::Retransmission:
    case TimerKind::LossProbe:
    case TimerKind::DelayedAck:
      if (m_->engine().rexmt_or_delack_timeout(kind)) m_->dispatch(fsm::GiveUp{});
      break;
  }
  m_->remember_failure(out, first);
  m_->end();
}

namespace {

// Boost 1.74's back-end has no setter for the active state (set_states()
// replaces state objects, not which one is active); its public serialize()
// is how Boost.Serialization restores a machine. This archive, handed to it,
// writes the one region's state id and leaves everything else (history, the
// event-processing flags) as it is: no entry or exit runs, nothing is
// recorded, as restore() wants. serialize() takes any type with `&`.
struct ActiveStateWriter {
  int id;
  template <std::size_t N>
  ActiveStateWriter& operator&(int (&active)[N]) {
    static_assert(N == 1, "tcpsim's table has one region");
    active[0] = id;
    return *this;
  }
  template <class T>
  ActiveStateWriter& operator&(T&) {
    return *this;
  }
};

}  // namespace

void Endpoint::restore(State state, const Tcb& tcb) {
  ActiveStateWriter set_active{fsm::msm_id_of(state)};
  m_->back.serialize(set_active, 0);
  m_->engine().restore(state, tcb);
}

}  // namespace tcpsim::model
