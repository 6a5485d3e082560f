// `tcpsim sweep`'s timings (cli/sweep/timings.h) and --connect-timeout
// (issue 17, "what operators ask"), on scenarios whose every time follows
// by hand from the link delay and a fixed RTO: the rfc9293 profile without
// delayed ACKs or tail-loss probes, with rto_min = rto_initial = 200 ms, so
// a lost segment is sent again exactly 200 ms later (RFC 6298 2.1, 2.4: the
// computed RTO, a few ms on a 2 ms path, is rounded up to the minimum).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>

#include "model/time.h"
#include "sweep_cli.h"

namespace tcpsim::cli {
namespace {

using namespace test;

constexpr Time kOneWay = kMillisecond;  // the default link's delay, each way
constexpr Time kRto = 200 * kMillisecond;
constexpr Time kTimeWait = 10 * kSecond;

const std::string kHeader =
    "profile rfc9293\nhost A 10.0.0.1\nhost B 10.0.0.2\n"
    "set A rto_min 200ms\nset A rto_initial 200ms\nset B rto_min 200ms\nset B rto_initial 200ms\n"
    "set A time_wait 10s\n";

// B sends 100 bytes as soon as it accepts; A reads them, waits 1 s and
// closes; its first FIN is lost. B reads the end of the stream, waits 1 s
// and closes.
const std::string kLostFin = kHeader +
                             "drop A -> B first FIN\n"
                             "program server on B {\n  s = socket()\n  bind(s, 10.0.0.2:8080) = 0\n"
                             "  listen(s, 5) = 0\n  c = accept(s)\n  write(c, 100) = 100\n"
                             "  read(c, 100) = 0\n  sleep(1)\n  close(c) = 0\n}\n"
                             "program client on A {\n  k = socket()\n  connect(k, 10.0.0.2:8080) = 0\n"
                             "  read(k, 100) = 100\n  sleep(1)\n  close(k) = 0\n}\n";

std::string file_with(const fs::path& dir, const std::string& name, const std::string& text) {
  const fs::path f = dir / name;
  std::ofstream(f) << text;
  return f.string();
}

// "0.202000000" -> 202000000 ns.
Time ns_of(const std::string& seconds) {
  const std::size_t dot = seconds.find('.');
  EXPECT_NE(dot, std::string::npos) << "'" << seconds << "'";
  if (dot == std::string::npos) return -1;
  return std::stoll(seconds.substr(0, dot)) * kSecond + std::stoll(seconds.substr(dot + 1));
}

// One connection, one run: every percentile of a measure is its one value.
void expect_one(const std::map<std::string, std::string>& row, const std::string& m, Time want) {
  EXPECT_EQ(row.at(m + "_n"), "1") << m;
  for (const char* p : {"_p50_s", "_p99_s", "_max_s"}) EXPECT_EQ(ns_of(row.at(m + p)), want) << m << p;
}

// The timeline (o = one way, 1 ms):
//   0          A SYN-SENT; SYN,ACK back at 2o: A ESTABLISHED (connect 2o)
//   3o         B's accept() returns (the ACK arrives), it writes; the data
//              reaches A at 4o (first byte, and the last data: request 4o)
//   4o + 1 s   A's read() returned at 4o, its sleep ends: FIN-WAIT-1, FIN lost
//   + RTO      the FIN again; B at + o (CLOSE-WAIT), its ACK back at + 2o:
//              FIN-WAIT-1 lasted RTO + 2o
//   B's read() = 0 returned as the FIN came; 1 s later B closes (LAST-ACK);
//   its FIN reaches A o later (FIN-WAIT-2 lasted 1 s, TIME-WAIT follows)
//   and A's ACK reaches B o after that (LAST-ACK lasted 2o); CLOSE-WAIT 1 s.
TEST(SweepTimings, Rfc6298_LostFinWith200msRto_FinWait1IsRtoPlusRoundTrip) {
  const fs::path d = scratch("timings-lost-fin");
  const auto rows = csv_rows(sweep_text(
      {file_with(d, "lost-fin.tcpsim", kLostFin), "--runs", "1", "--format", "csv"}, d / "out.csv"));
  ASSERT_EQ(rows.size(), 1u);
  const auto& r = rows[0];
  EXPECT_EQ(r.at("clean"), "1");
  expect_one(r, "syn_sent", 2 * kOneWay);
  expect_one(r, "connect", 2 * kOneWay);
  EXPECT_EQ(r.at("connect_unfinished_n"), "0");
  expect_one(r, "first_byte", 4 * kOneWay);
  expect_one(r, "request", 4 * kOneWay);
  expect_one(r, "fin_wait_1", kRto + 2 * kOneWay);
  expect_one(r, "fin_wait_2", kSecond);
  expect_one(r, "close_wait", kSecond);
  expect_one(r, "last_ack", 2 * kOneWay);
  expect_one(r, "time_wait", kTimeWait);
}

// The first SYN is lost: connect() takes RTO + 2o. With --connect-timeout
// below that, the one attempt is over it; above, none is. The share of
// 1 in 1 has the Wilson interval [1 / (1 + z^2), 1] (k = n: the centre
// (1 + z^2/2n)/(1 + z^2/n) less the half-width (z^2/2n)/(1 + z^2/n)).
TEST(SweepTimings, ConnectTimeout_CountsTheAttemptThatTookLonger) {
  const fs::path d = scratch("timings-connect");
  const std::string file =
      file_with(d, "lost-syn.tcpsim",
                kHeader +
                    "drop A -> B first SYN\n"
                    "program server on B {\n  s = socket()\n  bind(s, 10.0.0.2:8080) = 0\n"
                    "  listen(s, 5) = 0\n  c = accept(s)\n  close(c) = 0\n}\n"
                    "program client on A {\n  k = socket()\n  connect(k, 10.0.0.2:8080) = 0\n"
                    "  close(k) = 0\n}\n");
  const auto over = csv_rows(
      sweep_text({file, "--runs", "1", "--format", "csv", "--connect-timeout", "201ms"}, d / "over.csv"));
  ASSERT_EQ(over.size(), 1u);
  expect_one(over[0], "connect", kRto + 2 * kOneWay);
  EXPECT_EQ(over[0].at("connect_attempts"), "1");
  EXPECT_EQ(ns_of(over[0].at("connect_timeout_s")), 201 * kMillisecond);
  EXPECT_EQ(over[0].at("connect_over_timeout"), "1");
  EXPECT_EQ(over[0].at("connect_over_timeout_share"), "1.000000");
  const double z = 1.959963984540054;
  EXPECT_NEAR(std::stod(over[0].at("connect_over_timeout_lo")), 1 / (1 + z * z), 1e-6);
  EXPECT_EQ(over[0].at("connect_over_timeout_hi"), "1.000000");

  const auto under = csv_rows(
      sweep_text({file, "--runs", "1", "--format", "csv", "--connect-timeout", "203ms"}, d / "under.csv"));
  ASSERT_EQ(under.size(), 1u);
  EXPECT_EQ(under[0].at("connect_over_timeout"), "0");
}

// A connect that never succeeds counts against the timeout too: every SYN
// lost, the attempt ends when SYN-SENT gives up and is over any timeout
// shorter than that.
TEST(SweepTimings, ConnectTimeout_AFailedConnectCountsAsOver) {
  const fs::path d = scratch("timings-connect-failed");
  const std::string file =
      file_with(d, "no-syn.tcpsim",
                kHeader +
                    "set A syn_retries 1\ndrop A -> B all SYN\n"
                    "program server on B {\n  s = socket()\n  bind(s, 10.0.0.2:8080) = 0\n"
                    "  listen(s, 5) = 0\n}\n"
                    "program client on A {\n  k = socket()\n  connect(k, 10.0.0.2:8080)\n}\n");
  const auto rows = csv_rows(
      sweep_text({file, "--runs", "1", "--format", "csv", "--connect-timeout", "100ms"}, d / "out.csv"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("connect_failed"), "1");
  EXPECT_EQ(rows[0].at("connect_n"), "0");
  // One SYN, one retransmission after the RTO, then one more (doubled) RTO
  // before giving up (RFC 6298 5.5): 200 ms + 400 ms in SYN-SENT.
  expect_one(rows[0], "connect_unfinished", kRto + 2 * kRto);
  EXPECT_EQ(rows[0].at("connect_over_timeout"), "1");
}

// A shard carries the timings: merged, the table is the unsharded one's,
// byte for byte, timings section included.
TEST(SweepTimings, ShardsCarryTheTimings_MergeEqualsTheWholeSweep) {
  const fs::path d = scratch("timings-shards");
  const std::string file = file_with(d, "lost-fin.tcpsim", kLostFin);
  const std::vector<std::string> args = {file, "--runs", "6", "--loss", "0:0.1:0.1"};
  auto whole_args = args;
  whole_args.insert(whole_args.end(), {"--connect-timeout", "1s"});
  const std::string whole = sweep_text(whole_args, d / "whole.txt");
  EXPECT_NE(whole.find("fin-wait-1"), std::string::npos) << whole;
  Shards sh{d, args};
  const std::string f1 = sh.shard(1, 2), f2 = sh.shard(2, 2);
  const Ran r = tcpsim({"merge", f1, f2, "--connect-timeout", "1s", "-o", (d / "merged.txt").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(slurp(d / "merged.txt"), whole);
}

// A --connect-timeout that is not a time is refused in its own words (the
// review found "--connect-timeout abc: --until abc: ...", naming an option
// the user never gave), exit 2.
TEST(SweepTimings, ABadConnectTimeoutIsRefusedNamingOnlyThatOption) {
  const fs::path d = scratch("sweep-bad-timeout");
  const std::string file = file_with(d, "lost-fin.tcpsim", kLostFin);
  for (const char* bad : {"abc", "0s"}) {
    const Ran r = tcpsim({"sweep", file, "--runs", "1", "--connect-timeout", bad});
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_NE(
        r.err.find(std::string("--connect-timeout ") + bad + ": expected a time greater than 0, such as 1s"),
        std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("--until"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace tcpsim::cli
