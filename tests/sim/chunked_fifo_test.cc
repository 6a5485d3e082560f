// sim::ChunkedFifo, the queue of a host's compact TIME-WAIT records: checked
// against std::deque as the reference, with blocks of 4 so that every
// operation crosses block boundaries and blocks are reused many times.
#include "sim/chunked_fifo.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>

#include "sim/rng.h"

namespace tcpsim::sim {
namespace {

TEST(ChunkedFifo, MatchesADequeUnderRandomPushesAndPops) {
  ChunkedFifo<int, 4> fifo;
  std::deque<int> ref;
  Rng rng(11);
  int next = 0;
  for (int step = 0; step < 20000; ++step) {
    // Pushes slightly more likely than pops: the queue grows and empties.
    const bool push = ref.empty() || rng.uniform(100) < (step % 4000 < 2000 ? 60 : 40);
    if (push) {
      fifo.push_back(int{next});
      ref.push_back(next++);
    } else {
      fifo.pop_front();
      ref.pop_front();
    }
    ASSERT_EQ(fifo.size(), ref.size());
    ASSERT_EQ(fifo.empty(), ref.empty());
    if (!ref.empty()) {
      ASSERT_EQ(fifo.front(), ref.front());
      ASSERT_EQ(fifo.back(), ref.back());
      const std::size_t i = rng.uniform(ref.size());
      ASSERT_EQ(fifo[i], ref[i]) << "index " << i << " of " << ref.size();
    }
  }
}

TEST(ChunkedFifo, ElementsNeverMoveWhileOthersArePushed) {
  // A record found by index must stay where it is (bring_back keeps a
  // reference while it creates a connection).
  ChunkedFifo<int, 4> fifo;
  fifo.push_back(1);
  const int* first = &fifo.front();
  for (int i = 0; i < 100; ++i) fifo.push_back(int{i});
  EXPECT_EQ(first, &fifo.front());
  EXPECT_EQ(*first, 1);
}

TEST(ChunkedFifo, PopLetsGoOfWhatTheElementHolds) {
  ChunkedFifo<std::shared_ptr<int>, 4> fifo;
  auto p = std::make_shared<int>(7);
  fifo.push_back(std::shared_ptr<int>(p));
  fifo.push_back(std::make_shared<int>(8));
  EXPECT_EQ(p.use_count(), 2);
  fifo.pop_front();
  EXPECT_EQ(p.use_count(), 1);  // not when its block is reused
}

}  // namespace
}  // namespace tcpsim::sim
