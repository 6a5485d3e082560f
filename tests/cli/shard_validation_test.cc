// `tcpsim merge` on shards that were edited, damaged or written by another
// version: every invariant a shard of a sweep must satisfy is checked, and a
// violation is `file:line:col: what is wrong` (or file:line for a line that
// is missing or repeated as a whole), exit status 2, never a number printed
// from it. The invariants, derived from how a sweep counts (cli/sweep/):
//   - each run has exactly one outcome, so a point's outcome counts add up
//     to its runs and none exceeds them; assertions failed <= runs;
//   - shard K/N holds exactly the runs whose global index is K-1 mod N, so
//     the runs of each point in each shard are known in advance;
//   - a run has at most one closing time, so the histogram's counts add up
//     to the point's `closed` runs, which are at most its runs;
//   - sums never wrap: 64-bit overflow is an error, never a small number;
//   - one `point` and one `closed` line per point, each header line once;
//   - a format version this tcpsim reads.
// The S1 scenario without loss closes every run cleanly at 5.005 s
// (Sweep.S1_NoLoss_EveryRunCleanClosedAt5_005), which the edits start from.
#include <gtest/gtest.h>

#include <regex>

#include "sweep_cli.h"

namespace tcpsim::cli {
namespace {

using namespace test;

// --- editing a shard's text, line by line

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

// The 1-based number of the first line that starts with `prefix`; 0 if none.
std::size_t line_of(const std::string& text, const std::string& prefix) {
  const auto v = lines_of(text);
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i].rfind(prefix, 0) == 0) return i + 1;
  return 0;
}

std::string with_line_replaced(const std::string& text, const std::string& prefix, const std::string& by) {
  auto v = lines_of(text);
  const std::size_t n = line_of(text, prefix);
  EXPECT_NE(n, 0u) << prefix;
  if (n) v[n - 1] = by;
  return join(v);
}

std::string with_line_removed(const std::string& text, const std::string& prefix) {
  auto v = lines_of(text);
  const std::size_t n = line_of(text, prefix);
  EXPECT_NE(n, 0u) << prefix;
  if (n) v.erase(v.begin() + static_cast<std::ptrdiff_t>(n - 1));
  return join(v);
}

std::string with_line_doubled(const std::string& text, const std::string& prefix) {
  auto v = lines_of(text);
  const std::size_t n = line_of(text, prefix);
  EXPECT_NE(n, 0u) << prefix;
  if (n) v.insert(v.begin() + static_cast<std::ptrdiff_t>(n), v[n - 1]);
  return join(v);
}

std::string line_at(const std::string& text, std::size_t n) { return lines_of(text).at(n - 1); }

// --- the shard the edits start from

struct OneShard {
  fs::path dir;
  std::string file;  // S1, 300 runs, no loss, shard 1/1
  std::string text;
};

OneShard s1_shard(const std::string& name) {
  OneShard s;
  s.dir = scratch(name);
  Shards sh{s.dir, {kS1, "--runs", "300"}};
  s.file = sh.shard(1, 1);
  s.text = slurp(s.file);
  return s;
}

// Merges `text` written as a file of its own; the run's status and message.
Ran merge_text(const OneShard& s, const std::string& text, const std::string& name = "edited.txt") {
  const fs::path f = s.dir / name;
  write(f, text);
  return tcpsim({"merge", f.string(), "-o", (s.dir / "out.txt").string()});
}

// Exit status 2 and one line that starts with `file:line:` (and `col:` when
// given) and mentions `what`.
void expect_refused_at(const Ran& r, const fs::path& file, std::size_t line, std::size_t col,
                       const std::string& what) {
  EXPECT_EQ(r.status, 2) << r.err;
  std::string where = fmt::format("{}:{}:", file.string(), line);
  if (col) where += fmt::format("{}:", col);
  EXPECT_EQ(r.err.rfind(where, 0), 0u) << "expected " << where << " in\n" << r.err;
  EXPECT_NE(r.err.find(what), std::string::npos) << "expected '" << what << "' in\n" << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// The 1-based column where `word` starts on line `n`.
std::size_t col_of(const std::string& text, std::size_t n, const std::string& word) {
  const auto c = line_at(text, n).find(word);
  EXPECT_NE(c, std::string::npos) << word;
  return c + 1;
}

TEST(ShardValidation, TheUneditedShardMerges) {
  const OneShard s = s1_shard("unedited");
  const Ran r = merge_text(s, s.text);
  EXPECT_EQ(r.status, 0) << r.err;
}

// 99999 failed assertions in 300 runs printed "assert-failed 33370.7 %".
TEST(ShardValidation, AssertionsFailedAboveRuns_Refused) {
  const OneShard s = s1_shard("assertions");
  const std::size_t n = line_of(s.text, "point 0 ");
  const std::string edited =
      std::regex_replace(s.text, std::regex("assertions_failed=0"), "assertions_failed=99999");
  expect_refused_at(merge_text(s, edited), s.dir / "edited.txt", n, col_of(edited, n, "assertions_failed="),
                    "assertions_failed=99999");
}

// Outcome counts are checked one by one, not only their sum, which wraps:
// 2^64-1 + 301 = 300 (mod 2^64) was taken for 300 runs.
TEST(ShardValidation, OutcomeCountAboveRunsThoughTheSumWrapsToRuns_Refused) {
  const OneShard s = s1_shard("kinds");
  const std::size_t n = line_of(s.text, "point 0 ");
  const std::string edited = std::regex_replace(s.text, std::regex("kinds=0,0,0,0,0,0,0,300"),
                                                "kinds=18446744073709551615,301,0,0,0,0,0,0");
  expect_refused_at(merge_text(s, edited), s.dir / "edited.txt", n, col_of(edited, n, "kinds="), "kinds");
}

// 100,200 closing times for 300 runs: a run closes at most once.
TEST(ShardValidation, MoreClosingTimesThanRuns_Refused) {
  const OneShard s = s1_shard("closed-count");
  const std::size_t n = line_of(s.text, "closed 0");
  const std::string edited = with_line_replaced(s.text, "closed 0", "closed 0 5005000000*100200");
  expect_refused_at(merge_text(s, edited), s.dir / "edited.txt", n, 0, "closed");
}

// Counts whose sum wraps to 300 made p50 1 ns: 301 runs at 1 ns plus
// 2^64-1 at 5.005 s.
TEST(ShardValidation, ClosingTimeCountsThatWrap_Refused) {
  const OneShard s = s1_shard("closed-wrap");
  const std::size_t n = line_of(s.text, "closed 0");
  const std::string edited =
      with_line_replaced(s.text, "closed 0", "closed 0 1*301 5005000000*18446744073709551615");
  expect_refused_at(merge_text(s, edited), s.dir / "edited.txt", n, col_of(edited, n, "5005000000*"),
                    "overflow");
}

// The writer lists each time once, in increasing order (a std::map): two
// entries for one time are an edit.
TEST(ShardValidation, ClosingTimeListedTwice_Refused) {
  const OneShard s = s1_shard("closed-twice-time");
  const std::size_t n = line_of(s.text, "closed 0");
  const std::string edited = with_line_replaced(s.text, "closed 0", "closed 0 5005000000*100 5005000000*200");
  expect_refused_at(merge_text(s, edited), s.dir / "edited.txt", n, col_of(edited, n, "5005000000*200"),
                    "increasing");
}

TEST(ShardValidation, ClosedLineTwice_Refused) {
  const OneShard s = s1_shard("closed-dup");
  const std::size_t n = line_of(s.text, "closed 0");
  expect_refused_at(merge_text(s, with_line_doubled(s.text, "closed 0")), s.dir / "edited.txt", n + 1, 0,
                    fmt::format("line {}", n));
}

TEST(ShardValidation, ClosedLineMissing_Refused) {
  const OneShard s = s1_shard("closed-gone");
  const std::size_t n = line_of(s.text, "closed 0");
  // What comes in its place (`end`) is where the reader notices.
  expect_refused_at(merge_text(s, with_line_removed(s.text, "closed 0")), s.dir / "edited.txt", n, 0,
                    "'closed 0'");
}

TEST(ShardValidation, PointLineTwice_Refused) {
  const OneShard s = s1_shard("point-dup");
  const std::size_t n = line_of(s.text, "point 0 ");
  expect_refused_at(merge_text(s, with_line_doubled(s.text, "point 0 ")), s.dir / "edited.txt", n + 1, 0,
                    fmt::format("line {}", n));
}

// Each header line says one thing once: a second `seed` is not a choice
// between two sweeps.
TEST(ShardValidation, HeaderLineTwiceOrMissing_Refused) {
  const OneShard s = s1_shard("header");
  for (const char* key : {"scenario ", "scenario-fnv1a64 ", "seed ", "runs ", "version "}) {
    const std::size_t n = line_of(s.text, key);
    ASSERT_NE(n, 0u) << key;
    expect_refused_at(merge_text(s, with_line_doubled(s.text, key)), s.dir / "edited.txt", n + 1, 0,
                      fmt::format("line {}", n));
    // A missing line is noticed at the `shard` line that ends the header.
    const std::string gone = with_line_removed(s.text, key);
    expect_refused_at(merge_text(s, gone), s.dir / "edited.txt", line_of(gone, "shard "), 0,
                      fmt::format("no '{}' line", std::string(key).substr(0, std::string(key).size() - 1)));
  }
}

// Shard K/N holds the runs whose global index is K-1 mod N: of S1's 300
// runs, shards 1/2 and 2/2 hold 150 each. Moving one run from one to the
// other keeps the total and was accepted.
TEST(ShardValidation, RunsOfAPointNotTheSlicesShare_Refused) {
  const fs::path d = scratch("slice-runs");
  Shards sh{d, {kS1, "--runs", "300"}};
  const std::string f1 = sh.shard(1, 2), f2 = sh.shard(2, 2);
  // 150 wherever it counts the point's runs: runs=, clean in kinds=,
  // closed= and the closing time's count.
  const auto shift = [](std::string text, const std::string& to) {
    using P = std::pair<const char*, const char*>;
    for (const auto& [re, by] : {P{"=150\\b", "="}, P{",150\\b", ","}, P{"\\*150\\b", "*"}})
      text = std::regex_replace(text, std::regex(re), by + to);
    return text;
  };
  const std::string t1 = shift(slurp(f1), "151"), t2 = shift(slurp(f2), "149");
  write(d / "a.txt", t1);
  write(d / "b.txt", t2);
  const Ran r = tcpsim({"merge", (d / "a.txt").string(), (d / "b.txt").string()});
  const std::size_t n = line_of(t1, "point 0 ");
  expect_refused_at(r, d / "a.txt", n, col_of(t1, n, "runs="), "holds 150 runs of point 0");
}

// A shard claiming 2^63 segments for 150 runs (at most 150 x (2^32-1): a
// run's count is 32 bits) is refused; the two such shards used to add up
// to 2^64 = 0 segments per run.
TEST(ShardValidation, SegmentSumsBeyondWhatRunsCanSend_Refused) {
  const fs::path d = scratch("segments");
  Shards sh{d, {kS1, "--runs", "300"}};
  const std::string f1 = sh.shard(1, 2), f2 = sh.shard(2, 2);
  const auto huge = [](const std::string& text) {
    return std::regex_replace(text, std::regex("segments=[0-9]+"), "segments=9223372036854775808");
  };
  const std::string t1 = huge(slurp(f1));
  write(d / "a.txt", t1);
  write(d / "b.txt", huge(slurp(f2)));
  const Ran r = tcpsim({"merge", (d / "a.txt").string(), (d / "b.txt").string()});
  const std::size_t n = line_of(t1, "point 0 ");
  expect_refused_at(r, d / "a.txt", n, col_of(t1, n, "segments="), "segments");
}

// --- the format version

// What the previous tcpsim wrote (format 1: no `format` line, a version on
// the first line).
const char* const kFormat1Shard =
    "tcpsim-sweep-shard 1\n"
    "version 0.1.0\n"
    "scenario s.tcpsim\n"
    "scenario-fnv1a64 0123456789abcdef\n"
    "seed 1\n"
    "runs 2\n"
    "shard 1/1\n"
    "point 0 runs=2 kinds=0,0,0,0,0,2 assertions_failed=0 retransmissions=0 retransmissions_max=0 "
    "segments=16\n"
    "closed 0 5005000000*2\n"
    "end\n";

TEST(ShardFormat, Format1_RefusedSayingWhichFormatThisTcpsimReads) {
  const fs::path d = scratch("format1");
  write(d / "old.txt", kFormat1Shard);
  const Ran r = tcpsim({"merge", (d / "old.txt").string()});
  expect_refused_at(r, d / "old.txt", 1, 0, "shard format 1; this tcpsim reads shard format 4");
}

TEST(ShardFormat, UnknownOrMissingFormat_RefusedSayingWhichFormatThisTcpsimReads) {
  const OneShard s = s1_shard("format");
  const std::size_t n = line_of(s.text, "format ");
  ASSERT_EQ(n, 2u) << "the format is said at once, after the magic line";
  expect_refused_at(merge_text(s, with_line_replaced(s.text, "format ", "format 5")), s.dir / "edited.txt", 2,
                    8, "shard format 5; this tcpsim reads shard format 4");
  expect_refused_at(merge_text(s, with_line_removed(s.text, "format ")), s.dir / "edited.txt", 2, 0,
                    "this tcpsim reads shard format 4");
}

// Format 3 counted six outcomes (orphans' give-ups and resets among
// timed-out and reset): adding its counts to format 4's would mix two
// meanings of a column, so it is refused, saying what this tcpsim reads.
TEST(ShardFormat, Format3_RefusedSinceItsOutcomeCountsMeanOtherClasses) {
  const OneShard s = s1_shard("format3");
  expect_refused_at(merge_text(s, with_line_replaced(s.text, "format ", "format 3")), s.dir / "edited.txt", 2,
                    8, "shard format 3; this tcpsim reads shard format 4");
}

// Each point carries one line per timing, in timings.h's order; a line
// missing, a negative duration or a count of 0 is refused where it is.
TEST(ShardValidation, TimingLines_MissingNegativeOrZeroCount_Refused) {
  const OneShard s = s1_shard("timings");
  const std::size_t n = line_of(s.text, "fin-wait-1 0");
  ASSERT_NE(n, 0u) << s.text;
  expect_refused_at(merge_text(s, with_line_removed(s.text, "fin-wait-1 0")), s.dir / "edited.txt", n, 0,
                    "expected 'fin-wait-1 0' here");
  expect_refused_at(merge_text(s, with_line_replaced(s.text, "fin-wait-1 0", "fin-wait-1 0 -5*3")),
                    s.dir / "edited.txt", n, 14, "a duration of -5 ns");
  expect_refused_at(merge_text(s, with_line_replaced(s.text, "fin-wait-1 0", "fin-wait-1 0 5*0")),
                    s.dir / "edited.txt", n, 16, "a count of 0");
}

// --- the scenario's path, whatever bytes it has

// A newline in the path split the `scenario` line in two, and the second
// half was an unknown line. The path is percent-encoded in the shard and
// decoded back exactly: the merged output (whose title names the path) is
// the unsharded sweep's, byte for byte; `%41` stays `%41`, not `A`.
TEST(ShardFormat, ControlCharactersInTheScenarioPath_RoundTrip) {
  const fs::path d = scratch("path");
  const fs::path odd = d / "s1\nnew line\t%41 \\x.tcpsim";
  fs::copy_file(kS1, odd);
  Shards sh{d, {odd.string(), "--runs", "40", "--loss", "0.1"}};
  const std::string f1 = sh.shard(1, 2), f2 = sh.shard(2, 2);
  const std::string shard = slurp(f1);
  const std::size_t n = line_of(shard, "scenario ");
  ASSERT_NE(n, 0u);
  EXPECT_EQ(line_at(shard, n).find('\t'), std::string::npos) << "control characters are encoded";
  EXPECT_EQ(line_of(shard, "new line"), 0u) << "the path is one line";
  for (const char* format : {"table", "csv"}) {
    auto whole = sh.args;
    whole.insert(whole.end(), {"--format", format});
    const std::string expected = sweep_text(whole, d / "whole.txt");
    const Ran r = tcpsim({"merge", f1, f2, "--format", format, "-o", (d / "merged.txt").string()});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(slurp(d / "merged.txt"), expected) << format;
  }
}

TEST(ShardFormat, BadPercentEscape_RefusedAtItsColumn) {
  const OneShard s = s1_shard("escape");
  const std::size_t n = line_of(s.text, "scenario ");
  const std::string edited = with_line_replaced(s.text, "scenario ", "scenario a%4x.tcpsim");
  expect_refused_at(merge_text(s, edited), s.dir / "edited.txt", n, 11, "%");
}

}  // namespace
}  // namespace tcpsim::cli

// --- values no sweep could have written
//
// A sweep checks its axis values, --profile, --set and --until with its own
// parsers before any run; merge holds a shard's header to the same parsers,
// so a table row or setting a sweep would have refused is never printed.

namespace tcpsim::cli {
namespace {

// S1, 4 runs at loss 0, 0.01 and 0.02, shard 1/1: `axis loss loss 0 0.01 0.02`.
OneShard loss_shard(const std::string& name, std::vector<std::string> extra = {}) {
  OneShard s;
  s.dir = scratch(name);
  std::vector<std::string> args{kS1, "--runs", "4", "--loss", "0:0.02:0.01"};
  args.insert(args.end(), extra.begin(), extra.end());
  Shards sh{s.dir, args};
  s.file = sh.shard(1, 1);
  s.text = slurp(s.file);
  return s;
}

struct Edit {
  const char* line;  // replaces the `axis` line
  std::size_t col;   // where the first bad value starts
  const char* what;  // in the message
};

TEST(ShardValidation, AxisValuesNoSweepCouldHave_RefusedAtTheValue) {
  const OneShard s = loss_shard("axis-values");
  ASSERT_EQ(line_at(s.text, line_of(s.text, "axis ")), "axis loss loss 0 0.01 0.02");
  const std::size_t n = line_of(s.text, "axis ");
  for (const Edit& e : {
           Edit{"axis loss loss 500%25 -3%25 banana", 16, "500%"},        // above 1 (--loss's parser)
           Edit{"axis loss loss 0 -3%25 banana", 18, "-3%"},              // not a probability
           Edit{"axis loss loss 0.01 0.01 0.01", 21, "0.01"},             // a row twice
           Edit{"axis loss loss 0 0.010 0.01", 24, "0.01"},               // the same loss, written twice
           Edit{"axis profile profile linux linux banana", 28, "linux"},  // a row twice
           Edit{"axis profile profile linux bsd banana", 32, "banana"},   // no such profile
           Edit{"axis set nosuchkey a b c", 10, "nosuchkey"},             // no such setting
           Edit{"axis set time_wait 10s 20s banana", 28, "banana"},       // not a duration
           Edit{"axis set delayed_ack on off on", 29, "on"},              // a row twice
           Edit{"axis set loss 0 0.01 0.02", 10, "loss"},                 // --param loss= is refused
       }) {
    const std::string edited = with_line_replaced(s.text, "axis ", e.line);
    expect_refused_at(merge_text(s, edited), s.dir / "edited.txt", n, e.col, e.what);
  }
}

// A sweep has at most one axis per key, the loss axis first (--loss, then
// each --param), at most two.
TEST(ShardValidation, AxisASweepCannotHave_Refused) {
  const OneShard s = loss_shard("axis-count");
  const std::size_t n = line_of(s.text, "axis ");
  auto v = lines_of(s.text);
  v.insert(v.begin() + static_cast<std::ptrdiff_t>(n), "axis loss loss x");
  expect_refused_at(merge_text(s, join(v)), s.dir / "edited.txt", n + 1, 0, "loss");
  v[n] = "axis loss loss 0.5";  // a valid value, still a second loss axis
  expect_refused_at(merge_text(s, join(v)), s.dir / "edited.txt", n + 1, 0, "twice");
  // --loss comes first: a loss axis after a --param one is not a sweep's.
  v = lines_of(s.text);
  v.insert(v.begin() + static_cast<std::ptrdiff_t>(n - 1), "axis set delayed_ack on");
  expect_refused_at(merge_text(s, join(v)), s.dir / "edited.txt", n + 1, 0, "first");
}

// `until`, `profile` and `set` are what --until, --profile and --set
// take; the same edit in every shard (so the headers agree) is refused.
TEST(ShardValidation, HeaderValuesNoSweepCouldHave_RefusedAtTheValue) {
  const fs::path d = scratch("header-values");
  Shards sh{d, {kS1, "--runs", "4", "--loss", "0:0.02:0.01"}};
  const std::string t1 = slurp(sh.shard(1, 2)), t2 = slurp(sh.shard(2, 2));
  const std::size_t n = line_of(t1, "runs ") + 1;
  for (const Edit& e : {
           Edit{"until banana", 7, "banana"},
           Edit{"until -5s", 7, "-5s"},
           Edit{"profile nonsense", 9, "nonsense"},
           Edit{"set x%0Ay=1", 5, "control character"},
           Edit{"set nosuchkey=1", 5, "nosuchkey"},
           Edit{"set time_wait=banana", 5, "banana"},
           Edit{"set time_wait", 5, "key=value"},
       }) {
    const auto insert = [&](const std::string& text) {
      auto v = lines_of(text);
      v.insert(v.begin() + static_cast<std::ptrdiff_t>(n - 1), e.line);
      return join(v);
    };
    write(d / "a.txt", insert(t1));
    write(d / "b.txt", insert(t2));
    expect_refused_at(tcpsim({"merge", (d / "a.txt").string(), (d / "b.txt").string()}), d / "a.txt", n,
                      e.col, e.what);
  }
}

// A run stops at its time limit (--until, else the scenario's `until` or
// one hour, never beyond kMaxDuration): no run closes after it. 2^63-1 ns
// made p90 292 years.
TEST(ShardValidation, ClosingTimeBeyondTheRunLimit_Refused) {
  const OneShard s = loss_shard("closed-late");
  const std::size_t n = line_of(s.text, "closed 0");
  ASSERT_EQ(line_at(s.text, n), "closed 0 5005000000*4");
  expect_refused_at(merge_text(s, with_line_replaced(s.text, "closed 0", "closed 0 9223372036854775807*4")),
                    s.dir / "edited.txt", n, 10, "9223372036854775807");
  // kMaxDuration (10^7 s) is the bound without --until.
  expect_refused_at(merge_text(s, with_line_replaced(s.text, "closed 0", "closed 0 10000000000000001*4")),
                    s.dir / "edited.txt", n, 10, "10000000000000001");
  const OneShard u = loss_shard("closed-until", {"--until", "6s"});
  const std::size_t m = line_of(u.text, "closed 0");
  ASSERT_EQ(line_at(u.text, m), "closed 0 5005000000*4");
  expect_refused_at(merge_text(u, with_line_replaced(u.text, "closed 0", "closed 0 6000000001*4")),
                    u.dir / "edited.txt", m, 10, "6s");
  EXPECT_EQ(merge_text(u, with_line_replaced(u.text, "closed 0", "closed 0 6000000000*4")).status, 0)
      << "a run may close at its limit";
}

// A scenario path may hold any byte: its control characters are shown
// escaped (\n, \x1b), never sent raw to a terminal; the table is its
// header, its column line and one line per point (then the timings).
TEST(ShardValidation, ControlCharactersInTheScenarioPath_EscapedInTheTable) {
  const OneShard s = loss_shard("path-escape");
  const std::string edited = with_line_replaced(s.text, "scenario ", "scenario %0Ainjected-line%1B[31mRED");
  write(s.dir / "edited.txt", edited);
  const Ran r = tcpsim({"merge", (s.dir / "edited.txt").string(), "-o", (s.dir / "out.txt").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string all = slurp(s.dir / "out.txt");
  const std::string out = all.substr(0, all.find("\n\n") + 1);  // the outcome table
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 5) << out;
  EXPECT_EQ(
      std::count_if(all.begin(), all.end(), [](char c) { return c != '\n' && (c < 0x20 || c == 0x7f); }), 0)
      << all;
  EXPECT_EQ(
      std::count_if(out.begin(), out.end(), [](char c) { return c != '\n' && (c < 0x20 || c == 0x7f); }), 0)
      << out;
  EXPECT_EQ(out.rfind("# \\ninjected-line\\x1b[31mRED: ", 0), 0u) << out;
  // The sweep's own table prints the path the same way.
  const fs::path odd = s.dir / "s1\nx.tcpsim";
  fs::copy_file(kS1, odd);
  const std::string t = sweep_text({odd.string(), "--runs", "2"}, s.dir / "t.txt");
  EXPECT_NE(t.find("s1\\nx.tcpsim: 2 runs"), std::string::npos) << t;
}

// The `shard` line is the file's, not the --shard option's.
TEST(ShardValidation, BadShardLine_WordedForTheFile) {
  const OneShard s = loss_shard("shard-line");
  const std::size_t n = line_of(s.text, "shard ");
  const Ran r = merge_text(s, with_line_replaced(s.text, "shard ", "shard 3/2"));
  expect_refused_at(r, s.dir / "edited.txt", n, 7, "shard 3/2: expected K/N");
  EXPECT_EQ(r.err.find("--shard"), std::string::npos) << r.err;
}

// A shard is at most kMaxShardBytes (64 MiB) and a regular file: merge
// never reads without bound (/dev/zero grew until memory ran out).
TEST(ShardValidation, ShardNotARegularFileOrTooLarge_Refused) {
  const fs::path d = scratch("big");
  const fs::path big = d / "big.shard";
  write(big, "");
  fs::resize_file(big, 64 * 1024 * 1024 + 1);
  Ran r = tcpsim({"merge", big.string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind(big.string() + ": ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("64 MiB"), std::string::npos) << r.err;
  r = tcpsim({"merge", "/dev/zero"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind("/dev/zero: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("regular file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tcpsim::cli
