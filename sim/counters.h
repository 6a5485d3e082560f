// What a run did, counted whether it is traced or not: `tcpsim run -f
// summary` prints these for a transfer too big to trace (a 1 GB transfer
// traced takes over 1 GB), at a few additions per packet.
#pragma once

#include <array>
#include <cstdint>

#include "model/outbox.h"
#include "model/time.h"

namespace tcpsim::sim {

// The segments one host put on links.
struct HostCounters {
  std::uint64_t segments = 0;       // every segment sent, retransmissions included
  std::uint64_t data_segments = 0;  // those carrying payload
  std::uint64_t payload_bytes = 0;  // their payload octets, retransmitted octets included
  std::uint64_t retransmissions = 0;
  // Retransmissions by what decided them, indexed by model::LossReason.
  std::array<std::uint64_t, 5> by_reason{};
  std::uint64_t dropped = 0;      // of this host's segments, lost by a link (queue, loss, rule)
  std::uint64_t app_written = 0;  // bytes its programs' writes handed to TCP
  std::uint64_t app_read = 0;     // bytes its programs read
  std::uint64_t received = 0;     // segments that reached this host (a duplicate counts twice)
};

struct RunCounters {
  Time first_syn = -1;            // the first SYN put on a link
  Time last_data_delivered = -1;  // the last arrival of a segment carrying data
};

}  // namespace tcpsim::sim
