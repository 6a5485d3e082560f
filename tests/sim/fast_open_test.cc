// TCP Fast Open's server side (sim/fast_open.h): Linux's cookie and its
// answers to a SYN (net/ipv4/tcp_fastopen.c, tcp_try_fastopen).
#include "sim/fast_open.h"

#include <gtest/gtest.h>

#include "sim/packet.h"

namespace tcpsim::sim {
namespace {

FastOpenKey selftests_key() {
  // linux-selftests defaults.sh: net.ipv4.tcp_fastopen_key.
  auto k = parse_fast_open_key("a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4");
  EXPECT_TRUE(k);
  return k.value_or(FastOpenKey{});
}

std::string hex(const std::array<std::uint8_t, 8>& b) {
  std::string s;
  for (std::uint8_t x : b) {
    static const char* d = "0123456789abcdef";
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

const std::uint32_t kClient = ipv4(192, 0, 2, 1), kServer = ipv4(192, 168, 0, 1);

// ../shared/conformance/linux-selftests/SOURCE.md: ksft_runner.sh passes
// -D TFO_COOKIE=3021b9d889017eeb for remote 192.0.2.1 and local
// 192.168.0.1, "the Fast Open cookies for these addresses under the key set
// in defaults.sh".
TEST(FastOpenCookie, LinuxSelftestsCookieForTheirAddressesAndKey) {
  EXPECT_EQ(hex(fast_open_cookie(selftests_key(), kClient, kServer)), "3021b9d889017eeb");
}

TEST(FastOpenCookie, DependsOnTheDirectionAndTheKey) {
  const FastOpenKey k = selftests_key();
  EXPECT_NE(fast_open_cookie(k, kServer, kClient), fast_open_cookie(k, kClient, kServer));
  FastOpenKey other = k;
  other[0] ^= 1;
  EXPECT_NE(fast_open_cookie(other, kClient, kServer), fast_open_cookie(k, kClient, kServer));
}

TEST(FastOpenKeyText, FourHexWordsEachStoredLittleEndian) {
  auto k = parse_fast_open_key("00000001-0a0b0c0d-0-ffffffff");
  ASSERT_TRUE(k);
  const FastOpenKey want = {1, 0, 0, 0, 0x0d, 0x0c, 0x0b, 0x0a, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(*k, want);
  std::string why;
  EXPECT_FALSE(parse_fast_open_key("a1a1a1a1-b2b2b2b2-c3c3c3c3", &why));
  EXPECT_FALSE(why.empty());
  EXPECT_FALSE(parse_fast_open_key("a1a1a1a1-b2b2b2b2-c3c3c3c3-xyz"));
  EXPECT_FALSE(parse_fast_open_key("a1a1a1a1-b2b2b2b2-c3c3c3c3-123456789"));
}

FastOpenOption option(const std::array<std::uint8_t, 8>& c, bool exp = false) {
  FastOpenOption o;
  o.len = 8;
  o.exp = exp;
  std::copy(c.begin(), c.end(), o.cookie.begin());
  return o;
}

FastOpenSettings server(std::uint32_t bits = 0x3) { return FastOpenSettings{bits, selftests_key()}; }

// RFC 7413 §4.2.2 / tcp_try_fastopen: a valid cookie makes a child, and
// its SYN,ACK carries no cookie.
TEST(FastOpenVerdict, Rfc7413_4_2_2_ValidCookieMakesAChildWithoutCookieReply) {
  const auto good = fast_open_cookie(selftests_key(), kClient, kServer);
  const FastOpenVerdict v = fast_open_verdict(server(), true, true, option(good), kClient, kServer);
  EXPECT_TRUE(v.child);
  EXPECT_EQ(v.reply.len, -1);
}

// RFC 7413 §4.2.1/§4.2.2: a wrong cookie gets the valid one back and an
// ordinary handshake; the reply keeps the client's encoding (FOEXP).
TEST(FastOpenVerdict, Rfc7413_4_2_2_WrongCookieGetsTheValidOneBackInTheClientsEncoding) {
  const auto good = fast_open_cookie(selftests_key(), kClient, kServer);
  std::array<std::uint8_t, 8> bad{};
  bad.fill(0xaa);
  const FastOpenVerdict v = fast_open_verdict(server(), true, true, option(bad, true), kClient, kServer);
  EXPECT_FALSE(v.child);
  EXPECT_EQ(v.reply, option(good, true));
}

TEST(FastOpenVerdict, Rfc7413_4_1_1_CookieRequestGetsACookie) {
  FastOpenOption request;
  request.len = 0;
  const FastOpenVerdict v = fast_open_verdict(server(), true, false, request, kClient, kServer);
  EXPECT_FALSE(v.child);
  EXPECT_EQ(v.reply, option(fast_open_cookie(selftests_key(), kClient, kServer)));
}

// Linux: without the server bit (0x2) or without room in the listener's
// Fast Open queue (TCP_FASTOPEN's qlen; 0 is off), a SYN is answered as
// without Fast Open: no child and no cookie.
TEST(FastOpenVerdict, ServerBitAndQueueRoomAreBothNeeded) {
  const auto good = fast_open_cookie(selftests_key(), kClient, kServer);
  const FastOpenVerdict off = fast_open_verdict(server(0x1), true, true, option(good), kClient, kServer);
  EXPECT_FALSE(off.child);
  EXPECT_EQ(off.reply.len, -1);
  const FastOpenVerdict full = fast_open_verdict(server(), false, true, option(good), kClient, kServer);
  EXPECT_FALSE(full.child);
  EXPECT_EQ(full.reply.len, -1);
}

// TFO_SERVER_COOKIE_NOT_REQD (0x200): a SYN with data makes a child
// without any option (linux-selftests tcp_fastopen_server_reset-after-
// disconnect.pkt, tcp_fastopen=0x602); a SYN without data or option stays
// an ordinary handshake.
TEST(FastOpenVerdict, CookieNotRequiredTakesDataWithoutAnOption) {
  const FastOpenOption none;
  EXPECT_TRUE(fast_open_verdict(server(0x602), true, true, none, kClient, kServer).child);
  EXPECT_FALSE(fast_open_verdict(server(0x602), true, false, none, kClient, kServer).child);
  EXPECT_FALSE(fast_open_verdict(server(0x3), true, true, none, kClient, kServer).child);
}

}  // namespace
}  // namespace tcpsim::sim
