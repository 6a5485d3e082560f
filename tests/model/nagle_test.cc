// Nagle's algorithm (RFC 9293 §3.7.4), TCP_NODELAY and TCP_CORK, wired into
// the sender (model/engine_data.cc). The Linux cases translate the
// packetdrill scripts of ../shared/conformance/packetdrill/tcp/nagle/ (each
// test names its script and the lines it follows); NaglePacketdrillScripts
// checks that those lines are still in the scripts, and skips without the
// corpus.
#include <fstream>
#include <sstream>
#include <string>

#include "harness.h"
#include "linux_config.h"
#include "rows_util.h"
#include "tests/shared_dir.h"

namespace tcpsim::test {
namespace {

constexpr Duration ms = kMillisecond;

std::vector<std::size_t> lengths(const Outbox& out) {
  std::vector<std::size_t> v;
  for (const Segment& s : sent(out)) v.push_back(s.payload.size());
  return v;
}

Outbox write(Endpoint& ep, std::size_t n, Time now) {
  Outbox out;
  EXPECT_EQ(ep.send(std::string(n, 'x'), now, out), Error::None);
  return out;
}

Outbox setopt(Endpoint& ep, bool nodelay, bool cork, Time now) {
  Outbox out;
  ep.set_nagle(nodelay, cork, now, out);
  return out;
}

// sockopt_cork_nodelay.pkt: "Set TCP_CORK sockopt to hold small packets",
// write 40, +.05 write 40, +.01 TCP_CORK 0: "> P. 1:81(80) ack 1".
TEST(NagleLinux, SockoptCorkNodelay_UncorkPushesWhatTheCorkHeld) {
  Endpoint ep = open_client(linux_data_config(), 1000, 32792, 10 * ms, kIss, kIrs);
  const Time t0 = 10 * ms;
  EXPECT_TRUE(SentNothing(setopt(ep, false, true, t0)));
  EXPECT_TRUE(SentNothing(write(ep, 40, t0)));
  EXPECT_TRUE(SentNothing(write(ep, 40, t0 + 50 * ms)));
  const Outbox out = setopt(ep, false, false, t0 + 60 * ms);
  EXPECT_TRUE(SentOne(out, kPsh | kAck, kIss + 1, kIrs + 1));
  EXPECT_EQ(lengths(out), (std::vector<std::size_t>{80}));
}

// sockopt_cork_nodelay.pkt: corked again, write 40, +.05 write 40, "Set
// TCP_NODELAY sockopt should push pending bytes out": "> P. 81:161(80)".
TEST(NagleLinux, SockoptCorkNodelay_NodelayPushesPastTheCork) {
  Endpoint ep = open_client(linux_data_config(), 1000, 32792, 10 * ms, kIss, kIrs);
  const Time t0 = 10 * ms;
  setopt(ep, false, true, t0);
  EXPECT_TRUE(SentNothing(write(ep, 40, t0)));
  EXPECT_TRUE(SentNothing(write(ep, 40, t0 + 50 * ms)));
  const Outbox out = setopt(ep, true, true, t0 + 50 * ms);
  EXPECT_TRUE(SentOne(out, kPsh | kAck, kIss + 1, kIrs + 1));
  EXPECT_EQ(lengths(out), (std::vector<std::size_t>{80}));
}

// https_client.pkt (TCP_NODELAY on, peer MSS 974): write 51 "> P.
// 518:569(51)", +.03 write 2002: "> . 569:1543(974)", "> P. 1543:2517(974)",
// "> P. 2517:2571(54)" at once, the 51 bytes still unacknowledged.
TEST(NagleLinux, HttpsClient_NodelaySendsTheShortTailAtOnce) {
  Endpoint ep = open_client(linux_data_config(), 974, 5792, 100 * ms, kIss, kIrs);
  setopt(ep, true, false, 100 * ms);
  const Time t0 = 200 * ms;
  EXPECT_EQ(lengths(write(ep, 51, t0)), (std::vector<std::size_t>{51}));
  EXPECT_EQ(lengths(write(ep, 2002, t0 + 30 * ms)), (std::vector<std::size_t>{974, 974, 54}));
}

// https_client.pkt's comment: "Without disabling Nagle, this packet will
// not happen until the remote ACK". Linux's Nagle (tcp_minshall_check())
// holds the 54 bytes while the short 51-byte segment is unacknowledged; the
// two full segments go.
TEST(NagleLinux, HttpsClient_WithoutNodelayTheShortTailWaitsForTheAck) {
  Endpoint ep = open_client(linux_data_config(), 974, 5792, 100 * ms, kIss, kIrs);
  const Time t0 = 200 * ms;
  EXPECT_EQ(lengths(write(ep, 51, t0)), (std::vector<std::size_t>{51}));
  EXPECT_EQ(lengths(write(ep, 2002, t0 + 30 * ms)), (std::vector<std::size_t>{974, 974}));
  // The ACK of the 51 bytes (seq 1:52 relative) releases the tail.
  Outbox out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 51, {}, 5792), t0 + 100 * ms);
  EXPECT_EQ(lengths(out), (std::vector<std::size_t>{54}));
}

// Minshall's refinement: with no short segment outstanding, a short tail
// goes even though full segments are unacknowledged (Linux
// tcp_nagle_check(): partial && packets_out && tcp_minshall_check()).
TEST(NagleLinux, Minshall_ShortTailGoesWhenNoShortSegmentIsOutstanding) {
  Endpoint ep = open_client(linux_data_config(), 1000, 32792, 10 * ms, kIss, kIrs);
  EXPECT_EQ(lengths(write(ep, 2500, 10 * ms)), (std::vector<std::size_t>{1000, 1000, 500}));
}

// RFC 9293 §3.7.4: "if there is unacknowledged data ... the user's data
// [is] buffered until ... the outstanding data has been acknowledged" for a
// segment shorter than the MSS; the classic rule holds any short segment
// while anything is unacknowledged.
TEST(NagleRfc9293, Rfc9293_3_7_4_ShortSegmentWaitsForOutstandingDataToBeAcked) {
  Config c;
  c.nagle = true;
  Endpoint ep = open_client(c, 1000, 32792, 10 * ms, kIss, kIrs);
  EXPECT_EQ(lengths(write(ep, 1000, 10 * ms)), (std::vector<std::size_t>{1000}));
  EXPECT_TRUE(SentNothing(write(ep, 100, 11 * ms)));
  Outbox out = arrive(ep, seg(kAck, kIrs + 1, kIss + 1 + 1000, {}, 32792), 20 * ms);
  EXPECT_EQ(lengths(out), (std::vector<std::size_t>{100}));
}

// The same write with TCP_NODELAY: nothing held (RFC 9293 §3.7.4 MUST-...:
// "a TCP implementation MUST allow a user to disable the Nagle algorithm").
TEST(NagleRfc9293, Rfc9293_3_7_4_NodelayDisablesNagle) {
  Config c;
  c.nagle = true;
  Endpoint ep = open_client(c, 1000, 32792, 10 * ms, kIss, kIrs);
  setopt(ep, true, false, 10 * ms);
  EXPECT_EQ(lengths(write(ep, 1000, 10 * ms)), (std::vector<std::size_t>{1000}));
  EXPECT_EQ(lengths(write(ep, 100, 11 * ms)), (std::vector<std::size_t>{100}));
}

// Linux tcp_nagle_test(): "Don't use the nagle rule ... for the final FIN":
// corked data goes with the FIN on close().
TEST(NagleLinux, CorkDoesNotHoldTheFinalFin) {
  Endpoint ep = open_client(linux_data_config(), 1000, 32792, 10 * ms, kIss, kIrs);
  setopt(ep, false, true, 10 * ms);
  EXPECT_TRUE(SentNothing(write(ep, 40, 10 * ms)));
  Outbox out;
  ASSERT_EQ(ep.close(20 * ms, out), Error::None);
  EXPECT_TRUE(SentOne(out, kFin | kPsh | kAck, kIss + 1, kIrs + 1));
  EXPECT_EQ(lengths(out), (std::vector<std::size_t>{40}));
}

// The lines these tests follow are in the scripts (skipped without them).
TEST(NaglePacketdrillScripts, TheTranslatedLinesAreInTheScripts) {
  const auto dir = shared_path("conformance/packetdrill/tcp/nagle");
  if (!dir) GTEST_SKIP() << "no ../shared/conformance/packetdrill (set TCPSIM_SHARED_DIR)";
  const auto read = [&](const char* name) {
    std::ifstream f(*dir / name);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  const std::string cork = read("sockopt_cork_nodelay.pkt");
  EXPECT_NE(cork.find("setsockopt(4, SOL_TCP, TCP_CORK, [0], 4) = 0\n   +0 > P. 1:81(80) ack 1"),
            std::string::npos);
  EXPECT_NE(cork.find("setsockopt(4, SOL_TCP, TCP_NODELAY, [1], 4) = 0\n   +0 > P. 81:161(80) ack 1"),
            std::string::npos);
  const std::string https = read("https_client.pkt");
  EXPECT_NE(https.find("> . 569:1543(974) ack 144"), std::string::npos);
  EXPECT_NE(https.find("> P. 2517:2571(54) ack 144"), std::string::npos);
  EXPECT_NE(https.find("<mss 974,"), std::string::npos);
}

}  // namespace
}  // namespace tcpsim::test
