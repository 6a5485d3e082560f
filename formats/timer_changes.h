// Timers that bound a state's life (2MSL, FIN-WAIT-2, the user timeout) are
// drawn when restarted or cancelled, in every ladder format (SVG, TikZ,
// Mermaid, ASCII): "2MSL restarted" where TIME-WAIT absorbs a retransmitted
// FIN (RFC 9293 3.10.7.4), "FIN-WAIT-2 timer cancelled" where the FIN it
// waited for came. The other timers are re-armed or cancelled by nearly
// every segment; only their expiry is drawn. Found here once for all.
#pragma once

#include <string>
#include <vector>

#include "formats/trace_view.h"

namespace tcpsim::formats {

bool lifetime_timer(model::TimerKind k);

enum class TimerChange { None, Restarted, Cancelled };

// Per trace record: Restarted where a drawn end's lifetime timer, armed
// and not yet expired or cancelled, is armed again; Cancelled where one is
// stopped before expiring; None elsewhere.
std::vector<TimerChange> timer_changes(const TraceView& view, const sim::Trace& tr);

// "2MSL restarted", "FIN-WAIT-2 timer cancelled" ("FIN-WAIT-2 cancelled"
// when compact); "" for None.
std::string timer_change_text(model::TimerKind k, TimerChange c, bool compact);

}  // namespace tcpsim::formats
