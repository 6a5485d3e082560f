// Linux's ACK policy (net/ipv4/tcp_input.c __tcp_ack_snd_check,
// tcp_event_data_recv, tcp_measure_rcv_mss; tcp_output.c
// tcp_send_delayed_ack; tcp_timer.c tcp_delack_timer_handler), within what
// RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3 and RFC 5681 §4.2 allow. Times are
// worked out in jiffies of 4 ms (HZ 250): TCP_ATO_MIN = HZ/25 = 10 jiffies,
// TCP_DELACK_MAX = HZ/5 = 50; a timer due at jiffy J fires at J * 4 ms.
// The segment sizes are loopback's (MSS 1448 with timestamps).
#include "model/delayed_ack.h"

#include <gtest/gtest.h>

namespace tcpsim::model {
namespace {

constexpr Duration ms = kMillisecond;
constexpr Duration us = kMicrosecond;
constexpr Duration rto = 200 * ms;  // 50 jiffies
constexpr std::uint32_t wnd = 65535;
constexpr std::uint32_t mss = 1448;
using Kind = AckDecision::Kind;

const AckDecision now_ack{Kind::Now};
AckDecision delayed(Time at) { return {Kind::Delayed, at}; }

ArrivedData full() { return {mss, 32, false}; }
ArrivedData small() { return {100, 32, true}; }  // the application's last bytes, PSH

ReceiverView view(std::uint32_t unacked) {
  ReceiverView v;
  v.unacked = unacked;
  return v;
}

// A receiver whose first segment arrived at 1 s and was ACKed at once.
DelayedAck started() {
  DelayedAck d({}, initial_rcv_mss(1460, 1460, wnd));
  d.on_data(1000 * ms, full(), wnd, rto);
  EXPECT_EQ(d.decide(1000 * ms, view(mss)), now_ack);
  d.on_ack_sent();
  return d;
}

// ... that has used up its 16 quick ACKs: one full segment every 10 ms,
// each ACKed at once, the last at 1.150 s.
DelayedAck quick_acks_used() {
  DelayedAck d = started();
  for (int i = 1; i < 16; ++i) {
    const Time t = 1000 * ms + i * 10 * ms;
    d.on_data(t, full(), wnd, rto);
    EXPECT_EQ(d.decide(t, view(mss)), now_ack) << i;
    d.on_ack_sent();
  }
  EXPECT_EQ(d.quick(), 0u);
  return d;
}

// ... that replied to the peer at once: interactive (pingpong).
DelayedAck interactive() {
  DelayedAck d = started();
  d.on_data_sent(1001 * ms);  // jiffy 250, within ato (10) of the arrival
  EXPECT_TRUE(d.pingpong());
  return d;
}

TEST(DelayedAck, LinuxInitialRcvMssIsTheDefaultMss) {
  // tcp_initialize_rcv_mss: min(advmss, mss_cache, rcv_wnd / 2, 536), >= 88.
  EXPECT_EQ(initial_rcv_mss(1460, 1460, wnd), 536u);
  EXPECT_EQ(initial_rcv_mss(1460, 1460, 400), 200u);
  EXPECT_EQ(initial_rcv_mss(1460, 1460, 100), 88u);
}

TEST(DelayedAck, LinuxQuickAck_FirstDataStartsSixteenQuickAcks) {
  // tcp_event_data_recv, first data: tcp_incr_quickack: rcv_wnd / (2 *
  // rcv_mss) = 65535 / 2896 = 22, at most TCP_MAX_QUICKACKS 16. rcv_mss
  // became 1448 first (tcp_measure_rcv_mss).
  DelayedAck d({}, 536);
  d.on_data(1000 * ms, full(), wnd, rto);
  EXPECT_EQ(d.rcv_mss(), mss);
  EXPECT_EQ(d.quick(), 16u);
  EXPECT_EQ(d.ato_jiffies(), 10);
  EXPECT_EQ(d.decide(1000 * ms, view(mss)), now_ack);
  d.on_ack_sent();
  EXPECT_EQ(d.quick(), 15u);  // tcp_dec_quickack_mode: one used
}

TEST(DelayedAck, Rfc1122_4_2_3_2_AfterTheQuickAcksOneSegmentWaitsForTheTimer) {
  // The 17th segment at 1.160 s (jiffy 290): not in quick-ACK mode, 1448
  // bytes unacknowledged is not more than rcv_mss: tcp_send_delayed_ack with
  // ato = 10 (inter-arrival 2 jiffies <= ATO_MIN / 2 keeps it at 10):
  // due at jiffy 300 = 1.200 s, 40 ms later (< 500 ms).
  DelayedAck d = quick_acks_used();
  d.on_data(1160 * ms, full(), wnd, rto);
  EXPECT_EQ(d.ato_jiffies(), 10);
  EXPECT_EQ(d.decide(1160 * ms, view(mss)), delayed(1200 * ms));
}

TEST(DelayedAck, Rfc5681_4_2_SecondFullSizedSegmentIsAckedAtOnce) {
  // "an ACK SHOULD be generated for at least every second full-sized
  // segment": 2896 > rcv_mss 1448 and the window would not shrink.
  DelayedAck d = quick_acks_used();
  d.on_data(1160 * ms, full(), wnd, rto);
  ASSERT_EQ(d.decide(1160 * ms, view(mss)).kind, Kind::Delayed);
  d.on_data(1170 * ms, full(), wnd, rto);
  EXPECT_EQ(d.decide(1170 * ms, view(2 * mss)), now_ack);
}

TEST(DelayedAck, LinuxAckSndCheck_TwoSegmentsWaitWhenTheWindowWouldShrink) {
  // The every-second-segment rule also needs __tcp_select_window() >=
  // rcv_wnd; an application that does not read keeps the timer (the one
  // armed at 1.200 s stays: an earlier timer wins).
  DelayedAck d = quick_acks_used();
  d.on_data(1160 * ms, full(), wnd, rto);
  d.decide(1160 * ms, view(mss));
  d.on_data(1170 * ms, full(), wnd, rto);
  ReceiverView v = view(2 * mss);
  v.window_ok = false;
  EXPECT_EQ(d.decide(1170 * ms, v), delayed(1200 * ms));
}

TEST(DelayedAck, LinuxPingpong_ReplyingMakesTheNextAckWaitForTheTimer) {
  // After the reply (pingpong), quick ACKs are off although 15 are left.
  // Data at 1.050 s (jiffy 262, 12 after the last: ato stays 10): due at
  // jiffy 272 = 1.088 s.
  DelayedAck d = interactive();
  EXPECT_FALSE(d.in_quickack_mode());
  d.on_data(1050 * ms, full(), wnd, rto);
  EXPECT_EQ(d.decide(1050 * ms, view(mss)), delayed(1088 * ms));
}

TEST(DelayedAck, LinuxTcpFin_FinWithoutDataIsAckedOnTheNextTick) {
  // tcp_fin in ESTABLISHED enters pingpong and schedules an ACK; no data
  // ever arrived, so ato is 0: timeout = jiffies + 0, and a timer due now
  // runs on the next tick: 1.0015 s is jiffy 250, the ACK goes at jiffy 251
  // = 1.004 s (a close() 1 ms later sends one FIN,ACK instead).
  DelayedAck d({}, 536);
  EXPECT_FALSE(d.on_fin(true));
  EXPECT_TRUE(d.pingpong());
  EXPECT_EQ(d.decide(1001500 * us, view(1)), delayed(1004 * ms));
  AckPolicyParams hz1000;
  hz1000.hz = 1000;
  DelayedAck e(hz1000, 536);
  e.on_fin(true);
  EXPECT_EQ(e.decide(1001500 * us, view(1)), delayed(1002 * ms));
}

TEST(DelayedAck, LinuxTcpFin_FinAfterDataWaitsAto) {
  // Data at 1 s, then the FIN at 1.100 s (jiffy 275): pingpong, ato 10:
  // jiffy 285 = 1.140 s.
  DelayedAck d = started();
  d.on_fin(true);
  EXPECT_EQ(d.decide(1100 * ms, view(1)), delayed(1140 * ms));
}

TEST(DelayedAck, Rfc9293_3_10_7_4_FinInFinWaitIsAckedAtOnce) {
  DelayedAck d({}, 536);
  EXPECT_TRUE(d.on_fin(false));
}

TEST(DelayedAck, Rfc5681_4_2_OutOfOrderDataIsAckedAtOnceThenSackCompressed) {
  // Out of order, interactive so quick ACKs do not apply: the first three
  // duplicates for this rcv_nxt go at once (the sender's fast retransmit
  // needs them); the 4th waits min(tcp_comp_sack_delay_ns 1 ms, RTT / 20)
  // with RTT = min(rcv_rtt 40 ms, srtt 10 ms): 500 us; the 5th joins it.
  DelayedAck d = interactive();
  ReceiverView v = view(0);
  v.ofo_queue = true;
  v.rcv_nxt = 5000;
  v.srtt = 10 * ms;
  v.rcv_rtt = 40 * ms;
  for (int i = 0; i < 3; ++i) {
    d.on_out_of_order();
    EXPECT_EQ(d.decide(1100 * ms, v), now_ack) << i;
    d.on_ack_sent();
  }
  d.on_out_of_order();
  EXPECT_EQ(d.decide(1100 * ms, v), (AckDecision{Kind::CompressedSack, 1100 * ms + 500 * us}));
  d.on_out_of_order();
  EXPECT_EQ(d.decide(1100200 * us, v), AckDecision{});
  EXPECT_EQ(d.on_compressed_timer(), now_ack);
  d.on_ack_sent();
  // A new rcv_nxt (a hole partly filled) starts the count again.
  v.rcv_nxt = 6448;
  d.on_out_of_order();
  EXPECT_EQ(d.decide(1101 * ms, v), now_ack);
}

TEST(DelayedAck, Rfc5681_4_2_WithoutSackEveryOutOfOrderSegmentIsAckedAtOnce) {
  AckPolicyParams p;
  p.sack = false;
  DelayedAck d(p, 536);
  d.on_data(1000 * ms, full(), wnd, rto);
  d.on_ack_sent();
  d.on_data_sent(1000 * ms);
  ReceiverView v = view(0);
  v.ofo_queue = true;
  for (int i = 0; i < 6; ++i) {
    d.on_out_of_order();
    EXPECT_EQ(d.decide(1100 * ms, v), now_ack) << i;
    d.on_ack_sent();
  }
}

TEST(DelayedAck, Rfc5681_4_2_SegmentFillingAHoleIsAckedAtOnce) {
  // tcp_data_queue: the out-of-order queue emptied -> ICSK_ACK_NOW.
  DelayedAck d = interactive();
  d.on_data(1050 * ms, full(), wnd, rto);
  d.on_hole_filled();
  EXPECT_EQ(d.decide(1050 * ms, view(mss)), now_ack);
  d.on_ack_sent();
  d.on_data(1060 * ms, full(), wnd, rto);  // the flag was for once
  EXPECT_EQ(d.decide(1060 * ms, view(mss)).kind, Kind::Delayed);
}

TEST(DelayedAck, LinuxEnterQuickackMode_DuplicateDataLeavesPingpongAndAcksAtOnce) {
  // tcp_data_queue, old or out-of-window data: tcp_enter_quickack_mode.
  DelayedAck d = interactive();
  d.on_unacceptable_data(wnd);
  EXPECT_FALSE(d.pingpong());
  EXPECT_EQ(d.decide(1050 * ms, view(0)), now_ack);
}

TEST(DelayedAck, LinuxDelackTimer_MissedWhileInteractiveLeavesPingpong) {
  DelayedAck d = interactive();
  d.on_data(1050 * ms, full(), wnd, rto);
  ASSERT_EQ(d.decide(1050 * ms, view(mss)), delayed(1088 * ms));
  EXPECT_EQ(d.on_timer(1080 * ms, rto), delayed(1088 * ms));  // early: not yet
  EXPECT_EQ(d.on_timer(1088 * ms, rto), now_ack);
  EXPECT_FALSE(d.pingpong());
  EXPECT_EQ(d.ato_jiffies(), 10);
}

TEST(DelayedAck, LinuxDelackTimer_MissedOtherwiseDoublesAto) {
  // Not interactive: ato = min(ato << 1, rto) = 20 jiffies.
  DelayedAck d = quick_acks_used();
  d.on_data(1160 * ms, full(), wnd, rto);
  d.decide(1160 * ms, view(mss));
  EXPECT_EQ(d.on_timer(1200 * ms, rto), now_ack);
  EXPECT_EQ(d.ato_jiffies(), 20);
  d.on_ack_sent();
  EXPECT_EQ(d.on_timer(1300 * ms, rto), AckDecision{});  // nothing armed
}

TEST(DelayedAck, LinuxEventDataRecv_AtoFollowsTheInterArrivalTime) {
  // m <= ATO_MIN / 2: ato = ato / 2 + ATO_MIN / 2; ATO_MIN / 2 < m < ato:
  // ato = ato / 2 + m.
  DelayedAck d = started();                // jiffy 250, ato 10
  d.on_data(1008 * ms, full(), wnd, rto);  // jiffy 252, m = 2: 5 + 5
  EXPECT_EQ(d.ato_jiffies(), 10);
  d.on_data(1040 * ms, full(), wnd, rto);  // jiffy 260, m = 8: 5 + 8
  EXPECT_EQ(d.ato_jiffies(), 13);
}

TEST(DelayedAck, LinuxEventDataRecv_DataAfterIdleLongerThanRtoAcksQuicklyAgain) {
  // m = 750 - 290 jiffies > rto (50): tcp_incr_quickack again.
  DelayedAck d = quick_acks_used();
  d.on_data(1160 * ms, full(), wnd, rto);
  d.decide(1160 * ms, view(mss));
  d.on_ack_sent();
  d.on_data(3000 * ms, full(), wnd, rto);
  EXPECT_EQ(d.quick(), 16u);
  EXPECT_EQ(d.decide(3000 * ms, view(mss)), now_ack);
}

TEST(DelayedAck, LinuxSendDelayedAck_TimerDueWithinAQuarterAtoSendsNow) {
  // Interactive; 100 bytes at 1.050 s (jiffy 262): timer at jiffy 272.
  // 100 more at 1.081 s (jiffy 270): ato = 10 / 2 + 8 = 13; the armed timer
  // is due at 272 <= 270 + (13 >> 2) = 273: ACK now instead.
  DelayedAck d = interactive();
  d.on_data(1050 * ms, small(), wnd, rto);
  ASSERT_EQ(d.decide(1050 * ms, view(100)), delayed(1088 * ms));
  d.on_data(1081 * ms, small(), wnd, rto);
  EXPECT_EQ(d.decide(1081 * ms, view(200)), now_ack);
}

TEST(DelayedAck, LinuxMeasureRcvMss_TwoEqualShortSegmentsWithoutPshSetRcvMss) {
  // A peer with MSS 500: 500 + 20 >= TCP_MIN_MSS + 20 without PSH; the
  // second of the same size sets rcv_mss = 500, so two of them (1000 > 500)
  // are ACKed at once.
  DelayedAck d({}, 536);
  d.on_data(1000 * ms, {500, 20, false}, wnd, rto);
  EXPECT_EQ(d.rcv_mss(), 536u);
  d.on_data(1001 * ms, {500, 20, false}, wnd, rto);
  EXPECT_EQ(d.rcv_mss(), 500u);
  DelayedAck e({}, 536);
  e.on_data(1000 * ms, {500, 20, true}, wnd, rto);
  e.on_data(1001 * ms, {500, 20, true}, wnd, rto);
  EXPECT_EQ(e.rcv_mss(), 536u);  // PSH: the application's short writes
}

TEST(DelayedAck, LinuxCleanupRbuf_ReadingAPushedSegmentAcksAtOnce) {
  // tcp_cleanup_rbuf: the read emptied the queue, it held a short (pushed)
  // segment and the connection is not interactive: ACK now.
  DelayedAck d = quick_acks_used();
  d.on_data(1160 * ms, small(), wnd, rto);
  ASSERT_EQ(d.decide(1160 * ms, view(100)).kind, Kind::Delayed);
  EXPECT_EQ(d.on_read(100, false, false, view(100)), AckDecision{});  // data left queued
  EXPECT_EQ(d.on_read(100, true, false, view(100)), now_ack);
}

}  // namespace
}  // namespace tcpsim::model
