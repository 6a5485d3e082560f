#include "model/classify.h"

#include <algorithm>

namespace tcpsim::model {

namespace {

Classified table(SegKind k, bool acks_fin = false) { return Classified{k, acks_fin, false, {}}; }
Classified answer(SegKind k, std::string_view why) { return Classified{k, false, false, why}; }

// FreeBSD net.inet.tcp.drop_synfin (tcp_input() for a listener,
// tcp_twcheck(), and since r316743 SYN-SENT too).
constexpr std::string_view kSynFinDropped = "FreeBSD drop_synfin: a segment with SYN and FIN is dropped";
bool syn_fin_dropped(const Engine& e, const Segment& seg) {
  return e.config().drop_synfin && seg.has(kSyn) && seg.has(kFin) && !seg.has(kRst);
}

Classified in_listen(const Engine& e, const Segment& seg) {
  // RFC 9293 §3.10.7.2: RST first, then ACK, then SYN.
  if (seg.has(kRst)) return table(SegKind::Rst);
  if (seg.has(kAck)) return table(SegKind::BadAck);
  if (syn_fin_dropped(e, seg)) return answer(SegKind::Drop, kSynFinDropped);
  if (seg.has(kSyn)) return table(SegKind::Syn);
  return answer(SegKind::Drop, "RFC 9293 §3.10.7.2: LISTEN drops a segment without SYN, ACK or RST");
}

Classified in_syn_sent(const Engine& e, const Segment& seg) {
  // RFC 9293 §3.10.7.3: first the ACK bit, then RST, then SYN.
  const Tcb& t = e.tcb();
  const bool has_ack = seg.has(kAck);
  if (has_ack && (seq_le(seg.ack, t.iss) || seq_gt(seg.ack, t.snd_nxt))) {
    if (seg.has(kRst))
      return answer(SegKind::Drop, "RFC 9293 §3.10.7.3: RST with an unacceptable ACK is dropped");
    return table(SegKind::BadAck);
  }
  if (seg.has(kRst)) {
    if (has_ack) return table(SegKind::Rst);
    return answer(SegKind::Drop, "RFC 9293 §3.10.7.3: RST without ACK in SYN-SENT is dropped");
  }
  if (syn_fin_dropped(e, seg)) return answer(SegKind::Drop, kSynFinDropped);
  if (seg.has(kSyn)) return table(has_ack ? SegKind::SynAck : SegKind::Syn);
  return answer(SegKind::Drop, "RFC 9293 §3.10.7.3: neither SYN nor RST, dropped");
}

// RFC 5961 §5.2's MAX.SND.WND, as Linux's tcp_ack() bounds it: never more
// than the bytes acknowledged so far, so that a young connection does not
// accept an ACK for data it never sent.
Seq acceptable_ack_window(const Tcb& t) {
  return static_cast<Seq>(std::min<std::uint64_t>(t.max_snd_wnd, t.bytes_acked));
}

// A FIN whose sequence number the receiver has already passed: the peer
// retransmitting the FIN it sent. RFC 9293 §3.10.7.4 says TIME-WAIT must
// acknowledge it and restart 2MSL; the other states that have seen the FIN
// acknowledge it too (Linux does, via its window check on the segment's end).
bool is_retransmitted_fin(const Tcb& t, const Segment& seg) {
  return t.fin_received && seg.has(kFin) && !seg.has(kSyn) && !seg.has(kRst) &&
         seg.seq + seg.seg_len() == t.rcv_nxt;
}

// The FIN can be processed now: everything before it is in (or arrives with it).
bool fin_in_order(const Engine& e, const Segment& seg) {
  const Tcb& t = e.tcb();
  if (t.fin_received) return false;
  if (!seg.has(kFin)) return e.completes_queued_fin(seg);  // a FIN held out of order
  const Seq start = seg.seq + (seg.has(kSyn) ? 1 : 0);
  const Seq fin = start + static_cast<Seq>(seg.payload.size());
  // All the data before the FIN must fit in the window, or the FIN is not reached.
  return seq_le(start, t.rcv_nxt) && seq_ge(fin, t.rcv_nxt) && (fin - t.rcv_nxt) <= e.receive_window();
}

bool shut_and_new_data(State state, const Engine& e, const Segment& seg) {
  if (!e.config().rst_on_data_after_close || !e.tcb().read_shut) return false;
  if (state != State::FinWait1 && state != State::FinWait2) return false;
  if (seg.payload.empty()) return false;
  return seq_gt(seg.seq + static_cast<Seq>(seg.payload.size()), e.tcb().rcv_nxt);
}

Classified in_synchronized(State state, const Engine& e, const Segment& seg) {
  // FreeBSD's tcp_twcheck() honours drop_synfin before a new SYN reopens.
  if (syn_fin_dropped(e, seg)) return answer(SegKind::Drop, kSynFinDropped);
  // RFC 9293 §3.6.1 MAY-2, before the sequence check: the new SYN is not
  // part of this connection's sequence space.
  if (state == State::TimeWait && e.config().timewait_reopen && seg.has(kSyn) && !seg.has(kAck) &&
      !seg.has(kRst) && (e.config().timewait_reopen_by_timestamp || seq_gt(seg.seq, e.tcb().rcv_nxt))) {
    return table(SegKind::NewSyn);
  }
  const Tcb& t = e.tcb();
  const Config& cfg = e.config();
  // FreeBSD tcp_twcheck(): no sequence check; no ACK bit, no answer; a SYN
  // with ACK is acknowledged (RSTs: RFC 1337, below).
  if (state == State::TimeWait && cfg.timewait_needs_ack && !seg.has(kRst)) {
    if (!seg.has(kAck))
      return answer(SegKind::Drop, "FreeBSD tcp_twcheck: TIME-WAIT drops a segment without ACK");
    if (seg.has(kSyn))
      return answer(SegKind::AckAndDrop, "FreeBSD tcp_twcheck: a SYN,ACK in TIME-WAIT is acknowledged");
  }

  // Simultaneous open (RFC 9293 Figure 7, line 6): the peer's SYN,ACK reaches
  // us in SYN-RECEIVED. Its SYN is the one we already took, its ACK covers
  // ours: it is the ACK that completes the handshake, and is answered.
  if (state == State::SynReceived && seg.has(kSyn) && seg.has(kAck) && !seg.has(kRst) &&
      seg.seq + 1 == t.rcv_nxt && e.ack_acceptable_syn_sent(seg)) {
    Classified c = table(SegKind::Ack);
    c.ack_now = true;
    return c;
  }

  // Linux: the peer retransmitted its SYN (our SYN,ACK was lost).
  if (state == State::SynReceived && cfg.synack_on_dup_syn && t.passive_open && seg.has(kSyn) &&
      !seg.has(kAck) && !seg.has(kRst) && seg.seq == t.irs) {
    return answer(SegKind::ResendSynAck, "Linux tcp_check_req: retransmitted SYN, SYN,ACK sent again");
  }

  if (is_retransmitted_fin(t, seg) && seg.has(kAck) && e.ack_in_range(seg)) {
    return table(SegKind::Fin, e.acks_our_fin(seg.ack));
  }

  // First: the acceptability test. With a zero window, "special allowance
  // should be made to accept valid ACKs, URGs, and RSTs": a segment at
  // RCV.NXT has its control fields processed and its text dropped.
  const bool acceptable = e.acceptable(seg);
  const bool zero_window_control =
      !acceptable && e.receive_window() == 0 && seg.seq == t.rcv_nxt && !seg.has(kSyn);
  if (!acceptable && !zero_window_control) {
    if (seg.has(kRst)) return answer(SegKind::Drop, "RFC 9293 §3.10.7.4 first: unacceptable RST dropped");
    return answer(SegKind::AckAndDrop, "RFC 9293 §3.10.7.4 first: unacceptable segment, ACK sent");
  }

  // Second: RST.
  if (seg.has(kRst)) {
    // RFC 1337 ignores a RST in TIME-WAIT wherever it falls: no challenge.
    if (state == State::TimeWait && cfg.rfc1337) return table(SegKind::Rst);
    if (!cfg.rfc5961_rst || seg.seq == t.rcv_nxt) return table(SegKind::Rst);
    return answer(SegKind::ChallengeAck, "RFC 5961 §3.2: RST in window but not at RCV.NXT, challenge ACK");
  }

  // Fourth: SYN (the third, security, does not apply).
  if (seg.has(kSyn)) {
    if (state == State::SynReceived && t.passive_open) return table(SegKind::Syn);
    if (cfg.rfc5961_syn)
      return answer(SegKind::ChallengeAck, "RFC 5961 §4.2: SYN in a synchronized state, challenge ACK");
    // RFC 793's rule resets only for a SYN in the window; a segment that
    // passed the sequence check on its other octets has its SYN outside.
    const Seq wnd_end = t.rcv_nxt + e.check_window();
    if (!seq_in_range(t.rcv_nxt, seg.seq, wnd_end)) {
      return answer(SegKind::AckAndDrop, "RFC 9293 §3.10.7.4 fourth: SYN outside the window, ACK sent");
    }
    return table(SegKind::Syn);
  }

  // Fifth: ACK.
  if (!seg.has(kAck)) return answer(SegKind::Drop, "RFC 9293 §3.10.7.4 fifth: no ACK bit, dropped");
  if (state == State::SynReceived) {
    if (!e.ack_acceptable_syn_sent(seg)) return table(SegKind::BadAck);
  } else if (seq_gt(seg.ack, t.snd_nxt)) {
    if (e.config().rfc5961_ack)
      return answer(SegKind::LimitedChallengeAck, "RFC 5961 §5.2: ACK above SND.NXT, challenge ACK");
    return answer(SegKind::AckAndDrop, "RFC 9293 §3.10.7.4 fifth: ACK of data not yet sent, ACK sent");
  } else if (e.config().rfc5961_ack && seq_lt(seg.ack, t.snd_una - acceptable_ack_window(t))) {
    return answer(SegKind::LimitedChallengeAck,
                  "RFC 5961 §5.2: ACK below SND.UNA - MAX.SND.WND, challenge ACK");
  }
  if (shut_and_new_data(state, e, seg)) return table(SegKind::DataAfterClose);
  const bool acks_fin = e.acks_our_fin(seg.ack);
  if (zero_window_control) {
    // Only the ACK field is taken; text and FIN are not, and are answered.
    Classified c = table(SegKind::Ack, acks_fin);
    c.ack_now = true;
    return c;
  }
  if (fin_in_order(e, seg)) return table(SegKind::Fin, acks_fin);
  return table(SegKind::Ack, acks_fin);
}

}  // namespace

Classified classify_segment(State state, const Engine& engine, const Segment& seg) {
  switch (state) {
    case State::Closed: return table(SegKind::InClosed);
    case State::Listen: return in_listen(engine, seg);
    case State::SynSent: return in_syn_sent(engine, seg);
    default: return in_synchronized(state, engine, seg);
  }
}

}  // namespace tcpsim::model
