// What every diagram needs from a run's trace: the connection ends (a TCB on
// a host, from its first state change to CLOSED), which ends form a
// connection, which end is on the left (the active opener) and which on the
// right, which program's calls belong to which side, and sequence numbers
// relative to each side's ISN. Drawn from the trace alone.
#pragma once

#include <string>
#include <vector>

#include "scenario/interpreter.h"

namespace tcpsim::formats {

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

  explicit TraceView(const scenario::RunResult& run);

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
  // " seq=1 ack=1 win=65535", relative to each side's ISN where known.
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
  const scenario::RunResult& run_;
  std::vector<End> ends_;
  std::vector<Connection> conns_;
  std::vector<int> rec_end_;
  std::vector<int> pkt_end_;  // sender's end, -1 for a closed port's RST
  std::vector<int> pkt_conn_;
  std::vector<bool> pkt_right_;
  std::vector<int> program_side_;  // -1 unknown, 0 left, 1 right
};

}  // namespace tcpsim::formats
