// Issue 13: the bounds that keep a run finite. Descriptors: POSIX's lowest
// free descriptor in O(log n), and EMFILE at RLIMIT_NOFILE (Linux's default
// soft limit 1024, the profile value `nofile`). epoll_wait's timeout
// saturates at the end of time. The trace stops keeping records at its limit.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "script.h"
#include "sim/fd_table.h"
#include "sim/profile.h"
#include "sim/trace.h"

namespace tcpsim::test {
namespace {

using sim::FdTable;

// POSIX (open, socket, dup): "the lowest numbered file descriptor not
// currently open". A set of open descriptors is the reference.
TEST(FdTable, Posix_NewDescriptorIsTheLowestNotOpen_AgainstAReference) {
  FdTable t(3);
  std::set<int> open;
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    if (open.empty() || rng() % 3 != 0) {
      int want = 3;
      while (open.count(want)) ++want;
      ASSERT_EQ(t.lowest_free(), want);
      ASSERT_EQ(t.open(static_cast<FdTable::SocketId>(want * 10)), want) << "step " << i;
      open.insert(want);
    } else {
      auto it = open.begin();
      std::advance(it, static_cast<long>(rng() % open.size()));
      t.close(*it);
      open.erase(it);
    }
    ASSERT_EQ(t.size(), open.size());
  }
  std::vector<int> listed;
  t.for_each([&](int fd, FdTable::SocketId s) {
    EXPECT_EQ(s, static_cast<FdTable::SocketId>(fd * 10));
    listed.push_back(fd);
  });
  EXPECT_EQ(listed, std::vector<int>(open.begin(), open.end())) << "in increasing order";
  EXPECT_EQ(t.find(2), FdTable::kNone);
  EXPECT_EQ(t.find(1 << 30), FdTable::kNone);
}

// Linux alloc_fd(): with RLIMIT_NOFILE n, descriptors 0..n-1; 0, 1 and 2
// are the standard streams, so 1021 sockets (3..1023) and then EMFILE.
TEST(Descriptors, Linux_SocketFailsWithEmfileAtTheDefaultNofileOf1024) {
  World w("linux", 1 * kMillisecond, false);
  ASSERT_EQ(w.a->profile().nofile, 1024);
  Script p = w.script("p");
  for (int i = 0; i < 1021; ++i) p.socket("s");
  p.socket("over").close("s").socket("again").dup("again", "d");
  w.run_on(*w.a, p);
  w.run_until(1 * kSecond);
  const LogEntry* last_ok = w.log->find("p", "socket", 1020);
  ASSERT_TRUE(last_ok) << w.log->dump();
  EXPECT_EQ(last_ok->value, 1023);
  const LogEntry* over = w.log->find("p", "socket", 1021);
  ASSERT_TRUE(over);
  EXPECT_EQ(over->value, -1);
  EXPECT_EQ(over->err, sim::Errno::MFile);
  // close("s") closed 1023, the last one `s` named: it is free again.
  const LogEntry* again = w.log->find("p", "socket", 1022);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->value, 1023);
  const LogEntry* dup = w.log->find("p", "dup");
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->err, sim::Errno::MFile) << "dup needs a descriptor too";
}

TEST(Descriptors, NofileRaisesTheBound) {
  World w("linux", 1 * kMillisecond, false);
  ASSERT_FALSE(sim::set_profile_value(w.a->profile(), "nofile", "1100"));
  Script p = w.script("p");
  for (int i = 0; i < 1098; ++i) p.socket("s");
  w.run_on(*w.a, p);
  w.run_until(1 * kSecond);
  const LogEntry* last = w.log->find("p", "socket", 1096);
  ASSERT_TRUE(last) << w.log->dump();
  EXPECT_EQ(last->value, 1099);
  EXPECT_EQ(w.log->find("p", "socket", 1097)->err, sim::Errno::MFile);
}

// epoll_wait(ep, max, timeout) with a timeout past the end of time waits for
// ever; wrapped, the deadline was in the past and it returned 0 at once.
TEST(EpollWait, TimeoutPastTheEndOfTimeWaitsForEver) {
  World w("linux", 1 * kMillisecond, false);
  Script p = w.script("p");
  p.epoll_create("ep").sleep(1 * kSecond).epoll_wait("ep", kTimeMax);
  w.run_on(*w.a, p);
  w.run_until(100 * kSecond);
  EXPECT_EQ(w.log->find("p", "epoll_wait"), nullptr) << w.log->dump();
}

TEST(Trace, KeepsNoMoreRecordsThanItsLimitAndSaysWhenItFilled) {
  sim::Trace t;
  EXPECT_EQ(t.limit(), sim::Trace::kDefaultLimit);
  t.set_limit(3);
  for (int i = 0; i < 10; ++i) {
    sim::TraceRecord r;
    r.t = i;
    r.ref = t.add_text("call");
    t.add(r);
  }
  EXPECT_EQ(t.records().size(), 3u);
  EXPECT_TRUE(t.full());
  EXPECT_EQ(t.full_at(), 3) << "the first record refused";
  EXPECT_EQ(t.add_text("more"), 0u) << "texts stop with the records";
  t.clear();
  EXPECT_FALSE(t.full());
}

}  // namespace
}  // namespace tcpsim::test
