#include "formats/mermaid.h"

#include <fmt/format.h>

#include <algorithm>

#include "formats/gap.h"
#include "formats/time_window.h"
#include "formats/timer_changes.h"
#include "formats/trace_view.h"
#include "model/transition_table.h"
#include "sim/trace_text.h"
#include "sim/units.h"

namespace tcpsim::formats {

using model::State;
using sim::TraceKind;
using sim::TraceRecord;

namespace {

// Text after a message's or note's colon: Mermaid ends a statement at ';' or
// a newline, reads '#...;' as an entity and '<...>' as HTML, and '%%' as a
// comment. Entity codes keep all of them literal.
std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case ';': out += "#59;"; break;
      case '#': out += "#35;"; break;
      case '<': out += "#60;"; break;
      case '>': out += "#62;"; break;
      case '%': out += "#37;"; break;
      case '\n':
      case '\r': out += ' '; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  // Mermaid trims text: keep at least something visible.
  return out.empty() ? std::string("#32;") : out;
}

}  // namespace

namespace {

// The header as Mermaid comments (title, file, profile, seed), then the two
// participants, the first connection's ends.
std::string mermaid_header(const TraceView& view, const PictureOptions& opt) {
  std::string out;
  {
    // The header as Mermaid comments: title, file, profile, seed.
    const std::string h = view.header();
    std::size_t pos = 0;
    while (pos < h.size()) {
      const auto nl = h.find('\n', pos);
      const std::string line = h.substr(pos, nl - pos);
      if (!line.empty()) out += "%% " + line + "\n";
      pos = nl == std::string::npos ? h.size() : nl + 1;
    }
  }
  out += "sequenceDiagram\n";
  if (opt.title) out += fmt::format("  title {}\n", escape(*opt.title));
  // Mermaid numbers the arrows in the order written, which is the order
  // sent; a cropped figure (--from/--to) writes the numbers of the whole run.
  if (opt.number && opt.window.whole()) out += "  autonumber\n";
  std::string left = "A", right = "B";
  if (!view.connections().empty()) {
    left = view.end_label(view.connections().front().left);
    right = view.end_label(view.connections().front().right);
  }
  out += fmt::format("  participant L as {}\n", escape(left));
  out += fmt::format("  participant R as {}\n", escape(right));

  return out;
}

// The shortest one-way delay, or 1 ms when nothing was delivered.
Duration shortest_delay(const sim::Trace& tr) {
  Duration unit = -1;
  std::vector<Time> sent(tr.packets().size(), -1);
  for (const auto& r : tr.records()) {
    if (r.kind == TraceKind::Sent) sent[r.ref] = r.t;
    if (r.kind == TraceKind::Delivered && sent[r.ref] >= 0 && r.t > sent[r.ref] &&
        (unit < 0 || r.t - sent[r.ref] < unit)) {
      unit = r.t - sent[r.ref];
    }
  }
  return unit <= 0 ? kMillisecond : unit;
}

// Whether the packet sent by record i was dropped (its next fate).
bool is_lost(const std::vector<TraceRecord>& recs, std::size_t i) {
  for (std::size_t j = i + 1; j < recs.size(); ++j) {
    if ((recs[j].kind == TraceKind::Dropped || recs[j].kind == TraceKind::Delivered) &&
        recs[j].ref == recs[i].ref)
      return recs[j].kind == TraceKind::Dropped;
  }
  return false;
}

// Each drawn packet's number in the order sent, from 1 (--number when
// cropped: the whole run's numbers, written into the labels).
std::vector<std::size_t> send_numbers(const TraceView& view, const sim::Trace& tr) {
  std::vector<std::size_t> number(tr.packets().size(), 0);
  std::size_t n = 0;
  for (const auto& r : tr.records()) {
    if (r.kind == TraceKind::Sent && view.connection_of_packet(r.ref) >= 0) number[r.ref] = ++n;
  }
  return number;
}

// The message a segment sent by record i is, "  L->>R: FIN,ACK".
std::string message(const TraceView& view, const sim::Trace& tr, std::size_t i, const PictureOptions& opt,
                    std::size_t number) {
  const TraceRecord& r = tr.records()[i];
  const int conn = view.connection_of_packet(r.ref);
  const auto& p = tr.packet(r.ref).packet;
  const bool lost = is_lost(tr.records(), i);
  const bool rightwards = view.packet_goes_right(r.ref);
  std::string label = sim::segment_label(p.seg);
  if (opt.verbose) label += view.seq_text(r.ref);
  if (opt.number && !opt.window.whole()) label = fmt::format("{}: {}", number, label);
  if (p.retransmission) label += " (again)";
  if (lost) label += " (lost)";
  const char* arrow = lost ? (p.retransmission ? "--x" : "-x") : (p.retransmission ? "-->>" : "->>");
  const bool many = view.connections().size() > 1;
  return fmt::format("  {}{}{}: {}\n", rightwards ? "L" : "R", arrow, rightwards ? "R" : "L",
                     escape((many ? fmt::format("#{} ", conn + 1) : std::string()) + label));
}

// --from: each drawn end's state where the window opens, as notes.
std::string state_notes(const TraceView& view, const std::vector<State>& state) {
  std::string out;
  const bool many = view.connections().size() > 1;
  for (std::size_t e = 0; e < state.size(); ++e) {
    const int c = view.ends()[e].connection;
    if (c < 0 || state[e] == State::Closed) continue;
    out += fmt::format("  Note over {}: {}\n", view.is_right(static_cast<int>(e)) ? "R" : "L",
                       escape((many ? fmt::format("#{} ", c + 1) : std::string()) +
                              std::string(model::state_name(state[e]))));
  }
  return out;
}

// Whether a drawn end is still open when the run ends.
bool any_open_at_end(const TraceView& view, const std::vector<TraceRecord>& recs) {
  std::vector<bool> open(view.ends().size(), false);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const int e = view.end_of(i);
    if (recs[i].kind == TraceKind::State && e >= 0 &&
        view.ends()[static_cast<std::size_t>(e)].connection >= 0)
      open[static_cast<std::size_t>(e)] = recs[i].to != State::Closed;
  }
  return std::find(open.begin(), open.end(), true) != open.end();
}

// "name prints:<br/>line<br/>line": a program's output as one note's text.
std::string output_text(const TraceView& view, const sim::Trace& tr, const TraceRecord& r) {
  std::string text = escape(view.program_name(r.program) + " prints:");
  const std::string& s = tr.text(r.ref);
  std::size_t pos = 0;
  while (pos < s.size()) {
    const auto nl = s.find('\n', pos);
    text += "<br/>" + escape(s.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    pos = nl == std::string::npos ? s.size() : nl + 1;
  }
  return text;
}

}  // namespace

std::string mermaid(const scenario::RunResult& run, const PictureOptions& opt) {
  const TraceView view(run, opt.isn);
  const sim::Trace& tr = run.net->trace();
  const auto& recs = tr.records();
  const auto& ends = view.ends();
  const bool many = view.connections().size() > 1;

  std::string out = mermaid_header(view, opt);

  // The shortest one-way delay: gaps longer than 6 of them are called out.
  const Duration unit = shortest_delay(tr);
  auto side_name = [&](bool right_side) { return right_side ? "R" : "L"; };
  auto beside = [&](bool right_side) { return right_side ? "right of R" : "left of L"; };
  auto tag = [&](int end) {
    return many && end >= 0 ? fmt::format("#{} ", ends[static_cast<std::size_t>(end)].connection + 1)
                            : std::string();
  };
  // The passive side's listener shows as LISTEN over the side it serves.
  std::vector<bool> serves_right(run.net->host_count(), false);
  for (const auto& c : view.connections()) {
    if (c.right >= 0) serves_right[ends[static_cast<std::size_t>(c.right)].host] = true;
  }

  const std::vector<TimerChange> timers = timer_changes(view, tr);
  // --from/--to (formats/time_window.h): records outside the widened window
  // only keep each end's state, written as a note where the window opens.
  const TimeWindow win = widened(opt.window, view, tr);
  const std::vector<bool> in_window = packets_in(opt.window, view, tr);
  const std::vector<std::size_t> number = send_numbers(view, tr);
  std::vector<State> state(ends.size(), State::Closed);
  bool opened = opt.window.whole();
  Time last = -1;
  auto at = [&](Time t) {
    if (last >= 0 && t - last > 6 * unit)
      out += fmt::format("  Note over L,R: \u2026 {} \u2026\n", gap_label(t - last, "u"));
    last = t;
  };
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const TraceRecord& r = recs[i];
    const int end = view.end_of(i);
    if (r.t > win.to) break;
    if (r.t < win.from) {
      if (r.kind == TraceKind::State && end >= 0) state[static_cast<std::size_t>(end)] = r.to;
      continue;
    }
    if (!opened) {
      opened = true;
      last = r.t;
      out += state_notes(view, state);
    }
    if (r.kind == TraceKind::Sent && !in_window[r.ref]) continue;
    switch (r.kind) {
      case TraceKind::State: {
        if (end < 0) break;
        const auto& e = ends[static_cast<std::size_t>(end)];
        if (e.connection < 0) {
          if (e.listener && r.from == State::Closed && r.to == State::Listen && serves_right[e.host]) {
            at(r.t);
            out += "  Note over R: LISTEN\n";
          }
          break;
        }
        if (r.from == State::Closed && r.to == State::Listen) break;  // a listener's child being born
        at(r.t);
        out += fmt::format("  Note over {}: {}\n", side_name(view.is_right(end)),
                           escape(tag(end) + std::string(model::state_name(r.to))));
        break;
      }
      case TraceKind::Sent:
        if (view.connection_of_packet(r.ref) < 0) break;
        at(r.t);
        out += message(view, tr, i, opt, number[r.ref]);
        break;
      case TraceKind::Call:
        if (opt.hide_calls || opt.compact) break;
        at(r.t);
        out += fmt::format("  Note {}: {}\n", beside(view.call_is_right(i)), escape(tr.text(r.ref)));
        break;
      case TraceKind::TimerFired:
        if (end < 0 || ends[static_cast<std::size_t>(end)].connection < 0 || opt.hide_timers) break;
        at(r.t);
        out += fmt::format("  Note {}: {} timer expired\n", beside(view.is_right(end)),
                           std::string(model::timer_name(r.timer)));
        break;
      case TraceKind::Output: {
        if (opt.hide_notes) break;
        at(r.t);
        out += fmt::format("  Note {}: {}\n", beside(view.call_is_right(i)), output_text(view, tr, r));
        break;
      }
      case TraceKind::TimerArmed:
      case TraceKind::TimerCancelled:
        // A lifetime timer restarted or cancelled, as the SVG notes it.
        if (timers[i] != TimerChange::None && !opt.hide_timers) {
          at(r.t);
          out += fmt::format("  Note {}: {}\n", beside(view.is_right(end)),
                             timer_change_text(r.timer, timers[i], opt.compact));
          break;
        }
        if (r.kind == TraceKind::TimerCancelled) break;
        [[fallthrough]];
      case TraceKind::Delivered:
        // Nothing drawn, but something happened: an idle stretch starts
        // after it, as the SVG measures it.
        if (r.kind == TraceKind::Delivered ? view.connection_of_packet(r.ref) >= 0
                                           : end >= 0 && ends[static_cast<std::size_t>(end)].connection >= 0)
          last = std::max(last, r.t);
        break;
      default: break;
    }
  }
  // A connection still open when the run ended: the time it stayed so, as
  // the SVG draws its bands down to the end of the run.
  if (any_open_at_end(view, recs) && run.end_time > last && run.end_time <= win.to) at(run.end_time);
  return out;
}

}  // namespace tcpsim::formats
