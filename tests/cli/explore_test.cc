// tcpsim explore (cli/explore/): the fork-based search against what a plain
// run of the scenario says. Expected counts come from the base run's own
// trace (which transmissions the link delivered), expected timings from the
// profiles (Linux's first SYN retransmission after 1 s), and every forked
// result is checked against a run from scratch with the same pattern forced.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "cli/explore/explorer.h"
#include "cli/explore/report.h"
#include "model/time.h"
#include "scenario/outcome.h"
#include "scenario/parser.h"

namespace tcpsim::explore {
namespace {

using scenario::OutcomeKind;
using scenario::RunOptions;
using scenario::Scenario;

const std::string kTraces = std::string(TCPSIM_SOURCE_DIR) + "/traces/";

// As the command does: the scenario's assertions are not explore's concern.
std::shared_ptr<const Scenario> without_assertions(std::variant<Scenario, scenario::ParseError> parsed) {
  if (auto* e = std::get_if<scenario::ParseError>(&parsed)) throw std::runtime_error(e->message);
  auto sc = std::make_shared<Scenario>(std::move(std::get<Scenario>(parsed)));
  remove_assertions(*sc);
  return sc;
}
std::shared_ptr<const Scenario> trace(const std::string& name) {
  return without_assertions(scenario::parse_file(kTraces + name));
}
std::shared_ptr<const Scenario> inline_scenario(const std::string& text) {
  return without_assertions(scenario::parse(text, "inline.tcpsim"));
}

ExploreResult explore_or_die(const std::shared_ptr<const Scenario>& sc, Budget b, RunOptions ro = {},
                             std::uint64_t max_patterns = 100000) {
  ExploreOptions eo;
  eo.strategy = Strategy::Fork;  // the search under test; Replay is its oracle
  eo.budget = b;
  eo.run = ro;
  eo.max_patterns = max_patterns;
  auto got = explore(sc, eo);
  if (auto* e = std::get_if<std::string>(&got)) throw std::runtime_error(*e);
  return std::get<ExploreResult>(std::move(got));
}

scenario::RunResult plain_run(const std::shared_ptr<const Scenario>& sc, RunOptions ro = {}) {
  auto ran = scenario::run(sc, ro);
  if (auto* e = std::get_if<scenario::ParseError>(&ran)) throw std::runtime_error(e->message);
  return std::move(std::get<scenario::RunResult>(ran));
}

scenario::RunResult replay_or_die(const std::shared_ptr<const Scenario>& sc, const Pattern& p,
                                  RunOptions ro = {}) {
  bool mismatch = false;
  auto ran = replay(sc, ro, p, &mismatch);
  if (auto* e = std::get_if<std::string>(&ran)) throw std::runtime_error(*e);
  EXPECT_FALSE(mismatch) << pattern_text(p);
  return std::move(std::get<scenario::RunResult>(ran));
}

// The transmissions a run's links delivered (sent, and not dropped by the
// scenario's own rules), by index: the branch points of a search.
std::vector<std::uint32_t> delivered(const scenario::RunResult& run) {
  std::set<std::uint32_t> lost;
  for (const auto& r : run.net->trace().records())
    if (r.kind == sim::TraceKind::Dropped) lost.insert(r.ref);
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < run.net->trace().packets().size(); ++i)
    if (!lost.count(i)) out.push_back(i);
  return out;
}

const PatternResult* find(const ExploreResult& r, const Pattern& p) {
  for (const auto& x : r.patterns)
    if (x.pattern == p && x.error.empty()) return &x;
  return nullptr;
}

Pattern drops(std::initializer_list<std::uint32_t> indices) {
  Pattern p;
  for (auto i : indices) p.push_back(Choice{i, sim::Fate::kDrop});
  return p;
}

// Abort with SO_LINGER 0: the client's close() sends a RST, which nothing
// sends again (RFC 9293 §3.10.7.4: a RST is never acknowledged). The server
// blocks in read(): it learns of the abort only from that RST.
constexpr const char* kAbort = R"(# an abort
profile linux
host A 10.0.0.1
host B 10.0.0.2
program server on B {
  s = socket()
  bind(s, 10.0.0.2:8080)
  listen(s, 5)
  c = accept(s)
  read(c, 100)
  close(c)
}
program client on A {
  k = socket()
  connect(k, 10.0.0.2:8080)
  setsockopt(k, SO_LINGER, 1, 0)
  sleep(1)
  close(k)
}
)";

TEST(Explore, NoDropsGivesExactlyTheBaseRunWithItsOutcome) {
  const auto sc = trace("s01-close-fin-wait-2-time-wait.tcpsim");
  const ExploreResult r = explore_or_die(sc, Budget{0, 0, 0});
  ASSERT_EQ(r.patterns.size(), 1u);
  EXPECT_TRUE(r.patterns[0].pattern.empty());
  EXPECT_TRUE(r.patterns[0].error.empty()) << r.patterns[0].error;
  const scenario::Outcome base = scenario::classify(plain_run(sc));
  EXPECT_EQ(r.patterns[0].label, base.label());
  EXPECT_EQ(r.patterns[0].label, "clean");
  EXPECT_FALSE(r.truncated);
}

// lost-fin.tcpsim drops A's first FIN by a rule of its own: that transmission
// is not a branch point (losing it again is the same run) and costs no budget.
TEST(Explore, OneDropGivesOnePatternPerTransmissionTheBaseRunDelivered) {
  const auto sc = trace("lost-fin.tcpsim");
  const auto base = plain_run(sc);
  const std::vector<std::uint32_t> want = delivered(base);
  ASSERT_LT(want.size(), base.net->trace().packets().size());  // the rule's drop is left out
  const ExploreResult r = explore_or_die(sc, Budget{1, 0, 0});
  EXPECT_EQ(r.base_transmissions, want.size());
  ASSERT_EQ(r.patterns.size(), 1 + want.size());
  EXPECT_TRUE(r.patterns[0].pattern.empty());
  for (std::size_t k = 0; k < want.size(); ++k) EXPECT_EQ(r.patterns[1 + k].pattern, drops({want[k]}));
}

// Each run branches on its own transmissions: the two-drop patterns that
// start with drop #i are the drops of the later transmissions that run
// delivered, counted here from runs from scratch.
TEST(Explore, TwoDropsBranchOnEachRunsOwnLaterTransmissions) {
  const auto sc = trace("s01-close-fin-wait-2-time-wait.tcpsim");
  const ExploreResult r = explore_or_die(sc, Budget{2, 0, 0});
  std::size_t want = 1;
  for (std::uint32_t i : delivered(plain_run(sc))) {
    ++want;
    for (std::uint32_t j : delivered(replay_or_die(sc, drops({i}))))
      if (j > i) ++want;
  }
  EXPECT_EQ(r.patterns.size(), want);
}

// Linux sends the first SYN again after its initial RTO of 1 s (RFC 6298
// (2.1), tcp_syn_retries with TCP_TIMEOUT_INIT); the handshake then
// completes as without the loss.
TEST(Explore, LosingTheSynUnderLinuxRetransmitsItOneSecondLaterAndEndsAsWithout) {
  const auto sc = trace("three-way-handshake.tcpsim");
  RunOptions linux_profile;
  linux_profile.profile = "linux";
  const ExploreResult r = explore_or_die(sc, Budget{1, 0, 0}, linux_profile);
  const PatternResult* lost_syn = find(r, drops({0}));
  ASSERT_NE(lost_syn, nullptr);
  EXPECT_EQ(lost_syn->label, r.patterns[0].label);
  const auto run = replay_or_die(sc, drops({0}), linux_profile);
  const auto& packets = run.net->trace().packets();
  ASSERT_GE(packets.size(), 2u);
  EXPECT_EQ(packets[0].packet.seg.flags, model::kSyn);
  EXPECT_EQ(packets[1].packet.seg.flags, model::kSyn);
  EXPECT_TRUE(packets[1].packet.retransmission);
  EXPECT_EQ(packets[1].sent, 10 * kMillisecond + 1 * kSecond);  // the client connects at 10 ms
  // The trace says who lost it: not the link, the search.
  std::size_t forced = 0;
  for (const auto& rec : run.net->trace().records()) {
    if (rec.kind != sim::TraceKind::Dropped) continue;
    EXPECT_EQ(rec.ref, 0u);
    EXPECT_EQ(static_cast<sim::DropReason>(rec.drop), sim::DropReason::kForced);
    ++forced;
  }
  EXPECT_EQ(forced, 1u);
}

TEST(Explore, LosingTheAbortsRstLeavesTheServerHalfOpenFlaggedBadExitOne) {
  const auto sc = inline_scenario(kAbort);
  const auto base = plain_run(sc);
  std::uint32_t rst = 0;
  for (std::uint32_t i = 0; i < base.net->trace().packets().size(); ++i)
    if (base.net->trace().packets()[i].packet.seg.flags & model::kRst) rst = i;
  ASSERT_NE(rst, 0u);
  const ExploreResult r = explore_or_die(sc, Budget{1, 0, 0});
  EXPECT_EQ(r.patterns[0].kind, OutcomeKind::Reset) << r.patterns[0].label;
  const PatternResult* lost = find(r, drops({rst}));
  ASSERT_NE(lost, nullptr);
  EXPECT_EQ(lost->kind, OutcomeKind::HalfOpen) << lost->label;
  EXPECT_EQ(lost->label, "half-open: B ESTABLISHED, peer gone");
  const Classes c = group(r);
  ASSERT_FALSE(c.classes.empty());
  EXPECT_EQ(c.classes[0].label, lost->label);  // bad classes first
  EXPECT_EQ(c.classes[0].flags, std::vector<Flag>{Flag::HalfOpen});
  EXPECT_EQ(c.classes[0].shortest, drops({rst}));
  EXPECT_EQ(exit_status(r, c), 1);
}

TEST(Explore, ACleanScenarioWithNoBadPatternExitsZero) {
  const auto sc = trace("s01-close-fin-wait-2-time-wait.tcpsim");
  const ExploreResult r = explore_or_die(sc, Budget{1, 0, 0});
  const Classes c = group(r);
  for (const auto& k : c.classes) EXPECT_FALSE(k.bad()) << k.label;
  EXPECT_EQ(exit_status(r, c), 0);
}

// The strong check: a forked run (a prefix shared with others, then its own
// choices) ends exactly as a run from the start with those choices forced.
TEST(Explore, EveryForkedOutcomeEqualsAReplayFromScratch) {
  const auto sc = trace("lost-fin.tcpsim");
  const ExploreResult r = explore_or_die(sc, Budget{2, 0, 0});
  EXPECT_EQ(r.strategy, Strategy::Fork);
  ASSERT_GT(r.patterns.size(), 30u);
  for (const PatternResult& p : r.patterns) {
    ASSERT_TRUE(p.error.empty()) << p.error;
    const scenario::Outcome o = scenario::classify(replay_or_die(sc, p.pattern));
    EXPECT_EQ(p.label, o.label()) << pattern_text(p.pattern);
    EXPECT_EQ(p.unread_bytes, o.unread_bytes) << pattern_text(p.pattern);
  }
}

// The two strategies find the same patterns with the same outcomes: the
// search without fork() is the forked one's oracle, pattern set included.
TEST(Explore, ForkAndReplayStrategiesGiveTheSameResults) {
  const std::pair<const char*, Budget> cases[] = {{"s01-close-fin-wait-2-time-wait.tcpsim", Budget{1, 0, 0}},
                                                  {"half-close-data-other-way.tcpsim", Budget{0, 1, 0}},
                                                  {"half-close-data-other-way.tcpsim", Budget{0, 0, 1}}};
  for (const auto& [file, budget] : cases) {
    const auto sc = trace(file);
    ExploreOptions eo;
    eo.budget = budget;
    eo.strategy = Strategy::Fork;
    auto forked = explore(sc, eo);
    eo.strategy = Strategy::Replay;
    auto replayed = explore(sc, eo);
    ASSERT_TRUE(std::holds_alternative<ExploreResult>(forked));
    ASSERT_TRUE(std::holds_alternative<ExploreResult>(replayed));
    const auto& a = std::get<ExploreResult>(forked);
    const auto& b = std::get<ExploreResult>(replayed);
    EXPECT_EQ(a.base_transmissions, b.base_transmissions);
    ASSERT_EQ(a.patterns.size(), b.patterns.size()) << file;
    for (std::size_t i = 0; i < a.patterns.size(); ++i) {
      EXPECT_EQ(a.patterns[i].pattern, b.patterns[i].pattern) << i;
      EXPECT_EQ(a.patterns[i].label, b.patterns[i].label) << pattern_text(a.patterns[i].pattern);
    }
  }
}

TEST(Explore, OneDuplicateGivesOnePatternPerDeliveredTransmission) {
  const auto sc = trace("s01-close-fin-wait-2-time-wait.tcpsim");
  const auto want = delivered(plain_run(sc));
  const ExploreResult r = explore_or_die(sc, Budget{0, 1, 0});
  ASSERT_EQ(r.patterns.size(), 1 + want.size());
  for (std::size_t k = 0; k < want.size(); ++k)
    EXPECT_EQ(r.patterns[1 + k].pattern, (Pattern{Choice{want[k], sim::Fate::kDuplicate}}));
  const auto run = replay_or_die(sc, r.patterns[1].pattern);
  std::size_t dup_records = 0;
  for (const auto& rec : run.net->trace().records()) dup_records += rec.kind == sim::TraceKind::Duplicated;
  EXPECT_EQ(dup_records, 1u);
}

// A reorder is possible where a transmission leaves while the one before it
// on the same link is still in flight: in the base trace, the earlier one's
// Delivered record comes after the later one's Sent record.
TEST(Explore, OneReorderBranchesWhereThePreviousPacketOnTheLinkIsInFlight) {
  const auto sc = trace("half-close-data-other-way.tcpsim");
  const auto base = plain_run(sc);
  const auto& tr = base.net->trace();
  std::vector<std::size_t> sent_at(tr.packets().size()), delivered_at(tr.packets().size(), SIZE_MAX);
  for (std::size_t k = 0; k < tr.records().size(); ++k) {
    const auto& rec = tr.records()[k];
    if (rec.kind == sim::TraceKind::Sent) sent_at[rec.ref] = k;
    if (rec.kind == sim::TraceKind::Delivered && delivered_at[rec.ref] == SIZE_MAX) delivered_at[rec.ref] = k;
  }
  std::vector<std::uint32_t> want;
  for (std::uint32_t j = 1; j < tr.packets().size(); ++j) {
    for (std::uint32_t i = j; i-- > 0;) {
      if (tr.packet(i).from_host != tr.packet(j).from_host || tr.packet(i).to_host != tr.packet(j).to_host)
        continue;
      if (delivered_at[i] > sent_at[j]) want.push_back(j);
      break;
    }
  }
  ASSERT_FALSE(want.empty());  // the 3000 bytes leave back to back
  const ExploreResult r = explore_or_die(sc, Budget{0, 0, 1});
  ASSERT_EQ(r.patterns.size(), 1 + want.size());
  for (std::size_t k = 0; k < want.size(); ++k)
    EXPECT_EQ(r.patterns[1 + k].pattern, (Pattern{Choice{want[k], sim::Fate::kOvertake}}));
  // The overtaking packet is delivered before the one it overtook.
  const std::uint32_t j = want[0];
  const auto run = replay_or_die(sc, r.patterns[1].pattern);
  std::uint32_t before = 0;
  for (std::uint32_t i = j; i-- > 0;)
    if (run.net->trace().packet(i).from_host == run.net->trace().packet(j).from_host &&
        run.net->trace().packet(i).to_host == run.net->trace().packet(j).to_host) {
      before = i;
      break;
    }
  std::vector<std::uint32_t> order;
  for (const auto& rec : run.net->trace().records())
    if (rec.kind == sim::TraceKind::Delivered && (rec.ref == j || rec.ref == before))
      order.push_back(rec.ref);
  EXPECT_EQ(order, (std::vector<std::uint32_t>{j, before}));
}

TEST(Explore, TheSameExplorationPrintsTheSameBytes) {
  const auto sc = trace("lost-fin.tcpsim");
  ReportOptions rep;
  rep.budget = Budget{1, 0, 0};
  std::string first, second, error;
  for (std::string* out : {&first, &second}) {
    const ExploreResult r = explore_or_die(sc, rep.budget);
    *out = render(sc, {}, r, group(r), rep, error);
    ASSERT_TRUE(error.empty()) << error;
  }
  EXPECT_EQ(first, second);
  EXPECT_NE(first.find("shortest: none"), std::string::npos);
}

TEST(Explore, RandomLossOnALinkIsRefusedWithTheLinkNamed) {
  const auto sc = inline_scenario("host A 10.0.0.1\nhost B 10.0.0.2\nlink A -> B delay 1ms loss 5%\n");
  ExploreOptions eo;
  eo.budget = Budget{1, 0, 0};
  auto got = explore(sc, eo);
  ASSERT_TRUE(std::holds_alternative<std::string>(got));
  EXPECT_NE(std::get<std::string>(got).find("link A -> B has random loss"), std::string::npos)
      << std::get<std::string>(got);
}

// A process of the search that dies is reported by its parent with the
// signal, the search goes on, and the exploration counts as incomplete.
TEST(Explore, ARunThatCrashesIsReportedWithItsSignalAndTheRestExplored) {
  const auto sc = trace("s01-close-fin-wait-2-time-wait.tcpsim");
  const std::size_t n = delivered(plain_run(sc)).size();
  const Pattern victim = drops({1});  // the SYN,ACK
  ExploreOptions eo;
  eo.strategy = Strategy::Fork;
  eo.budget = Budget{1, 0, 0};
  eo.at_end = [victim](const Pattern& p) {
    if (p == victim) std::abort();
  };
  auto got = explore(sc, eo);
  ASSERT_TRUE(std::holds_alternative<ExploreResult>(got));
  const auto& r = std::get<ExploreResult>(got);
  const Classes c = group(r);
  EXPECT_EQ(c.patterns, n);  // 1 + n runs, less the one that crashed
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].pattern, victim);
  EXPECT_NE(c.errors[0].error.find("signal 6"), std::string::npos) << c.errors[0].error;
  EXPECT_EQ(exit_status(r, c), 2);
}

TEST(Explore, MaxPatternsStopsTheSearchAndSaysSo) {
  const auto sc = trace("s01-close-fin-wait-2-time-wait.tcpsim");
  const ExploreResult r = explore_or_die(sc, Budget{3, 0, 0}, {}, 5);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.patterns.size(), 5u);
  EXPECT_EQ(exit_status(r, group(r)), 2);
}

}  // namespace
}  // namespace tcpsim::explore
