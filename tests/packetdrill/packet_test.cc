// Packet events: direction, IP annotations, flags, sequence range, ack,
// window, TCP options, with packetdrill's checks (parser.y, tcp_packet.c).
// Option sizes are RFC 9293 §3.2 (MSS 4, NOP/EOL 1), RFC 7323 §2.2/§3.2
// (WS 3, TS 10), RFC 2018 §2-3 (SACK-permitted 2, SACK 2+8n), RFC 7413 §4.1.1
// (Fast Open 2+cookie), RFC 2385 §3.0 (MD5 18).
#include <gtest/gtest.h>

#include "helpers.h"

namespace tcpsim::packetdrill {
namespace {

using testing::action;
using testing::error;
using testing::ok;

Packet one(const std::string& line) {
  Script s = ok("0 " + line + "\n");
  return s.events.empty() ? Packet{} : action<Packet>(s, 0);
}

TEST(PacketdrillPacket, AFullInboundSynWithItsOptions) {
  Packet p = one("< S 0:0(0) win 32792 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>");
  EXPECT_EQ(p.direction, Packet::Direction::Inbound);
  EXPECT_EQ(p.flags, "S");
  EXPECT_TRUE(p.syn);
  EXPECT_FALSE(p.ack_flag);
  EXPECT_EQ(p.seq, 0u);
  EXPECT_EQ(p.len, 0u);
  EXPECT_FALSE(p.ack);
  EXPECT_EQ(p.window, 32792u);
  ASSERT_EQ(p.options.size(), 5u);
  using K = TcpOption::Kind;
  EXPECT_EQ(p.options[0].kind, K::Mss);
  EXPECT_EQ(p.options[0].value, 1460u);
  EXPECT_EQ(p.options[1].kind, K::SackPermitted);
  EXPECT_EQ(p.options[2].kind, K::Timestamp);
  EXPECT_EQ(p.options[2].ts_val, 100u);
  EXPECT_EQ(p.options[2].ts_ecr, 0u);
  EXPECT_EQ(p.options[3].kind, K::Nop);
  EXPECT_EQ(p.options[4].kind, K::WindowScale);
  EXPECT_EQ(p.options[4].value, 7u);
  EXPECT_EQ(p.options[4].where.column, 62);
}

TEST(PacketdrillPacket, OutboundDataWithAckAndNoWindowLeavesTheWindowUnchecked) {
  Packet p = one("> P. 1:10001(10000) ack 1");
  EXPECT_EQ(p.direction, Packet::Direction::Outbound);
  EXPECT_TRUE(p.psh && p.ack_flag);
  EXPECT_EQ(p.seq, 1u);
  EXPECT_EQ(p.end_seq, 10001u);
  EXPECT_EQ(p.len, 10000u);
  EXPECT_EQ(p.ack, 1u);
  EXPECT_FALSE(p.window);
  EXPECT_FALSE(p.options_unchecked);
  EXPECT_TRUE(p.options.empty());
}

TEST(PacketdrillPacket, EveryFlagLetterAndTheNoFlagsDash) {
  Packet all = one("> FSRPEWUA. 0:0(0)");
  EXPECT_TRUE(all.fin && all.syn && all.rst && all.psh && all.ece && all.cwr && all.urg_flag && all.ae &&
              all.ack_flag);
  Packet none = one("< - 0:0(0) win 0");
  EXPECT_EQ(none.flags, "");
  EXPECT_FALSE(none.fin || none.syn || none.rst || none.psh || none.ack_flag);
  Packet dot = one("< . 1:1(0) ack 1 win 5");
  EXPECT_EQ(dot.flags, ".");
  EXPECT_TRUE(dot.ack_flag && !dot.syn);
  EXPECT_EQ(one("> SEW 0:0(0)").flags, "SEW");
  EXPECT_EQ(error("0 > SX. 0:0(0)\n"), "t.pkt:1:5: invalid TCP flag 'X' in 'SX.' (valid: . F S R P E W U A)");
  EXPECT_EQ(error("0 > 0:0(0)\n"), "t.pkt:1:5: expected TCP flags (S, S., ., F., R, P., -, ...), not '0'");
}

TEST(PacketdrillPacket, SequenceRangeMustMatchThePayloadLength) {
  EXPECT_EQ(error("0 < . 1:1001(999) ack 1 win 5\n"),
            "t.pkt:1:7: inconsistent TCP sequence numbers and payload size: 1:1001(999)");
  EXPECT_EQ(error("0 < . 1:4294967296(0) ack 1 win 5\n"),
            "t.pkt:1:9: end sequence number 4294967296 out of range (at most 4294967295)");
  EXPECT_EQ(error("0 < P. 1:65537(65536) ack 1 win 5\n"),
            "t.pkt:1:16: payload length 65536 out of range (at most 65535)");
  Packet top = one("< . 4294967295:4294967295(0) ack 4294967295 win 65535");
  EXPECT_EQ(top.seq, 4294967295u);
  EXPECT_EQ(top.ack, 4294967295u);
  EXPECT_EQ(error("0 < . 1:1(0) ack 1 win 65536\n"), "t.pkt:1:24: window 65536 out of range (at most 65535)");
}

// NPLab's form for a SYN-ACK whose ISN the script cannot know.
TEST(PacketdrillPacket, NplabAnySequenceNumberOnOutboundPacketsOnly) {
  Packet p = one("> S. ...(0) ack 1 win 65535 <mss 1460,sackOK,eol,eol>");
  EXPECT_TRUE(p.any_seq);
  EXPECT_EQ(p.len, 0u);
  EXPECT_EQ(p.ack, 1u);
  EXPECT_EQ(error("0 < S ...(0) win 5\n"),
            "t.pkt:1:3: ...(len) for the sequence can only be used with outbound packets");
}

TEST(PacketdrillPacket, PacketdrillsInboundRules) {
  EXPECT_EQ(error("0 close(3) = 0\n+0 < . 1:1(0) ack 1\n"),
            "t.pkt:2:4: window must be specified for inbound packets");
  EXPECT_EQ(error("0 < S 0:0(0) win 5 <...>\n"),
            "t.pkt:1:3: <...> for TCP options can only be used with outbound packets");
  EXPECT_EQ(error("0 <[ect01] . 1:1(0) ack 1 win 5\n"),
            "t.pkt:1:3: [ect01] can only be used with outbound packets");
  EXPECT_TRUE(one("> S 0:0(0) win 65535 <...>").options_unchecked);
}

TEST(PacketdrillPacket, IpAnnotationsEcnTosTtlAndFlowLabel) {
  EXPECT_EQ(one("<[noecn] . 1:1(0) ack 1 win 5").ecn, "noecn");
  EXPECT_EQ(one("> [ect0] P. 1:11(10) ack 1").ecn, "ect0");
  Packet p = one("> (tos 0x10, ttl 64, flowlabel 0x12345) . 1:1(0) ack 1");
  EXPECT_EQ(p.tos, 0x10);
  EXPECT_EQ(p.ttl, 64);
  EXPECT_EQ(p.flow_label, 0x12345u);
  EXPECT_EQ(error("0 >[ect2] . 1:1(0)\n"),
            "t.pkt:1:5: expected noecn, ect0, ect1, ce, ect01, tos, ttl or flowlabel, not 'ect2'");
  EXPECT_EQ(error("0 >[ce, ect0] . 1:1(0)\n"), "t.pkt:1:9: ECN or TOS given twice");
}

TEST(PacketdrillPacket, SackBlocksFastOpenCookiesAndMd5) {
  Packet s = one("< . 1:1(0) ack 1 win 257 <sack 3001:5001 7001:10001,nop,nop>");
  ASSERT_EQ(s.options.size(), 3u);
  ASSERT_EQ(s.options[0].sack_blocks.size(), 2u);
  EXPECT_EQ(s.options[0].sack_blocks[1], std::make_pair(7001u, 10001u));
  // TFO_COOKIE is a -D definition of the kselftest runner: a symbol, not hex.
  Packet fo = one("< S 0:10(10) win 32792 <mss 1460,sackOK,nop,nop, FO TFO_COOKIE,nop,nop>");
  const TcpOption& cookie = fo.options[4];
  EXPECT_EQ(cookie.kind, TcpOption::Kind::FastOpen);
  EXPECT_EQ(cookie.blob, "TFO_COOKIE");
  EXPECT_TRUE(cookie.blob_is_symbol);
  Packet hex = one("> S 0:0(0) <mss 1460,nop,nop,sackOK,nop,wscale 8,FO abcd1234,nop,nop>");
  EXPECT_EQ(hex.options[6].blob, "abcd1234");
  EXPECT_FALSE(hex.options[6].blob_is_symbol);
  Packet request = one("> S 0:0(0) <mss 1460,nop,nop,sackOK,nop,wscale 8,FO,nop,nop>");
  EXPECT_EQ(request.options[6].kind, TcpOption::Kind::FastOpen);
  EXPECT_EQ(request.options[6].blob, "");
  EXPECT_EQ(one("< S 0:10(10) win 5 <mss 1460,sackOK,nop,nop,FOEXP aaaaaaaaaaaaaaaa>").options[4].kind,
            TcpOption::Kind::FastOpenExp);
  Packet md5 = one("< S 0:0(0) win 5 <md5 000102030405060708090a0b0c0d0e0f,nop,nop>");
  EXPECT_EQ(md5.options[0].kind, TcpOption::Kind::Md5);
  EXPECT_EQ(error("0 > S 0:0(0) <FO abc,nop>\n"), "t.pkt:1:15: FO abc: an odd number of hex digits");
}

TEST(PacketdrillPacket, OptionsMustBePaddedToFourBytesAndFitInForty) {
  // mss (4) + nop (1) = 5 bytes: 1 byte past a multiple of 4.
  EXPECT_EQ(error("0 > S 0:0(0) <mss 1460,nop>\n"),
            "t.pkt:1:14: TCP options are not padded to a multiple of 4 bytes: 1 excess bytes");
  // 4 SACK blocks (34) + TS (10) = 44 bytes.
  EXPECT_EQ(error("0 > . 1:1(0) ack 1 <sack 1:2 3:4 5:6 7:8,TS val 1 ecr 2>\n"),
            "t.pkt:1:20: TCP options take 44 bytes, more than 40");
  EXPECT_EQ(error("0 > . 1:1(0) ack 1 <sack 1:2 3:4 5:6 7:8 9:10>\n"), "t.pkt:1:42: more than 4 SACK blocks");
  // A cookie that is still a symbol has no known size yet: not checked.
  EXPECT_EQ(one("< S 0:0(0) win 5 <FO TFO_COOKIE>").options.size(), 1u);
  EXPECT_EQ(
      error("0 > S 0:0(0) <mss 1460,window 7>\n"),
      "t.pkt:1:24: unknown TCP option 'window' (expected nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP "
      "or md5)");
  EXPECT_EQ(error("0 > S 0:0(0) <TS 1 ecr 2>\n"), "t.pkt:1:18: expected 'val' after TS, not '1'");
  EXPECT_EQ(error("0 > S 0:0(0) <mss 1460\n+0 close(3) = 0\n"),
            "t.pkt:2:1: expected '>' after the TCP options, not '+'");
}

TEST(PacketdrillPacket, UdpIcmpAndEncapsulatedPacketsAreKeptAsUnsupported) {
  Script s =
      ok("0 < udp (1472)\n+0 > icmp unreachable frag_needed mtu 1480 [1:1461(1460)]\n"
         "+0 < ipv4 1.1.1.1 > 2.2.2.2: . 1:1(0) ack 1 win 5\n+0 close(3) = 0\n");
  ASSERT_EQ(s.events.size(), 4u);
  EXPECT_EQ(action<Unsupported>(s, 0).what, "udp packet");
  EXPECT_EQ(action<Unsupported>(s, 0).text, "< udp (1472)");
  EXPECT_EQ(action<Unsupported>(s, 1).what, "icmp packet");
  EXPECT_EQ(action<Unsupported>(s, 2).what, "ipv4 packet");
  EXPECT_EQ(action<Syscall>(s, 3).name, "close");
  EXPECT_EQ(error("0 < . 1:1(0) ack 1 win 5 {mut tcp mss}\n"),
            "t.pkt:1:26: packet fuzzing ({...} after a packet) is not supported");
}

}  // namespace
}  // namespace tcpsim::packetdrill
