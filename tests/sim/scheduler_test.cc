#include "sim/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/packet.h"
#include "sim/rng.h"

namespace tcpsim::sim {
namespace {

TEST(Scheduler, EventsFireInTimeOrderAndNowFollows) {
  Scheduler s;
  std::vector<std::pair<int, Time>> fired;
  s.schedule_at(30, [&] { fired.emplace_back(3, s.now()); });
  s.schedule_at(10, [&] { fired.emplace_back(1, s.now()); });
  s.schedule_at(20, [&] { fired.emplace_back(2, s.now()); });
  const EventLoopResult r = s.run();
  EXPECT_EQ(r.status, RunStatus::kEmpty);
  EXPECT_EQ(r.events, 3u);
  const std::vector<std::pair<int, Time>> want{{1, 10}, {2, 20}, {3, 30}};
  EXPECT_EQ(fired, want);
  EXPECT_EQ(s.now(), 30);
}

TEST(Scheduler, SameTimeEventsRunInInsertionOrder) {
  Scheduler s;
  std::string order;
  for (char c : std::string("abcde")) s.schedule_at(10, [&order, c] { order += c; });
  s.schedule_at(5, [&] { order += '0'; });  // earlier time wins over insertion order
  s.run();
  EXPECT_EQ(order, "0abcde");
}

TEST(Scheduler, EventScheduledForNowDuringARunGoesAfterQueuedSameTimeEvents) {
  Scheduler s;
  std::string order;
  s.schedule_at(10, [&] {
    order += 'a';
    s.schedule_after(0, [&] { order += 'c'; });
  });
  s.schedule_at(10, [&] { order += 'b'; });
  s.run();
  EXPECT_EQ(order, "abc");
}

TEST(Scheduler, ScheduleAfterIsRelativeToNow) {
  Scheduler s;
  Time fired_at = -1;
  s.schedule_at(100, [&] { s.schedule_after(25, [&] { fired_at = s.now(); }); });
  s.run();
  EXPECT_EQ(fired_at, 125);
}

TEST(Scheduler, CancelPreventsFiring) {
  Scheduler s;
  bool a = false, b = false;
  const EventId ia = s.schedule_at(10, [&] { a = true; });
  s.schedule_at(20, [&] { b = true; });
  EXPECT_EQ(s.pending(), 2u);
  EXPECT_TRUE(s.is_pending(ia));
  EXPECT_TRUE(s.cancel(ia));
  EXPECT_FALSE(s.is_pending(ia));
  EXPECT_EQ(s.pending(), 1u);
  EXPECT_FALSE(s.cancel(ia));  // twice: nothing left to cancel
  const EventLoopResult r = s.run();
  EXPECT_FALSE(a);
  EXPECT_TRUE(b);
  EXPECT_EQ(r.events, 1u);
  EXPECT_EQ(s.now(), 20);
}

TEST(Scheduler, CancelAfterFireIsHarmless) {
  Scheduler s;
  int fired = 0;
  const EventId id = s.schedule_at(10, [&] { ++fired; });
  s.run();
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(s.cancel(id));
  // The fired event's slot is reused by the next event: the old id must not
  // reach it.
  bool later = false;
  s.schedule_at(20, [&] { later = true; });
  EXPECT_FALSE(s.cancel(id));
  s.run();
  EXPECT_TRUE(later);
  EXPECT_FALSE(s.cancel(EventId{}));
}

TEST(Scheduler, CancellingItselfFromItsCallbackReturnsFalse) {
  Scheduler s;
  EventId self;
  bool result = true;
  self = s.schedule_at(10, [&] { result = s.cancel(self); });
  s.run();
  EXPECT_FALSE(result);
}

TEST(Scheduler, CallbackCanCancelAnotherPendingEvent) {
  Scheduler s;
  bool victim_fired = false;
  const EventId victim = s.schedule_at(20, [&] { victim_fired = true; });
  s.schedule_at(10, [&] { EXPECT_TRUE(s.cancel(victim)); });
  s.run();
  EXPECT_FALSE(victim_fired);
}

TEST(Scheduler, RearmingATimerManyTimesFiresOnlyTheLastOne) {
  // TCP's retransmission timer: cancelled and re-armed on every ACK. Enough
  // re-arms to exercise the compaction of cancelled entries several times.
  Scheduler s;
  int fired = 0;
  Time fired_at = 0;
  EventId timer = s.schedule_at(1000, [&] { ++fired; });
  for (int i = 1; i <= 50000; ++i) {
    ASSERT_TRUE(s.cancel(timer));
    timer = s.schedule_at(1000 + i, [&] {
      ++fired;
      fired_at = s.now();
    });
  }
  EXPECT_EQ(s.pending(), 1u);
  EXPECT_EQ(s.next_time(), 51000);
  s.run();
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(fired_at, 51000);
}

TEST(Scheduler, ATimerRearmedOnEveryTickWithAFixedDelayKeepsTheQueueSmall) {
  // A loss probe re-armed on every ACK, always the same delay after it: one
  // fixed-delay queue whose entries are all cancelled but the newest, which
  // is never empty. The ticks fire; the timer never does.
  Scheduler s;
  EventId timer;
  int fired = 0;
  int ticks = 0;
  std::function<void()> tick = [&] {
    s.cancel(timer);
    timer = s.schedule_after(50, [&] { ++fired; });
    if (++ticks < 200000) s.schedule_after(3, tick);
  };
  s.schedule_at(0, tick);
  std::size_t most = 0;
  while (s.run(1000).status == RunStatus::kEventLimit) most = std::max(most, s.queued());
  EXPECT_EQ(fired, 1);  // only the last one
  EXPECT_LT(most, 20000u) << "cancelled entries pile up: " << most;
}

TEST(Scheduler, AnEventWithATakenSeqFiresWhereOneScheduledThenWouldHave) {
  Scheduler s;
  std::string order;
  s.schedule_at(10, [&] { order += 'a'; });
  const std::uint64_t seq = s.take_seq();  // 'b' belongs here among equal times
  s.schedule_at(10, [&] { order += 'c'; });
  s.schedule_at(5, [&] {
    order += '0';
    s.schedule_at_seq(10, seq, [&] { order += 'b'; });
  });
  s.run();
  EXPECT_EQ(order, "0abc");
  EXPECT_THROW(s.schedule_at_seq(20, s.take_seq() + 1, [] {}), std::invalid_argument);
}

TEST(Scheduler, RunUntilStopsAndLeavesLaterEvents) {
  Scheduler s;
  std::vector<Time> fired;
  for (Time t : {10, 20, 30}) s.schedule_at(t, [&] { fired.push_back(s.now()); });
  EventLoopResult r = s.run_until(20);  // inclusive: the event at 20 fires
  EXPECT_EQ(r.status, RunStatus::kTimeLimit);
  EXPECT_EQ(r.events, 2u);
  EXPECT_EQ(fired, (std::vector<Time>{10, 20}));
  EXPECT_EQ(s.now(), 20);
  EXPECT_EQ(s.pending(), 1u);

  r = s.run_until(25);  // nothing due: the clock still moves to the limit
  EXPECT_EQ(r.status, RunStatus::kTimeLimit);
  EXPECT_EQ(r.events, 0u);
  EXPECT_EQ(s.now(), 25);

  r = s.run();
  EXPECT_EQ(r.status, RunStatus::kEmpty);
  EXPECT_EQ(fired, (std::vector<Time>{10, 20, 30}));
}

TEST(Scheduler, RunUntilOnAnEmptyQueueAdvancesTheClock) {
  Scheduler s;
  const EventLoopResult r = s.run_until(500);
  EXPECT_EQ(r.status, RunStatus::kEmpty);
  EXPECT_EQ(s.now(), 500);
  s.schedule_after(5, [] {});
  EXPECT_EQ(s.next_time(), 505);
}

TEST(Scheduler, EventBoundIsReported) {
  // An event that always re-schedules itself: without the bound, run() would
  // never return.
  Scheduler s;
  struct Ticker {
    Scheduler* s;
    void operator()() const { s->schedule_after(7, *this); }
  };
  s.schedule_at(0, Ticker{&s});
  const EventLoopResult r = s.run(1000);
  EXPECT_EQ(r.status, RunStatus::kEventLimit);
  EXPECT_TRUE(r.hit_event_limit());
  EXPECT_EQ(r.events, 1000u);
  EXPECT_EQ(s.now(), 999 * 7);  // events at 0, 7, ..., 999 * 7
  EXPECT_EQ(s.pending(), 1u);
  EXPECT_EQ(std::string(to_string(r.status)), "event-limit");

  const EventLoopResult u = s.run_until(kSecond, 10);
  EXPECT_EQ(u.status, RunStatus::kEventLimit);
  EXPECT_EQ(s.now(), (1000 + 9) * 7);  // the clock stays at the last event, not the limit
}

TEST(Scheduler, FinishingExactlyAtTheBoundIsNotReportedAsHittingIt) {
  Scheduler s;
  for (int i = 0; i < 5; ++i) s.schedule_at(i, [] {});
  const EventLoopResult r = s.run(5);
  EXPECT_EQ(r.status, RunStatus::kEmpty);
  EXPECT_EQ(r.events, 5u);
}

TEST(Scheduler, RunWhileChecksThePredicateBeforeEachEvent) {
  Scheduler s;
  int count = 0;
  for (int i = 0; i < 10; ++i) s.schedule_at(i, [&] { ++count; });
  const EventLoopResult r = s.run_while([&] { return count < 3; });
  EXPECT_EQ(r.status, RunStatus::kPredicate);
  EXPECT_EQ(count, 3);
  EXPECT_EQ(s.now(), 2);
  EXPECT_EQ(s.pending(), 7u);
}

TEST(Scheduler, StopFromACallbackEndsTheRunAfterIt) {
  Scheduler s;
  int count = 0;
  for (int i = 0; i < 10; ++i) {
    s.schedule_at(i, [&] {
      if (++count == 4) s.stop();
    });
  }
  EventLoopResult r = s.run();
  EXPECT_EQ(r.status, RunStatus::kStopped);
  EXPECT_EQ(r.events, 4u);
  r = s.run();  // a stop applies to one run only
  EXPECT_EQ(r.status, RunStatus::kEmpty);
  EXPECT_EQ(count, 10);
}

TEST(Scheduler, SchedulingInThePastThrows) {
  Scheduler s;
  s.run_until(100);
  EXPECT_THROW(s.schedule_at(99, [] {}), std::invalid_argument);
  EXPECT_NO_THROW(s.schedule_at(100, [] {}));
}

TEST(Scheduler, CallbackStateIsDestroyedAfterFireCancelAndDestruction) {
  auto token = std::make_shared<int>(0);
  {
    Scheduler s;
    s.schedule_at(1, [token] {});
    const EventId c = s.schedule_at(2, [token] {});
    s.schedule_at(3, [token] {});
    EXPECT_EQ(token.use_count(), 4);
    s.cancel(c);
    EXPECT_EQ(token.use_count(), 3);
    s.run_until(1);
    EXPECT_EQ(token.use_count(), 2);
  }  // the event at 3 never fired: the scheduler's destructor releases it
  EXPECT_EQ(token.use_count(), 1);
}

TEST(Scheduler, APacketCanBeCapturedByValue) {
  // The simulation's most common event is "deliver this packet": it must fit
  // the inline storage without a heap-allocated wrapper.
  Scheduler s;
  Packet p;
  p.seg.payload = std::string(1000, 'x');  // heap-allocated string, moved in
  p.id = 42;
  std::uint64_t got_id = 0;
  std::size_t got_len = 0;
  auto* sink = &got_id;
  s.schedule_at(5, [p = std::move(p), sink, &got_len] {
    *sink = p.id;
    got_len = p.seg.payload.size();
  });
  s.run();
  EXPECT_EQ(got_id, 42u);
  EXPECT_EQ(got_len, 1000u);
}

// Differential test: a random mix of schedule / cancel / run_until against a
// std::map keyed by (time, insertion number), the obvious correct scheduler.
TEST(Scheduler, MatchesAReferenceModelUnderRandomOperations) {
  Scheduler s;
  Rng rng(2024);
  std::map<std::pair<Time, std::uint64_t>, int> ref;  // (time, seq) -> event number
  std::vector<std::pair<EventId, std::pair<Time, std::uint64_t>>> ids;
  std::vector<int> fired, want;
  std::uint64_t seq = 0;
  int next_event = 0;
  for (int round = 0; round < 200; ++round) {
    const int adds = 1 + static_cast<int>(rng.uniform(400));
    for (int i = 0; i < adds; ++i) {
      const Time t = s.now() + static_cast<Time>(rng.uniform(1000));  // many ties
      const int n = next_event++;
      const EventId id = s.schedule_at(t, [&fired, n] { fired.push_back(n); });
      ref[{t, seq}] = n;
      ids.push_back({id, {t, seq}});
      ++seq;
    }
    // Cancel most new events (re-armed timers), enough for the heap's
    // cancelled entries to be compacted away several times, plus a few
    // random old ids that may have fired or been cancelled already.
    for (std::size_t i = ids.size() - static_cast<std::size_t>(adds); i < ids.size(); ++i) {
      if (rng.uniform(4) == 0) continue;
      ASSERT_TRUE(s.cancel(ids[i].first));
      ref.erase(ids[i].second);
    }
    for (int i = 0; i < 20; ++i) {
      const auto& [id, key] = ids[rng.uniform(ids.size())];
      const bool in_ref = ref.erase(key) == 1;
      ASSERT_EQ(s.cancel(id), in_ref);
    }
    const Time limit = s.now() + static_cast<Time>(rng.uniform(300));
    while (!ref.empty() && ref.begin()->first.first <= limit) {
      want.push_back(ref.begin()->second);
      ref.erase(ref.begin());
    }
    s.run_until(limit);
    ASSERT_EQ(fired, want) << "round " << round;
    ASSERT_EQ(s.pending(), ref.size());
  }
  s.run();
  for (const auto& [key, n] : ref) want.push_back(n);
  EXPECT_EQ(fired, want);
}

}  // namespace
}  // namespace tcpsim::sim
