// RunOptions::texts = false (what sweeps use) leaves out texts only: every
// scenario of traces/, with and without loss, ends the same way and passes
// or fails the same assertions as a run with every text.
#include <gtest/gtest.h>

#include <filesystem>

#include "scenario/interpreter.h"
#include "scenario/outcome.h"
#include "scenario/parser.h"

namespace tcpsim::scenario {
namespace {

namespace fs = std::filesystem;

TEST(RunTexts, Off_SameOutcomesAndAssertionVerdictsOnEveryTrace) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(std::string(TCPSIM_SOURCE_DIR) + "/traces/"))
    if (e.path().extension() == ".tcpsim") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::size_t compared = 0;
  for (const auto& f : files) {
    auto parsed = parse_file(f.string());
    if (!std::holds_alternative<Scenario>(parsed)) continue;
    auto sc = std::make_shared<const Scenario>(std::get<Scenario>(parsed));
    for (const char* loss : {"0", "0.15"}) {
      for (std::uint64_t seed : {1u, 2u, 3u}) {
        RunOptions with, without;
        with.seed = without.seed = seed;
        with.loss = without.loss = sim::Probability::parse(loss);
        without.texts = false;
        auto a = run(sc, with), b = run(sc, without);
        ASSERT_EQ(a.index(), b.index()) << f;
        if (!std::holds_alternative<RunResult>(a)) continue;
        const RunResult& ra = std::get<RunResult>(a);
        const RunResult& rb = std::get<RunResult>(b);
        const Outcome oa = classify(ra), ob = classify(rb);
        const std::string where = f.filename().string() + " loss " + loss + " seed " + std::to_string(seed);
        EXPECT_EQ(oa.label(), ob.label()) << where;
        EXPECT_EQ(oa.closed_at, ob.closed_at) << where;
        EXPECT_EQ(oa.retransmissions, ob.retransmissions) << where;
        EXPECT_EQ(oa.segments, ob.segments) << where;
        EXPECT_EQ(oa.assertions_failed, ob.assertions_failed) << where;
        ASSERT_EQ(ra.results.size(), rb.results.size()) << where;
        for (std::size_t i = 0; i < ra.results.size(); ++i) EXPECT_EQ(ra.results[i].pass, rb.results[i].pass);
        EXPECT_EQ(ra.end_time, rb.end_time) << where;
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 60u);
}

}  // namespace
}  // namespace tcpsim::scenario
