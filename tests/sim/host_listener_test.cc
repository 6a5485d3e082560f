// A listener's answers to segments that open nothing: sent from the address
// the segment was sent to (a listener on the wildcard address has no address
// of its own), without changing the listener.
#include <gtest/gtest.h>

#include <vector>

#include "sim/network.h"
#include "sim/profile.h"
#include "sim/trace_text.h"

namespace tcpsim::sim {
namespace {

// RFC 9293 §3.10.7.2, LISTEN: "Any acknowledgment is bad if it arrives on a
// connection still in the LISTEN state. An acceptable reset segment should
// be formed for any arriving ACK-bearing segment. The RST should be
// formatted as follows: <SEQ=SEG.ACK><CTL=RST>". Its source is the address
// and port the ACK was sent to; its destination, the ACK's source.
TEST(HostListener, Rfc9293_3_10_7_2_AckToAWildcardListenerIsResetFromTheAddressItWasSentTo) {
  Network net(1);
  const Profile p = *profile_named("rfc9293");
  Host& a = net.add_host("A", ipv4(10, 0, 0, 1), p);
  Host& b = net.add_host("B", ipv4(10, 0, 0, 2), p);
  const ConnId listener = b.listen(Addr{0, 80}, 5);
  Packet ack;
  ack.src = Addr{a.ip(), 40000};
  ack.dst = Addr{b.ip(), 80};
  ack.seg.flags = model::kAck;
  ack.seg.seq = 1;
  ack.seg.ack = 12345;
  net.transmit(a, kNoConn, ack);
  net.run_until(1 * kSecond);

  std::vector<const PacketRecord*> from_b;
  for (const TraceRecord& r : net.trace().records()) {
    if (r.kind == TraceKind::Sent && r.host == b.index()) from_b.push_back(&net.trace().packet(r.ref));
  }
  ASSERT_EQ(from_b.size(), 1u) << format_trace(net);
  const Packet& rst = from_b[0]->packet;
  EXPECT_EQ(rst.src.ip, b.ip());
  EXPECT_EQ(rst.src.port, 80);
  EXPECT_EQ(rst.dst.ip, a.ip());
  EXPECT_EQ(rst.dst.port, 40000);
  EXPECT_EQ(rst.seg.flags, model::kRst);
  EXPECT_EQ(rst.seg.seq, 12345u);
  // The listener is as it was: on the wildcard address, with no peer.
  const Conn* l = b.conn(listener);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->state(), model::State::Listen);
  EXPECT_EQ(l->local.ip, 0u);
  EXPECT_EQ(l->local.port, 80);
  EXPECT_EQ(l->remote.ip, 0u);
  EXPECT_EQ(l->remote.port, 0);
}

}  // namespace
}  // namespace tcpsim::sim
