// A TCP segment as the endpoint model sees it: header fields and payload.
// Addresses and ports live one layer up (sim::Packet): the model is one
// endpoint and never needs them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/seq.h"

namespace tcpsim::model {

// Bit values as in the TCP header (RFC 9293 §3.1), so a pcap writer can copy them.
enum Flag : std::uint8_t {
  kFin = 0x01,
  kSyn = 0x02,
  kRst = 0x04,
  kPsh = 0x08,
  kAck = 0x10,
  kUrg = 0x20,
};

// One SACK block (RFC 2018 §3): octets [left, right) the receiver holds.
struct SackBlock {
  Seq left = 0;   // first octet
  Seq right = 0;  // one past the last octet
  bool operator==(const SackBlock& o) const { return left == o.left && right == o.right; }
};

struct Segment {
  Seq seq = 0;
  Seq ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;     // as carried in the header (no window scaling)
  std::uint16_t mss = 0;        // MSS option value; 0 when the option is absent
  bool sack_ok = false;         // SACK-permitted option (RFC 2018 §2), SYN and SYN,ACK only
  std::vector<SackBlock> sack;  // SACK option blocks (RFC 2018 §3), first the most recent
  std::string payload;          // the bytes carried, so a reader gets them back

  bool has(std::uint8_t f) const { return (flags & f) != 0; }
  // SEG.LEN, RFC 9293 §3.4: octets occupied in sequence space, SYN and FIN included.
  std::uint32_t seg_len() const {
    return static_cast<std::uint32_t>(payload.size()) + (has(kSyn) ? 1 : 0) + (has(kFin) ? 1 : 0);
  }
};

// "SYN,ACK", "FIN,ACK", "RST", "ACK" ...: the label the notes and ladders use.
std::string flags_label(std::uint8_t flags);

}  // namespace tcpsim::model
