// The output formats, one row each: the one list of their names that the
// commands' --format, its help text, the choice by -o's extension and the
// writing itself read. A new format is one row here and its writer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/svg.h"
#include "scenario/interpreter.h"
#include "scenario/load_run.h"

namespace tcpsim::formats {

// The most trace records a format built whole in memory takes (JSON is
// about 2 KB a record): past it, gigabytes (docs/limits.md).
inline constexpr std::size_t kMaxDrawnRecords = 250'000;

// The commands a format serves, as bits.
enum Command : unsigned {
  kRun = 1,     // tcpsim run: a scenario's trace from the model
  kLoad = 2,    // tcpsim run on a load scenario: its time series
  kKernel = 4,  // tcpsim kernel: the trace of a real run
  // tcpsim explore: its report, with ladders in ascii or unicode, or json
  // (cli/explore/report.h writes it; only the names are taken from here).
  kExplore = 8,
};

struct WriteOptions {
  bool verbose = false;  // seq/ack, windows, notes, timers where the format has them
  PictureOptions
      figure;  // svg, tikz, mermaid: what the figure shows, its print size (verbose set from above)
};

struct OutputFormat {
  std::string_view name;         // "svg"
  std::string_view description;  // for --help: "svg (slanted arrows, idle time cut out)"
  // File names it is written to: `-o fig.svg` picks the first format listing
  // ".svg" when --format is not given; a format given with -o must list the
  // extension when any format does.
  std::vector<std::string_view> extensions;
  unsigned commands = 0;   // Command bits
  bool in_memory = false;  // built whole: at most kMaxDrawnRecords records
  std::string (*trace)(const scenario::RunResult&, const WriteOptions&) = nullptr;
  std::string (*load)(const scenario::LoadResult&) = nullptr;
  // Drawn from the run's trace; false: from the network's counters, so the
  // run is not traced at all (`summary`, for transfers too big to trace).
  bool traced = true;
};

// Every format, in the order --help lists them.
const std::vector<OutputFormat>& output_formats();
// nullptr for a name no format has.
const OutputFormat* output_format(std::string_view name);
// The names of the formats that serve `command`, for a --format check.
std::vector<std::string> format_names(unsigned command);
// Written as lines of text (a ".txt" file): ascii, unicode, events.
bool is_text(const OutputFormat& f);
// The format -o's file name asks for by its extension, or nullptr.
const OutputFormat* format_for_path(std::string_view path);

// The format to write: `given` when there is one (empty: not given), else the
// one `path`'s extension names among those serving `command`, else
// `fallback`; a message when `given` contradicts the extension of `path`.
struct FormatChoice {
  const OutputFormat* format = nullptr;
  std::string error;
};
FormatChoice choose_format(std::string_view given, std::string_view path, unsigned command,
                           std::string_view fallback);

// The trace written in `f`; a message instead when the format cannot take a
// trace this big.
std::optional<std::string> too_big_for(const OutputFormat& f, const scenario::RunResult& run);
std::string write_trace(const OutputFormat& f, const scenario::RunResult& run, const WriteOptions& opt);

}  // namespace tcpsim::formats
