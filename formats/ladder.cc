#include "formats/ladder.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "formats/segment_runs.h"
#include "formats/timer_changes.h"
#include "formats/trace_view.h"
#include "model/transition_table.h"
#include "scenario/outcome.h"
#include "sim/trace_text.h"
#include "sim/units.h"

namespace tcpsim::formats {

using model::State;
using sim::TraceKind;
using sim::TraceRecord;

namespace {

constexpr std::size_t kTimeWidth = 10;
constexpr std::size_t kStateWidth = 12;
constexpr std::size_t kArrowWidth = 30;
constexpr std::size_t kLineWidth = 80;

struct Glyphs {
  const char* fill;
  const char* right_head;
  const char* left_head;
  const char* lost;
};
constexpr Glyphs kAscii{"-", ">", "<", "x"};
constexpr Glyphs kUnicode{"\u2500", "\u25b6", "\u25c0", "\u2717"};

std::string repeat(const char* g, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += g;
  return s;
}

// An arrow of `width` columns with `label` inside, pointing right or left;
// a lost segment stops with an x at column `lost_x` from its sender (the
// same column for every lost segment of a figure, so the x's line up).
std::string arrow(const std::string& label, bool rightwards, bool lost, std::size_t width, std::size_t lost_x,
                  const Glyphs& g) {
  const std::size_t len = label.size();
  if (!lost) {
    const std::size_t pad = width - len - 1;  // one for the head
    const std::size_t before = rightwards ? 2 : pad - 2;
    const std::size_t after = pad - before;
    if (rightwards) return repeat(g.fill, before) + label + repeat(g.fill, after) + g.right_head;
    return std::string(g.left_head) + repeat(g.fill, before) + label + repeat(g.fill, after);
  }
  // The segment dies in the middle of the link: 2 fill, the label, fill up to the x.
  const std::size_t fill = lost_x > len + 2 ? lost_x - len - 2 : 1;
  const std::size_t blank = width > 2 + len + fill + 1 ? width - (2 + len + fill + 1) : 0;
  if (rightwards) return repeat(g.fill, 2) + label + repeat(g.fill, fill) + g.lost + std::string(blank, ' ');
  return std::string(blank, ' ') + g.lost + repeat(g.fill, fill) + label + repeat(g.fill, 2);
}

std::string pad_right(const std::string& s, std::size_t w) {
  return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}

// A segment's label: flags; with -v its numbers, its SACK blocks and the
// sender's window where it changed (`window`, see window_notes); "(again)"
// when resent, with -v what detected the loss: "(again, RACK)".
std::string segment_text(const TraceView& view, const sim::Trace& tr, std::uint32_t packet, bool verbose,
                         const std::string& window) {
  const auto& p = tr.packet(packet);
  std::string label = sim::segment_label(p.packet.seg);
  if (verbose) label += view.seq_text(packet) + view.sack_text(packet) + window;
  if (p.packet.retransmission) {
    const std::string_view why = model::loss_reason_name(p.context.reason);
    label += verbose && !why.empty() ? fmt::format(" (again, {})", why) : std::string(" (again)");
  }
  return label;
}

// For -v: " cwnd=14480 ssthresh=7240" on a segment whose sender's
// congestion window or threshold differs from what its previous segment
// showed (every segment would repeat the same numbers), by packet index.
std::vector<std::string> window_notes(const sim::Trace& tr) {
  std::vector<std::string> notes(tr.packets().size());
  std::map<std::pair<std::uint8_t, std::uint32_t>, sim::SendContext> last;
  for (const auto& r : tr.records()) {
    if (r.kind != TraceKind::Sent) continue;
    const sim::SendContext& c = tr.packet(r.ref).context;
    if (c.cwnd == 0) continue;
    auto [it, fresh] = last.try_emplace({r.host, r.conn}, c);
    std::string& n = notes[r.ref];
    if (fresh || it->second.cwnd != c.cwnd) n += fmt::format(" cwnd={}", c.cwnd);
    if (c.ssthresh != model::kNoSsthresh && (fresh || it->second.ssthresh != c.ssthresh))
      n += fmt::format(" ssthresh={}", c.ssthresh);
    it->second = c;
  }
  return notes;
}

std::string trim_right(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

namespace {

// Writes the ladder: one row per segment, per state change (flushed when
// the instant ends or something else is drawn), per call and note.
class LadderWriter {
 public:
  LadderWriter(const scenario::RunResult& run, const LadderOptions& opt)
      : run(run),
        opt(opt),
        g(opt.unicode ? kUnicode : kAscii),
        view(run, opt.isn),
        tr(run.net->trace()),
        state(view.ends().size(), State::Closed),
        seen(view.ends().size(), false),
        dirty(view.ends().size(), false),
        why(view.ends().size()),
        many(view.connections().size() > 1),
        notes(opt.verbose ? window_notes(tr) : std::vector<std::string>{}),
        timers(timer_changes(view, tr)) {
    if (!opt.verbose) runs = segment_runs(view, tr);
  }

  std::string write() {
    out = view.header();
    // Column headers: the first connection's two ends.
    std::string left_name = "A", right_name = "B";
    if (!view.connections().empty()) {
      const auto& c0 = view.connections().front();
      left_name = view.end_label(c0.left);
      right_name = view.end_label(c0.right);
    }
    widths();
    out += trim_right(fmt::format("{:>{}}  {:<{}}{}", "time", kTimeWidth, left_name,
                                  right_col - kTimeWidth - 2, right_name)) +
           "\n";

    const auto& recs = tr.records();
    // --from/--to (formats/time_window.h): records before the widened
    // window only keep each end's state, drawn as a row where it opens.
    const TimeWindow win = widened(opt.window, view, tr);
    const std::vector<bool> in_window = packets_in(opt.window, view, tr);
    bool opened = opt.window.whole();
    Time last_t = -1;
    std::size_t next_run = 0;
    for (std::size_t i = 0; i < recs.size(); ++i) {
      if (recs[i].t > win.to) break;
      if (recs[i].t < win.from) {
        if (recs[i].kind == TraceKind::State && view.end_of(i) >= 0) {
          state[static_cast<std::size_t>(view.end_of(i))] = recs[i].to;
          seen[static_cast<std::size_t>(view.end_of(i))] = true;
        }
        while (next_run < runs.size() && runs[next_run].start <= i) ++next_run;
        continue;
      }
      if (!opened) {
        opened = true;
        for (std::size_t e = 0; e < state.size(); ++e) {
          if (seen[e] && state[e] != State::Closed && view.ends()[e].connection >= 0) mark(e);
        }
        flush(win.from);
      }
      if (recs[i].kind == TraceKind::Sent && !in_window[recs[i].ref]) continue;
      if (recs[i].t != last_t) flush(last_t);
      last_t = recs[i].t;
      if (next_run < runs.size() && runs[next_run].start == i && recs[runs[next_run].end - 1].t <= win.to) {
        draw_run(runs[next_run]);
        i = runs[next_run++].end - 1;
        continue;
      }
      draw(i);
    }
    flush(last_t);
    out += summary(run);
    return out;
  }

 private:
  void widths() {
    // One arrow width for the whole figure (the widest label and room around
    // it), so that the right state column stays straight with -v, and one
    // column for the x of every lost segment.
    std::size_t lost_len = 0;
    {
      std::vector<bool> dropped(tr.packets().size(), false);
      for (const auto& r : tr.records()) {
        if (r.kind == TraceKind::Dropped && r.ref < dropped.size()) dropped[r.ref] = true;
      }
      for (const auto& r : tr.records()) {
        if (r.kind != TraceKind::Sent || view.connection_of_packet(r.ref) < 0) continue;
        const std::size_t len = label_of(r.ref).size();
        arrow_w = std::max(arrow_w, len + 6);
        if (dropped[r.ref]) lost_len = std::max(lost_len, len);
      }
    }
    for (const SegmentRun& run : runs) {
      for (int d = 0; d < 2; ++d) arrow_w = std::max(arrow_w, run.label(d).size() + 6);
    }
    // The x in the middle of the link, unless a lost segment's label needs more room.
    lost_x = std::max(arrow_w / 2, lost_len + 3);
    arrow_w = std::max(arrow_w, lost_x + 3);
    line_w = std::max(kLineWidth, kTimeWidth + 2 + kStateWidth + 1 + arrow_w + 2 + kStateWidth);
    right_col = kTimeWidth + 2 + kStateWidth + 1 + arrow_w + 2;
  }

  void mark(std::size_t e) {
    if (dirty[e]) return;
    dirty[e] = true;
    ++dirty_count;
    dirty_list.push_back(e);
  }
  void unmark(std::size_t e) {
    if (!dirty[e]) return;
    dirty[e] = false;
    --dirty_count;
  }
  std::pair<std::string, std::string> states_of(int conn) const {
    const auto& c = view.connections()[static_cast<std::size_t>(conn)];
    auto show = [&](int end) -> std::string {
      if (end < 0) return "CLOSED";
      if (!seen[static_cast<std::size_t>(end)]) return view.listener_state_for(end);
      return std::string(model::state_name(state[static_cast<std::size_t>(end)]));
    };
    return std::make_pair(show(c.left), show(c.right));
  }
  std::string tag(int conn) const { return many ? fmt::format("#{} ", conn + 1) : std::string(); }
  void row(Time t, int conn, const std::string& middle) {
    auto [l, r] = states_of(conn);
    std::string line =
        fmt::format("{:>{}}  {}{}", sim::format_seconds(t), kTimeWidth, tag(conn), pad_right(l, kStateWidth));
    line += " " + middle + "  " + r;
    out += trim_right(line) + "\n";
  }
  void side_text(Time t, bool right, const std::string& text) {
    std::string line = fmt::format("{:>{}}  ", sim::format_seconds(t), kTimeWidth);
    if (right) {
      const std::size_t col = text.size() + line.size() < line_w ? line_w - text.size() : line.size();
      line += std::string(col - line.size(), ' ');
    }
    out += trim_right(line + text) + "\n";
  }
  // The pending state changes, one row per connection.
  void flush(Time t) {
    if (dirty_count == 0) {
      dirty_list.clear();
      return;
    }
    // In the order of the ends, as a scan of them all would visit them.
    std::sort(dirty_list.begin(), dirty_list.end());
    dirty_list.erase(std::unique(dirty_list.begin(), dirty_list.end()), dirty_list.end());
    std::vector<std::size_t> pending;
    pending.swap(dirty_list);
    std::vector<int> done;  // connections drawn in this flush
    for (const std::size_t e : pending) {
      if (!dirty[e]) continue;
      unmark(e);
      const int conn = view.ends()[e].connection;
      if (conn < 0 || std::find(done.begin(), done.end(), conn) != done.end()) continue;
      done.push_back(conn);
      std::string middle = repeat(g.fill, arrow_w);
      if (!why[e].empty()) {
        const std::string label = " " + why[e] + " ";
        if (label.size() + 4 < arrow_w) {
          const std::size_t left = (arrow_w - label.size()) / 2;
          middle = repeat(g.fill, left) + label + repeat(g.fill, arrow_w - left - label.size());
        }
        why[e].clear();
      }
      row(t, conn, middle);
    }
  }

  // One trace record.
  void draw(std::size_t i) {
    const auto& recs = tr.records();
    const TraceRecord& r = recs[i];
    const int end = view.end_of(i);
    switch (r.kind) {
      case TraceKind::State:
        if (end >= 0) {
          state[static_cast<std::size_t>(end)] = r.to;
          seen[static_cast<std::size_t>(end)] = true;
          // A listener's child starts in LISTEN inside tcpsim: not worth a row.
          if (r.from == State::Closed && r.to == State::Listen) break;
          if (view.ends()[static_cast<std::size_t>(end)].connection >= 0) mark(static_cast<std::size_t>(end));
        }
        break;
      case TraceKind::TimerFired:
        if (end >= 0 && (r.timer == model::TimerKind::TimeWait || r.timer == model::TimerKind::FinWait2)) {
          why[static_cast<std::size_t>(end)] =
              r.timer == model::TimerKind::TimeWait ? "2MSL expired" : "FIN-WAIT-2 timeout";
        } else {
          flush(r.t);
        }
        if (opt.verbose && end >= 0) {
          side_text(r.t, view.is_right(end),
                    fmt::format("{} timer expired", std::string(model::timer_name(r.timer))));
        }
        break;
      case TraceKind::TimerArmed:
      case TraceKind::TimerCancelled:
        // A lifetime timer restarted (TIME-WAIT absorbing a FIN: always
        // shown, it prolongs the state) or cancelled (with -v, as expiries).
        if (timers[i] == TimerChange::Restarted || (opt.verbose && timers[i] == TimerChange::Cancelled)) {
          flush(r.t);
          side_text(r.t, view.is_right(end), timer_change_text(r.timer, timers[i], false));
        }
        break;
      case TraceKind::Sent: {
        const int conn = view.connection_of_packet(r.ref);
        if (conn < 0) break;
        const bool rightwards = view.packet_goes_right(r.ref);
        // Any other end's pending state change is shown first.
        const bool own_dirty = end >= 0 && dirty[static_cast<std::size_t>(end)];
        if (dirty_count > (own_dirty ? 1u : 0u)) flush(r.t);
        if (end >= 0) unmark(static_cast<std::size_t>(end));
        const bool lost =
            i + 1 < recs.size() && recs[i + 1].kind == TraceKind::Dropped && recs[i + 1].ref == r.ref;
        row(r.t, conn, arrow(label_of(r.ref), rightwards, lost, arrow_w, lost_x, g));
        break;
      }
      case TraceKind::Call: {
        flush(r.t);
        const bool right = view.call_is_right(i);
        side_text(r.t, right, tr.text(r.ref));
        break;
      }
      case TraceKind::Output: {
        flush(r.t);
        out += fmt::format("{:>{}}  {} prints:\n", sim::format_seconds(r.t), kTimeWidth,
                           view.program_name(r.program));
        std::string text = tr.text(r.ref);
        std::size_t pos = 0;
        while (pos < text.size()) {
          const auto nl = text.find('\n', pos);
          out += trim_right(std::string(kTimeWidth + 4, ' ') + text.substr(pos, nl - pos)) + "\n";
          pos = nl == std::string::npos ? text.size() : nl + 1;
        }
        break;
      }
      case TraceKind::Note:
      case TraceKind::Ignored:
        if (opt.verbose) {
          flush(r.t);
          side_text(r.t, end >= 0 && view.is_right(end), "  " + tr.text(r.ref));
        }
        break;
      case TraceKind::Row:
        if (opt.verbose && end >= 0) {
          flush(r.t);
          side_text(r.t, view.is_right(end), "  [" + std::string(model::rule_name(r.rule)) + "]");
        }
        break;
      default: break;
    }
  }

  std::string label_of(std::uint32_t packet) const {
    static const std::string kNothing;
    return segment_text(view, tr, packet, opt.verbose, notes.empty() ? kNothing : notes[packet]);
  }

  void draw_run(const SegmentRun& run) {
    // As for one segment (draw()): other ends' pending state changes first;
    // the sender's own shows in the row's state column.
    const int end = view.end_of(run.start);
    const bool own_dirty = end >= 0 && dirty[static_cast<std::size_t>(end)];
    if (dirty_count > (own_dirty ? 1u : 0u)) flush(tr.records()[run.start].t);
    if (end >= 0) unmark(static_cast<std::size_t>(end));
    const int lead = run.first[1] >= 0 && (run.first[0] < 0 || run.first[1] < run.first[0]) ? 1 : 0;
    for (int d : {lead, 1 - lead}) {
      if (run.count[d] == 0) continue;
      row(run.first[d], run.conn, arrow(run.label(d), d == 0, false, arrow_w, lost_x, g));
    }
    const Time t = std::min(run.first[0] < 0 ? run.first[1] : run.first[0],
                            run.first[1] < 0 ? run.first[0] : run.first[1]);
    for (const auto& c : run.calls) side_text(t, c.right, c.text());
  }

  const scenario::RunResult& run;
  const LadderOptions& opt;
  const Glyphs& g;
  const TraceView view;
  const sim::Trace& tr;
  std::string out;
  // One arrow width for the whole figure, the column of a lost segment's x.
  std::size_t arrow_w = kArrowWidth, lost_x = 0, line_w = 0, right_col = 0;
  std::vector<State> state;
  std::vector<bool> seen;  // its TCB exists
  // Ends with a state change not yet drawn, and the list of them, so that a
  // flush costs what is pending, not the number of ends (a program opening
  // thousands of sockets at one instant made the ladder quadratic).
  std::vector<bool> dirty;
  std::vector<std::size_t> dirty_list;
  std::size_t dirty_count = 0;
  std::vector<std::string> why;  // timer that caused a state change
  const bool many;
  const std::vector<std::string> notes;   // -v: window_notes()
  std::vector<SegmentRun> runs;           // without -v: segment_runs(), in record order
  const std::vector<TimerChange> timers;  // timer_changes(), by record
};

}  // namespace

std::string ladder(const scenario::RunResult& run, const LadderOptions& opt) {
  return LadderWriter(run, opt).write();
}

std::string events(const scenario::RunResult& run) {
  const TraceView view(run);
  std::string out = view.header();
  out += sim::format_trace(*run.net);
  out += summary(run);
  return out;
}

std::string summary(const scenario::RunResult& run) {
  std::string out = "\n" + run.ending + "\n";
  // How the run ended in sweep's words (docs/sweep.md), so a run that
  // `tcpsim sweep --examples` lists shows its class when replayed.
  if (run.simulated && run.net) out += "outcome: " + scenario::classify(run).label() + "\n";
  if (!run.results.empty()) {
    std::size_t failed = 0;
    for (const auto& r : run.results) failed += r.pass ? 0 : 1;
    out += fmt::format("assertions: {} passed, {} failed\n", run.results.size() - failed, failed);
  }
  for (const auto& r : run.results) {
    if (r.pass) continue;
    out += fmt::format("{}:{}:{}: FAIL {}\n     {}\n", run.scenario->file, r.loc.line, r.loc.col, r.what,
                       r.detail);
  }
  return out;
}

}  // namespace tcpsim::formats
