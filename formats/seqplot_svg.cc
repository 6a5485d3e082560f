// seqplot_svg(): the time-sequence graph (formats/seqplot.h) as SVG 1.1
// basics (line, polyline, text with presentation attributes), like the
// other pictures, with fixed decimals so the same run gives the same bytes.
#include <fmt/format.h>

#include <cmath>

#include "formats/plot.h"
#include "formats/seqplot.h"
#include "formats/xml.h"

namespace tcpsim::formats {

namespace {

constexpr const char* kData = "#222222";
constexpr const char* kAck = "#2ca02c";
constexpr const char* kSack = "#17becf";
constexpr const char* kCwnd = "#1f77b4";
constexpr const char* kFlight = "#8c564b";
constexpr const char* kSsthresh = "#7f7f7f";

// A retransmission's colour says what decided it.
const char* reason_colour(model::LossReason r) {
  switch (r) {
    case model::LossReason::Rto: return "#d62728";
    case model::LossReason::Tlp: return "#ff7f0e";
    case model::LossReason::DupAck: return "#9467bd";
    case model::LossReason::Rack: return "#e377c2";
    case model::LossReason::None: break;
  }
  return "#bcbd22";
}

std::string line(double x1, double y1, double x2, double y2, const char* colour, double w,
                 const char* extra = "") {
  return fmt::format(
      "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
      "stroke-width=\"{:.1f}\"{}/>\n",
      x1, y1, x2, y2, colour, w, extra);
}

std::string text(double x, double y, const std::string& s, const char* anchor = "start", int size = 12,
                 const char* colour = "#222222") {
  return fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\" font-size=\"{}\" fill=\"{}\">{}</text>\n", x, y,
      anchor, size, colour, xml_escape(s));
}

// The time ticks along the bottom of a panel, in ms below 2 s of span, else s.
std::string time_axis(const SeqPlot& p, double bottom, bool labelled) {
  const double span_ns = static_cast<double>(p.t1 - p.t0);
  const bool ms = span_ns < 2e9;
  const double unit = ms ? 1e6 : 1e9;
  const double step = nice_step(span_ns / unit, 8);
  std::string o;
  const double first = std::ceil(static_cast<double>(p.t0) / unit / step) * step;
  for (double v = first; v * unit <= static_cast<double>(p.t1) + step * unit / 1000; v += step) {
    const double x = p.left + (v * unit - static_cast<double>(p.t0)) / span_ns * (p.right - p.left);
    o += line(x, bottom, x, bottom + 4, "#444444", 1);
    if (labelled) o += text(x, bottom + 17, tick_label(v), "middle");
  }
  if (labelled) o += text((p.left + p.right) / 2, bottom + 36, ms ? "time (ms)" : "time (s)", "middle");
  return o;
}

// Horizontal grid lines and labels for values 0..top over a panel.
std::string value_axis(const SeqPlot& p, double top_y, double bottom_y, std::uint64_t top, const char* name) {
  std::string o;
  const double step = nice_step(static_cast<double>(top), 5);
  for (double v = 0; v <= static_cast<double>(top) + step / 1000; v += step) {
    const double y = bottom_y - v / static_cast<double>(top) * (bottom_y - top_y);
    o += line(p.left, y, p.right, y, "#e4e4e4", 1);
    o += text(p.left - 6, y + 4, tick_label(v), "end");
  }
  o += fmt::format(
      "<text transform=\"translate({:.1f},{:.1f}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\" "
      "fill=\"#222222\">{}</text>\n",
      p.left - 62, (top_y + bottom_y) / 2, name);
  o += line(p.left, bottom_y, p.right, bottom_y, "#444444", 1);
  o += line(p.left, top_y, p.left, bottom_y, "#444444", 1);
  return o;
}

// A step line through the points: each value holds until the next.
std::string steps(const std::vector<SeqPlot::Point>& v, double right, const char* colour, const char* extra) {
  if (v.empty()) return {};
  std::string pts;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double next_x = i + 1 < v.size() ? v[i + 1].x : right;
    pts += fmt::format("{}{:.1f},{:.1f} {:.1f},{:.1f}", i ? " " : "", v[i].x, v[i].y, next_x, v[i].y);
  }
  return fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"{}/>\n", pts,
                     colour, extra);
}

// The data segments (I-bars), lost ones with an X at the top, each
// retransmission in its reason's colour with the reason written beside it
// while there are few enough to read.
std::string segments(const SeqPlot& p) {
  std::string o;
  std::size_t resent = 0;
  for (const auto& s : p.segments) resent += s.retransmission;
  for (const auto& s : p.segments) {
    const char* c = s.retransmission ? reason_colour(s.reason) : kData;
    const double w = s.retransmission ? 2 : 1;
    o += line(s.x, s.y_from, s.x, s.y_to, c, w);
    o += line(s.x - 2, s.y_to, s.x + 2, s.y_to, c, w);
    o += line(s.x - 2, s.y_from, s.x + 2, s.y_from, c, w);
    if (s.lost) {
      o += line(s.x - 4, s.y_to - 4, s.x + 4, s.y_to + 4, "#d62728", 1.5);
      o += line(s.x - 4, s.y_to + 4, s.x + 4, s.y_to - 4, "#d62728", 1.5);
    }
    if (s.retransmission && resent <= 40 && s.reason != model::LossReason::None)
      o += text(s.x + 4, s.y_to - 2, std::string(model::loss_reason_name(s.reason)), "start", 10, c);
  }
  return o;
}

std::string legend(const SeqPlot& p) {
  struct Key {
    const char* colour;
    const char* name;
  };
  const Key keys[] = {{kData, "data"},
                      {kAck, "ACK"},
                      {kSack, "SACK"},
                      {reason_colour(model::LossReason::Rto), "RTO"},
                      {reason_colour(model::LossReason::Tlp), "TLP"},
                      {reason_colour(model::LossReason::DupAck), "dupack"},
                      {reason_colour(model::LossReason::Rack), "RACK"}};
  std::string o;
  double x = p.left;
  for (const Key& k : keys) {
    o += line(x, 52, x + 18, 52, k.colour, 3);
    o += text(x + 22, 56, k.name);
    x += 34 + 7.5 * static_cast<double>(std::string_view(k.name).size());
  }
  o +=
      text(x + 10, 56, "retransmissions coloured by what detected the loss; X: lost", "start", 11, "#555555");
  return o;
}

std::string window_panel(const SeqPlot& p) {
  std::string o = value_axis(p, p.win_top, p.win_bottom, p.bytes_max, "bytes");
  o += time_axis(p, p.win_bottom, true);
  o += steps(p.flight, p.right, kFlight, "");
  o += steps(p.ssthresh, p.right, kSsthresh, " stroke-dasharray=\"6,4\"");
  o += steps(p.cwnd, p.right, kCwnd, "");
  std::string keys = p.has_cwnd ? "cwnd (blue), ssthresh (grey, dashed), flight size (brown)"
                                : "flight size (brown); the trace does not know the sender's cwnd";
  o += text(p.left, p.win_top - 8, keys);
  return o;
}

}  // namespace

std::string seqplot_svg(const scenario::RunResult& run) {
  const SeqPlot p = seqplot_picture(run);
  std::string o = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{0:.0f}\" height=\"{1:.0f}\" "
      "viewBox=\"0 0 {0:.0f} {1:.0f}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      p.width, p.height);
  o += text(p.left, 24, p.title, "start", 15);
  if (!p.any) return o + text(p.left, 60, "no connection sent data or a SYN: nothing to draw") + "</svg>\n";
  o += text(p.left, 40,
            fmt::format("{} to {}: sequence number relative to the sender's ISN", p.sender, p.receiver),
            "start", 12, "#444444");
  o += legend(p);
  o += value_axis(p, p.seq_top, p.seq_bottom, p.seq_max, "sequence number (bytes)");
  o += time_axis(p, p.seq_bottom, false);
  for (const auto& s : p.sacks) o += line(s.x + 3, s.y_from, s.x + 3, s.y_to, kSack, 3);
  o += steps(p.acks, p.right, kAck, "");
  o += segments(p);
  o += window_panel(p);
  return o + "</svg>\n";
}

}  // namespace tcpsim::formats
