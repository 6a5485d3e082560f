// `tcpsim sweep` and `tcpsim merge` through their command lines (the same
// CLI11 setup main.cc uses), run in-process on traces/: results that do not
// depend on --jobs, shards that merge into the whole sweep byte for byte,
// merges that refuse what does not belong together, and outcomes that
// follow from the scenarios' own timelines.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands/commands.h"
#include "cli/sweep/spec.h"
#include "scenario/outcome.h"
#include "scenario/parser.h"
#include "sweep_cli.h"

namespace tcpsim::cli {
namespace {

namespace fs = std::filesystem;
using namespace test;

bool have(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

// --- outcomes that follow from the scenario

// S1's header: without loss every run closes cleanly, the last ACK reaching
// B at 5.005 s, whatever the seed; seven segments, none sent again.
TEST(Sweep, S1_NoLoss_EveryRunCleanClosedAt5_005) {
  const fs::path d = scratch("s1");
  const auto rows = csv_rows(sweep_text({kS1, "--runs", "50", "--format", "csv"}, d / "s1.csv"));
  ASSERT_EQ(rows.size(), 1u);
  const auto& r = rows[0];
  EXPECT_EQ(r.at("runs"), "50");
  EXPECT_EQ(r.at("clean"), "50");
  EXPECT_EQ(r.at("clean_share"), "1.000000");
  EXPECT_EQ(r.at("clean_hi"), "1.000000");
  EXPECT_EQ(r.at("assertions_failed"), "0");
  EXPECT_EQ(r.at("closed"), "50");
  for (const char* c : {"closed_p50_s", "closed_p90_s", "closed_p99_s", "closed_max_s"})
    EXPECT_EQ(r.at(c), "5.005000000") << c;
  EXPECT_EQ(r.at("retransmissions_mean"), "0.0000");
  EXPECT_EQ(r.at("retransmissions_max"), "0");
  EXPECT_EQ(r.at("segments_mean"), "7.0000");
}

// Every segment lost: no SYN arrives, connect() gives up, every run. The
// linux profile (README's table) sends SYNs 1 s apart five times, then
// doubling (7, 11, 19, 35, 67 s), and gives up one doubled RTO after the
// last: at 131 s, when A's SYN-SENT ends in CLOSED (classify's closed_at).
TEST(Sweep, S1_TotalLoss_EveryRunConnectFailedAt131s) {
  const fs::path d = scratch("loss1");
  const auto rows =
      csv_rows(sweep_text({kS1, "--runs", "5", "--loss", "1", "--format", "csv"}, d / "out.csv"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("connect_failed"), "5");
  EXPECT_EQ(rows[0].at("clean"), "0");
  EXPECT_EQ(rows[0].at("assertions_failed"), "5");
  EXPECT_EQ(rows[0].at("retransmissions_max"), "10");
  EXPECT_EQ(rows[0].at("closed_p50_s"), "131.000000000");
  EXPECT_EQ(rows[0].at("closed_max_s"), "131.000000000");
}

// Loss on one direction only (the scenario's own link line): A's SYNs
// never reach B, so connect() times out; the reverse direction is clean.
TEST(Sweep, OneDirectionTotallyLossy_ConnectFails) {
  const fs::path d = scratch("oneway");
  std::string text = slurp(kS1);
  const std::string anchor = "host B 10.0.0.2\n";
  text.replace(text.find(anchor), anchor.size(), anchor + "link A -> B loss 100%\n");
  write(d / "oneway.tcpsim", text);
  const auto rows =
      csv_rows(sweep_text({(d / "oneway.tcpsim").string(), "--runs", "3", "--format", "csv"}, d / "out.csv"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("connect_failed"), "3");
}

// Loss makes runs retransmit and close later than 5.005 s.
TEST(Sweep, S1_Loss_RetransmitsAndClosesLater) {
  const fs::path d = scratch("loss");
  const auto rows =
      csv_rows(sweep_text({kS1, "--runs", "200", "--loss", "0:0.2:0.2", "--format", "csv"}, d / "out.csv"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("loss"), "0");
  EXPECT_EQ(rows[1].at("loss"), "0.2");
  EXPECT_EQ(rows[0].at("retransmissions_max"), "0");
  EXPECT_NE(rows[1].at("retransmissions_max"), "0");
  EXPECT_GT(std::stod(rows[1].at("retransmissions_mean")), 0.5);
  EXPECT_EQ(rows[0].at("closed_p99_s"), "5.005000000");
  EXPECT_GT(std::stod(rows[1].at("closed_p99_s")), 5.005);
}

// A parameter that S1's timeline depends on: A's FIN-WAIT-2 is orphaned
// (its program closed) from 1.004 s until B's FIN at 5.004 s. With
// tcp_fin_timeout under those 4 s A forgets the connection first and B's
// FIN meets nobody: not a clean close. From 4 s up nothing changes.
TEST(Sweep, FinWait2Timeout_BelowFourSeconds_BreaksTheCleanClose) {
  const fs::path d = scratch("fw2");
  const auto rows = csv_rows(sweep_text(
      {kS1, "--runs", "4", "--param", "fin_wait_2_timeout=2s:8s:3s", "--format", "csv"}, d / "out.csv"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at("fin_wait_2_timeout"), "2s");
  EXPECT_EQ(rows[0].at("clean"), "0");
  EXPECT_EQ(rows[1].at("clean"), "4");
  EXPECT_EQ(rows[2].at("clean"), "4");
  EXPECT_EQ(rows[1].at("closed_p50_s"), "5.005000000");
}

// TIME-WAIT's length does not change when the connection counts as
// closed (TIME-WAIT is closed enough): the same 5.005 s at every point.
TEST(Sweep, TimeWait_DoesNotMoveClosedAt) {
  const fs::path d = scratch("tw");
  const auto rows = csv_rows(
      sweep_text({kS1, "--runs", "3", "--param", "time_wait=10s:60s:25s", "--format", "csv"}, d / "out.csv"));
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& r : rows) {
    EXPECT_EQ(r.at("closed_p99_s"), "5.005000000") << r.at("time_wait");
    EXPECT_EQ(r.at("clean"), "3");
  }
}

// --- determinism

TEST(Sweep, SameOutputForAnyJobs) {
  const fs::path d = scratch("jobs");
  const std::vector<std::string> base = {kS1, "--runs", "150", "--loss", "0:0.3:0.15", "--format", "csv"};
  auto with_jobs = [&](const char* j) {
    auto a = base;
    a.insert(a.end(), {"--jobs", j});
    return sweep_text(a, d / (std::string("j") + j + ".csv"));
  };
  const std::string one = with_jobs("1");
  EXPECT_FALSE(one.empty());
  EXPECT_EQ(one, with_jobs("2"));
  EXPECT_EQ(one, with_jobs("3"));
  EXPECT_EQ(one, with_jobs("7"));
}

TEST(Sweep, DifferentBaseSeed_DifferentRuns) {
  const fs::path d = scratch("seed");
  const std::vector<std::string> base = {kS1, "--runs", "100", "--loss", "0.2", "--format", "csv"};
  auto a = base, b = base;
  a.insert(a.end(), {"--seed", "1"});
  b.insert(b.end(), {"--seed", "2"});
  EXPECT_NE(sweep_text(a, d / "a.csv"), sweep_text(b, d / "b.csv"));
}

// The documented replay: a sweep's run r is `tcpsim run --seed seed(r)`
// at the point's values. A one-run sweep with base seed B is run 0, whose
// seed is run_seed(B, 0); the same run made as `tcpsim run` makes it (with
// every text) must be counted the same way.
TEST(Sweep, EachRunIsReplayableWithTcpsimRun) {
  const fs::path d = scratch("replay");
  auto parsed = scenario::parse_file(kS1);
  ASSERT_TRUE(std::holds_alternative<scenario::Scenario>(parsed));
  auto sc = std::make_shared<const scenario::Scenario>(std::get<scenario::Scenario>(parsed));
  int differing_outcomes = 0;
  for (std::uint64_t base = 1; base <= 12; ++base) {
    const auto rows = csv_rows(
        sweep_text({kS1, "--runs", "1", "--seed", std::to_string(base), "--loss", "0.25", "--format", "csv"},
                   d / "one.csv"));
    ASSERT_EQ(rows.size(), 1u);
    scenario::RunOptions o;
    o.seed = sweep::run_seed(base, 0);
    o.loss = sim::Probability::parse("0.25");
    auto ran = scenario::run(sc, o);
    ASSERT_TRUE(std::holds_alternative<scenario::RunResult>(ran));
    const scenario::Outcome out = scenario::classify(std::get<scenario::RunResult>(ran));
    std::string kind(scenario::outcome_name(out.kind));
    std::replace(kind.begin(), kind.end(), '-', '_');
    EXPECT_EQ(rows[0].at(kind), "1") << base;
    EXPECT_EQ(rows[0].at("assertions_failed"), out.assertions_failed ? "1" : "0") << base;
    EXPECT_EQ(rows[0].at("retransmissions_max"), std::to_string(out.retransmissions)) << base;
    EXPECT_EQ(rows[0].at("segments_mean"), std::to_string(out.segments) + ".0000") << base;
    differing_outcomes += out.retransmissions > 0;
  }
  EXPECT_GT(differing_outcomes, 0);  // the loss did something in some of the runs
}

// --- shards and merge

TEST(Merge, ShardsMergeToTheWholeSweepByteForByte) {
  const fs::path d = scratch("merge");
  Shards s{d, {kS1, "--runs", "120", "--loss", "0:0.2:0.1", "--param", "delayed_ack=on,off"}};
  const std::vector<std::string> files = {s.shard(1, 3), s.shard(2, 3), s.shard(3, 3)};
  for (const char* format : {"csv", "table", "svg"}) {
    auto whole = s.args;
    whole.insert(whole.end(), {"--format", format});
    const std::string expected = sweep_text(whole, d / (std::string("whole.") + format));
    std::vector<std::string> m = {
        "merge",    files[2], files[0], files[1],
        "--format", format,   "-o",     (d / (std::string("merged.") + format)).string()};
    const Ran r = tcpsim(m);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(slurp(d / (std::string("merged.") + format)), expected) << format;
  }
}

TEST(Merge, OneShardOfOne_IsTheWholeSweep) {
  const fs::path d = scratch("merge1");
  Shards s{d, {kS1, "--runs", "30", "--loss", "0.1"}};
  const std::string f = s.shard(1, 1);
  const std::string expected = sweep_text(s.args, d / "whole.txt");
  ASSERT_EQ(tcpsim({"merge", f, "-o", (d / "merged.txt").string()}).status, 0);
  EXPECT_EQ(slurp(d / "merged.txt"), expected);
}

TEST(Merge, MissingShard_Refused) {
  const fs::path d = scratch("missing");
  Shards s{d, {kS1, "--runs", "10"}};
  const Ran r = tcpsim({"merge", s.shard(1, 3), s.shard(3, 3)});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("shard 2/3 is missing"), std::string::npos) << r.err;
}

TEST(Merge, DuplicateShard_Refused) {
  const fs::path d = scratch("dup");
  Shards s{d, {kS1, "--runs", "10"}};
  const Ran r = tcpsim({"merge", s.shard(1, 2), s.shard(2, 2), s.shard(1, 2, "again.txt")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("given twice"), std::string::npos) << r.err;
}

TEST(Merge, ShardsOfDifferentSweeps_Refused) {
  const fs::path d = scratch("different");
  Shards a{d, {kS1, "--runs", "10"}};
  Shards b{d, {kS1, "--runs", "10", "--seed", "2"}};
  const Ran r = tcpsim({"merge", a.shard(1, 2), b.shard(2, 2, "other.txt")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("different sweep"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("seed 2"), std::string::npos) << r.err;
  // Where: the seed line of the second file (the header's 6th line).
  EXPECT_EQ(r.err.rfind((d / "other.txt").string() + ":6: ", 0), 0u) << r.err;
}

TEST(Merge, ShardsOfDifferentCounts_Refused) {
  const fs::path d = scratch("counts");
  Shards s{d, {kS1, "--runs", "10"}};
  const Ran r = tcpsim({"merge", s.shard(1, 2), s.shard(2, 3)});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("does not belong"), std::string::npos) << r.err;
}

TEST(Merge, TruncatedOrForeignFile_Refused) {
  const fs::path d = scratch("trunc");
  Shards s{d, {kS1, "--runs", "10"}};
  const std::string f = s.shard(1, 1);
  std::string text = slurp(f);
  write(d / "cut.txt", text.substr(0, text.size() - 4));  // "end\n" gone
  Ran r = tcpsim({"merge", (d / "cut.txt").string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("incomplete"), std::string::npos) << r.err;
  write(d / "foreign.txt", "clean,reset\n1,2\n");
  r = tcpsim({"merge", (d / "foreign.txt").string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("not a tcpsim sweep shard"), std::string::npos) << r.err;
  // A shard whose counts were edited no longer adds up to the sweep's runs.
  std::string edited = text;
  edited.replace(edited.find("runs=10"), 7, "runs=11");
  write(d / "edited.txt", edited);
  r = tcpsim({"merge", (d / "edited.txt").string()});
  EXPECT_EQ(r.status, 2);
}

// --- errors

TEST(SweepErrors, BadInput_ExitStatus2WithAOneLineMessage) {
  const std::vector<std::vector<std::string>> cases = {
      {"sweep", kS1, "--loss", "0:0.3:0"},
      {"sweep", kS1, "--loss", "0.3:0:0.1"},
      {"sweep", kS1, "--param", "nope=1:2:1"},
      {"sweep", kS1, "--param", "time_wait=1s:2s:0s"},
      {"sweep", kS1, "--shard", "0/3"},
      {"sweep", kS1, "--shard", "4/3"},
      {"sweep", kS1, "--shard", "1/2", "--format", "csv"},  // a shard is a shard file
      {"sweep", kS1, "--jobs", "100000"},
      {"sweep", kS1, "--runs", "0"},
      {"sweep", kS1, "--runs", "-3"},
      {"sweep", kS1, "--runs", "99999999999"},
      {"sweep", kS1, "--set", "time_wait"},
      {"sweep", kS1, "--set", "time_wait=forever"},
      {"sweep", kS1, "--until", "soon"},
      {"sweep", kS1, "--format", "pdf"},
      {"sweep", kS1, "--jobs", "0"},
      {"sweep", kS1, "--loss", "0:0.1:0.1", "--param", "time_wait=1s:2s:1s", "--param", "rto_min=1s,2s"},
      {"sweep", kS1, "--param", "time_wait=1s,2s", "--param", "time_wait=3s,4s"},
      {"sweep", kS1, "--param", "time_wait=1ns:10000s:1ns"},
      {"sweep", "/no/such/file.tcpsim"},
      {"merge", "/no/such/shard"},
  };
  for (const auto& c : cases) {
    const Ran r = tcpsim(c);
    std::string joined;
    for (const auto& w : c) joined += w + " ";
    EXPECT_EQ(r.status, 2) << joined << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << joined;
  }
}

// A --set that no host accepts is reported once, not once per run.
TEST(SweepErrors, SetOfUnknownKey_ReportedOnce) {
  const Ran r = tcpsim({"sweep", kS1, "--runs", "100", "--set", "bogus=1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown setting 'bogus'"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(SweepErrors, ScenarioError_FileLineCol) {
  const fs::path d = scratch("bad");
  write(d / "bad.tcpsim", "host A 10.0.0.1\nprogram p on A {\n  close(k)\n}\n");
  const Ran r = tcpsim({"sweep", (d / "bad.tcpsim").string(), "--runs", "5"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("bad.tcpsim:3:9:"), std::string::npos) << r.err;
}

// --- outputs

TEST(SweepOutput, TableHasAColumnPerOutcomeSeenAndAlignedRows) {
  const fs::path d = scratch("table");
  const std::string t = sweep_text({kS1, "--runs", "100", "--loss", "0:0.3:0.3"}, d / "t.txt");
  std::istringstream in(t.substr(0, t.find("\n\n") + 1));  // the outcome table; the timings follow
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 4u) << t;  // title, header, two points
  EXPECT_NE(lines[1].find("clean %"), std::string::npos);
  EXPECT_EQ(lines[1].find("half-open %"), lines[1].find("half-open %"));
  EXPECT_EQ(lines[2].rfind("0 ", 0), 0u) << lines[2];
  EXPECT_NE(lines[2].find("100.0 [96.3,100.0]"), std::string::npos) << lines[2];  // Wilson for 100/100
  EXPECT_EQ(lines[2].size(), lines[3].size());
}

void check_svg(const std::string& svg, const fs::path& file) {
  ASSERT_EQ(svg.rfind("<?xml", 0), 0u);
  write(file, svg);
  std::string cmd;
  if (have("xmllint")) {
    EXPECT_EQ(std::system(("xmllint --noout " + file.string() + " 2>/dev/null").c_str()), 0) << file;
  }
  if (have("rsvg-convert")) {
    const fs::path png = file.string() + ".png";
    EXPECT_EQ(std::system(("rsvg-convert -o " + png.string() + " " + file.string()).c_str()), 0) << file;
    EXPECT_EQ(slurp(png).substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  }
}

TEST(SweepOutput, SvgIsValidAndRenders_OneAxisGridAndNone) {
  const fs::path d = scratch("svg");
  check_svg(sweep_text({kS1, "--runs", "40", "--loss", "0:0.3:0.05", "--format", "svg"}, d / "line.svg"),
            d / "line.svg");
  check_svg(sweep_text({kS1, "--runs", "20", "--loss", "0:0.2:0.1", "--param", "fin_wait_2_timeout=2s,60s",
                        "--format", "svg"},
                       d / "grid.svg"),
            d / "grid.svg");
  check_svg(sweep_text({kS1, "--runs", "5", "--format", "svg"}, d / "none.svg"), d / "none.svg");
  if (!have("xmllint") || !have("rsvg-convert"))
    std::cout << "[ NOTE     ] xmllint or rsvg-convert missing: SVG checked only for its XML header\n";
}

}  // namespace
}  // namespace tcpsim::cli
