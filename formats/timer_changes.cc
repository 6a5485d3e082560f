#include "formats/timer_changes.h"

#include <set>
#include <utility>

namespace tcpsim::formats {

bool lifetime_timer(model::TimerKind k) {
  return k == model::TimerKind::TimeWait || k == model::TimerKind::FinWait2 || k == model::TimerKind::User;
}

std::vector<TimerChange> timer_changes(const TraceView& view, const sim::Trace& tr) {
  const auto& recs = tr.records();
  std::vector<TimerChange> out(recs.size(), TimerChange::None);
  std::set<std::pair<int, int>> armed;  // (end, timer) armed and still running
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const sim::TraceRecord& r = recs[i];
    const int e = view.end_of(i);
    if (e < 0 || view.ends()[static_cast<std::size_t>(e)].connection < 0 || !lifetime_timer(r.timer))
      continue;
    const auto key = std::make_pair(e, static_cast<int>(r.timer));
    if (r.kind == sim::TraceKind::TimerArmed) {
      if (!armed.insert(key).second) out[i] = TimerChange::Restarted;
    } else if (r.kind == sim::TraceKind::TimerCancelled) {
      if (armed.erase(key)) out[i] = TimerChange::Cancelled;
    } else if (r.kind == sim::TraceKind::TimerFired) {
      armed.erase(key);
    }
  }
  return out;
}

std::string timer_change_text(model::TimerKind k, TimerChange c, bool compact) {
  const std::string name(model::timer_name(k));
  switch (c) {
    case TimerChange::Restarted: return name + " restarted";
    case TimerChange::Cancelled: return name + (compact ? " cancelled" : " timer cancelled");
    default: return {};
  }
}

}  // namespace tcpsim::formats
