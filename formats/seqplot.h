// The time-sequence graph of one direction of a connection, the picture of
// tcptrace/xplot and Wireshark's "Stream Graph (tcptrace)": sequence number
// (relative to the sender's ISN, in bytes) against time, each data segment a
// vertical bar from its first octet to one past its last where and when it
// was sent, the receiver's ACKs as a step line where and when they reached
// the sender, SACK blocks as bars beside the ACK line, retransmissions in a
// colour of their loss-detection reason (RTO, TLP, dupack, RACK), lost
// segments ending in an X; beneath, the congestion window and the flight
// size (octets sent and not yet cumulatively acknowledged, RFC 5681 §2) in
// bytes against the same time axis.
//
// The direction drawn is the one that carried the most payload (a bulk
// transfer's data direction). seqplot_picture() gives the geometry (tests
// check it); seqplot_svg() draws it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/outbox.h"
#include "scenario/interpreter.h"

namespace tcpsim::formats {

struct SeqPlot {
  struct Bar {  // a data segment or a SACK block
    Time t = 0;
    std::uint64_t from = 0, to = 0;  // relative sequence numbers, [from, to)
    double x = 0, y_from = 0, y_to = 0;
    bool retransmission = false;
    bool lost = false;
    model::LossReason reason = model::LossReason::None;
  };
  struct Point {
    Time t = 0;
    std::uint64_t value = 0;
    double x = 0, y = 0;
  };
  std::string title;
  std::string sender, receiver;  // "A (10.0.0.1:40000)"
  bool any = false;              // a connection carried something to draw
  Time t0 = 0, t1 = 0;           // the time axis
  std::uint64_t seq_max = 1;     // the sequence axis' top
  std::uint64_t bytes_max = 1;   // the lower panel's top
  bool has_cwnd = false;         // the trace knows the sender's window (not a kernel run's)
  std::vector<Bar> segments;     // in the order sent
  std::vector<Point> acks;       // each ACK as it reached the sender
  std::vector<Bar> sacks;        // each SACK block of those ACKs
  std::vector<Point> cwnd;       // at each segment the sender sent, bytes
  std::vector<Point> ssthresh;   // the same, where one is set
  std::vector<Point> flight;     // after each send and each ACK, bytes
  // Geometry: the two panels' corners (y grows downwards, as in SVG).
  double width = 0, height = 0;
  double left = 0, right = 0, seq_top = 0, seq_bottom = 0, win_top = 0, win_bottom = 0;
};

SeqPlot seqplot_picture(const scenario::RunResult& run);
std::string seqplot_svg(const scenario::RunResult& run);

}  // namespace tcpsim::formats
