// The data path's state beside the TCB (issue 15): the receiver's
// out-of-order queue, the sender's scoreboard, congestion controller, PRR
// and RACK. Held by the Engine behind a pointer and made on first use, so a
// connection that never carries data (and the state table's unit, which
// includes model/engine.h) pays nothing for it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "model/congestion_control.h"
#include "model/delayed_ack.h"
#include "model/persist.h"
#include "model/prr.h"
#include "model/rack.h"
#include "model/reassembly.h"
#include "model/sack_scoreboard.h"

namespace tcpsim::model {

struct DataPath {
  // Receiver (RFC 9293 §3.10.7.4, RFC 2018, RFC 2883).
  std::optional<ReassemblyQueue> rq;

  // Sender.
  std::optional<SackScoreboard> sb;
  std::unique_ptr<cc::CongestionControl> cc;
  Prr prr;
  Rack rack;
  // Fast recovery (RFC 6675 §5 with SACK, RFC 6582 without): until the
  // ACK covers `recover` (SND.NXT when it began).
  bool recovery = false;
  // After an RTO (Linux TCP_CA_Loss): the flight is lost and resent by slow
  // start until SND.UNA passes `recover`.
  bool loss = false;
  Seq recover = 0;
  int dupacks = 0;               // RFC 5681 §2 duplicate ACKs, for a sender without SACK
  Duration min_rtt = 0;          // RACK's min_RTT (0: no sample yet)
  std::uint32_t max_flight = 0;  // Linux max_packets_out of the last window, segments
  bool cwnd_limited = false;     // the last send loop stopped at cwnd
  Time last_xmit = -1;           // the latest send time given to the scoreboard

  // Nagle: the end of the last short segment sent (Linux snd_sml, Minshall's
  // check), and a one-shot push past TCP_CORK (Linux TCP_NAGLE_PUSH, set by
  // TCP_NODELAY).
  Seq snd_sml = 0;
  bool sml_sent = false;
  bool push_once = false;
  // The persist timer (model/persist.h), made with the profile's values.
  std::optional<Persist> persist;
  // Linux last_oow_ack_time: the last ACK sent for an out-of-window segment
  // (in jiffies, -1: none).
  std::int64_t last_oow_ack = -1;

  // Linux's ACK policy (Config::ack_policy_linux): made on the first data
  // or FIN; RCV.NXT when an ACK last went (Linux rcv_wup); a decision is
  // owed at the end of this input (__tcp_ack_snd_check() after
  // tcp_data_queue()).
  std::optional<DelayedAck> ack;
  Seq rcv_wup = 0;
  bool ack_decide = false;
};

}  // namespace tcpsim::model
