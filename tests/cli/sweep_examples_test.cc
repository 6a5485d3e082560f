// `tcpsim sweep --examples N` (issue 17): per outcome class, the first N
// runs with their point, seed and the `tcpsim run` command that replays
// them; the replay's ladder ends with the same outcome.
#include <gtest/gtest.h>

#include <cstdint>
#include <regex>
#include <string>

#include "formats/ladder.h"
#include "scenario/outcome.h"
#include "scenario/parser.h"
#include "sweep_cli.h"

namespace tcpsim::cli {
namespace {

using namespace test;

const std::string kOrphan = std::string(TCPSIM_SOURCE_DIR) + "/traces/orphan-fin-wait-2-timeout.tcpsim";

// SplitMix64 (Steele, Lea, Flood 2014), written out here from its
// reference: the (r+1)-th output from `base` (docs/sweep.md).
std::uint64_t splitmix64(std::uint64_t base, std::uint64_t r) {
  std::uint64_t z = base + (r + 1) * 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Without loss every run of this scenario is the one its header derives:
// B's orphaned LAST-ACK is reset (reset-after-close). The first example is
// run 0 of point 0, with the seed of run 0; its command names the point's
// loss. Replayed with that seed and loss, the ladder's summary says the
// same class.
TEST(SweepExamples, FirstRunOfEachClass_WithSeedCommandAndAReplayThatAgrees) {
  const fs::path d = scratch("examples");
  const std::string out = sweep_text(
      {kOrphan, "--runs", "3", "--loss", "0:0.1:0.1", "--seed", "7", "--examples", "2"}, d / "t.txt");
  const std::uint64_t seed0 = splitmix64(7, 0), seed1 = splitmix64(7, 1);
  const std::string head = "# examples: reset-after-close (the first 2 of the sweep)\n";
  const auto at = out.find(head);
  ASSERT_NE(at, std::string::npos) << out;
  const std::string cmd0 = "tcpsim run " + kOrphan + " --seed " + std::to_string(seed0) + " --loss 0";
  const std::string want = head + "loss=0 run 0 seed " + std::to_string(seed0) +
                           ": reset-after-close: B in LAST-ACK\n  " + cmd0 + "\n" + "loss=0 run 1 seed " +
                           std::to_string(seed1) + ": reset-after-close: B in LAST-ACK\n";
  EXPECT_EQ(out.substr(at, want.size()), want) << out;

  auto parsed = scenario::parse_file(kOrphan);
  ASSERT_TRUE(std::holds_alternative<scenario::Scenario>(parsed));
  auto sc = std::make_shared<const scenario::Scenario>(std::move(std::get<scenario::Scenario>(parsed)));
  scenario::RunOptions o;
  o.seed = seed0;
  o.loss = sim::Probability::parse("0");
  auto ran = scenario::run(sc, o);
  ASSERT_TRUE(std::holds_alternative<scenario::RunResult>(ran));
  const std::string summary = formats::summary(std::get<scenario::RunResult>(ran));
  EXPECT_NE(summary.find("\noutcome: reset-after-close: B in LAST-ACK\n"), std::string::npos) << summary;
}

// Examples are runs, which shards do not keep; and they go with the table.
TEST(SweepExamples, WithShardOrAnotherFormat_RefusedInOneLine) {
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--shard", "1/2"}, std::vector<std::string>{"--format", "csv"}}) {
    std::vector<std::string> args = {"sweep", kOrphan, "--runs", "2", "--examples", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    const Ran r = tcpsim(args);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("--examples goes with the table"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace tcpsim::cli
