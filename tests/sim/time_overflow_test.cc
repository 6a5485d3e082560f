// Issue 13: virtual time never wraps. A delay past the end of time (kTimeMax,
// model/time.h) gives an event that never fires; before, now + delay wrapped
// negative and the scheduler aborted with "time is in the past".
#include <gtest/gtest.h>

#include <memory>

#include "exchange.h"
#include "sim/scheduler.h"

namespace tcpsim::test {
namespace {

using model::State;
using sim::RunStatus;
using sim::Scheduler;

TEST(TimeOverflow, ScheduleAfterPastTheEndOfTimeIsPendingAndNeverFires) {
  Scheduler s;
  s.run_until(5 * kSecond);
  bool fired = false;
  // now + kTimeMax is past the end of time: it must saturate, not wrap.
  const sim::EventId id = s.schedule_after(kTimeMax, [&] { fired = true; });
  EXPECT_TRUE(s.is_pending(id));
  const sim::EventLoopResult r = s.run();
  EXPECT_EQ(r.status, RunStatus::kEmpty) << "only an event at the end of time is left";
  EXPECT_EQ(r.events, 0u);
  EXPECT_FALSE(fired);
  EXPECT_EQ(s.now(), 5 * kSecond) << "time does not jump to the end";
  EXPECT_TRUE(s.cancel(id)) << "still pending, so it can be cancelled";
}

TEST(TimeOverflow, EventsBeforeTheEndOfTimeStillFireInOrder) {
  Scheduler s;
  s.run_until(1);
  int order = 0, never = 0, late = 0;
  s.schedule_after(kTimeMax - 1, [&] { never = ++order; });  // 1 + kTimeMax - 1 = kTimeMax
  s.schedule_after(kMaxDuration, [&] { late = ++order; });
  s.run();
  EXPECT_EQ(late, 1);
  EXPECT_EQ(never, 0);
  EXPECT_EQ(s.now(), 1 + kMaxDuration);
}

// A TIME-WAIT of (nearly) the end of time: the connection stays in TIME-WAIT,
// and the run ends without the host's 2MSL arithmetic wrapping into the past.
TEST(TimeOverflow, TimeWaitToTheEndOfTimeNeverEnds) {
  ExchangeOptions o;
  o.run_for = 3600 * kSecond;
  auto e = std::make_unique<Exchange>(o);
  e->a->profile().tcp.time_wait = kTimeMax - 1;  // past what `set` allows: the arithmetic alone
  ASSERT_NO_THROW(e->run());
  EXPECT_GT(e->entered(true, State::TimeWait), 0);
  EXPECT_EQ(e->entered(true, State::Closed), -1) << "2MSL past the end of time never expires";
}

}  // namespace
}  // namespace tcpsim::test
