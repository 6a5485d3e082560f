// Issue 13: the model's timer arithmetic saturates (model/time.h) instead of
// wrapping: RFC 6298 §5.5's doubling stops at rto_max however large the RTO,
// and Linux's retry budget (tcp_model_timeout) stays a huge positive time for
// a thousand retries of a long rto_max.
#include <gtest/gtest.h>

#include <string>

#include "harness.h"

namespace tcpsim::test {
namespace {

constexpr Duration ms = kMillisecond;

TEST(TimeOverflow, Rfc6298_5_5_BackoffOfAHugeRtoSaturatesAtRtoMax) {
  Config cfg;
  // 2 x 6e18 ns is past int64: doubling must stop at rto_max, not wrap.
  cfg.rto_initial = 6'000'000'000'000'000'000;
  cfg.rto_min = 1 * kSecond;
  cfg.rto_max = cfg.rto_initial;
  Endpoint ep(cfg);
  Outbox o;
  ep.open_active(kIss, 0, o);
  ASSERT_EQ(armed_for(o, TimerKind::Retransmission), cfg.rto_initial);
  o.clear();
  ep.timeout(TimerKind::Retransmission, cfg.rto_initial, o);
  ASSERT_EQ(sent(o).size(), 1u) << describe(o);
  EXPECT_EQ(armed_for(o, TimerKind::Retransmission), cfg.rto_max);
}

// Linux tcp_model_timeout(): 1000 retries with rto_max = kMaxDuration take
// about 1000 x 1e16 ns, past int64; the budget must saturate. Wrapped, it was
// negative, and the connection gave up at its second timeout.
TEST(TimeOverflow, LinuxRetryBudgetOfManyLongRetriesDoesNotWrapIntoGivingUp) {
  Config cfg;
  cfg.give_up_by_time = true;
  cfg.rto_min = 200 * ms;
  cfg.rto_max = kMaxDuration;
  cfg.data_retries = 1000;
  Endpoint ep(cfg);
  Outbox o;
  ep.open_active(kIss, 0, o);
  o.clear();
  ep.segment_arrives(seg(kSyn | kAck, kIrs, kIss + 1), 10 * ms, o);
  ASSERT_EQ(ep.state(), State::Established);
  o.clear();
  ASSERT_EQ(ep.send(std::string(10, 'x'), 20 * ms, o), model::Error::None);
  Time now = 20 * ms;
  for (int i = 0; i < 3; ++i) {
    now += armed_for(o, TimerKind::Retransmission);
    o.clear();
    ep.timeout(TimerKind::Retransmission, now, o);
    ASSERT_EQ(ep.state(), State::Established) << "timeout " << i + 1 << ": " << describe(o);
    ASSERT_EQ(sent(o).size(), 1u) << describe(o);
  }
}

// An rto_min of 0 made tcp_model_timeout's ilog2 loop for ever (0 doubled
// never exceeds rto_max); `set` refuses it now, and the model terminates
// even when handed one.
TEST(TimeOverflow, LinuxRetryBudgetWithAZeroBaseTerminates) {
  Config cfg;
  cfg.give_up_by_time = true;
  cfg.rto_initial = 0;
  cfg.rto_min = 0;
  cfg.syn_retries = 2;
  Endpoint ep(cfg);
  Outbox o;
  ep.open_active(kIss, 0, o);
  o.clear();
  ep.timeout(TimerKind::Retransmission, 0, o);  // first retransmission: the budget starts
  o.clear();
  ep.timeout(TimerKind::Retransmission, 0, o);  // the budget is asked: must return
  SUCCEED();
}

}  // namespace
}  // namespace tcpsim::test
