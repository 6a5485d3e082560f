// The pure first half of SEGMENT ARRIVES (RFC 9293 §3.10.7): which event an
// arriving segment is for the state table, or which table-free answer it gets
// (drop, ACK and drop, RFC 5961 challenge ACK). No side effects.
#pragma once

#include <cstdint>
#include <string_view>

#include "model/engine.h"
#include "model/segment.h"
#include "model/state.h"

namespace tcpsim::model {

enum class SegKind : std::uint8_t {
  // Events the state table takes.
  InClosed,        // anything arriving in CLOSED
  Syn,             // SYN without ACK (LISTEN, SYN-SENT), or SYN in a synchronized state
  SynAck,          // SYN-SENT: SYN with an acceptable ACK
  Ack,             // ACK (with or without data), no usable FIN
  Fin,             // in-order FIN (or a retransmission of the peer's FIN)
  Rst,             // acceptable RST
  BadAck,          // SYN-SENT / SYN-RECEIVED / LISTEN: ACK of something never sent
  DataAfterClose,  // Linux: new data in FIN-WAIT-1/2 after the reading side was shut
  NewSyn,          // TIME-WAIT: a new connection's SYN (RFC 9293 §3.6.1 MAY-2)
  // Answers that change no state.
  Drop,          // discard silently
  AckAndDrop,    // discard, send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
  ChallengeAck,  // RFC 5961: discard, send a challenge ACK
  // RFC 5961 §5.2 (Linux tcp_send_challenge_ack): discard, send a challenge
  // ACK unless one went out less than Config::invalid_ratelimit ago.
  LimitedChallengeAck,
  ResendSynAck,  // Linux: a retransmitted SYN in SYN-RECEIVED gets the SYN,ACK again
};

struct Classified {
  SegKind kind = SegKind::Drop;
  bool acks_fin = false;  // SEG.ACK covers our FIN
  bool ack_now = false;   // the row should answer with an ACK at once
  std::string_view why;   // for Drop/AckAndDrop/ChallengeAck: RFC clause and reason
};

Classified classify_segment(State state, const Engine& engine, const Segment& seg);

}  // namespace tcpsim::model
