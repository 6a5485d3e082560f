// Outcome classification (scenario/outcome.h), the words sweep counts
// and explore groups by, checked on scenarios whose ending each trace's
// header derives from RFC 9293 and the Linux kernel.
#include "scenario/outcome.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "model/time.h"
#include "scenario/parser.h"

namespace tcpsim::scenario {
namespace {

const std::string kTraces = std::string(TCPSIM_SOURCE_DIR) + "/traces/";

Outcome outcome_of(const std::string& name, RunOptions opt = {}) {
  auto parsed = parse_file(kTraces + name);
  if (auto* e = std::get_if<ParseError>(&parsed)) throw std::runtime_error(e->message);
  auto sc = std::make_shared<const Scenario>(std::move(std::get<Scenario>(parsed)));
  auto ran = run(sc, opt);
  if (auto* e = std::get_if<ParseError>(&ran)) throw std::runtime_error(e->message);
  return classify(std::get<RunResult>(ran));
}

// S1: seven segments, none again; B's LAST-ACK ends when A's last ACK
// arrives at 5.005 s (the header's timeline), A's TIME-WAIT is not "open".
TEST(Outcome, S1_CleanClose_ClosedWhenLastAckArrives) {
  const Outcome o = outcome_of("s01-close-fin-wait-2-time-wait.tcpsim");
  EXPECT_EQ(o.kind, OutcomeKind::Clean) << o.label();
  EXPECT_FALSE(o.assertions_failed);
  EXPECT_EQ(o.retransmissions, 0u);
  EXPECT_EQ(o.segments, 7u);
  ASSERT_TRUE(o.closed_at.has_value());
  EXPECT_EQ(*o.closed_at, 5 * kSecond + 5 * kMillisecond);
  EXPECT_EQ(o.unread_bytes, 0u);
  EXPECT_FALSE(o.bad());
}

// The lost FIN is sent again once (a tail-loss probe); the close still ends cleanly.
TEST(Outcome, LostFin_CleanWithOneRetransmission) {
  const Outcome o = outcome_of("lost-fin.tcpsim");
  EXPECT_EQ(o.kind, OutcomeKind::Clean) << o.label();
  EXPECT_EQ(o.retransmissions, 1u);
}

TEST(Outcome, Rfc9293_3_10_7_3_RstInSynSent_IsConnectFailed) {
  const Outcome o = outcome_of("connection-refused.tcpsim");
  EXPECT_EQ(o.kind, OutcomeKind::ConnectFailed) << o.label();
  EXPECT_EQ(o.detail, "A refused");
}

TEST(Outcome, EverySynLost_IsConnectFailedTimedOut) {
  const Outcome o = outcome_of("syn-never-answered-etimedout.tcpsim");
  EXPECT_EQ(o.kind, OutcomeKind::ConnectFailed) << o.label();
  EXPECT_EQ(o.detail, "A timed out");
  EXPECT_EQ(o.retransmissions, 10u);  // 11 SYNs (docs/linux-observations.md)
}

// A's orphaned FIN-WAIT-2 gives up after 60 s and forgets the connection;
// B's program never closes, so B holds CLOSE-WAIT towards nobody.
TEST(Outcome, NeverCloses_CloseWaitWithPeerGone_IsHalfOpen) {
  const Outcome o = outcome_of("never-closes-close-wait-forever.tcpsim");
  EXPECT_EQ(o.kind, OutcomeKind::HalfOpen) << o.label();
  EXPECT_EQ(o.detail, "B CLOSE-WAIT, peer gone");
  EXPECT_TRUE(o.bad());
  EXPECT_FALSE(o.closed_at.has_value());
}

// A closed with B's "hello" unread: RST, B sees ECONNRESET; the 5 bytes
// were written and never read.
TEST(Outcome, Rfc9293_3_10_4_CloseWithUnreadData_IsResetAndDataUnread) {
  const Outcome o = outcome_of("close-unread-data-rst.tcpsim");
  EXPECT_EQ(o.kind, OutcomeKind::Reset) << o.label();
  EXPECT_EQ(o.unread_bytes, 5u);
}

TEST(Outcome, SoLingerZero_IsReset) {
  const Outcome o = outcome_of("so-linger-zero-rst.tcpsim");
  EXPECT_EQ(o.kind, OutcomeKind::Reset) << o.label();
}

TEST(Outcome, Rfc9293_3_6_SimultaneousClose_IsClean) {
  const Outcome o = outcome_of("simultaneous-close.tcpsim");
  EXPECT_EQ(o.kind, OutcomeKind::Clean) << o.label();
  EXPECT_EQ(o.retransmissions, 0u);
}

// Cut S1 at 3 s: A in FIN-WAIT-2, B in CLOSE-WAIT, both still there.
TEST(Outcome, CutBeforeTheSecondFin_IsStuckInBothStates) {
  RunOptions opt;
  opt.until = 3 * kSecond;
  const Outcome o = outcome_of("s01-close-fin-wait-2-time-wait.tcpsim", opt);
  EXPECT_EQ(o.kind, OutcomeKind::Stuck) << o.label();
  EXPECT_EQ(o.detail, "A FIN-WAIT-2, B CLOSE-WAIT");
  EXPECT_TRUE(o.assertions_failed);  // its later state assertions see the cut run
}

// B's program closed c1 at 6 s (close() = 0: LAST-ACK, an orphan); A had
// forgotten k1 (its orphaned FIN-WAIT-2 timed out at 4.006 s), so B's FIN
// is answered with a RST and B's LAST-ACK ends in it. No program saw an
// error: this was counted as "reset", which reads as an ECONNRESET.
TEST(Outcome, Rfc9293_3_10_7_4_RstInAnOrphansLastAck_IsResetAfterCloseNotReset) {
  const Outcome o = outcome_of("orphan-fin-wait-2-timeout.tcpsim");
  EXPECT_EQ(o.kind, OutcomeKind::ResetAfterClose) << o.label();
  EXPECT_EQ(o.detail, "B in LAST-ACK");
  EXPECT_EQ(outcome_name(o.kind), "reset-after-close");
}

// A's program closes after B's FIN (CLOSE-WAIT -> LAST-ACK, close() = 0);
// every FIN from A is lost, so A's orphan retransmits until its retries
// are spent and gives up (RFC 9293 3.8.3: the R2 threshold). B's orphaned
// FIN-WAIT-2 ends on its timer. Both sides end CLOSED, nothing half-open or
// stuck; the give-up reached no program: not "timed-out".
TEST(Outcome, Rfc9293_3_8_3_OrphanGivesUpInLastAck_IsGaveUpAfterCloseNotTimedOut) {
  const std::string text =
      "profile rfc9293\nhost A 10.0.0.1\nhost B 10.0.0.2\n"
      "set A data_retries 2\nset B fin_wait_2_timeout 5s\ndrop A -> B all FIN\n"
      "program server on B {\n  s = socket()\n  bind(s, 10.0.0.2:8080) = 0\n  listen(s, 5) = 0\n"
      "  c = accept(s)\n  close(c) = 0\n}\n"
      "program client on A {\n  k = socket()\n  connect(k, 10.0.0.2:8080) = 0\n  read(k, 100) = 0\n"
      "  close(k) = 0\n}\n";
  auto parsed = parse(text, "orphan-gives-up.tcpsim");
  ASSERT_TRUE(std::holds_alternative<Scenario>(parsed)) << std::get<ParseError>(parsed).message;
  auto sc = std::make_shared<const Scenario>(std::move(std::get<Scenario>(parsed)));
  auto ran = run(sc, {});
  ASSERT_TRUE(std::holds_alternative<RunResult>(ran));
  const Outcome o = classify(std::get<RunResult>(ran));
  EXPECT_EQ(o.kind, OutcomeKind::GaveUpAfterClose) << o.label();
  EXPECT_EQ(o.detail, "A in LAST-ACK");
  EXPECT_FALSE(o.assertions_failed);
}

// The JSON Schema's list of classes is outcome.cc's, in its order: a class
// added to one and not the other fails here, before a trace carries it.
TEST(Outcome, SchemaEnumIsTheListOfClasses) {
  std::ifstream f(std::string(TCPSIM_SOURCE_DIR) + "/docs/tcpsim-trace.schema.json");
  ASSERT_TRUE(f) << "docs/tcpsim-trace.schema.json";
  const auto schema = nlohmann::json::parse(f);
  const auto& names = schema.at("properties").at("outcome").at("properties").at("class").at("enum");
  ASSERT_EQ(names.size(), static_cast<std::size_t>(kOutcomeKindCount));
  for (int i = 0; i < kOutcomeKindCount; ++i)
    EXPECT_EQ(names[i].get<std::string>(), outcome_name(static_cast<OutcomeKind>(i))) << i;
}

TEST(Outcome, NamesRoundTrip) {
  for (int i = 0; i < kOutcomeKindCount; ++i) {
    const auto k = static_cast<OutcomeKind>(i);
    EXPECT_EQ(outcome_named(outcome_name(k)), k);
  }
  EXPECT_FALSE(outcome_named("fine").has_value());
}

}  // namespace
}  // namespace tcpsim::scenario
