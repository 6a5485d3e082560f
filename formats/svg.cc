#include "formats/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "formats/gap.h"
#include "formats/label_layout.h"
#include "formats/provenance.h"
#include "formats/segment_runs.h"
#include "formats/timer_changes.h"
#include "formats/trace_view.h"
#include "formats/xml.h"
#include "model/transition_table.h"
#include "sim/trace_text.h"
#include "sim/units.h"

namespace tcpsim::formats {

using model::State;
using sim::TraceKind;
using sim::TraceRecord;

namespace {

// Geometry, in pixels.
constexpr double kUnitPx = 36;        // one unit of time (the shortest delay), at least
constexpr double kMaxUnitPx = 80;     // and at most
constexpr Duration kLinearUnits = 6;  // longer gaps become breaks
constexpr double kBreakPx = 58;       // a break's height
constexpr double kBreakAbove = 22;    // from the break's top to the centre of the cut
constexpr double kMinGap = 20;        // between two instants
constexpr double kSlotPx = 16;        // a sub-step of an instant (two segment ends on one side)
constexpr double kLabelPx = 11;       // a segment's label
constexpr double kLineH = 14;         // a line of notes
constexpr double kBandW = 112;        // a state band's width (one lane)
constexpr double kLaneGap = 6;
constexpr double kMargin = 16;
constexpr double kNoteGap = 16;  // band to note text
constexpr double kCharW = 6.7;   // 11 px monospace, and a safe bound for 11 px sans
constexpr double kMinArrowSpan = 300;
constexpr double kHeaderH = 78;
constexpr double kLegendW = 880;  // the legend's row
constexpr double kCmPerPt = 2.54 / 72;
constexpr double kLinearIdlePx = 60;      // --linear-time: the shortest idle stretch
constexpr double kLinearHeightPx = 8000;  // and the whole run, at most

double text_w(const std::string& s) {
  // Count code points, not bytes.
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return static_cast<double>(n) * kCharW;
}

// Where each trace record is drawn below its instant, in pixels: events at
// one instant are laid out as ordered sub-steps, in trace order, as the
// ASCII ladder lists them. A state change sits half a step below what came
// before it (the arrival that caused it is drawn above it) and what follows
// goes half a step further (a segment leaves the state it was sent in); two
// segment ends on one side at one instant are a full step apart, and a state
// left at the instant it was entered keeps a full step, room for its name.
template <class Drawn>
std::vector<double> substep_offsets(const TraceView& view, const sim::Trace& tr, const Drawn& drawn) {
  const auto& recs = tr.records();
  std::vector<double> off(recs.size(), 0);
  std::vector<int> unplaced;  // a listener's child's birth: where its next change is
  std::size_t i = 0;
  while (i < recs.size()) {
    const Time t = recs[i].t;
    int h = 0;  // half-steps
    bool any = false, last_state = false, used[2] = {false, false};
    for (; i < recs.size() && recs[i].t == t; ++i) {
      const TraceRecord& r = recs[i];
      int side = -1;
      if (r.kind == TraceKind::Sent && view.connection_of_packet(r.ref) >= 0) {
        side = view.packet_goes_right(r.ref) ? 0 : 1;
      } else if (r.kind == TraceKind::Delivered && view.connection_of_packet(r.ref) >= 0) {
        side = view.packet_goes_right(r.ref) ? 1 : 0;
      } else if (r.kind == TraceKind::State && drawn(view.end_of(i))) {
        if (r.from == State::Closed && r.to == State::Listen) {
          unplaced.push_back(static_cast<int>(i));
          continue;
        }
        if (any) h += last_state ? 2 : 1;
        off[i] = h * kSlotPx / 2;
        for (int u : unplaced) {
          if (view.end_of(static_cast<std::size_t>(u)) == view.end_of(i))
            off[static_cast<std::size_t>(u)] = off[i];
        }
        any = last_state = true;
        used[0] = used[1] = false;
        continue;
      } else {
        continue;
      }
      if (last_state) {
        h += 1;
      } else if (used[side]) {
        h += 2;
        used[0] = used[1] = false;
      }
      off[i] = h * kSlotPx / 2;
      used[side] = true;
      any = true;
      last_state = false;
    }
    unplaced.clear();
  }
  return off;
}

}  // namespace

std::string seconds_label(Time t) {
  std::string s = sim::format_seconds(t, 9);
  const auto dot = s.find('.');
  while (s.size() > dot + 4 && s.back() == '0') s.pop_back();
  return s + " s";
}

const char* state_fill(const std::string& state) {
  static const std::map<std::string, const char*> kFill = {
      {"LISTEN", "#f4f4f4"},      {"SYN-SENT", "#d6e6f5"},   {"SYN-RECEIVED", "#c4daf0"},
      {"ESTABLISHED", "#e4f2dc"}, {"FIN-WAIT-1", "#fbe2bd"}, {"FIN-WAIT-2", "#f2c27f"},
      {"CLOSE-WAIT", "#f4d6e6"},  {"LAST-ACK", "#dfa9c6"},   {"CLOSING", "#efbf9f"},
      {"TIME-WAIT", "#b9b9b9"},   {"CLOSED", "#ffffff"}};
  auto it = kFill.find(state);
  return it == kFill.end() ? "#ffffff" : it->second;
}

namespace {

// Builds the picture in steps, each reading what the steps before it found:
// what happens when (state spans, segments, timers, notes), the instants
// and how far apart to draw them, then across (lanes, bands, arrows, notes,
// the scale).
class PictureBuilder {
 public:
  PictureBuilder(const scenario::RunResult& run, const PictureOptions& opt)
      : run(run), opt(opt), view(run, opt.isn), tr(run.net->trace()), recs(tr.records()), ends(view.ends()) {}

  LadderPicture build() {
    titles();
    off = substep_offsets(view, tr, [this](int e) { return drawn(e); });
    state_spans();
    find_runs();
    segments();
    fired_timers();
    pending_notes();
    crop();
    instants();
    room();
    across(0);
    fit_print_size();
    rows();
    bands();
    arrows();
    brackets_notes_and_scale();
    return pic;
  }

 private:
  struct Span {
    int end;
    Time t0, t1;  // t1 < 0: still open at the end
    State state;
    bool listener = false;
    double off0 = 0, off1 = 0;  // the sub-steps of its instants, in pixels
  };

  struct Change {
    Time t;
    State to;
    double off;
  };

  struct Seg {
    std::uint32_t packet;
    Time sent;
    int side;  // sender's side
    std::vector<Time> delivered;
    bool lost = false;
    double send_off = 0;
    std::vector<double> recv_offs;
    std::size_t number = 0;  // in the order sent, from 1, counted over the whole run (--number)
    std::string run_label;   // a collapsed run of plain segments one way (formats/segment_runs.h)
  };

  struct TimerSpan {
    int end;
    Time armed, fired;
    model::TimerKind kind;
    Duration after;
    std::string label;  // "RTO", "TLP", "2MSL" ...
    std::vector<Time> restarts;
    bool cancelled = false;
  };

  struct PendingNote {
    Time t;
    int side;
    std::string text;
    LadderPicture::Note::Kind kind;
  };

  int side_of_end(int e) const { return view.is_right(e) ? 1 : 0; }
  bool drawn(int e) const { return e >= 0 && ends[static_cast<std::size_t>(e)].connection >= 0; }
  std::size_t index_of(Time t) const {
    return static_cast<std::size_t>(std::lower_bound(T.begin(), T.end(), t) - T.begin());
  }
  double ymap(Time t) const {
    const std::size_t i = index_of(t);
    if (i < T.size() && T[i] == t) return Y[i];
    if (i == 0) return Y[0];
    if (i >= T.size()) return Y.back();
    const double f = static_cast<double>(t - T[i - 1]) / static_cast<double>(T[i] - T[i - 1]);
    return Y[i - 1] + f * (Y[i] - Y[i - 1]);
  }
  double lane_x0(int side, int ln) const {
    return (side == 0 ? left_outer : right_inner) + ln * (band_w + kLaneGap);
  }

  void titles() {
    {
      const std::string h = view.header();
      const auto nl = h.find('\n');
      if (!run.scenario->title.empty()) {
        pic.title = h.substr(0, nl);
        const auto nl2 = h.find('\n', nl + 1);
        pic.subtitle = h.substr(nl + 1, nl2 - nl - 1);
      } else {
        pic.subtitle = h.substr(0, nl);
      }
    }
    pic.provenance = provenance_line(provenance_of(run));
    if (opt.title) pic.title = *opt.title;
    if (opt.no_subtitle) pic.subtitle.clear();
    pic.left_name = "A";
    pic.right_name = "B";
    if (!view.connections().empty()) {
      pic.left_name = view.end_label(view.connections().front().left);
      pic.right_name = view.end_label(view.connections().front().right);
    }
  }

  // --- What happens when: state changes per end, packets, timers, notes.
  void state_spans() {
    std::vector<std::vector<Change>> changes(ends.size());
    std::vector<Time> listen_since(ends.size(), -1);  // listeners: when they entered LISTEN
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const TraceRecord& r = recs[i];
      if (r.kind != TraceKind::State) continue;
      const int e = view.end_of(i);
      if (e < 0) continue;
      if (ends[static_cast<std::size_t>(e)].listener && r.to == State::Listen &&
          listen_since[static_cast<std::size_t>(e)] < 0) {
        listen_since[static_cast<std::size_t>(e)] = r.t;
      }
      if (drawn(e)) changes[static_cast<std::size_t>(e)].push_back({r.t, r.to, off[i]});
    }
    closed_at.assign(ends.size(), -1);
    closed_off.assign(ends.size(), 0);
    std::set<int> listener_used;
    for (std::size_t e = 0; e < ends.size(); ++e) {
      const auto& ch = changes[e];
      if (ch.empty()) continue;
      // The passive side before its TCB: its listener, for the first child.
      if (!ends[e].active) {
        int best = -1;
        for (std::size_t l = 0; l < ends.size(); ++l) {
          if (!ends[l].listener || ends[l].host != ends[e].host || listen_since[l] < 0 ||
              listen_since[l] > ch.front().t)
            continue;
          if (best < 0 || listen_since[l] >= listen_since[static_cast<std::size_t>(best)])
            best = static_cast<int>(l);
        }
        if (best >= 0 && !listener_used.count(best)) {
          listener_used.insert(best);
          if (listen_since[static_cast<std::size_t>(best)] < ch.front().t) {
            spans.push_back({static_cast<int>(e), listen_since[static_cast<std::size_t>(best)], ch.front().t,
                             State::Listen, true, 0, ch.front().off});
          }
        }
      }
      for (std::size_t k = 0; k < ch.size(); ++k) {
        if (ch[k].to == State::Closed) {
          closed_at[e] = ch[k].t;
          closed_off[e] = ch[k].off;
          break;
        }
        const Time t1 = k + 1 < ch.size() ? ch[k + 1].t : -1;
        const double off1 = k + 1 < ch.size() ? ch[k + 1].off : 0;
        // A listener's child is born in LISTEN and leaves it at once: its
        // listener's band stands for it. Every other state gets its band, even
        // one held for no virtual time (drawn as a sub-step of its instant).
        if (t1 == ch[k].t && ch[k].to == State::Listen) continue;
        spans.push_back({static_cast<int>(e), ch[k].t, t1, ch[k].to, false, ch[k].off, off1});
      }
    }
  }

  // Runs of plain segments (a bulk transfer's data and ACKs), the ASCII
  // ladder's (formats/segment_runs.h): each drawn as one arrow per
  // direction, from its first segment's sending to its last one's arrival,
  // labelled with the count; the reads and writes meanwhile as one note each.
  void find_runs() {
    runs = segment_runs(view, tr);
    run_of_record.assign(recs.size(), -1);
    for (std::size_t k = 0; k < runs.size(); ++k) {
      for (std::size_t i = runs[k].start; i < runs[k].end; ++i) run_of_record[i] = static_cast<int>(k);
    }
  }

  // The run's arrows, one per direction with segments, as Segs sent at
  // each direction's first sending (their arrivals come in segments()).
  void run_segs(std::size_t k, std::vector<int>& seg_of, std::size_t& sent) {
    const SegmentRun& run = runs[k];
    const std::size_t first = segs.size();
    for (int d : {0, 1}) {
      for (std::size_t i = run.start; i < run.end && run.count[d] > 0; ++i) {
        const TraceRecord& r = recs[i];
        if (r.kind != TraceKind::Sent || view.packet_goes_right(r.ref) != (d == 0)) continue;
        segs.push_back({r.ref, r.t, d, {}, false, off[i], {}, sent + 1, run.label(d)});
        break;
      }
    }
    for (std::size_t i = run.start; i < run.end; ++i) {
      if (recs[i].kind != TraceKind::Sent) continue;
      const int d = view.packet_goes_right(recs[i].ref) ? 0 : 1;
      // This run's arrow that way (pushed above, from `first`).
      for (std::size_t s = segs.size(); s-- > first;) {
        if (segs[s].side == d) {
          seg_of[recs[i].ref] = static_cast<int>(s);
          break;
        }
      }
      ++sent;
    }
  }

  // Packets: when sent, when (if) delivered, lost.
  void segments() {
    std::vector<int> seg_of(tr.packets().size(), -1);
    std::vector<Time> sent_at(tr.packets().size(), -1);
    std::size_t sent = 0;  // segments so far, for --number
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const TraceRecord& r = recs[i];
      if (r.kind == TraceKind::Sent) sent_at[r.ref] = r.t;
      // The shortest one-way delay: one unit of the scale.
      if (r.kind == TraceKind::Delivered && r.ref < seg_of.size() && seg_of[r.ref] >= 0 &&
          r.t > sent_at[r.ref] && (unit < 0 || r.t - sent_at[r.ref] < unit))
        unit = r.t - sent_at[r.ref];
      if (run_of_record[i] >= 0 && r.kind == TraceKind::Sent) {
        if (runs[static_cast<std::size_t>(run_of_record[i])].start == i)
          run_segs(static_cast<std::size_t>(run_of_record[i]), seg_of, sent);
      } else if (r.kind == TraceKind::Sent) {
        if (view.connection_of_packet(r.ref) < 0) continue;
        seg_of[r.ref] = static_cast<int>(segs.size());
        segs.push_back(
            {r.ref, r.t, view.packet_goes_right(r.ref) ? 0 : 1, {}, false, off[i], {}, ++sent, {}});
      } else if (r.kind == TraceKind::Delivered || r.kind == TraceKind::Dropped) {
        if (r.ref >= seg_of.size() || seg_of[r.ref] < 0) continue;
        Seg& s = segs[static_cast<std::size_t>(seg_of[r.ref])];
        if (!s.run_label.empty()) {  // a run's arrow ends at its last arrival
          s.delivered.assign(1, r.t);
          s.recv_offs.assign(1, off[i]);
          continue;
        }
        if (r.kind == TraceKind::Dropped) {
          s.lost = true;
        } else {
          s.delivered.push_back(r.t);
          s.recv_offs.push_back(off[i]);
        }
      }
    }
    if (unit <= 0) unit = kMillisecond;
    lost_mid.assign(segs.size(), -1);
    for (std::size_t k = 0; k < segs.size(); ++k) {
      if (segs[k].lost || segs[k].delivered.empty()) lost_mid[k] = segs[k].sent + delay_near(segs[k]) / 2;
    }
  }

  // A lost segment dies half-way through the delay its neighbours took.
  Duration delay_near(const Seg& s) const {
    Duration best = -1;
    Time best_dt = 0;
    for (const Seg& o : segs) {
      if (o.delivered.empty() || o.side != s.side) continue;
      const Time dt = std::abs(o.sent - s.sent);
      if (best < 0 || dt < best_dt) {
        best = o.delivered.front() - o.sent;
        best_dt = dt;
      }
    }
    return best > 0 ? best : unit;
  }

  // Timers: a bracket from when they were armed to their expiry, or (a
  // lifetime timer, formats/timer_changes.h) to their cancelling, with a
  // mark where restarted.
  void fired_timers() {
    if (opt.hide_timers) return;
    const std::vector<TimerChange> change = timer_changes(view, tr);
    std::map<std::pair<int, int>, TimerSpan> armed;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const TraceRecord& r = recs[i];
      const int e = view.end_of(i);
      if (!drawn(e)) continue;
      const auto key = std::make_pair(e, static_cast<int>(r.timer));
      const std::string name(model::timer_name(r.timer));
      if (run_of_record[i] >= 0 && r.kind == TraceKind::TimerFired) {  // a delayed ACK inside a run
        armed.erase(key);
        continue;
      }
      if (change[i] != TimerChange::None)
        timer_note_at[i] = timer_change_text(r.timer, change[i], opt.compact);
      auto it = armed.find(key);
      if (r.kind == TraceKind::TimerArmed) {
        if (change[i] == TimerChange::Restarted && it != armed.end()) {
          it->second.restarts.push_back(r.t);
          it->second.after = r.after;
        } else {
          armed[key] = {e, r.t, -1, r.timer, r.after, name, {}, false};
        }
      } else if (r.kind == TraceKind::TimerCancelled && it != armed.end()) {
        if (change[i] == TimerChange::Cancelled) {
          it->second.fired = r.t;
          it->second.cancelled = true;
          timer_spans.push_back(it->second);
        }
        armed.erase(it);
      } else if (r.kind == TraceKind::TimerFired && it != armed.end()) {
        it->second.fired = r.t;
        timer_spans.push_back(it->second);
        armed.erase(it);
      }
    }
  }

  // Notes beside each side, in trace order.
  void pending_notes() {
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const TraceRecord& r = recs[i];
      if (run_of_record[i] >= 0) {  // a run's reads and writes: one note each, at its start
        const SegmentRun& run = runs[static_cast<std::size_t>(run_of_record[i])];
        if (run.start != i || opt.hide_calls || opt.compact) continue;
        for (const auto& c : run.calls)
          pending.push_back({r.t, c.right ? 1 : 0, c.text(), LadderPicture::Note::Call});
        continue;
      }
      if (r.kind == TraceKind::Call && (opt.hide_calls || opt.compact)) continue;
      if (r.kind == TraceKind::Output && opt.hide_notes) continue;
      if (r.kind == TraceKind::TimerFired && opt.hide_timers) continue;
      if (r.kind == TraceKind::Call) {
        pending.push_back({r.t, view.call_is_right(i) ? 1 : 0, tr.text(r.ref), LadderPicture::Note::Call});
      } else if (r.kind == TraceKind::Output) {
        const int side = view.call_is_right(i) ? 1 : 0;
        pending.push_back(
            {r.t, side, view.program_name(r.program) + " prints:", LadderPicture::Note::Output});
        const std::string& text = tr.text(r.ref);
        std::size_t pos = 0;
        while (pos < text.size()) {
          const auto nl = text.find('\n', pos);
          std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
          while (!line.empty() && line.back() == ' ') line.pop_back();
          pending.push_back({r.t, side, "  " + line, LadderPicture::Note::Output});
          pos = nl == std::string::npos ? text.size() : nl + 1;
        }
      } else if (auto tn = timer_note_at.find(i); tn != timer_note_at.end()) {
        pending.push_back({r.t, side_of_end(view.end_of(i)), tn->second, LadderPicture::Note::Timer});
      } else if (r.kind == TraceKind::TimerFired) {
        const int e = view.end_of(i);
        if (!drawn(e)) continue;
        // --compact: "2MSL 60s", the bracket beside it says the rest.
        std::string text =
            fmt::format(opt.compact ? "{}" : "{} timer expired", std::string(model::timer_name(r.timer)));
        for (const auto& ts : timer_spans) {
          if (ts.end == e && ts.fired == r.t && ts.kind == r.timer && !ts.cancelled)
            text += (opt.compact ? " " : " (") + sim::format_duration(ts.after) + (opt.compact ? "" : ")");
        }
        pending.push_back({r.t, side_of_end(e), text, LadderPicture::Note::Timer});
      }
    }
  }

  // --from/--to (formats/time_window.h): what lies outside the window,
  // widened to the segments in flight across its edges, is left out; a
  // state held across the top edge starts there, one held across the
  // bottom edge runs on past it (drawn open); a timer is drawn when it
  // starts and ends inside.
  void crop() {
    if (opt.window.whole()) return;
    const TimeWindow w = widened(opt.window, view, tr);
    lo = w.from;
    hi = w.to;
    const std::vector<bool> in_window = packets_in(opt.window, view, tr);
    std::vector<Seg> kept;
    std::vector<Time> kept_mid;
    for (std::size_t k = 0; k < segs.size(); ++k) {
      if (!in_window[segs[k].packet]) continue;
      kept.push_back(segs[k]);
      kept_mid.push_back(lost_mid[k]);
    }
    segs = std::move(kept);
    lost_mid = std::move(kept_mid);
    std::vector<Span> in;
    for (Span s : spans) {
      const Time t1 = s.t1 < 0 ? kTimeMax : s.t1;
      if (t1 < lo || (t1 == lo && s.off1 <= 0) || s.t0 > hi) continue;
      if (s.t0 < lo) {
        s.t0 = lo;
        s.off0 = 0;
      }
      if (t1 > hi) s.t1 = -1;
      in.push_back(s);
    }
    spans = std::move(in);
    for (Time& c : closed_at) {
      if (c < lo || c > hi) c = -1;
    }
    std::vector<TimerSpan> timers;
    for (const auto& ts : timer_spans) {
      if (ts.armed >= lo && ts.fired <= hi) timers.push_back(ts);
    }
    timer_spans = std::move(timers);
    std::vector<PendingNote> notes;
    for (const auto& n : pending) {
      if (n.t >= lo && n.t <= hi) notes.push_back(n);
    }
    pending = std::move(notes);
  }

  // --- The instants, and how far apart to draw them.
  void instants() {
    std::set<Time> times;
    for (const auto& s : spans) {
      times.insert(s.t0);
      if (s.t1 >= 0) times.insert(s.t1);
    }
    for (std::size_t e = 0; e < ends.size(); ++e) {
      if (closed_at[e] >= 0) times.insert(closed_at[e]);
    }
    for (const auto& s : segs) {
      times.insert(s.sent);
      for (Time t : s.delivered) times.insert(t);
    }
    for (const auto& ts : timer_spans) {
      times.insert(ts.armed);
      times.insert(ts.fired);
      times.insert(ts.restarts.begin(), ts.restarts.end());
    }
    for (const auto& n : pending) times.insert(n.t);
    event_times = times;
    for (std::size_t k = 0; k < segs.size(); ++k) {
      if (lost_mid[k] >= 0) times.insert(2 * lost_mid[k] - segs[k].sent);  // where it would have arrived
    }
    bool open = false;
    for (const auto& s : spans) open = open || s.t1 < 0;
    if (times.empty()) times.insert(0);
    if (open && run.end_time > *times.rbegin() && run.end_time <= hi) {
      times.insert(run.end_time);
    }
    T.assign(times.begin(), times.end());
  }

  // The room each instant needs: its lines of notes, its sub-steps.
  void room() {
    need.assign(T.size(), kMinGap);
    {
      std::map<std::pair<Time, int>, std::size_t> lines;
      for (const auto& n : pending) ++lines[{n.t, n.side}];
      for (const auto& [k, v] : lines) {
        const std::size_t i = index_of(k.first);
        need[i] = std::max(need[i], static_cast<double>(v) * kLineH + 6);
      }
      // Room for the sub-steps of each instant.
      for (std::size_t r = 0; r < recs.size(); ++r) {
        if (off[r] <= 0) continue;
        const std::size_t i = index_of(recs[r].t);
        if (i < T.size() && T[i] == recs[r].t) need[i] = std::max(need[i], off[r] + kMinGap);
      }
    }
  }

  void rows() {
    // One scale for the whole picture: as many pixels per unit as an instant
    // with several lines of notes needs while a segment is in flight across
    // the gap after it (stretching only that gap would bend the segment's
    // slant), within limits. Gaps with nothing in flight stretch freely.
    unit_px = kUnitPx;
    for (std::size_t i = 0; i + 1 < T.size(); ++i) {
      const Duration g = T[i + 1] - T[i];
      if (g > kLinearUnits * unit) continue;
      bool in_flight = false;
      for (std::size_t k = 0; k < segs.size() && !in_flight; ++k) {
        const Time arrive = lost_mid[k] >= 0
                                ? 2 * lost_mid[k] - segs[k].sent
                                : (segs[k].delivered.empty() ? segs[k].sent : segs[k].delivered.back());
        in_flight = segs[k].sent <= T[i] && arrive >= T[i + 1];
      }
      if (in_flight)
        unit_px = std::max(unit_px, need[i] / (static_cast<double>(g) / static_cast<double>(unit)));
    }
    unit_px = std::min(unit_px, kMaxUnitPx);
    if (opt.linear_time) linear_scale();
    Y.assign(T.size(), 0);
    cut.assign(T.size(), false);
    double debt = 0;  // --linear-time: drawn height beyond the scale so far
    // Room for a wrapped title or subtitle's further lines (--compact).
    const auto more = [](std::size_t lines) { return lines > 1 ? static_cast<double>(lines - 1) : 0.0; };
    pic.top = kHeaderH + 28 + more(pic.title_lines.size()) * 18 + more(pic.subtitle_lines.size()) * 14;
    double y = pic.top + 18;
    for (std::size_t i = 0; i < T.size(); ++i) {
      Y[i] = y;
      if (i + 1 == T.size()) break;
      const Duration g = T[i + 1] - T[i];
      if (opt.linear_time) {
        // Room an instant needs beyond its time is paid back by the next
        // long gap, so that instants after one sit exactly at their time.
        const double want = static_cast<double>(g) / static_cast<double>(unit) * unit_px;
        const double h = std::max(need[i], want - debt);
        debt += h - want;
        y += h;
      } else if (g > kLinearUnits * unit && inside_run(T[i], T[i + 1])) {
        // Not idle: a collapsed run's segments flow meanwhile. Shortened
        // like a cut, but with no cut drawn nor named (the run's label
        // gives its end).
        y += need[i] + kBreakPx;
      } else if (g > kLinearUnits * unit) {
        cut[i] = true;
        y += need[i] + kBreakPx;
        // Labelled with the idle time between real events (not the instant a
        // lost segment would have arrived), as every other format measures it.
        auto after = event_times.upper_bound(T[i]);
        auto before = event_times.lower_bound(T[i + 1]);
        const Time from = after == event_times.begin() ? T[i] : *std::prev(after);
        const Time to = before == event_times.end() ? T[i + 1] : *before;
        pic.breaks.push_back({Y[i] + need[i] + kBreakAbove, "\u2026 " + gap_label(to - from) + " \u2026"});
      } else {
        y += std::max(need[i], static_cast<double>(g) / static_cast<double>(unit) * unit_px);
      }
    }
    const double last_y = Y.back();
    pic.bottom = last_y + 30;
  }

  // Whether a collapsed run is in flight all through [t0, t1].
  bool inside_run(Time t0, Time t1) const {
    for (const Seg& s : segs) {
      if (!s.run_label.empty() && s.sent <= t0 && !s.delivered.empty() && s.delivered.back() >= t1)
        return true;
    }
    return false;
  }

  // --linear-time: the shortest idle stretch (one that would have been cut)
  // gets kLinearIdlePx, and the whole run at most kLinearHeightPx.
  void linear_scale() {
    Duration idle = 0;
    for (std::size_t i = 0; i + 1 < T.size(); ++i) {
      const Duration g = T[i + 1] - T[i];
      if (g > kLinearUnits * unit && (idle == 0 || g < idle)) idle = g;
    }
    if (idle > 0)
      unit_px = std::min(unit_px, kLinearIdlePx * static_cast<double>(unit) / static_cast<double>(idle));
    const double units = static_cast<double>(T.back() - T.front()) / static_cast<double>(unit);
    if (units > 0) unit_px = std::min(unit_px, kLinearHeightPx / units);
  }

  // --- Across: the time axis, the left notes, the bands, the arrows, the right.
  void across(double extra_span) {
    double tick_w = 0;
    for (Time t : event_times) tick_w = std::max(tick_w, text_w(seconds_label(t)));
    double note_w[2] = {0, 0};
    for (const auto& n : pending) {
      // Timer notes are set in (italic) DejaVu Sans: measured as such in --compact.
      const double w = opt.compact && n.kind == LadderPicture::Note::Timer
                           ? dejavu_sans_width(n.text, 11) * 1.05
                           : text_w(n.text);
      note_w[n.side] = std::max(note_w[n.side], w);
    }
    // Lanes: ends on one side whose lifetimes overlap sit side by side.
    lane.assign(ends.size(), -1);
    {
      std::vector<std::pair<Time, Time>> life(ends.size(), {-1, -1});
      for (const auto& s : spans) {
        auto& l = life[static_cast<std::size_t>(s.end)];
        if (l.first < 0 || s.t0 < l.first) l.first = s.t0;
        const Time t1 = s.t1 < 0 ? T.back() + 1 : s.t1;
        l.second = std::max(l.second, t1);
      }
      for (std::size_t e = 0; e < ends.size(); ++e) {
        if (closed_at[e] >= 0) life[e].second = std::max(life[e].second, closed_at[e]);
      }
      std::vector<Time> lane_free[2];
      for (std::size_t e = 0; e < ends.size(); ++e) {
        if (life[e].first < 0) continue;
        auto& free = lane_free[side_of_end(static_cast<int>(e))];
        std::size_t k = 0;
        while (k < free.size() && free[k] > life[e].first) ++k;
        if (k == free.size()) free.push_back(0);
        free[k] = life[e].second;
        lane[e] = static_cast<int>(k);
      }
      for (int s = 0; s < 2; ++s) lanes[s] = std::max<int>(1, static_cast<int>(lane_free[s].size()));
    }
    double label_w = 0;
    for (const auto& s : segs) {
      std::string l = sim::segment_label(tr.packet(s.packet).packet.seg);
      if (opt.verbose) l += view.seq_text(s.packet);
      if (opt.number) l += fmt::format("{}: ", segs.size());
      if (!s.run_label.empty()) l = s.run_label;
      // The same room in --compact: less lets the label placement run out of clear places.
      label_w = std::max(label_w, text_w(l) + 60);
    }
    band_w = kBandW;
    if (opt.compact) {
      // As wide as the longest state name drawn (bold, about a tenth wider than regular).
      band_w = 0;
      for (const auto& sp : spans)
        band_w = std::max(band_w, dejavu_sans_width(std::string(model::state_name(sp.state)), 10) * 1.1 + 10);
    }
    const double side_w[2] = {lanes[0] * band_w + (lanes[0] - 1) * kLaneGap,
                              lanes[1] * band_w + (lanes[1] - 1) * kLaneGap};
    pic.axis_x = kMargin + tick_w + 10;
    const double min_note = opt.compact ? 0 : 40;
    left_outer = pic.axis_x + 14 + kNoteGap + std::max(note_w[0], min_note);
    left_inner = left_outer + side_w[0];
    const double span =
        extra_span + std::max({opt.compact ? kMinArrowSpan * 2 / 3 : kMinArrowSpan, label_w / 0.45,
                               text_w(pic.left_name) / 2 + text_w(pic.right_name) / 2 + 40});
    right_inner = left_inner + span;
    right_outer = right_inner + side_w[1];
    pic.left_x = (left_outer + left_inner) / 2;
    pic.right_x = (right_inner + right_outer) / 2;
    pic.width = std::max(right_outer + kNoteGap + std::max(note_w[1], min_note) + kMargin,
                         pic.right_x + text_w(pic.right_name) / 2 + kMargin);
    // The header and the legend: on one line each as wide as they need, or
    // (--compact) wrapped to the drawing's width.
    if (!opt.compact)
      pic.width = std::max(
          {pic.width, kMargin * 2 + text_w(pic.title) * 1.25, kMargin * 2 + text_w(pic.subtitle), kLegendW});
    pic.title_lines = wrapped(pic.title, (pic.width - kMargin * 2) / 1.25);
    pic.subtitle_lines = wrapped(pic.subtitle, pic.width - kMargin * 2);
  }

  // Words of `text` on lines at most `w` wide (a longer word on its own line).
  static std::vector<std::string> wrapped(const std::string& text, double w) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.size();
      while (end > pos && text_w(text.substr(pos, end - pos)) > w) {
        const auto sp = text.rfind(' ', end - 1);
        if (sp == std::string::npos || sp <= pos) break;
        end = sp;
      }
      if (end == pos) end = text.size();
      lines.push_back(text.substr(pos, end - pos));
      pos = end;
      while (pos < text.size() && text[pos] == ' ') ++pos;
    }
    return lines;
  }

  // --width and --font-size: points per pixel; given both, the arrows' span
  // widens to the width the type size asks for, or the figure is refused.
  void fit_print_size() {
    if (opt.width_pt > 0 && opt.font_pt > 0) {
      const double target = opt.width_pt * kLabelPx / opt.font_pt;  // pixels across
      if (pic.width > target + 0.05) {
        pic.size_error = fmt::format(
            "--width {:.1f} cm --font-size {:.3g} pt: this figure needs {:.1f} cm at {:.3g} pt (its type "
            "would be "
            "{:.2g} pt at {:.1f} cm){}",
            opt.width_pt * kCmPerPt, opt.font_pt, pic.width * opt.font_pt / kLabelPx * kCmPerPt, opt.font_pt,
            kLabelPx * opt.width_pt / pic.width, opt.width_pt * kCmPerPt,
            opt.compact ? "" : "; --compact draws it narrower");
      } else if (pic.width < target) {
        across(target - pic.width);
      }
      pic.pt_per_px = opt.font_pt / kLabelPx;
    } else if (opt.width_pt > 0) {
      pic.pt_per_px = opt.width_pt / pic.width;
    } else if (opt.font_pt > 0) {
      pic.pt_per_px = opt.font_pt / kLabelPx;
    }
  }

  // Bands, and the bar where a TCB was deleted.
  void bands() {
    for (const auto& s : spans) {
      const int side = side_of_end(s.end);
      const double x0 = lane_x0(side, lane[static_cast<std::size_t>(s.end)]);
      LadderPicture::Band b;
      b.side = side;
      b.x0 = x0;
      b.x1 = x0 + band_w;
      b.y0 = ymap(s.t0) + s.off0;
      b.open = s.t1 < 0;
      b.y1 = b.open ? pic.bottom : ymap(s.t1) + s.off1;
      b.state = std::string(model::state_name(s.state));
      if (view.connections().size() > 1)
        b.state = fmt::format("#{} {}", ends[static_cast<std::size_t>(s.end)].connection + 1, b.state);
      b.listener = s.listener;
      b.label_ys.push_back(b.y0 + 12);
      const std::size_t i0 = index_of(s.t0);
      const std::size_t i1 = s.t1 < 0 ? T.size() - 1 : index_of(s.t1);
      for (std::size_t i = i0; i < i1; ++i) {
        if (cut[i]) {
          // Below the cut, so that the state during the cut is named on both sides of it.
          const double ly = Y[i] + need[i] + kBreakAbove + 22;
          if (b.y1 >= ly + 4) b.label_ys.push_back(ly);
        }
      }
      pic.bands.push_back(b);
    }
    for (std::size_t e = 0; e < ends.size(); ++e) {
      if (closed_at[e] < 0 || lane[e] < 0) continue;
      const int side = side_of_end(static_cast<int>(e));
      const double x0 = lane_x0(side, lane[e]);
      bool next_starts = false;
      for (const auto& sp : spans) {
        next_starts =
            next_starts || (sp.t0 == closed_at[e] && lane[static_cast<std::size_t>(sp.end)] == lane[e] &&
                            side_of_end(sp.end) == side);
      }
      pic.closed.push_back({side, x0, x0 + band_w, ymap(closed_at[e]) + closed_off[e], !next_starts});
    }
  }

  // Arrows, and where their labels go.
  void arrows() {
    const double xl = left_inner, xr = right_inner;
    for (std::size_t k = 0; k < segs.size(); ++k) {
      const Seg& s = segs[k];
      const auto& p = tr.packet(s.packet);
      std::string label = sim::segment_label(p.packet.seg);
      if (opt.verbose) label += view.seq_text(s.packet);
      // Numbered in the order sent, so that a text can cite "segment 3".
      if (opt.number) label = fmt::format("{}: {}", s.number, label);
      if (!s.run_label.empty()) label = s.run_label;
      const double x_from = s.side == 0 ? xl : xr, x_to = s.side == 0 ? xr : xl;
      const double y0 = ymap(s.sent) + s.send_off;
      for (std::size_t d = 0; d < s.delivered.size(); ++d) {
        LadderPicture::Arrow a;
        a.x0 = x_from;
        a.y0 = y0;
        a.x1 = x_to;
        a.y1 = ymap(s.delivered[d]) + s.recv_offs[d];
        a.label = label + (p.packet.retransmission ? " (again)" : "") + (d > 0 ? " (duplicate)" : "");
        a.rightwards = s.side == 0;
        a.retransmission = p.packet.retransmission;
        a.duplicate = d > 0;
        a.packet = s.packet;
        a.run = !s.run_label.empty();
        pic.arrows.push_back(a);
      }
      if (lost_mid[k] >= 0) {
        LadderPicture::Arrow a;
        a.x0 = x_from;
        a.y0 = y0;
        a.x1 = (xl + xr) / 2;
        a.y1 = ymap(lost_mid[k]);
        a.label = label + (p.packet.retransmission ? " (again)" : "");
        a.rightwards = s.side == 0;
        a.lost = true;
        a.retransmission = p.packet.retransmission;
        a.packet = s.packet;
        pic.arrows.push_back(a);
      }
      pic.any_lost = pic.any_lost || s.lost;
      pic.any_retransmission = pic.any_retransmission || p.packet.retransmission;
    }

    {
      std::vector<ArrowLine> lines;
      std::vector<double> widths;
      for (const auto& a : pic.arrows) {
        lines.push_back({a.x0, a.y0, a.x1, a.y1});
        widths.push_back(dejavu_sans_width(a.label, kLabelPx));
      }
      const auto places = place_labels(lines, widths, kLabelPx, xl, xr);
      for (std::size_t k = 0; k < places.size(); ++k) {
        pic.arrows[k].label_x = places[k].x;
        pic.arrows[k].label_y = places[k].y;
        pic.arrows[k].label_angle = places[k].angle_deg;
      }
    }
  }

  // Timers: a bracket just outside the band.
  void brackets_notes_and_scale() {
    for (const auto& ts : timer_spans) {
      const int side = side_of_end(ts.end);
      const double x = side == 0 ? left_outer - 7 : right_outer + 7;
      LadderPicture::Timer t{side,
                             x,
                             ymap(ts.armed),
                             ymap(ts.fired),
                             fmt::format("{} {}", ts.label, sim::format_duration(ts.after)),
                             {},
                             ts.cancelled};
      for (Time rt : ts.restarts) t.restarts.push_back(ymap(rt));
      pic.timers.push_back(t);
    }

    // Notes, stacked per instant and side.
    {
      std::map<std::pair<Time, int>, int> line;
      for (const auto& n : pending) {
        const int k = line[{n.t, n.side}]++;
        const double x = n.side == 0 ? left_outer - kNoteGap : right_outer + kNoteGap;
        pic.notes.push_back({n.side, x, ymap(n.t) + 4 + k * kLineH, n.text, n.kind});
      }
    }

    // The scale: a tick at every instant something happened, unless too close.
    double last_tick = -1e9;
    for (Time t : event_times) {
      const double ty = ymap(t);
      if (ty - last_tick < 12) continue;
      pic.ticks.push_back({ty, seconds_label(t)});
      last_tick = ty;
    }
    pic.scale_px = unit_px;
    pic.scale_label = gap_label(unit);
    legend();
  }

  // The legend's items in a row, wrapped to the drawing's width.
  void legend() {
    const double row_h = std::max(28.0, unit_px) + 8;
    pic.legend_y = pic.bottom + 20 + std::max(14.0, unit_px / 2);
    double x = kMargin, y = pic.legend_y;
    const std::pair<double, std::string> items[] = {{30, "segment"},
                                                    {30, "retransmission"},
                                                    {30, "lost"},
                                                    {6, "timer: armed to expired"},
                                                    {8, "= " + pic.scale_label + " (one-way delay)"},
                                                    {30, "idle time cut out"}};
    for (const auto& [w, text] : items) {
      const double item_w = w + 6 + text_w(text) + 18;
      if (x > kMargin && x + item_w - 18 > pic.width - kMargin) {
        x = kMargin;
        y += row_h;
      }
      pic.legend.push_back({x, y, w, text});
      x += item_w;
    }
    pic.height = y + std::max(14.0, unit_px / 2) + 12;
  }

  const scenario::RunResult& run;
  const PictureOptions& opt;
  const TraceView view;
  const sim::Trace& tr;
  const std::vector<TraceRecord>& recs;
  const std::vector<TraceView::End>& ends;
  LadderPicture pic;
  std::vector<double> off;  // each record's sub-step below its instant
  std::vector<Span> spans;
  std::vector<Time> closed_at;
  std::vector<double> closed_off;
  std::vector<Seg> segs;
  Duration unit = -1;  // the shortest delay
  std::vector<Time> lost_mid;
  std::vector<SegmentRun> runs;    // find_runs()
  std::vector<int> run_of_record;  // each record's run, or -1
  Time lo = 0, hi = kTimeMax;      // --from/--to widened (crop())
  std::vector<TimerSpan> timer_spans;
  std::map<std::size_t, std::string> timer_note_at;  // a record's note: "2MSL restarted"
  std::vector<PendingNote> pending;
  std::set<Time> event_times;  // those that get a tick on the scale
  std::vector<Time> T;         // every instant drawn
  std::vector<double> need;    // the room each instant needs
  double unit_px = kUnitPx;
  std::vector<double> Y;  // each instant's y
  std::vector<bool> cut;  // the gap after T[i] is a break
  std::vector<int> lane;  // each end's lane on its side
  int lanes[2] = {1, 1};
  double band_w = kBandW;
  double left_outer = 0, left_inner = 0, right_inner = 0, right_outer = 0;
};

}  // namespace

LadderPicture ladder_picture(const scenario::RunResult& run, const PictureOptions& opt) {
  return PictureBuilder(run, opt).build();
}

namespace {

std::string n(double v) { return number(v); }

std::string zigzag(double x0, double x1, double y) {
  std::string d;
  for (const Point& p : zigzag_points(x0, x1, y))
    d += fmt::format("{}{},{}", d.empty() ? "M" : " L", n(p.x), n(p.y));
  return d;
}

std::string arrow_head(double x0, double y0, double x1, double y1) {
  Point c[3];
  if (!arrow_head_points(x0, y0, x1, y1, c)) return "";
  return fmt::format("M{},{} L{},{} L{},{} Z", n(c[0].x), n(c[0].y), n(c[1].x), n(c[1].y), n(c[2].x),
                     n(c[2].y));
}

}  // namespace

namespace {

constexpr const char* kSans = "DejaVu Sans, Helvetica, Arial, sans-serif";
constexpr const char* kMono = "DejaVu Sans Mono, Menlo, Consolas, monospace";

// Header: the title, the subtitle, the two ends' names.
void svg_header(std::string& o, const LadderPicture& p) {
  double hy = kMargin + 14;
  for (const auto& line : p.title_lines) {
    o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"14\" font-weight=\"bold\">{}</text>\n", n(kMargin),
                     n(hy), xml_escape(line));
    hy += 18;
  }
  for (const auto& line : p.subtitle_lines) {
    o += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#555555\">{}</text>\n", n(kMargin), n(hy),
                     xml_escape(line));
    hy += 14;
  }
  const double names_y = p.top - 10;
  o += fmt::format("<g font-size=\"12\" font-weight=\"bold\" text-anchor=\"middle\">\n");
  o += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", n(p.left_x), n(names_y), xml_escape(p.left_name));
  o += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", n(p.right_x), n(names_y), xml_escape(p.right_name));
  o += "</g>\n";
}

// The time axis.
void svg_time_axis(std::string& o, const LadderPicture& p) {
  o += "<g id=\"scale\" stroke=\"#444444\" stroke-width=\"1\">\n";
  o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", n(p.axis_x), n(p.top),
                   n(p.bottom));
  for (const auto& t : p.ticks) {
    o += fmt::format("<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\"/>\n", n(p.axis_x - 4), n(p.axis_x),
                     n(t.y));
  }
  o += "</g>\n";
  o += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#444444\" font-style=\"italic\">time</text>\n",
      n(p.axis_x), n(p.top - 10));
  o += fmt::format("<g font-family=\"{}\" font-size=\"10\" fill=\"#444444\" text-anchor=\"end\">\n", kMono);
  for (const auto& t : p.ticks) {
    o += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", n(p.axis_x - 6), n(t.y + 3.5),
                     xml_escape(t.label));
  }
  o += "</g>\n";
}

// Lifelines, then the state bands over them.
void svg_lifelines_and_states(std::string& o, const LadderPicture& p) {
  o += "<g stroke=\"#888888\" stroke-width=\"1\">\n";
  o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", n(p.left_x), n(p.top),
                   n(p.bottom));
  o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", n(p.right_x), n(p.top),
                   n(p.bottom));
  o += "</g>\n";
  o += "<g id=\"states\" stroke=\"#333333\" stroke-width=\"0.8\">\n";
  for (const auto& b : p.bands) {
    o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}/>\n", n(b.x0), n(b.y0),
                     n(b.x1 - b.x0), n(b.y1 - b.y0),
                     state_fill(b.listener ? "LISTEN" : b.state.substr(b.state.rfind(' ') + 1)),
                     b.listener ? " stroke-dasharray=\"3,2\"" : "");
  }
  o += "</g>\n";
  o += "<g font-size=\"10\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#111111\">\n";
  for (const auto& b : p.bands) {
    for (double ly : b.label_ys) {
      if (ly + 2 > b.y1) continue;
      o +=
          fmt::format("<text x=\"{}\" y=\"{}\"{}>{}</text>\n", n((b.x0 + b.x1) / 2), n(ly),
                      b.listener ? " font-weight=\"normal\" font-style=\"italic\"" : "", xml_escape(b.state));
    }
  }
  o += "</g>\n";
  o += "<g stroke=\"#111111\" stroke-width=\"2\">\n";
  for (const auto& c : p.closed) {
    o += fmt::format("<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\"/>\n", n(c.x0), n(c.x1), n(c.y));
  }
  o += "</g>\n";
  o += "<g font-size=\"9\" text-anchor=\"middle\" fill=\"#333333\">\n";
  for (const auto& c : p.closed) {
    if (c.label)
      o += fmt::format("<text x=\"{}\" y=\"{}\">CLOSED</text>\n", n((c.x0 + c.x1) / 2), n(c.y + 11));
  }
  o += "</g>\n";
}

// Timers (a dashed bracket from armed to expired), then the segments.
void svg_timers_and_segments(std::string& o, const LadderPicture& p) {
  o += "<g id=\"timers\" stroke=\"#555555\" stroke-width=\"1.2\" fill=\"none\">\n";
  for (const auto& t : p.timers) {
    const double dir = t.side == 0 ? 1 : -1;  // towards the band
    o += fmt::format("<path d=\"M{},{} L{},{} L{},{} L{},{}\" stroke-dasharray=\"4,3\"/>\n", n(t.x + dir * 4),
                     n(t.y0), n(t.x), n(t.y0), n(t.x), n(t.y1), n(t.x + dir * 4), n(t.y1));
    if (t.cancelled) {  // a bar across the bracket's end: stopped, never expired
      o += fmt::format("<path d=\"M{},{} L{},{}\" stroke-width=\"2\"/>\n", n(t.x - 4), n(t.y1), n(t.x + 4),
                       n(t.y1));
    } else {
      o += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"#555555\"/>\n", n(t.x), n(t.y1));
    }
    for (double y : t.restarts)  // an open circle where it started again
      o += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"#ffffff\"/>\n", n(t.x), n(y));
  }
  o += "</g>\n";

  // Segments.
  o += "<g id=\"segments\">\n";
  for (const auto& a : p.arrows) {
    const char* colour = "#111111";
    std::string dash =
        a.retransmission ? " stroke-dasharray=\"6,4\"" : (a.duplicate ? " stroke-dasharray=\"2,3\"" : "");
    o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}/>\n",
                     n(a.x0), n(a.y0), n(a.x1), n(a.y1), colour, a.run ? "3" : "1.3", dash);
    if (a.lost) {
      o += fmt::format("<path d=\"M{},{} L{},{} M{},{} L{},{}\" stroke=\"{}\" stroke-width=\"2.2\"/>\n",
                       n(a.x1 - 5), n(a.y1 - 5), n(a.x1 + 5), n(a.y1 + 5), n(a.x1 - 5), n(a.y1 + 5),
                       n(a.x1 + 5), n(a.y1 - 5), colour);
    } else {
      o += fmt::format("<path d=\"{}\" fill=\"{}\"/>\n", arrow_head(a.x0, a.y0, a.x1, a.y1), colour);
    }
    // The label along the arrow, always readable left to right, where it crosses nothing.
    o += fmt::format(
        "<text x=\"{0}\" y=\"{1}\" transform=\"rotate({2} {0} {1})\" text-anchor=\"middle\"{3}>{4}</text>\n",
        n(a.label_x), n(a.label_y), n(a.label_angle), a.retransmission ? " font-style=\"italic\"" : "",
        xml_escape(a.label));
  }
  o += "</g>\n";
}

// Notes, then the breaks: a white gap between two zig-zags, across everything, with its length.
void svg_notes_and_breaks(std::string& o, const LadderPicture& p) {
  o += fmt::format("<g id=\"calls\" font-family=\"{}\" font-size=\"11\">\n", kMono);
  for (const auto& nt : p.notes) {
    std::string style =
        nt.kind == LadderPicture::Note::Timer
            ? " font-family=\"" + std::string(kSans) + "\" font-style=\"italic\" fill=\"#444444\""
        : nt.kind == LadderPicture::Note::Output ? " fill=\"#444444\" font-size=\"10\" xml:space=\"preserve\""
                                                 : "";
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\"{}>{}</text>\n", n(nt.x), n(nt.y),
                     nt.side == 0 ? "end" : "start", style, xml_escape(nt.text));
  }
  o += "</g>\n";

  // Breaks: a white gap between two zig-zags, across everything, with its length.
  o += "<g id=\"breaks\">\n";
  for (const auto& b : p.breaks) {
    const double x0 = p.axis_x - 12, x1 = p.width - kMargin;
    std::string top = zigzag(x0, x1, b.y - 6), bottom = zigzag(x0, x1, b.y + 6);
    o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", n(x0),
                     n(b.y - 9), n(x1 - x0), n(18));
    o += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#666666\" stroke-width=\"1\"/>\n", top);
    o += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#666666\" stroke-width=\"1\"/>\n", bottom);
    const double w = text_w(b.label) + 12, cx = (p.left_x + p.right_x) / 2;
    o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"20\" fill=\"#ffffff\"/>\n", n(cx - w / 2),
                     n(b.y - 10), n(w));
    o += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-style=\"italic\" fill=\"#333333\">{}</text>\n",
        n(cx), n(b.y + 4), xml_escape(b.label));
  }
  o += "</g>\n";
}

// Legend: the items the picture placed, in their order (svg.h).
void svg_legend(std::string& o, const LadderPicture& p) {
  o += "<g id=\"legend\" font-size=\"10\" fill=\"#333333\" stroke-width=\"1.3\">\n";
  for (std::size_t i = 0; i < p.legend.size(); ++i) {
    const auto& it = p.legend[i];
    const double x = it.x, y = it.y;
    switch (i) {
      case 0:
      case 1:
        o += fmt::format(
            "<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" stroke=\"#111111\"{3}/><path d=\"{4}\" "
            "fill=\"#111111\"/>\n",
            n(x), n(x + 30), n(y), i == 1 ? " stroke-dasharray=\"6,4\"" : "", arrow_head(x, y, x + 30, y));
        break;
      case 2:
        o += fmt::format(
            "<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" stroke=\"#111111\"/>"
            "<path d=\"M{3},{4} L{5},{6} M{3},{6} L{5},{4}\" stroke=\"#111111\" stroke-width=\"2.2\"/>\n",
            n(x), n(x + 24), n(y), n(x + 19), n(y - 5), n(x + 29), n(y + 5));
        break;
      case 3:
        o += fmt::format(
            "<path d=\"M{0},{1} L{2},{1} L{2},{3} L{0},{3}\" fill=\"none\" stroke=\"#555555\" "
            "stroke-width=\"1.2\" "
            "stroke-dasharray=\"4,3\"/><circle cx=\"{2}\" cy=\"{3}\" r=\"2.5\" fill=\"#555555\"/>\n",
            n(x + 4), n(y - 7), n(x), n(y + 7));
        break;
      case 4:
        o += fmt::format(
            "<path d=\"M{0},{1} L{2},{1} M{3},{1} L{3},{4} M{0},{4} L{2},{4}\" stroke=\"#444444\" "
            "stroke-width=\"1\"/>\n",
            n(x), n(y - p.scale_px / 2), n(x + 8), n(x + 4), n(y + p.scale_px / 2));
        break;
      default:
        o += fmt::format(
            "<path d=\"{}\" fill=\"none\" stroke=\"#666666\"/><path d=\"{}\" fill=\"none\" "
            "stroke=\"#666666\"/>\n",
            zigzag(x, x + 30, y - 4), zigzag(x, x + 30, y + 4));
    }
    o += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", n(x + it.w + 6), n(y + 3.5), xml_escape(it.text));
  }
  o += "</g>\n";
}

}  // namespace

std::string svg(const scenario::RunResult& run, const PictureOptions& opt) {
  const LadderPicture p = ladder_picture(run, opt);
  std::string o;
  o += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // In print units when --width or --font-size gave them: the viewBox keeps the pixels.
  const auto size = [&p](double px) {
    return p.pt_per_px > 0 ? fmt::format("{:.2f}pt", px * p.pt_per_px) : n(px);
  };
  o += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 "
      "{2} {3}\" "
      "font-family=\"{4}\" font-size=\"11\">\n",
      size(p.width), size(p.height), n(p.width), n(p.height), kSans);
  o += fmt::format("<title>{}</title>\n", xml_escape(p.title.empty() ? p.subtitle : p.title));
  o += fmt::format("<desc>Ladder diagram drawn by tcpsim from the run's trace: {}</desc>\n",
                   xml_escape(p.provenance));
  o += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", n(p.width),
                   n(p.height));

  svg_header(o, p);
  svg_time_axis(o, p);
  svg_lifelines_and_states(o, p);
  svg_timers_and_segments(o, p);
  svg_notes_and_breaks(o, p);
  svg_legend(o, p);
  o += "</svg>\n";
  return o;
}

std::string number(double v) {
  std::string s = fmt::format("{:.1f}", v);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

std::vector<Point> zigzag_points(double x0, double x1, double y) {
  std::vector<Point> pts{{x0, y}};
  bool up = true;
  for (double x = x0 + 6; x < x1; x += 6) {
    pts.push_back({x, y + (up ? -3 : 3)});
    up = !up;
  }
  pts.push_back({x1, y});
  return pts;
}

bool arrow_head_points(double x0, double y0, double x1, double y1, Point (&corners)[3]) {
  const double dx = x1 - x0, dy = y1 - y0;
  const double len = std::sqrt(dx * dx + dy * dy);
  if (len < 1e-9) return false;
  const double ux = dx / len, uy = dy / len;
  const double bx = x1 - 9 * ux, by = y1 - 9 * uy;
  corners[0] = {x1, y1};
  corners[1] = {bx - 3.5 * uy, by + 3.5 * ux};
  corners[2] = {bx + 3.5 * uy, by - 3.5 * ux};
  return true;
}

}  // namespace tcpsim::formats
