// What every diagram needs from a run's trace: the connection ends (a TCB on
// a host, from its first state change to CLOSED), which ends form a
// connection, which end is on the left (the active opener) and which on the
// right, which program's calls belong to which side, and sequence numbers
// relative to each side's ISN. Drawn from the trace alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenario/interpreter.h"

namespace tcpsim::formats {

// --isn A=100,B=300: the origin of each side's numbers in a figure, so that
// it reproduces a textbook's or an RFC's (RFC 9293's figures give A the ISN
// 100 and B 300). Index 0 is the left side (A, the active opener), 1 the
// right (B). Relative numbering with another origin: every seq and ack is
// shifted by the same amount, the run itself is unchanged.
struct IsnOrigin {
  std::optional<std::uint32_t> side[2];
};

class TraceView {
 public:
  struct End {
    std::uint8_t host = 0;
    sim::ConnId id = sim::kNoConn;
    sim::Addr local, remote;
    bool addressed = false;  // addresses known (it sent something)
    bool active = false;     // sent the first SYN
    bool listener = false;
    int connection = -1;
    int program = -1;  // the program whose calls used it first
    bool has_isn = false;
    std::uint32_t isn = 0;
  };
  struct Connection {
    int left = -1;   // the active end
    int right = -1;  // the passive end, -1 for a closed port
  };

  explicit TraceView(const scenario::RunResult& run, const IsnOrigin& origin = {});

  const std::vector<End>& ends() const { return ends_; }
  const std::vector<Connection>& connections() const { return conns_; }
  // The end a trace record is about, or -1.
  int end_of(std::size_t record) const { return rec_end_[record]; }
  int connection_of_packet(std::uint32_t packet) const { return pkt_conn_[packet]; }
  bool packet_goes_right(std::uint32_t packet) const { return pkt_right_[packet]; }
  bool is_right(int end) const;
  bool call_is_right(std::size_t record) const;
  std::string end_label(int end) const;
  // What to show for an end before it exists: a passive end is its listener.
  std::string listener_state_for(int end) const;
  // " seq=1 ack=1 win=65535", relative to each side's ISN where known (plus
  // that side's IsnOrigin when given).
  std::string seq_text(std::uint32_t packet) const;
  // " sack=1449-2897,4345-5793": the segment's SACK blocks [left-right),
  // relative to the receiver's ISN like its ack; "" when it has none.
  std::string sack_text(std::uint32_t packet) const;
  std::string program_name(std::uint32_t program) const;
  // The title, the profile and seed, and the command to reproduce.
  std::string header() const;

 private:
  // The constructor's steps.
  void find_ends(const sim::Trace& tr);
  void pair_ends_and_place_packets(const sim::Trace& tr);
  void place_programs(const scenario::RunResult& run);
  // A number relative to `end`'s ISN: `v` - ISN + its side's origin.
  std::uint32_t relative(std::uint32_t v, int end) const;
  const scenario::RunResult& run_;
  IsnOrigin origin_;
  std::vector<End> ends_;
  std::vector<Connection> conns_;
  std::vector<int> rec_end_;
  std::vector<int> pkt_end_;  // sender's end, -1 for a closed port's RST
  std::vector<int> pkt_conn_;
  std::vector<bool> pkt_right_;
  std::vector<int> program_side_;  // -1 unknown, 0 left, 1 right
};

}  // namespace tcpsim::formats
