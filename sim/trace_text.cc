#include "sim/trace_text.h"

#include <fmt/format.h>

#include "model/transition_table.h"
#include "sim/units.h"

namespace tcpsim::sim {

std::string segment_label(const model::Segment& s) {
  std::string label = model::flags_label(s.flags & ~model::kPsh);
  if (!s.payload.empty()) label += fmt::format(" len={}", s.payload.size());
  return label;
}

std::string format_record(const Network& net, const TraceRecord& r) {
  const Trace& tr = net.trace();
  const std::string who = fmt::format("{:>10} {}", format_seconds(r.t), net.host(r.host).name());
  auto pkt = [&](std::uint32_t i) {
    const PacketRecord& p = tr.packet(i);
    return fmt::format("{} {} > {} seq={} ack={} win={}{}", segment_label(p.packet.seg),
                       to_string(p.packet.src), to_string(p.packet.dst), p.packet.seg.seq, p.packet.seg.ack,
                       p.packet.seg.window, p.packet.retransmission ? " (retransmission)" : "");
  };
  switch (r.kind) {
    case TraceKind::Sent: return fmt::format("{} sent {}", who, pkt(r.ref));
    case TraceKind::Dropped:
      return fmt::format("{} LOST {} ({})", who, pkt(r.ref), to_string(static_cast<DropReason>(r.drop)));
    case TraceKind::Duplicated: return fmt::format("{} duplicated {}", who, pkt(r.ref));
    case TraceKind::Delivered: return fmt::format("{} received {}", who, pkt(r.ref));
    case TraceKind::State:
      return fmt::format("{} #{} {} -> {} [{}]", who, r.conn, model::state_name(r.from),
                         model::state_name(r.to), model::rule_name(r.rule));
    case TraceKind::Row:
      return fmt::format("{} #{} {} [{}]", who, r.conn, model::state_name(r.from), model::rule_name(r.rule));
    case TraceKind::TimerArmed:
      return fmt::format("{} #{} {} timer armed for {}", who, r.conn, model::timer_name(r.timer),
                         format_duration(r.after));
    case TraceKind::TimerCancelled:
      return fmt::format("{} #{} {} timer cancelled", who, r.conn, model::timer_name(r.timer));
    case TraceKind::TimerFired:
      return fmt::format("{} #{} {} timer fired", who, r.conn, model::timer_name(r.timer));
    case TraceKind::App: return fmt::format("{} #{} app: {}", who, r.conn, model::app_event_name(r.app));
    case TraceKind::Note: return fmt::format("{} #{} note: {}", who, r.conn, tr.text(r.ref));
    case TraceKind::Ignored: return fmt::format("{} #{} ignored: {}", who, r.conn, tr.text(r.ref));
    case TraceKind::Call: return fmt::format("{} {}", who, tr.text(r.ref));
    case TraceKind::Output: return fmt::format("{} output:\n{}", who, tr.text(r.ref));
  }
  return who;
}

std::string format_trace(const Network& net) {
  std::string out;
  for (const TraceRecord& r : net.trace().records()) {
    out += format_record(net, r);
    out += '\n';
  }
  return out;
}

}  // namespace tcpsim::sim
