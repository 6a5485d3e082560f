// The behaviour knobs the endpoint model reads: plain data, filled in by the
// simulator's profiles (sim/profile.cc, which set every field they mean).
// The defaults are for a Config built directly (the model's tests): mostly
// RFC 9293's and RFC 6298's values, but not a profile; syn_retries, for one,
// is 6 here and 7 in the rfc9293 profile (RFC 1122's 3 minutes).
#pragma once

#include <cstdint>

#include "model/time.h"

namespace tcpsim::model {

struct Config {
  // RFC 9293 §3.8.1 / RFC 6298 §2: initial RTO 1 s, lower bound 1 s, upper bound >= 60 s.
  Duration rto_initial = 1 * kSecond;
  Duration rto_min = 1 * kSecond;
  Duration rto_max = 120 * kSecond;
  // TIME-WAIT length, RFC 9293 §3.10.7.4: 2 x MSL, MSL = 2 minutes.
  Duration time_wait = 240 * kSecond;
  // Orphaned FIN-WAIT-2 bound (Linux net.ipv4.tcp_fin_timeout); 0 = none (RFC 9293).
  Duration fin_wait_2_timeout = 0;
  // RFC 9293 §3.8.3 user timeout; 0 = off, retry limits below decide instead.
  Duration user_timeout = 0;
  // Retransmissions before giving up: of a SYN, of a SYN,ACK, of anything else.
  int syn_retries = 6;
  int synack_retries = 5;
  int data_retries = 15;
  // Linux tcp_syn_linear_timeouts: this many SYN retransmissions keep the
  // initial RTO before backoff starts doubling. 0 = plain RFC 6298 backoff.
  int syn_linear_timeouts = 0;
  // Delayed ACK (RFC 9293 §3.8.6.3, RFC 1122 4.2.3.2). Off by default.
  bool delayed_ack = false;
  Duration delayed_ack_timeout = 200 * kMillisecond;
  int quick_acks = 0;  // Linux: ACKs sent at once at a connection's start
  // RFC 5961 §3: an in-window RST not at RCV.NXT gets a challenge ACK
  // (off: RFC 793's rule, any in-window RST resets; FreeBSD's
  // net.inet.tcp.insecure_rst=1).
  bool rfc5961_rst = true;
  // RFC 5961 §4: a SYN in a synchronized state gets a challenge ACK (off: an
  // in-window SYN resets the connection; FreeBSD's net.inet.tcp.insecure_syn=1).
  bool rfc5961_syn = true;
  // RFC 5961 §5.2: an ACK outside [SND.UNA - MAX.SND.WND, SND.NXT] gets a
  // challenge ACK, at most one per invalid_ratelimit (Linux: both edges on
  // the 6.18 kernel kernel/probes/p13_ack_checks.py ran on); off: RFC 9293's
  // ACK for data not yet sent, old ACKs ignored.
  bool rfc5961_ack = false;
  // RFC 1337: TIME-WAIT ignores RST instead of closing.
  bool rfc1337 = false;
  // Linux (tcp_rcv_state_process): new data for a connection whose reading
  // side is shut, in FIN-WAIT-1 or FIN-WAIT-2, is answered with RST.
  bool rst_on_data_after_close = false;
  // Linux computes RTO = SRTT + max(4 * RTTVAR, rto_min) instead of RFC 6298's
  // max(rto_min, SRTT + 4 * RTTVAR); on a fast link that is ~rto_min + SRTT.
  bool rto_min_on_variance = false;
  // RFC 6298 §5.7: after a SYN (or SYN,ACK) timed out and no RTT sample was
  // taken, the RTO is re-initialized to this when data transmission begins
  // (Linux TCP_TIMEOUT_FALLBACK). 0 = off.
  Duration rto_after_syn_timeout = 3 * kSecond;
  // Linux (tcp_schedule_loss_probe, RFC 8985): a tail-loss probe 2*SRTT after
  // new data (plus rto_min when one segment is in flight, else 8 ms),
  // never later than the RTO; it resends the last segment without backing off.
  bool tail_loss_probe = false;
  Duration tlp_min = 8 * kMillisecond;  // 2 jiffies of HZ=250 (TCP_TIMEOUT_MIN)
  // Linux (retransmits_timed_out/tcp_model_timeout): the retry counts are time
  // budgets: give up once the time since the first retransmission (the first
  // SYN for SYN-SENT) reaches what that many doublings of the base RTO take.
  bool give_up_by_time = false;
  int orphan_retries = 0;  // Linux tcp_orphan_retries (0 means 8): data_retries for orphans
  // Linux (tcp_send_active_reset): an abort's RST carries an ACK.
  bool rst_ack_on_abort = false;
  // Linux (tcp_check_req): a retransmitted SYN reaching SYN-RECEIVED gets the
  // SYN,ACK again; RFC 9293's sequence check answers it with an ACK.
  bool synack_on_dup_syn = false;
  // Linux (tcp_timewait_state_process): a bare ACK at RCV.NXT in TIME-WAIT is
  // ignored; RFC 9293 acknowledges anything there and restarts 2MSL.
  bool timewait_ignores_bare_ack = false;
  // RFC 9293 §3.6.1 MAY-2: a new SYN may reopen a connection in TIME-WAIT
  // (the listener takes it; our ISS then starts above the old SND.NXT).
  // RFC 1122's condition is a SYN above RCV.NXT; Linux, with timestamps on
  // (tcp_timestamps = 1, PAWS in tcp_timewait_state_process), takes any SYN
  // that is newer by its timestamp, which a fresh connection's always is.
  bool timewait_reopen = false;
  bool timewait_reopen_by_timestamp = false;
  // The data path (issue 15). SACK (RFC 2018): offered in our SYN, used when
  // the peer offers it too; the sender's scoreboard is RFC 6675's.
  bool sack = false;
  // Congestion control: Linux's CUBIC in segments from IW10 (RFC 6928), or
  // else RFC 5681/6582 NewReno in bytes from RFC 5681's initial window.
  bool cubic = false;
  // Linux loss detection: RACK (RFC 8985) beside RFC 6675's DupThresh, and
  // PRR (RFC 6937) as tcp_cwnd_reduction() runs it, in segments.
  bool rack = false;
  // Linux's clock: timers that count in jiffies (delayed ACK, persist) fire
  // on ticks of 1/hz s (CONFIG_HZ; 250 on the kernel tcpsim is checked against).
  int hz = 250;
  // RFC 9293 §3.7.4 (SHLD-7): the Nagle algorithm holds a segment shorter
  // than the MSS while data is unacknowledged. Linux's variant (Minshall,
  // tcp_nagle_check()) holds it only while an earlier short segment is
  // unacknowledged. TCP_NODELAY turns it off, TCP_CORK holds every short
  // segment (set per socket, Endpoint::set_nagle()).
  bool nagle = false;
  bool nagle_minshall = false;
  bool nodelay = false;
  bool cork = false;
  // Zero-window probing as Linux (tcp_probe_timer(), tcp_write_wakeup()):
  // with nothing in flight and data waiting, a persist timer at max(RTO,
  // rto_min) doubling per probe; a probe is an empty segment at SND.UNA - 1,
  // or, when the window has room, the next segment cut to fit; new data is
  // sent only if it fits the window whole (sender SWS avoidance). Off: the
  // RTO timer probes with one byte past the window, as BSD.
  bool persist_linux = false;
  // Linux tcp_invalid_ratelimit: ACKs answering out-of-window segments
  // without data are at most one per this (0 = no limit).
  Duration invalid_ratelimit = 0;
  // Linux's delayed-ACK policy (model/delayed_ack.h): quick ACKs at the
  // start and after idle or out-of-order data, pingpong mode, the timer in
  // jiffies. Off: the simple policy above (delayed_ack, quick_acks).
  bool ack_policy_linux = false;
  // FreeBSD (tcp_mss(), tcp_input()'s rcv_wnd): once the peer's MSS is
  // known the receive buffer is rounded up to whole segments, and segments
  // are checked against the free buffer itself, not the 16-bit window field
  // (65700 with a 65536-byte buffer and MSS 1460, where 65535 is advertised).
  bool rcv_wnd_from_buffer = false;
  // BSD tcp_output(): while our FIN is unacknowledged, an ACK the output path
  // sends carries the FIN again at its sequence number; challenge ACKs and
  // answers to a SYN (tcp_respond()) do not.
  bool fin_on_output_acks = false;
  // FreeBSD tcp_twcheck(): TIME-WAIT drops a segment without ACK unanswered
  // (a SYN too, unless it reopens the connection) and acknowledges a SYN
  // with ACK; it never resets or challenges.
  bool timewait_needs_ack = false;
  // FreeBSD net.inet.tcp.drop_synfin: a segment with both SYN and FIN is
  // dropped by any listener or connection.
  bool drop_synfin = false;
  // Keepalive (RFC 1122 §4.2.3.6, model/keepalive.h): off unless the
  // socket asks (SO_KEEPALIVE); idle time, probe interval and count are
  // Linux's tcp_keepalive_time/intvl/probes (TCP_KEEPIDLE/INTVL/CNT).
  bool keepalive = false;
  Duration keepalive_time = 7200 * kSecond;
  Duration keepalive_intvl = 75 * kSecond;
  int keepalive_probes = 9;
  // Segment sizes and buffers.
  std::uint16_t mss = 1460;
  std::uint32_t rcv_buffer = 65535;
  std::uint32_t snd_buffer = 65535;
};

}  // namespace tcpsim::model
