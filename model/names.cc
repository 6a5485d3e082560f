// Printed names of the model's enums, as traces and ladders show them.
#include <string>

#include "model/outbox.h"
#include "model/segment.h"

namespace tcpsim::model {

std::string flags_label(std::uint8_t flags) {
  // The order the notes use: SYN,ACK / FIN,ACK / RST,ACK.
  static constexpr struct {
    std::uint8_t bit;
    const char* name;
  } kOrder[] = {{kSyn, "SYN"}, {kFin, "FIN"}, {kRst, "RST"}, {kPsh, "PSH"}, {kUrg, "URG"}, {kAck, "ACK"}};
  std::string out;
  for (const auto& f : kOrder) {
    if (!(flags & f.bit)) continue;
    if (!out.empty()) out += ',';
    out += f.name;
  }
  return out.empty() ? std::string("none") : out;
}

std::string_view timer_name(TimerKind k) {
  switch (k) {
    case TimerKind::Retransmission: return "RTO";
    case TimerKind::TimeWait: return "2MSL";
    case TimerKind::FinWait2: return "FIN-WAIT-2";
    case TimerKind::DelayedAck: return "delayed-ACK";
    case TimerKind::User: return "user-timeout";
    case TimerKind::LossProbe: return "TLP";
    case TimerKind::Persist: return "persist";
    case TimerKind::Keepalive: return "keepalive";
  }
  return "?";
}

std::string_view loss_reason_name(LossReason r) {
  switch (r) {
    case LossReason::None: return "";
    case LossReason::Rto: return "RTO";
    case LossReason::Tlp: return "TLP";
    case LossReason::DupAck: return "dupack";
    case LossReason::Rack: return "RACK";
  }
  return "?";
}

std::string_view app_event_name(AppEvent e) {
  switch (e) {
    case AppEvent::Connected: return "connected";
    case AppEvent::Readable: return "readable";
    case AppEvent::EndOfStream: return "end-of-stream";
    case AppEvent::Writable: return "writable";
    case AppEvent::Reset: return "reset";
    case AppEvent::Refused: return "refused";
    case AppEvent::TimedOut: return "timed-out";
    case AppEvent::Closed: return "closed";
  }
  return "?";
}

}  // namespace tcpsim::model
