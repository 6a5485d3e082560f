// `tcpsim sweep`'s transfer columns (issue 15): per point, the percentiles
// of each run's transfer completion time (first SYN sent to the last data
// segment's arrival) and goodput (bytes read * 8 over that time), exact
// integers in the shards so that merges give the whole sweep byte for byte.
// Bounds derived from the link: a transfer cannot beat its serialisation
// time plus the handshake and one-way delay.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "sweep_cli.h"

namespace tcpsim::cli {
namespace {

using namespace test;

// 1,000,000 bytes from A to B over 10 Mbit/s, 10 ms each way; B reads to
// the end of the stream and closes.
const char* const kMegabyte =
    "profile linux\nhost A 10.0.0.1\nhost B 10.0.0.2\nlink A <-> B delay 10ms bandwidth 10Mbit\n"
    "program server on B {\n  s = socket()\n  bind(s, 10.0.0.2:8080) = 0\n  listen(s, 5) = 0\n"
    "  c = accept(s)\n  repeat 2000 {\n    read(c, 65536)\n  }\n  close(c) = 0\n}\n"
    "program client on A {\n  k = socket()\n  connect(k, 10.0.0.2:8080) = 0\n  write(k, 1000000)\n"
    "  close(k) = 0\n}\n";

std::string megabyte_file(const fs::path& dir) {
  const fs::path f = dir / "megabyte.tcpsim";
  std::ofstream(f) << kMegabyte;
  return f.string();
}

// "0.861312000" -> 861312000 ns.
std::int64_t ns_of(const std::string& seconds) {
  const std::size_t dot = seconds.find('.');
  return std::stoll(seconds.substr(0, dot)) * 1'000'000'000 + std::stoll(seconds.substr(dot + 1));
}

// Without loss every run is the same transfer. Its lower bound: 685
// segments of at most 1460 bytes (the linux profile's MSS), each with 40
// bytes of headers, serialised at 10 Mbit/s: (1,000,000 + 685 * 40) * 8 /
// 10^7 = 0.82192 s; before the first, the handshake's round trip (20 ms);
// after the last, its 10 ms on the wire: 0.85192 s. Slow start from IW10
// costs a few round trips more, not a tenth of a second more (the 64 KiB
// window is more than the 25 kB path).
TEST(SweepTransfer, LosslessMegabyte_EveryPercentileTheOneTransferAboveItsSerialisationBound) {
  const fs::path d = scratch("transfer-lossless");
  const auto rows = csv_rows(sweep_text({megabyte_file(d), "--runs", "5", "--format", "csv"}, d / "out.csv"));
  ASSERT_EQ(rows.size(), 1u);
  const auto& r = rows[0];
  EXPECT_EQ(r.at("transfers"), "5");
  const std::string t = r.at("transfer_p50_s");
  for (const char* c : {"transfer_p90_s", "transfer_p99_s", "transfer_max_s"}) EXPECT_EQ(r.at(c), t) << c;
  const std::int64_t ns = ns_of(t);
  EXPECT_GE(ns, 851'920'000);
  EXPECT_LE(ns, 951'920'000);
  // goodput = floor(8 * 10^6 bits * 10^9 / ns) bit/s, shown in Mbit/s.
  const std::int64_t bps = 8'000'000'000'000'000 / ns;
  const std::string mbps = std::to_string(bps / 1'000'000) + "." + fmt::format("{:06}", bps % 1'000'000);
  for (const char* c : {"goodput_p10_mbps", "goodput_p50_mbps", "goodput_p90_mbps"})
    EXPECT_EQ(r.at(c), mbps) << c;
  EXPECT_LT(bps, 10'000'000) << "no faster than the link";
}

// Loss only adds time: under 2 % loss each way the median transfer is no
// faster than the lossless one, the percentiles are ordered, and the
// goodputs are ordered the other way round with the slow tail (p10) lowest.
TEST(SweepTransfer, UnderLoss_PercentilesOrderedAndNoFasterThanWithout) {
  const fs::path d = scratch("transfer-loss");
  const auto rows = csv_rows(sweep_text(
      {megabyte_file(d), "--runs", "20", "--loss", "0:0.02:0.02", "--format", "csv"}, d / "out.csv"));
  ASSERT_EQ(rows.size(), 2u);
  const auto& clean = rows[0];
  const auto& lossy = rows[1];
  EXPECT_EQ(lossy.at("transfers"), "20");
  EXPECT_GE(ns_of(lossy.at("transfer_p50_s")), ns_of(clean.at("transfer_p50_s")));
  EXPECT_LE(ns_of(lossy.at("transfer_p50_s")), ns_of(lossy.at("transfer_p90_s")));
  EXPECT_LE(ns_of(lossy.at("transfer_p90_s")), ns_of(lossy.at("transfer_p99_s")));
  EXPECT_LE(std::stod(lossy.at("goodput_p10_mbps")), std::stod(lossy.at("goodput_p50_mbps")));
  EXPECT_LE(std::stod(lossy.at("goodput_p50_mbps")), std::stod(lossy.at("goodput_p90_mbps")));
  EXPECT_LE(std::stod(lossy.at("goodput_p90_mbps")), std::stod(clean.at("goodput_p50_mbps")));
}

// A scenario that moves no data (S1: open and close) has no transfer: the
// count is 0, the cells empty, and the table has no transfer columns.
TEST(SweepTransfer, NoData_NoTransferColumnsInTheTable) {
  const fs::path d = scratch("transfer-none");
  const auto rows = csv_rows(sweep_text({kS1, "--runs", "3", "--format", "csv"}, d / "out.csv"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("transfers"), "0");
  EXPECT_EQ(rows[0].at("transfer_p50_s"), "");
  EXPECT_EQ(rows[0].at("goodput_p50_mbps"), "");
  const std::string table = sweep_text({kS1, "--runs", "3"}, d / "out.txt");
  EXPECT_EQ(table.find("goodput"), std::string::npos) << table;
}

// The shards carry the completion times and goodputs whole: merged, they
// give the unsharded sweep's output byte for byte.
TEST(SweepTransfer, ShardsMergeToTheWholeSweepByteForByte) {
  const fs::path d = scratch("transfer-merge");
  Shards s{d, {megabyte_file(d), "--runs", "10", "--loss", "0.02"}};
  const std::string f1 = s.shard(1, 2), f2 = s.shard(2, 2);
  EXPECT_NE(slurp(f1).find("\ngoodput 0 "), std::string::npos);
  for (const char* format : {"csv", "table"}) {
    auto whole = s.args;
    whole.insert(whole.end(), {"--format", format});
    const std::string expected = sweep_text(whole, d / (std::string("whole.") + format));
    const Ran r = tcpsim({"merge", f2, f1, "--format", format, "-o", (d / "merged").string()});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(slurp(d / "merged"), expected) << format;
  }
}

// A goodput list whose counts do not add up to the point's transfers= is
// refused at its line.
TEST(SweepTransfer, ShardGoodputCountsNotMatchingTransfers_Refused) {
  const fs::path d = scratch("transfer-bad");
  Shards s{d, {megabyte_file(d), "--runs", "2"}};
  std::string text = slurp(s.shard(1, 1));
  const std::size_t at = text.find("\ngoodput 0 ");
  ASSERT_NE(at, std::string::npos);
  const std::size_t eol = text.find('\n', at + 1);
  text.replace(at + 1, eol - at - 1, "goodput 0 9000000*1");
  const fs::path bad = d / "bad.txt";
  std::ofstream(bad) << text;
  const Ran r = tcpsim({"merge", bad.string(), "-o", (d / "m").string()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("the point line says transfers=2"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tcpsim::cli
