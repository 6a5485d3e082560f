// The ladder diagram as a picture: a standalone SVG (and, from the same
// geometry, a TikZ picture, formats/tikz.h). Time runs down a scale;
// each side is a lifeline whose TCP state is a labelled band; segments slant
// by their real delay, lost ones end in an X half-way, retransmissions are
// dashed; timers are dashed brackets beside their side, calls are written
// beside their side; long idle stretches are cut out with a visible break.
//
// The vertical scale is piecewise linear: within a stretch of activity one
// "unit" (the shortest one-way delay in the run) is kUnitPx pixels tall, so
// slants are true to the delays; a gap longer than kLinearUnits units is
// drawn as a break of fixed height labelled with its length; an instant that
// needs room for text (several calls at once) pushes what follows down.
// Events at one instant are ordered sub-steps of it, in trace order, so a
// state held for no time still gets a band and an arrival sits above the
// state change it caused. Segment labels run along their arrows where
// nothing crosses them (formats/label_layout.h).
// Everything is derived from the trace alone, with integer time, so the
// same run gives the same bytes.
#pragma once

#include <string>
#include <vector>

#include "scenario/interpreter.h"

namespace tcpsim::formats {

struct PictureOptions {
  bool verbose = false;  // seq/ack (relative) and window on every segment
};

// The geometry both SVG and TikZ draw, in pixels (y grows downwards).
struct LadderPicture {
  struct Tick {
    double y;
    std::string label;  // "1.002 s"
  };
  struct Break {
    double y;           // the centre of the cut
    std::string label;  // "60 s"
  };
  struct Band {
    int side;  // 0 left, 1 right
    double x0, x1, y0, y1;
    std::string state;             // "FIN-WAIT-2"
    std::vector<double> label_ys;  // where to write the state (top, and after each break)
    bool open = false;             // still in this state when the run ended
    bool listener = false;         // the passive side before its TCB existed: its listener
  };
  struct Closed {  // a TCB deleted: a bar across the lifeline and "CLOSED"
    int side;
    double x0, x1, y;
    bool label = true;  // false when the lane's next end starts right there
  };
  struct Arrow {
    double x0, y0, x1, y1;  // from the sender's band to the receiver's (or to the X)
    std::string label;
    bool rightwards = true;
    bool lost = false;
    bool retransmission = false;
    bool duplicate = false;
    std::uint32_t packet = 0;         // the trace's packet it draws
    double label_x = 0, label_y = 0;  // the label's baseline centre (formats/label_layout.h)
    double label_angle = 0;           // degrees, clockwise (y grows downwards)
  };
  struct Note {  // a call, a timer's expiry, a program's output: beside a side
    int side;
    double x, y;  // anchor: the end of the text on the left side, its start on the right
    std::string text;
    enum Kind { Call, Timer, Output } kind = Call;
  };
  struct Timer {  // armed .. fired
    int side;
    double x, y0, y1;
    std::string label;  // "RTO 202ms"
  };

  double width = 0, height = 0;
  std::string title, subtitle;
  std::string left_name, right_name;
  double left_x = 0, right_x = 0;  // lifelines
  double top = 0, bottom = 0;      // lifelines' extent
  double axis_x = 0;
  double scale_px = 0;      // one unit
  std::string scale_label;  // "1ms"
  double legend_y = 0;
  std::vector<Tick> ticks;
  std::vector<Break> breaks;
  std::vector<Band> bands;
  std::vector<Closed> closed;
  std::vector<Arrow> arrows;
  std::vector<Note> notes;
  std::vector<Timer> timers;
  bool any_lost = false, any_retransmission = false;
};

LadderPicture ladder_picture(const scenario::RunResult& run, const PictureOptions& opt);

// Geometry both pictures draw the same way, each in its own syntax.
struct Point {
  double x, y;
};
// A zig-zag across the picture at y (a cut-out idle stretch).
std::vector<Point> zigzag_points(double x0, double x1, double y);
// The three corners of an arrowhead at (x1, y1) pointing along the segment;
// false for a segment too short to have a direction.
bool arrow_head_points(double x0, double y0, double x1, double y1, Point (&corners)[3]);
// A coordinate with at most one decimal, "-0" written "0".
std::string number(double v);

// A standalone SVG 1.1 document.
std::string svg(const scenario::RunResult& run, const PictureOptions& opt);

// Fill colour of a state's band: light tints whose grey levels differ, so
// that a greyscale print still tells neighbouring bands apart.
const char* state_fill(const std::string& state);

// "1.002 s", "0.00001 s": seconds, trailing zeros dropped (at least 3 decimals).
std::string seconds_label(Time t);

}  // namespace tcpsim::formats
