#include "formats/seqplot.h"

#include <fmt/format.h>

#include <algorithm>

#include "formats/trace_view.h"

namespace tcpsim::formats {

using sim::TraceKind;

namespace {

constexpr double kWidth = 960, kLeft = 90, kRight = 40, kTop = 70, kSeqHeight = 420, kGap = 60,
                 kWinHeight = 160, kBottom = 50;

// The direction with the most payload: (connection, rightwards), or
// connection -1 when no connection sent anything.
std::pair<int, bool> busiest_direction(const TraceView& view, const sim::Trace& tr) {
  std::vector<std::uint64_t> bytes(view.connections().size() * 2, 0);
  std::vector<bool> sent(bytes.size(), false);
  for (const auto& r : tr.records()) {
    if (r.kind != TraceKind::Sent) continue;
    const int c = view.connection_of_packet(r.ref);
    if (c < 0) continue;
    const std::size_t k = static_cast<std::size_t>(c) * 2 + (view.packet_goes_right(r.ref) ? 0 : 1);
    bytes[k] += tr.packet(r.ref).packet.seg.payload.size();
    sent[k] = true;
  }
  int best = -1;
  for (std::size_t k = 0; k < bytes.size(); ++k) {
    if (sent[k] && (best < 0 || bytes[k] > bytes[static_cast<std::size_t>(best)])) best = static_cast<int>(k);
  }
  if (best < 0) return {-1, true};
  return {best / 2, best % 2 == 0};
}

// Sequence numbers relative to the sender's ISN, unwrapped to 64 bits: the
// value nearest the highest seen so far (a transfer may pass 4 GB).
class Unwrap {
 public:
  explicit Unwrap(std::uint32_t isn) : isn_(isn) {}
  std::uint64_t operator()(std::uint32_t seq) {
    const std::uint32_t rel = seq - isn_;
    std::uint64_t v = (high_ & ~std::uint64_t{0xffffffff}) | rel;
    if (v + 0x80000000u < high_) {
      v += std::uint64_t{1} << 32;
    } else if (v > high_ + 0x80000000u && v >= (std::uint64_t{1} << 32)) {
      v -= std::uint64_t{1} << 32;
    }
    high_ = std::max(high_, v);
    return v;
  }

 private:
  std::uint32_t isn_;
  std::uint64_t high_ = 0;
};

// Walks the trace once, collecting the bars and points of direction
// (conn, rightwards) in sequence-number and time units.
void collect(const TraceView& view, const sim::Trace& tr, int conn, bool rightwards, SeqPlot& p) {
  const auto& c = view.connections()[static_cast<std::size_t>(conn)];
  const int sender = rightwards ? c.left : c.right;
  const int receiver = rightwards ? c.right : c.left;
  p.sender = view.end_label(sender);
  p.receiver = view.end_label(receiver);
  std::vector<bool> dropped(tr.packets().size(), false);
  for (const auto& r : tr.records()) {
    if (r.kind == TraceKind::Dropped && r.ref < dropped.size()) dropped[r.ref] = true;
  }
  bool has_isn = sender >= 0 && view.ends()[static_cast<std::size_t>(sender)].has_isn;
  std::uint32_t isn = has_isn ? view.ends()[static_cast<std::size_t>(sender)].isn : 0;
  std::optional<Unwrap> rel;
  std::uint64_t high = 0, acked = 0;
  bool first = true;
  for (const auto& r : tr.records()) {
    if ((r.kind != TraceKind::Sent && r.kind != TraceKind::Delivered) ||
        view.connection_of_packet(r.ref) != conn)
      continue;
    const sim::PacketRecord& pr = tr.packet(r.ref);
    const model::Segment& seg = pr.packet.seg;
    const bool data_way = view.packet_goes_right(r.ref) == rightwards;
    if (first) p.t0 = r.t;
    first = false;
    p.t1 = std::max(p.t1, r.t);
    if (data_way && r.kind == TraceKind::Sent && seg.seg_len() > 0) {
      if (!rel) rel.emplace(has_isn ? isn : seg.seq);
      SeqPlot::Bar b;
      b.t = r.t;
      b.from = (*rel)(seg.seq);
      b.to = b.from + seg.seg_len();
      b.retransmission = pr.packet.retransmission;
      b.lost = dropped[r.ref];
      b.reason = pr.context.reason;
      p.segments.push_back(b);
      high = std::max(high, b.to);
      if (pr.context.cwnd > 0) {
        p.has_cwnd = true;
        p.cwnd.push_back({r.t, pr.context.cwnd});
        if (pr.context.ssthresh != model::kNoSsthresh) p.ssthresh.push_back({r.t, pr.context.ssthresh});
      }
      p.flight.push_back({r.t, high > acked ? high - acked : 0});
    } else if (!data_way && r.kind == TraceKind::Delivered && seg.has(model::kAck) && rel) {
      const std::uint64_t a = (*rel)(seg.ack);
      p.acks.push_back({r.t, a});
      for (const auto& blk : seg.sack) {
        SeqPlot::Bar b;
        b.t = r.t;
        b.from = (*rel)(blk.left);
        b.to = (*rel)(blk.right);
        p.sacks.push_back(b);
      }
      acked = std::max(acked, a);
      p.flight.push_back({r.t, high > acked ? high - acked : 0});
    }
  }
  p.any = !p.segments.empty();
}

// Pixel positions for everything collected.
void place(SeqPlot& p) {
  p.width = kWidth;
  p.left = kLeft;
  p.right = kWidth - kRight;
  p.seq_top = kTop;
  p.seq_bottom = kTop + kSeqHeight;
  p.win_top = p.seq_bottom + kGap;
  p.win_bottom = p.win_top + kWinHeight;
  p.height = p.win_bottom + kBottom;
  for (const auto& s : p.segments) p.seq_max = std::max(p.seq_max, s.to);
  for (const auto& s : p.sacks) p.seq_max = std::max(p.seq_max, s.to);
  for (const auto& a : p.acks) p.seq_max = std::max(p.seq_max, a.value);
  for (const auto* v : {&p.cwnd, &p.ssthresh, &p.flight}) {
    for (const auto& q : *v) p.bytes_max = std::max(p.bytes_max, q.value);
  }
  if (p.t1 <= p.t0) p.t1 = p.t0 + 1;
  auto x = [&](Time t) {
    return p.left + static_cast<double>(t - p.t0) / static_cast<double>(p.t1 - p.t0) * (p.right - p.left);
  };
  auto y = [&](std::uint64_t s) {
    return p.seq_bottom -
           static_cast<double>(s) / static_cast<double>(p.seq_max) * (p.seq_bottom - p.seq_top);
  };
  auto w = [&](std::uint64_t b) {
    return p.win_bottom -
           static_cast<double>(b) / static_cast<double>(p.bytes_max) * (p.win_bottom - p.win_top);
  };
  for (auto* bars : {&p.segments, &p.sacks}) {
    for (auto& b : *bars) {
      b.x = x(b.t);
      b.y_from = y(b.from);
      b.y_to = y(b.to);
    }
  }
  for (auto& a : p.acks) {
    a.x = x(a.t);
    a.y = y(a.value);
  }
  for (auto* v : {&p.cwnd, &p.ssthresh, &p.flight}) {
    for (auto& q : *v) {
      q.x = x(q.t);
      q.y = w(q.value);
    }
  }
}

}  // namespace

SeqPlot seqplot_picture(const scenario::RunResult& run) {
  SeqPlot p;
  const TraceView view(run);
  const sim::Trace& tr = run.net->trace();
  p.title = run.scenario->title.empty() ? run.scenario->file : run.scenario->title;
  const auto [conn, rightwards] = busiest_direction(view, tr);
  if (conn >= 0) collect(view, tr, conn, rightwards, p);
  place(p);
  return p;
}

}  // namespace tcpsim::formats
