// The send buffer and write()'s source of bytes (model/send_buffer.h).
#include "model/send_buffer.h"

#include <gtest/gtest.h>

#include <string>

namespace tcpsim::model {
namespace {

TEST(SendBuffer, FreeSpaceIsCapacityLessWhatIsQueuedAndNeverNegative) {
  SendBuffer b;
  EXPECT_EQ(b.free_space(100), 100u);
  b.append("0123456789", 10);
  EXPECT_EQ(b.free_space(100), 90u);
  EXPECT_EQ(b.free_space(4), 0u) << "SO_SNDBUF lowered below what is queued";
}

TEST(SendBuffer, AcknowledgedBytesLeaveFromTheFrontAcrossCompactions) {
  SendBuffer b;
  std::string all;
  for (int i = 0; i < 5000; ++i) all += static_cast<char>('a' + i % 26);
  b.append(all.data(), all.size());
  std::size_t acked = 0;
  for (std::size_t step : {1u, 999u, 3000u, 7u, 500u}) {
    b.consume(step);
    acked += step;
    ASSERT_EQ(b.size(), all.size() - acked);
    ASSERT_EQ(b.view(0, 20), std::string_view(all).substr(acked, 20)) << "after " << acked;
  }
  b.append("XYZ", 3);
  EXPECT_EQ(b.view(b.size() - 3, 3), "XYZ");
  b.consume(1u << 20);  // more than queued: all of it
  EXPECT_TRUE(b.empty());
}

TEST(WriteSource, FillerIsTheDigitsRepeatedFromTheFirstAndMadeOnlyAsAsked) {
  const WriteSource w = WriteSource::filler(UINT64_MAX / 2);  // far more than memory
  std::string scratch;
  EXPECT_EQ(w.head(12, scratch), "012345678901");
  EXPECT_EQ(w.tail(13).head(5, scratch), "34567") << "the tail keeps the pattern's phase";
  EXPECT_EQ(w.tail(13).size(), UINT64_MAX / 2 - 13);
  EXPECT_EQ(WriteSource::filler(3).head(100, scratch), "012") << "clipped at the write's size";
}

// Any head, long or short, at any phase, is byte i = '0' + (offset + i) % 10:
// checked byte by byte against that definition on both sides of the 64 KiB
// the filler is served from without a copy, and past it (made in scratch).
TEST(WriteSource, FillerHeadsOfEveryLengthKeepThePhaseOnBothSidesOfTheViewedSpan) {
  const WriteSource w = WriteSource::filler(1u << 20);
  std::string scratch;
  for (const std::uint64_t offset : {0ull, 7ull, 13ull, 99999ull}) {
    for (const std::size_t n : {std::size_t{1}, std::size_t{1448}, std::size_t{65535}, std::size_t{65536},
                                std::size_t{65537}, std::size_t{200000}}) {
      const std::string_view h = w.tail(offset).head(n, scratch);
      ASSERT_EQ(h.size(), n);
      for (std::size_t i = 0; i < n; ++i) {
        ASSERT_EQ(h[i], static_cast<char>('0' + (offset + i) % 10))
            << "offset " << offset << " n " << n << " i " << i;
      }
    }
  }
}

TEST(WriteSource, LiteralIsViewedNotCopied) {
  const std::string s = "hello world";
  const WriteSource w(s);
  std::string scratch;
  const std::string_view h = w.tail(6).head(100, scratch);
  EXPECT_EQ(h, "world");
  EXPECT_EQ(h.data(), s.data() + 6);
  EXPECT_TRUE(w.tail(100).empty());
}

}  // namespace
}  // namespace tcpsim::model
