#include "formats/registry.h"

#include <fmt/format.h>

#include "formats/json.h"
#include "formats/ladder.h"
#include "formats/load_series.h"
#include "formats/mermaid.h"
#include "formats/run_summary.h"
#include "formats/seqplot.h"
#include "formats/state_diagram.h"
#include "formats/svg.h"
#include "formats/tikz.h"

namespace tcpsim::formats {

namespace {

std::string ascii(const scenario::RunResult& r, const WriteOptions& o) {
  return ladder(r, LadderOptions{false, o.verbose, o.figure.isn, o.figure.window});
}
std::string unicode(const scenario::RunResult& r, const WriteOptions& o) {
  return ladder(r, LadderOptions{true, o.verbose, o.figure.isn, o.figure.window});
}
std::string event_lines(const scenario::RunResult& r, const WriteOptions&) { return events(r); }
std::string json_doc(const scenario::RunResult& r, const WriteOptions&) { return json(r); }
PictureOptions figure(const WriteOptions& o) {
  PictureOptions p = o.figure;
  p.verbose = o.verbose;
  return p;
}
std::string svg_picture(const scenario::RunResult& r, const WriteOptions& o) { return svg(r, figure(o)); }
std::string tikz_picture(const scenario::RunResult& r, const WriteOptions& o) { return tikz(r, figure(o)); }
std::string mermaid_picture(const scenario::RunResult& r, const WriteOptions& o) {
  return mermaid(r, figure(o));
}
std::string seqplot_picture_svg(const scenario::RunResult& r, const WriteOptions&) { return seqplot_svg(r); }
std::string counters_summary(const scenario::RunResult& r, const WriteOptions&) { return run_summary(r); }
std::string dot_diagram(const scenario::RunResult& r, const WriteOptions&) {
  return run_state_diagram_dot(r);
}

// "fig.svg" -> ".svg"; "" when the file name has no extension.
std::string_view extension_of(std::string_view path) {
  const auto slash = path.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return base.substr(dot);
}

bool lists(const OutputFormat& f, std::string_view ext) {
  for (auto e : f.extensions) {
    if (e == ext) return true;
  }
  return false;
}

}  // namespace

const std::vector<OutputFormat>& output_formats() {
  constexpr unsigned kTraces = kRun | kKernel;
  static const std::vector<OutputFormat> f = {
      {"ascii",
       "ascii (the ladder; a load scenario: a table)",
       {".txt"},
       kTraces | kLoad | kExplore,
       false,
       ascii,
       load_table},
      {"unicode",
       "unicode (the ladder in box characters)",
       {".txt"},
       kTraces | kLoad | kExplore,
       false,
       unicode,
       load_table},
      {"json", "json (docs/json-format.md)", {".json"}, kTraces | kExplore, true, json_doc},
      {"events", "events (one line per event)", {".txt"}, kTraces, false, event_lines},
      {"svg", "svg", {".svg"}, kTraces | kLoad, true, svg_picture, load_svg},
      {"tikz", "tikz", {".tex"}, kTraces, true, tikz_picture},
      {"mermaid", "mermaid", {".mmd"}, kTraces, true, mermaid_picture},
      {"dot",
       "dot (the state diagram with the transitions the run took)",
       {".dot", ".gv"},
       kTraces,
       true,
       dot_diagram},
      {"csv", "csv (a load scenario's time series)", {".csv"}, kLoad, false, nullptr, load_csv},
      // After svg: `-o x.svg` alone picks the ladder; the graph needs -f seqplot.
      {"seqplot",
       "seqplot (time-sequence graph as SVG: data, ACKs, SACK, retransmissions, cwnd)",
       {".svg"},
       kTraces,
       true,
       seqplot_picture_svg},
      {"summary",
       "summary (counters and goodput of an untraced run, for big transfers)",
       {".txt"},
       kRun,
       false,
       counters_summary,
       nullptr,
       false},
  };
  return f;
}

const OutputFormat* output_format(std::string_view name) {
  for (const auto& f : output_formats()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<std::string> format_names(unsigned command) {
  std::vector<std::string> names;
  for (const auto& f : output_formats()) {
    if (f.commands & command) names.emplace_back(f.name);
  }
  return names;
}

bool is_text(const OutputFormat& f) { return lists(f, ".txt"); }

const OutputFormat* format_for_path(std::string_view path) {
  const std::string_view ext = extension_of(path);
  if (ext.empty()) return nullptr;
  for (const auto& f : output_formats()) {
    if (lists(f, ext)) return &f;
  }
  return nullptr;
}

FormatChoice choose_format(std::string_view given, std::string_view path, unsigned command,
                           std::string_view fallback) {
  const std::string_view ext = extension_of(path);
  const OutputFormat* by_ext = format_for_path(path);
  if (!given.empty()) {
    const OutputFormat* f = output_format(given);
    if (f && by_ext && !lists(*f, ext))
      return {nullptr, fmt::format("--format {} -o {}: {} is the extension of --format {}", given, path, ext,
                                   by_ext->name)};
    return {f, ""};
  }
  if (!by_ext) return {output_format(fallback), ""};
  for (const auto& f : output_formats()) {
    if ((f.commands & command) && lists(f, ext)) return {&f, ""};
  }
  return {nullptr, fmt::format("-o {}: {} is the extension of --format {}, which this run cannot write; "
                               "give --format",
                               path, ext, by_ext->name)};
}

std::optional<std::string> too_big_for(const OutputFormat& f, const scenario::RunResult& run) {
  const std::size_t records = run.net->trace().records().size();
  if (!f.in_memory || records <= kMaxDrawnRecords) return std::nullopt;
  return fmt::format(
      "--format {}: the run traced {} records; this format is built in memory and takes at most {} (use "
      "--format events, or end the run sooner with --until)",
      f.name, records, kMaxDrawnRecords);
}

std::string write_trace(const OutputFormat& f, const scenario::RunResult& run, const WriteOptions& opt) {
  return f.trace(run, opt);
}

}  // namespace tcpsim::formats
