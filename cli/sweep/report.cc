#include "cli/sweep/report.h"

#include <fmt/format.h>

#include <algorithm>

#include "cli/sweep/plot.h"
#include "sim/units.h"

namespace tcpsim::sweep {

using scenario::OutcomeKind;

const std::vector<OutcomeKind>& report_kinds() {
  static const std::vector<OutcomeKind> k = [] {
    std::vector<OutcomeKind> v{OutcomeKind::Clean};
    for (int i = 0; i < scenario::kOutcomeKindCount; ++i)
      if (static_cast<OutcomeKind>(i) != OutcomeKind::Clean) v.push_back(static_cast<OutcomeKind>(i));
    return v;
  }();
  return k;
}

std::string printable(std::string_view text) {
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f)
          out += fmt::format("\\x{:02x}", c);
        else
          out += ch;
    }
  }
  return out;
}

std::string seconds_text(Time t) { return sim::format_seconds(t, 9); }

namespace {

// Means as fixed-point decimals computed in integers: the same digits on
// every machine, whatever its floating point.
std::string mean_text(std::uint64_t sum, std::uint64_t n, int decimals) {
  if (n == 0) return "";
  std::uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  // Rounded half up.
  const unsigned __int128 scaled = (static_cast<unsigned __int128>(sum) * scale * 2 + n) / (2 * n);
  const auto whole = static_cast<std::uint64_t>(scaled / scale);
  const auto frac = static_cast<std::uint64_t>(scaled % scale);
  return fmt::format("{}.{:0{}}", whole, frac, decimals);
}

std::string pct(double x) { return fmt::format("{:.1f}", x * 100); }

// Seconds for the table: milliseconds shown, the exact value is in the CSV.
std::string short_seconds(std::optional<Time> t) {
  if (!t) return "-";
  return sim::format_seconds(*t, 3);
}

// A goodput in bit/s as Mbit/s, exact to the decimals shown.
std::string mbps(std::optional<Time> bps, int decimals) {
  return bps ? mean_text(static_cast<std::uint64_t>(*bps), 1'000'000, decimals) : std::string();
}

std::string axis_header(const SweepSpec& spec, std::size_t i) { return printable(spec.axes[i].key); }

// The axis values of a point, as printed.
std::vector<std::string> printed_values(const SweepSpec& spec, std::size_t point) {
  std::vector<std::string> v = spec.point_values(point);
  for (auto& s : v) s = printable(s);
  return v;
}

// Rows as columns: the first `left` left-aligned (parameter values), the
// rest right-aligned (numbers).
std::string aligned(const std::vector<std::vector<std::string>>& rows, const std::vector<std::size_t>& width,
                    std::size_t left) {
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i)
      line += (i ? "  " : "") +
              (i < left ? fmt::format("{:<{}}", r[i], width[i]) : fmt::format("{:>{}}", r[i], width[i]));
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

// The timings (timings.h), one row per point and measure that has values:
// long rather than wide, so six states and four connection times stay
// readable on a terminal.
std::string timings_table(const SweepSpec& spec, const std::vector<PointStats>& points) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head;
  for (std::size_t i = 0; i < spec.axes.size(); ++i) head.push_back(axis_header(spec, i));
  for (const char* h : {"measure", "n", "p50 s", "p90 s", "p99 s", "max s"}) head.push_back(h);
  rows.push_back(head);
  for (std::size_t pi = 0; pi < points.size(); ++pi) {
    for (int m = 0; m < kMetricCount; ++m) {
      const TimeHistogram& h = points[pi].timings[m];
      if (h.total() == 0) continue;
      std::vector<std::string> row = printed_values(spec, pi);
      row.emplace_back(metric_name(static_cast<Metric>(m)));
      row.push_back(std::to_string(h.total()));
      for (int pc : {50, 90, 99, 100}) row.push_back(short_seconds(h.percentile(pc)));
      rows.push_back(row);
    }
  }
  if (rows.size() == 1) return "";
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  return "\n# time in each state (stays that ended in the run), connect, first-byte, request per connection "
         "(docs/sweep.md); nearest-rank percentiles\n" +
         aligned(rows, width, spec.axes.size() + 1);
}

}  // namespace

std::string table(const SweepSpec& spec, const std::vector<PointStats>& points,
                  const SweepReportOptions& opt) {
  // Outcome columns: clean always, the others when some point has one.
  std::vector<OutcomeKind> kinds;
  for (OutcomeKind k : report_kinds()) {
    bool any = k == OutcomeKind::Clean;
    for (const auto& p : points) any |= p.count(k) > 0;
    if (any) kinds.push_back(k);
  }
  bool any_assert = false;
  for (const auto& p : points) any_assert |= p.assertions_failed > 0;

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head;
  for (std::size_t i = 0; i < spec.axes.size(); ++i) head.push_back(axis_header(spec, i));
  head.push_back("runs");
  for (OutcomeKind k : kinds) head.push_back(std::string(scenario::outcome_name(k)) + " %");
  if (any_assert) head.push_back("assert-failed %");
  if (opt.connect_timeout) head.push_back(fmt::format("connect>{} %", opt.connect_timeout_text));
  for (const char* h : {"closed p50 s", "p90 s", "p99 s", "retrans mean", "max"}) head.push_back(h);
  // Transfer columns when some run moved data (the slow tail of goodput is
  // its low percentile).
  bool any_transfer = false;
  for (const auto& p : points) any_transfer |= p.transfer_time.total() > 0;
  if (any_transfer) {
    for (const char* h : {"transfer p50 s", "p90 s", "p99 s", "goodput p10 Mbit/s", "p50", "p90"})
      head.push_back(h);
  }
  rows.push_back(head);
  for (std::size_t pi = 0; pi < points.size(); ++pi) {
    const PointStats& p = points[pi];
    std::vector<std::string> row = printed_values(spec, pi);
    row.push_back(std::to_string(p.runs));
    auto share = [&](std::uint64_t k, std::uint64_t n) {
      const Share s = wilson95(k, n);
      return n ? fmt::format("{:>5} [{},{}]", pct(s.p), pct(s.lo), pct(s.hi)) : std::string("-");
    };
    for (OutcomeKind k : kinds) row.push_back(share(p.count(k), p.runs));
    if (any_assert) row.push_back(share(p.assertions_failed, p.runs));
    if (opt.connect_timeout) {
      const auto [over, attempts] = p.connects_over(*opt.connect_timeout);
      row.push_back(share(over, attempts));
    }
    row.push_back(short_seconds(p.closed_at.percentile(50)));
    row.push_back(short_seconds(p.closed_at.percentile(90)));
    row.push_back(short_seconds(p.closed_at.percentile(99)));
    row.push_back(p.runs ? mean_text(p.retransmissions, p.runs, 2) : "-");
    row.push_back(std::to_string(p.retransmissions_max));
    if (any_transfer) {
      for (int pc : {50, 90, 99}) row.push_back(short_seconds(p.transfer_time.percentile(pc)));
      for (int pc : {10, 50, 90}) {
        const std::string m = mbps(p.goodput.percentile(pc), 3);
        row.push_back(m.empty() ? "-" : m);
      }
    }
    rows.push_back(row);
  }
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out =
      fmt::format("# {}: {} runs per point, seeds from {} (95% Wilson intervals; sweep output format {})\n",
                  printable(spec.scenario), spec.runs, spec.seed, kSweepOutputFormat);
  out += aligned(rows, width, spec.axes.size());
  return out + timings_table(spec, points);
}

std::string csv(const SweepSpec& spec, const std::vector<PointStats>& points, const SweepReportOptions& opt) {
  std::string out;
  std::vector<std::string> head{"sweep_format"};
  for (std::size_t i = 0; i < spec.axes.size(); ++i) head.push_back(axis_header(spec, i));
  head.push_back("runs");
  auto share_cols = [&](const std::string& name) {
    for (const char* suffix : {"", "_share", "_lo", "_hi"}) head.push_back(name + suffix);
  };
  for (OutcomeKind k : report_kinds()) {
    std::string name(scenario::outcome_name(k));
    std::replace(name.begin(), name.end(), '-', '_');
    share_cols(name);
  }
  share_cols("assertions_failed");
  if (opt.connect_timeout) {
    head.push_back("connect_timeout_s");
    head.push_back("connect_attempts");
    share_cols("connect_over_timeout");
  }
  for (const char* h :
       {"closed", "closed_p50_s", "closed_p90_s", "closed_p99_s", "closed_max_s", "retransmissions_mean",
        "retransmissions_max", "segments_mean", "transfers", "transfer_p50_s", "transfer_p90_s",
        "transfer_p99_s", "transfer_max_s", "goodput_p10_mbps", "goodput_p50_mbps", "goodput_p90_mbps"})
    head.push_back(h);
  for (int m = 0; m < kMetricCount; ++m) {
    std::string name(metric_name(static_cast<Metric>(m)));
    std::replace(name.begin(), name.end(), '-', '_');
    for (const char* suffix : {"_n", "_p50_s", "_p90_s", "_p99_s", "_max_s"}) head.push_back(name + suffix);
  }
  for (std::size_t i = 0; i < head.size(); ++i) out += (i ? "," : "") + head[i];
  out += "\n";
  for (std::size_t pi = 0; pi < points.size(); ++pi) {
    const PointStats& p = points[pi];
    std::vector<std::string> row{std::to_string(kSweepOutputFormat)};
    for (auto& v : printed_values(spec, pi)) row.push_back(v);
    row.push_back(std::to_string(p.runs));
    auto share = [&](std::uint64_t k, std::uint64_t n) {
      const Share s = wilson95(k, n);
      row.push_back(std::to_string(k));
      for (double v : {s.p, s.lo, s.hi}) row.push_back(fmt::format("{:.6f}", v));
    };
    for (OutcomeKind k : report_kinds()) share(p.count(k), p.runs);
    share(p.assertions_failed, p.runs);
    const auto time = [](std::optional<Time> t) { return t ? seconds_text(*t) : std::string(); };
    if (opt.connect_timeout) {
      const auto [over, attempts] = p.connects_over(*opt.connect_timeout);
      row.push_back(seconds_text(*opt.connect_timeout));
      row.push_back(std::to_string(attempts));
      share(over, attempts);
    }
    row.push_back(std::to_string(p.closed_at.total()));
    row.push_back(time(p.closed_at.percentile(50)));
    row.push_back(time(p.closed_at.percentile(90)));
    row.push_back(time(p.closed_at.percentile(99)));
    row.push_back(time(p.closed_at.percentile(100)));
    row.push_back(mean_text(p.retransmissions, p.runs, 4));
    row.push_back(std::to_string(p.retransmissions_max));
    row.push_back(mean_text(p.segments, p.runs, 4));
    row.push_back(std::to_string(p.transfer_time.total()));
    for (int pc : {50, 90, 99, 100}) row.push_back(time(p.transfer_time.percentile(pc)));
    for (int pc : {10, 50, 90}) row.push_back(mbps(p.goodput.percentile(pc), 6));
    for (const TimeHistogram& h : p.timings) {
      row.push_back(std::to_string(h.total()));
      for (int pc : {50, 90, 99, 100}) row.push_back(time(h.percentile(pc)));
    }
    for (std::size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + row[i];
    out += "\n";
  }
  return out;
}

const std::vector<SweepFormat>& sweep_formats() {
  static const std::vector<SweepFormat> f = {
      {"table", "table (aligned columns)", table},
      {"csv", "csv (every count and statistic)", csv},
      {"svg", "svg (a plot)", plot_svg},
  };
  return f;
}

std::vector<std::string> sweep_format_names() {
  std::vector<std::string> names;
  for (const auto& f : sweep_formats()) names.emplace_back(f.name);
  return names;
}

const SweepFormat* sweep_format(std::string_view name) {
  for (const auto& f : sweep_formats()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace tcpsim::sweep
