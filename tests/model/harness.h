// Test support for the endpoint model: building segments, reading outboxes,
// reaching each state by the real path, and the registry that ties every
// row of the transition table to a test that proves it.
//
// Numbers follow RFC 9293's figures: our ISS is 100, the peer's is 300, so
// sequence numbers read as kIss + 1 (after our SYN) + 1 (after our FIN).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "model/endpoint.h"
#include "model/transition_table.h"

namespace tcpsim::test {

using model::AppEvent;
using model::Config;
using model::Endpoint;
using model::Outbox;
using model::Segment;
using model::Seq;
using model::State;
using model::TimerKind;
using namespace model;  // flags: kSyn, kAck, ...

constexpr Seq kIss = 100;  // ours
constexpr Seq kIrs = 300;  // the peer's
constexpr std::uint16_t kWnd = 65535;

// A segment from the peer, built like smoltcp's tests: a template with overrides.
Segment seg(std::uint8_t flags, Seq seq, Seq ack = 0, std::string payload = {}, std::uint16_t window = kWnd);

// What an outbox says.
std::vector<Segment> sent(const Outbox& out);
bool fired(const Outbox& out, std::string_view rule);  // a row with this rule name fired
bool armed(const Outbox& out, TimerKind k);
bool cancelled(const Outbox& out, TimerKind k);
Duration armed_for(const Outbox& out, TimerKind k);  // the last arming's duration; -1 if none
bool notified(const Outbox& out, AppEvent e);
bool ignored(const Outbox& out);          // no row took the event
std::string describe(const Outbox& out);  // for failure messages

// An endpoint in `state`, reached by the real path from CLOSED (active open
// unless `passive`): every fixture is a sequence of calls and peer segments.
// The outbox of the last step is left in *last if given.
Endpoint reach(State state, const Config& cfg = Config{}, bool passive = false, Outbox* last = nullptr);

// Registry: ROW_TEST(rule, Name) declares a test that proves the table row
// `rule`; TransitionTable.EveryRowHasATest fails for a row nobody claims.
bool register_row_test(const char* rule, const char* test);
const std::vector<std::pair<std::string, std::string>>& row_tests();

#define ROW_TEST(rule, name)                                                                                 \
  static const bool tcpsim_row_registered_##rule##_##name = ::tcpsim::test::register_row_test(#rule, #name); \
  TEST(Row_##rule, name)

// Asserts that `rule` fired in `out`, printing the outbox when not.
#define EXPECT_FIRED(out, rule) EXPECT_TRUE(::tcpsim::test::fired(out, rule)) << ::tcpsim::test::describe(out)

}  // namespace tcpsim::test
