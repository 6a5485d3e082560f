// Trace records are made one way, TraceRecord::of (which Trace::record
// uses): kind, time, host and connection always set together. Before, the
// interpreter and the kernel runner built six records field by field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "sim/trace.h"

namespace tcpsim::sim {
namespace {

TEST(TraceRecord, OfSetsKindTimeHostAndConnectionAndRecordKeepsThem) {
  const TraceRecord r = TraceRecord::of(TraceKind::Output, 7 * kMillisecond, 2, 5);
  EXPECT_EQ(r.kind, TraceKind::Output);
  EXPECT_EQ(r.t, 7 * kMillisecond);
  EXPECT_EQ(r.host, 2);
  EXPECT_EQ(r.conn, 5u);
  EXPECT_EQ(r.program, kNone32);
  Trace tr;
  tr.record(TraceKind::Call, 9, 1).program = 3;
  ASSERT_EQ(tr.records().size(), 1u);
  EXPECT_EQ(tr.records()[0].t, 9);
  EXPECT_EQ(tr.records()[0].host, 1);
  EXPECT_EQ(tr.records()[0].conn, kNone32);
  EXPECT_EQ(tr.records()[0].program, 3u);
}

TEST(TraceRecord, NoSourceBuildsARecordFieldByField) {
  namespace fs = std::filesystem;
  const fs::path root = TCPSIM_SOURCE_DIR;
  // `TraceRecord r;` then r.t = ..., r.kind = ...: a record made by hand.
  static const std::regex by_hand(R"(\bTraceRecord\s+[a-z_]+\s*;)");
  std::string found;
  for (const char* layer : {"sim", "scenario", "formats", "kernel", "cli", "packetdrill"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / layer)) {
      const std::string ext = e.path().extension().string();
      const std::string rel = fs::relative(e.path(), root).string();
      if ((ext != ".cc" && ext != ".h") || rel == "sim/trace.h") continue;
      std::ifstream f(e.path());
      std::stringstream text;
      text << f.rdbuf();
      const std::string s = text.str();
      if (std::regex_search(s, by_hand)) found += "\n  " + rel;
    }
  }
  EXPECT_TRUE(found.empty()) << "make these with TraceRecord::of or Trace::record:" << found;
}

}  // namespace
}  // namespace tcpsim::sim
