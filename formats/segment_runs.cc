#include "formats/segment_runs.h"

#include <fmt/format.h>

#include <optional>

#include "sim/units.h"

namespace tcpsim::formats {

using sim::TraceKind;

namespace {

bool plain(const sim::Packet& p) {
  const model::Segment& s = p.seg;
  return !p.retransmission && s.sack.empty() && !s.has(model::kSyn) && !s.has(model::kFin) &&
         !s.has(model::kRst) && !s.has(model::kUrg);
}

// A read or write that moved data (not an error, not end of stream): the
// calls a bulk transfer makes between its segments.
bool data_call(const std::string& text) {
  const bool io = text.rfind("read(", 0) == 0 || text.rfind("write(", 0) == 0 ||
                  text.rfind("recv(", 0) == 0 || text.rfind("send(", 0) == 0;
  return io && text.find(" = -1") == std::string::npos && text.find(" = 0") == std::string::npos;
}

void add_call(SegmentRun& run, const std::string& text, bool right) {
  const std::string call = text.substr(0, text.find(" = "));
  for (auto& c : run.calls) {
    if (c.call == call && c.right == right) {
      ++c.times;
      return;
    }
  }
  run.calls.push_back({call, right, 1});
}

// Not drawn in a ladder without -v: a run goes on past them. A delayed
// ACK's timer expiring is part of a bulk transfer's rhythm (its ACK is a
// plain segment of the run); other timers end a run.
bool silent(const sim::TraceRecord& r) {
  const TraceKind k = r.kind;
  return k == TraceKind::Delivered || k == TraceKind::TimerArmed || k == TraceKind::TimerCancelled ||
         k == TraceKind::App || k == TraceKind::Note || k == TraceKind::Ignored || k == TraceKind::Row ||
         (k == TraceKind::TimerFired && r.timer == model::TimerKind::DelayedAck);
}

SegmentRun run_from(const TraceView& view, const sim::Trace& tr, std::size_t i) {
  const auto& recs = tr.records();
  SegmentRun run;
  run.start = run.end = i;
  run.conn = view.connection_of_packet(recs[i].ref);
  std::optional<model::Seq> next[2], ack[2];
  for (std::size_t k = i; k < recs.size(); ++k) {
    const sim::TraceRecord& r = recs[k];
    if (silent(r)) continue;
    if (r.kind == TraceKind::Call && data_call(tr.text(r.ref))) {
      add_call(run, tr.text(r.ref), view.call_is_right(k));
      continue;
    }
    if (r.kind != TraceKind::Sent || view.connection_of_packet(r.ref) != run.conn) break;
    const sim::Packet& p = tr.packet(r.ref).packet;
    const bool lost = k + 1 < recs.size() && recs[k + 1].ref == r.ref &&
                      (recs[k + 1].kind == TraceKind::Dropped || recs[k + 1].kind == TraceKind::Duplicated);
    if (!plain(p) || lost) break;
    const int d = view.packet_goes_right(r.ref) ? 0 : 1;
    const auto len = static_cast<model::Seq>(p.seg.payload.size());
    if (len > 0 && next[d] && *next[d] != p.seg.seq) break;
    if (ack[d] && model::seq_lt(p.seg.ack, *ack[d])) break;
    if (len > 0) next[d] = p.seg.seq + len;
    ack[d] = p.seg.ack;
    ++run.count[d];
    run.bytes[d] += len;
    if (run.first[d] < 0) run.first[d] = r.t;
    run.last[d] = r.t;
    run.end = k + 1;
  }
  return run;
}

}  // namespace

std::string SegmentRun::Calls::text() const { return times == 1 ? call : fmt::format("{} x{}", call, times); }

std::string SegmentRun::label(int d) const {
  if (count[d] == 0) return {};
  std::string s = bytes[d] > 0 ? fmt::format("{} segments, {} bytes", count[d], bytes[d])
                               : fmt::format("{} ACK{}", count[d], count[d] == 1 ? "" : "s");
  if (last[d] != first[d]) s += ", to " + sim::format_seconds(last[d]);
  return s;
}

std::vector<SegmentRun> segment_runs(const TraceView& view, const sim::Trace& tr) {
  std::vector<SegmentRun> runs;
  const auto& recs = tr.records();
  for (std::size_t i = 0; i < recs.size(); ++i) {
    if (recs[i].kind != TraceKind::Sent || view.connection_of_packet(recs[i].ref) < 0) continue;
    SegmentRun run = run_from(view, tr, i);
    if (run.total() == 0) continue;
    if (std::max(run.count[0], run.count[1]) < kMinRun) continue;
    i = run.end - 1;
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace tcpsim::formats
