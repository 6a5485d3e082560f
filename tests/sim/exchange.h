// The full exchange that the loss tests vary: A connects to B, sends 100
// bytes, closes one second after connecting; B reads, and closes one second
// after reading end of stream. Links: 10 ms each way unless set otherwise.
//
// Timeline without loss (RFC 9293 profile, no delayed ACK):
//   0        A SYN             10ms  B SYN,ACK        20ms A ACK, A data(100)
//   30ms     B ACK of data     1.020 A FIN,ACK        1.030 B ACK of FIN
//   2.030    B FIN,ACK         2.040 A ACK (last)     2.050 B CLOSED
#pragma once

#include <string>
#include <vector>

#include "sim/network.h"

namespace tcpsim::test {

using sim::ConnId;
using sim::DropRule;
using sim::Network;

struct ExchangeOptions {
  std::string profile = "rfc9293";
  Duration delay = 10 * kMillisecond;
  std::vector<DropRule> a_to_b;  // drop rules on A's packets
  std::vector<DropRule> b_to_a;
  Duration client_close_after = 1 * kSecond;
  Duration server_close_after = 1 * kSecond;
  std::size_t bytes = 100;
  Time run_for = 600 * kSecond;
  std::uint64_t seed = 1;
  bool orphan_client = true;  // A's program closes its socket (not shutdown)
};

struct Exchange {
  explicit Exchange(ExchangeOptions o);
  void run();

  // Send times of A's (from_a) or B's packets matching flags (all `required`
  // set, none of `forbidden`), in order, retransmissions included.
  std::vector<Time> sent(bool from_a, std::uint8_t required, std::uint8_t forbidden = 0,
                         bool with_payload = false) const;
  std::vector<Time> retransmitted(bool from_a) const;
  // When a side's connection entered `state` (the first time), or -1.
  Time entered(bool a_side, model::State state) const;
  bool told(bool a_side, model::AppEvent e) const;
  std::string trace_text() const;

  ExchangeOptions opt;
  Network net;
  sim::Host* a;
  sim::Host* b;
  ConnId listener = sim::kNoConn, client = sim::kNoConn, server = sim::kNoConn;
  std::string received;  // what B's program read
};

}  // namespace tcpsim::test
