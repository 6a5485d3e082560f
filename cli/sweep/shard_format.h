// The text conventions of shard files, shared by the writer (shard_file.cc)
// and the reader (shard_reader.cc): the format's name and version, and how
// a free-text field (a path, a setting's value) is kept on one line as one
// word.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "cli/sweep/axis.h"

namespace tcpsim::sweep {

inline constexpr const char* kShardMagic = "tcpsim-sweep-shard";
// 1: a version on the magic line, no `closed=` field, fields as raw text.
// 2: a `format` line, `closed=N` on point lines, percent-encoded fields.
// 3: `transfers=N` on point lines, `transfer` and `goodput` lines.
// 4: eight outcome counts in `kinds=` (gave-up-after-close and
//    reset-after-close, no longer counted as timed-out and reset), and a
//    line per timing metric (cli/sweep/timings.h) after `goodput`.
inline constexpr int kShardFormat = 4;

// A point line's fields after `point I`, each once as key=value, in the
// order the writer puts them: the one list of their names.
inline constexpr const char* kPointFields[] = {"runs",     "kinds",           "assertions_failed",
                                               "closed",   "retransmissions", "retransmissions_max",
                                               "segments", "transfers"};
inline constexpr std::size_t kPointFieldCount = sizeof kPointFields / sizeof *kPointFields;

// Percent-encoding (RFC 3986 section 2.1): '%', space, the control
// characters and DEL become %XX, so a field is one word of printable bytes
// however odd the path or value; every other byte (UTF-8 included) is kept.
std::string percent_encode(std::string_view s);
// The bytes back, or the 0-based offset of a '%' not followed by two hex
// digits.
std::variant<std::string, std::size_t> percent_decode(std::string_view s);

const char* axis_kind_name(Axis::Kind k);

}  // namespace tcpsim::sweep
