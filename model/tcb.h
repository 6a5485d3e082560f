// The Transmission Control Block: RFC 9293 §3.3.1's send and receive sequence
// variables under the RFC's names, the buffers, and the retransmission state.
#pragma once

#include <cstdint>
#include <string>

#include "model/send_buffer.h"
#include "model/seq.h"
#include "model/time.h"

namespace tcpsim::model {

// RFC 6298 §2 round-trip estimator.
struct RttEstimator {
  Duration srtt = 0;
  Duration rttvar = 0;
  Duration rto = 0;
  bool has_sample = false;
};

// Everything in a TCB but its buffers. A TIME-WAIT's buffers are empty, so a
// host can keep one as these variables alone (a busy server holds a million).
struct TcbVariables {
  // Send sequence variables (RFC 9293 §3.3.1).
  Seq snd_una = 0;            // SND.UNA  oldest unacknowledged sequence number
  Seq snd_nxt = 0;            // SND.NXT  next sequence number to be sent
  std::uint32_t snd_wnd = 0;  // SND.WND  send window
  Seq snd_wl1 = 0;            // SND.WL1  segment sequence number used for last window update
  Seq snd_wl2 = 0;            // SND.WL2  segment acknowledgment number used for last window update
  Seq iss = 0;                // ISS      initial send sequence number
  // Receive sequence variables.
  Seq rcv_nxt = 0;  // RCV.NXT  next sequence number expected
  Seq irs = 0;      // IRS      initial receive sequence number

  std::uint16_t peer_mss = 536;  // RFC 9293 §3.7.1 default send MSS
  bool peer_sack_ok = false;     // the peer's SYN carried SACK-permitted
  bool sack_ok = false;          // SACK negotiated: both SYNs carried it (RFC 2018 §2)

  Seq snd_buf_seq = 0;  // sequence number of send_buffer[0]

  bool passive_open = false;  // came from LISTEN (RST in SYN-RECEIVED returns there)
  // A TCP Fast Open child (RFC 7413 §4.2.2): its SYN's data was taken, the
  // application may hold it in SYN-RECEIVED, and a RST there closes it
  // (Linux tcp_reset: ECONNRESET) instead of returning to LISTEN.
  bool fast_open = false;
  // RFC 5961 §5.2: MAX.SND.WND, the largest window the peer offered (Linux
  // max_window), and the bytes SEG.ACKs have acknowledged beyond the SYN
  // (Linux bytes_acked).
  std::uint32_t max_snd_wnd = 0;
  std::uint64_t bytes_acked = 0;
  bool fin_queued = false;  // CLOSE called: a FIN follows the queued data
  bool fin_sent = false;    // our FIN occupies sequence number fin_seq
  Seq fin_seq = 0;
  bool fin_received = false;  // peer's FIN processed: end of stream after recv_buffer
  bool read_shut = false;     // shutdown(SHUT_RD), or the application closed
  bool orphaned = false;      // no process holds the connection any more
  // Keepalive (model/keepalive.h): when a segment was last heard (Linux
  // rcv_tstamp) and the probes unanswered since (icsk_probes_out).
  Time last_heard = 0;
  std::uint32_t keepalive_probes_out = 0;

  // Retransmission.
  RttEstimator rtt;
  int retransmits = 0;      // consecutive timeouts of the current head segment
  bool rtt_timing = false;  // Karn: a sample is being timed (never a retransmission)
  Seq rtt_seq = 0;
  Time rtt_sent_at = 0;
  bool rexmt_armed = false;
  bool syn_retransmitted = false;  // RFC 6298 §5.7
  Time give_up_stamp = -1;         // Linux retrans_stamp: start of the retry budget
  bool tlp_pending = false;        // the armed timer is the loss probe, not the RTO
  bool tlp_sent = false;           // a probe is out for the current tail
  Seq tlp_high = 0;                // SND.NXT when the probe went out
  bool fin_merged = false;         // our FIN rode on the last data segment

  // Acknowledging what arrived.
  bool ack_now = false;        // an ACK is owed at the end of this input
  bool ack_is_reply = false;   // ...and it answers a SYN or challenges (BSD tcp_respond(): no FIN)
  bool ack_pending = false;    // an ACK is owed later (delayed-ACK timer armed)
  bool data_received = false;  // any payload has arrived on this connection
  int quick_acks_left = 0;
  int unacked_full_segments = 0;
};

struct Tcb : TcbVariables {
  // send_buffer holds the bytes from SND.UNA on (the retransmission queue and
  // the not yet sent), recv_buffer what arrived and was not read.
  SendBuffer send_buffer;
  std::string recv_buffer;
};

}  // namespace tcpsim::model
