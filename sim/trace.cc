#include "sim/trace.h"

namespace tcpsim::sim {

std::string_view trace_kind_name(TraceKind k) {
  switch (k) {
    case TraceKind::Sent: return "sent";
    case TraceKind::Dropped: return "dropped";
    case TraceKind::Duplicated: return "duplicated";
    case TraceKind::Delivered: return "delivered";
    case TraceKind::State: return "state";
    case TraceKind::Row: return "row";
    case TraceKind::TimerArmed: return "timer-armed";
    case TraceKind::TimerCancelled: return "timer-cancelled";
    case TraceKind::TimerFired: return "timer-fired";
    case TraceKind::App: return "app";
    case TraceKind::Note: return "note";
    case TraceKind::Ignored: return "ignored";
    case TraceKind::Call: return "call";
    case TraceKind::Output: return "output";
  }
  return "?";
}

}  // namespace tcpsim::sim
