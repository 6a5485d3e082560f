// The table as data: what `tcpsim states` draws and what coverage is checked against.
#include <set>

#include "harness.h"
#include "model/table_limits.h"

namespace tcpsim::test {
namespace {

TEST(TransitionTable, EveryRowHasATest) {
  std::set<std::string> claimed;
  for (const auto& [rule, test] : row_tests()) claimed.insert(rule);
  std::string missing;
  for (const auto& row : model::transition_table()) {
    if (!claimed.count(std::string(row.rule))) missing += " " + std::string(row.rule);
  }
  EXPECT_TRUE(missing.empty()) << "rows without a ROW_TEST:" << missing;
}

TEST(TransitionTable, EveryClaimedRuleExists) {
  std::set<std::string> rules;
  for (const auto& row : model::transition_table()) rules.insert(std::string(row.rule));
  for (const auto& [rule, test] : row_tests())
    EXPECT_TRUE(rules.count(rule)) << test << " claims unknown rule " << rule;
}

TEST(TransitionTable, RuleNamesAreUniqueAndIdsAreIndexes) {
  std::set<std::string_view> seen;
  const auto& t = model::transition_table();
  for (std::size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(t[i].id, i);
    EXPECT_TRUE(seen.insert(t[i].rule).second) << "duplicate rule " << t[i].rule;
    EXPECT_FALSE(t[i].ref.empty()) << t[i].rule;
    EXPECT_FALSE(t[i].summary.empty()) << t[i].rule;
  }
}

// RFC 9293 Figure 5's arrows, each of which must be a row of the table.
TEST(TransitionTable, Rfc9293_3_3_2_Figure5ArrowsAreAllRows) {
  struct Arrow {
    State from, to;
    std::string_view event;
  };
  const Arrow arrows[] = {
      {State::Closed, State::Listen, "OPEN(passive)"},   {State::Closed, State::SynSent, "OPEN(active)"},
      {State::Listen, State::Closed, "CLOSE"},           {State::Listen, State::SynReceived, "rcv SYN"},
      {State::Listen, State::SynSent, "SEND"},           {State::SynSent, State::Closed, "CLOSE"},
      {State::SynSent, State::SynReceived, "rcv SYN"},   {State::SynSent, State::Established, "rcv SYN,ACK"},
      {State::SynReceived, State::Listen, "rcv RST"},    {State::SynReceived, State::Established, "rcv ACK"},
      {State::SynReceived, State::FinWait1, "CLOSE"},    {State::Established, State::FinWait1, "CLOSE"},
      {State::Established, State::CloseWait, "rcv FIN"}, {State::FinWait1, State::FinWait2, "rcv ACK"},
      {State::FinWait1, State::Closing, "rcv FIN"},      {State::FinWait2, State::TimeWait, "rcv FIN"},
      {State::Closing, State::TimeWait, "rcv ACK"},      {State::CloseWait, State::LastAck, "CLOSE"},
      {State::LastAck, State::Closed, "rcv ACK"},        {State::TimeWait, State::Closed, "2MSL timeout"},
  };
  for (const auto& a : arrows) {
    bool found = false;
    for (const auto& row : model::transition_table()) {
      if (row.source == a.from && row.target == a.to && row.event == a.event) found = true;
    }
    EXPECT_TRUE(found) << state_name(a.from) << " --" << a.event << "--> " << state_name(a.to);
  }
}

TEST(TransitionTable, StatesPrintWithRfcSpellings) {
  EXPECT_EQ(state_name(State::SynReceived), "SYN-RECEIVED");
  EXPECT_EQ(state_name(State::FinWait1), "FIN-WAIT-1");
  EXPECT_EQ(state_name(State::TimeWait), "TIME-WAIT");
  EXPECT_EQ(state_name(State::CloseWait), "CLOSE-WAIT");
  EXPECT_EQ(state_name(State::LastAck), "LAST-ACK");
}

// Boost 1.74's MPL caps the table's length at compile time (model/table_limits.h);
// one row past the cap breaks the build. This fails first, with the remedy,
// while a few rows are still left, so a change that adds rows is told in time.
TEST(TransitionTable, LeavesHeadroomUnderTheMplVectorLimit) {
  const int rows = static_cast<int>(model::transition_table().size());
  EXPECT_LE(rows + model::kTableHeadroomRows, model::kMaxTableRows)
      << "the table has " << rows << " rows and TCPSIM_MPL_VECTOR_MAX is " << model::kMaxTableRows
      << ": raise it in model/table_limits.h before adding more rows";
}

}  // namespace
}  // namespace tcpsim::test
