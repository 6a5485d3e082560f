#include "harness.h"

#include <sstream>

namespace tcpsim::test {

Segment seg(std::uint8_t flags, Seq seq, Seq ack, std::string payload, std::uint16_t window) {
  Segment s;
  s.flags = flags;
  s.seq = seq;
  s.ack = ack;
  s.payload = std::move(payload);
  s.window = window;
  return s;
}

std::vector<Segment> sent(const Outbox& out) {
  std::vector<Segment> v;
  for (const auto& a : out.actions) {
    if (a.kind == ActionKind::SendSegment) v.push_back(out.segment_of(a));
  }
  return v;
}

bool fired(const Outbox& out, std::string_view rule) {
  for (const auto& a : out.actions) {
    if ((a.kind == ActionKind::StateChange || a.kind == ActionKind::Note) && a.rule != kNoRule &&
        model::rule_name(a.rule) == rule) {
      return true;
    }
  }
  return false;
}

bool armed(const Outbox& out, TimerKind k) { return armed_for(out, k) >= 0; }

Duration armed_for(const Outbox& out, TimerKind k) {
  Duration d = -1;
  for (const auto& a : out.actions) {
    if (a.kind == ActionKind::ArmTimer && a.timer == k) d = a.after;
  }
  return d;
}

bool cancelled(const Outbox& out, TimerKind k) {
  for (const auto& a : out.actions) {
    if (a.kind == ActionKind::CancelTimer && a.timer == k) return true;
  }
  return false;
}

bool notified(const Outbox& out, AppEvent e) {
  for (const auto& a : out.actions) {
    if (a.kind == ActionKind::Notify && a.app == e) return true;
  }
  return false;
}

bool ignored(const Outbox& out) {
  for (const auto& a : out.actions) {
    if (a.kind == ActionKind::Ignored) return true;
  }
  return false;
}

std::string describe(const Outbox& out) {
  std::ostringstream os;
  os << "outbox:\n";
  for (const auto& a : out.actions) {
    switch (a.kind) {
      case ActionKind::SendSegment: {
        const Segment& s = out.segment_of(a);
        os << "  send " << flags_label(s.flags) << " seq=" << s.seq << " ack=" << s.ack
           << " len=" << s.payload.size() << " wnd=" << s.window
           << (a.retransmission ? " (retransmission)" : "") << "\n";
        break;
      }
      case ActionKind::StateChange:
        os << "  " << state_name(a.from) << " -> " << state_name(a.to) << " [" << rule_name(a.rule) << "]\n";
        break;
      case ActionKind::ArmTimer: os << "  arm " << timer_name(a.timer) << " " << a.after << "ns\n"; break;
      case ActionKind::CancelTimer: os << "  cancel " << timer_name(a.timer) << "\n"; break;
      case ActionKind::Notify: os << "  app: " << app_event_name(a.app) << "\n"; break;
      case ActionKind::Note: os << "  note: " << a.note << "\n"; break;
      case ActionKind::Ignored: os << "  ignored: " << a.note << "\n"; break;
      case ActionKind::HandshakeComplete: os << "  handshake complete\n"; break;
      case ActionKind::TimeWaitReopened: os << "  TIME-WAIT reopened, new ISS " << a.iss << "\n"; break;
    }
  }
  return os.str();
}

Endpoint reach(State state, const Config& cfg, bool passive, Outbox* last) {
  Endpoint ep(cfg);
  Outbox out;
  auto step = [&](auto&& f) {
    out.clear();
    f();
  };
  if (state == State::Closed) return ep;
  if (state == State::Listen || passive) {
    step([&] { ep.open_passive(kIss, 0, out); });
    if (state == State::Listen) {
      if (last) *last = out;
      return ep;
    }
    step([&] { ep.segment_arrives(seg(kSyn, kIrs), 0, out); });
    if (state == State::SynReceived) {
      if (last) *last = out;
      return ep;
    }
    step([&] { ep.segment_arrives(seg(kAck, kIrs + 1, kIss + 1), 0, out); });
  } else {
    step([&] { ep.open_active(kIss, 0, out); });
    if (state == State::SynSent) {
      if (last) *last = out;
      return ep;
    }
    if (state == State::SynReceived) {  // simultaneous open
      step([&] { ep.segment_arrives(seg(kSyn, kIrs), 0, out); });
      if (last) *last = out;
      return ep;
    }
    step([&] { ep.segment_arrives(seg(kSyn | kAck, kIrs, kIss + 1), 0, out); });
  }
  // ESTABLISHED here.
  switch (state) {
    case State::Established: break;
    case State::FinWait1: step([&] { ep.close(0, out); }); break;
    case State::FinWait2:
      step([&] { ep.close(0, out); });
      step([&] { ep.segment_arrives(seg(kAck, kIrs + 1, kIss + 1 + 1), 0, out); });
      break;
    case State::CloseWait:
      step([&] { ep.segment_arrives(seg(kFin | kAck, kIrs + 1, kIss + 1), 0, out); });
      break;
    case State::Closing:
      step([&] { ep.close(0, out); });
      step([&] { ep.segment_arrives(seg(kFin | kAck, kIrs + 1, kIss + 1), 0, out); });
      break;
    case State::LastAck:
      step([&] { ep.segment_arrives(seg(kFin | kAck, kIrs + 1, kIss + 1), 0, out); });
      step([&] { ep.close(0, out); });
      break;
    case State::TimeWait:
      step([&] { ep.close(0, out); });
      step([&] { ep.segment_arrives(seg(kAck, kIrs + 1, kIss + 1 + 1), 0, out); });
      step([&] { ep.segment_arrives(seg(kFin | kAck, kIrs + 1, kIss + 1 + 1), 0, out); });
      break;
    default: break;
  }
  if (last) *last = out;
  return ep;
}

namespace {
std::vector<std::pair<std::string, std::string>>& registry() {
  static std::vector<std::pair<std::string, std::string>> r;
  return r;
}
}  // namespace

bool register_row_test(const char* rule, const char* test) {
  registry().emplace_back(rule, test);
  return true;
}

const std::vector<std::pair<std::string, std::string>>& row_tests() { return registry(); }

}  // namespace tcpsim::test
