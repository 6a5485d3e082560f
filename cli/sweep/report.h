// A sweep's results as text: an aligned table for the terminal, and CSV
// with every count and statistic for other tools. Both are drawn from the
// spec and the per-point sums alone, which is what makes `tcpsim merge`'s
// output byte-identical to the whole sweep's.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/sweep/spec.h"
#include "cli/sweep/stats.h"

namespace tcpsim::sweep {

// The version of what sweep and merge print (the table's title says it, the
// CSV's first column holds it). 2: outcome classes gave-up-after-close and
// reset-after-close, timings per state and connection, --connect-timeout.
inline constexpr int kSweepOutputFormat = 2;

// How to report, beside what was counted: options of `sweep` and `merge`
// that change no count, so a shard's sums serve any of them.
struct SweepReportOptions {
  // --connect-timeout: the share of connect attempts that took longer.
  std::optional<Time> connect_timeout;
  std::string connect_timeout_text;  // as given, "1s", for column names
};

std::string table(const SweepSpec& spec, const std::vector<PointStats>& points,
                  const SweepReportOptions& opt = {});
std::string csv(const SweepSpec& spec, const std::vector<PointStats>& points,
                const SweepReportOptions& opt = {});

// The formats of sweep's and merge's output, one row each: the one list
// --format, its help and the fuzzer read. The first is the default.
struct SweepFormat {
  std::string_view name;         // "csv"
  std::string_view description;  // for --help: "csv (every count and statistic)"
  std::string (*write)(const SweepSpec&, const std::vector<PointStats>&, const SweepReportOptions&);
};
const std::vector<SweepFormat>& sweep_formats();
std::vector<std::string> sweep_format_names();
// nullptr for a name no format has.
const SweepFormat* sweep_format(std::string_view name);

// The outcome kinds in the order sweep prints them: the good one first,
// then the others in order of precedence (scenario/outcome.h).
const std::vector<scenario::OutcomeKind>& report_kinds();
// Text from the user (a scenario's path, which may hold any byte) as it is
// printed in a title or table cell: a control character or a backslash
// escaped (\n, \t, \r, \\, \xHH for the rest), so it never moves the cursor
// or recolours a terminal and a table row stays one line.
std::string printable(std::string_view text);
// "5.005000000": seconds with nanoseconds, exact.
std::string seconds_text(Time t);

}  // namespace tcpsim::sweep
