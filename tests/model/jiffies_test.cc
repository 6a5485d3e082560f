// Linux's jiffies as model/jiffies.h counts them (include/linux/jiffies.h,
// kernel/time/timer.c), at the profile's hz.
#include "model/jiffies.h"

#include <gtest/gtest.h>

namespace tcpsim::model {
namespace {

constexpr Duration ms = kMillisecond;

TEST(Jiffies, LinuxUsecsToJiffiesRoundsUp) {
  EXPECT_EQ(duration_to_jiffies(4 * ms, 250), 1);
  EXPECT_EQ(duration_to_jiffies(4 * ms + 1, 250), 2);  // never early
  EXPECT_EQ(duration_to_jiffies(100 * ms, 250), 25);
  EXPECT_EQ(duration_to_jiffies(0, 250), 0);
  EXPECT_EQ(duration_to_jiffies(40 * ms, 1000), 40);
}

TEST(Jiffies, LinuxTimerDueNowRunsOnTheNextTick) {
  // At 1.0015 s (jiffy 250 at HZ 250) a timer due at jiffy 250 (or before)
  // runs when the wheel next advances, at 1.004 s; one due at 260 at 1.040 s.
  EXPECT_EQ(to_jiffies(1001500 * kMicrosecond, 250), 250);
  EXPECT_EQ(jiffy_timer_fires_at(1001500 * kMicrosecond, 250, 250), 1004 * ms);
  EXPECT_EQ(jiffy_timer_fires_at(1001500 * kMicrosecond, 249, 250), 1004 * ms);
  EXPECT_EQ(jiffy_timer_fires_at(1001500 * kMicrosecond, 260, 250), 1040 * ms);
}

TEST(Jiffies, FarTimersSaturateAtTheEndOfTime) {
  EXPECT_EQ(jiffy_timer_fires_at(0, std::numeric_limits<std::int64_t>::max() / 2, 250), kTimeMax);
}

}  // namespace
}  // namespace tcpsim::model
