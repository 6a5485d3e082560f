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

#include <optional>
#include <string>
#include <vector>

#include "formats/time_window.h"
#include "formats/trace_view.h"
#include "scenario/interpreter.h"

namespace tcpsim::formats {

// What a figure shows and how big it is printed: the options of
// `tcpsim run` that shape a picture (cli/commands/run.cc declares each once;
// docs/formats.md shows them). The defaults draw what the run did, whole.
struct PictureOptions {
  PictureOptions() = default;
  // PictureOptions{true}: -v, everything else as by default.
  PictureOptions(bool verbose) : verbose(verbose) {}  // NOLINT(google-explicit-constructor)
  bool verbose = false;                               // seq/ack (relative) and window on every segment
  // Size in print: --width (points) and --font-size (points, the segment
  // labels'); 0: not given. Given both, the arrows' span takes up the
  // difference; a figure whose text cannot fit is refused (size_error).
  double width_pt = 0;
  double font_pt = 0;
  bool compact = false;  // narrow state columns, no call text, the legend wrapped
  bool hide_calls = false, hide_timers = false, hide_notes = false;
  std::optional<std::string> title;  // --title: instead of the scenario's
  bool no_subtitle = false;          // the provenance stays in the metadata
  bool number = false;               // "3: FIN,ACK": segments numbered in the order sent
  bool linear_time = false;          // no idle cuts: every instant at its time on one scale
  IsnOrigin isn;                     // --isn A=100,B=300: the origin of each side's numbers (with -v)
  TimeWindow window;                 // --from/--to: cropped (formats/time_window.h)
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
    bool run = false;                 // a run of plain segments (formats/segment_runs.h), drawn heavier
    std::uint32_t packet = 0;         // the trace's packet it draws (a run's: its first)
    double label_x = 0, label_y = 0;  // the label's baseline centre (formats/label_layout.h)
    double label_angle = 0;           // degrees, clockwise (y grows downwards)
  };
  struct Note {  // a call, a timer's expiry, a program's output: beside a side
    int side;
    double x, y;  // anchor: the end of the text on the left side, its start on the right
    std::string text;
    enum Kind { Call, Timer, Output } kind = Call;
  };
  struct Timer {  // armed .. fired (or cancelled)
    int side;
    double x, y0, y1;
    std::string label;             // "RTO 202ms"
    std::vector<double> restarts;  // where it was started again (2MSL absorbing a FIN)
    bool cancelled = false;        // stopped at y1 without expiring
  };

  double width = 0, height = 0;
  std::string title, subtitle;
  std::string provenance;  // formats/provenance.h: in every picture's metadata
  std::string left_name, right_name;
  double left_x = 0, right_x = 0;  // lifelines
  double top = 0, bottom = 0;      // lifelines' extent
  double axis_x = 0;
  double scale_px = 0;      // one unit
  std::string scale_label;  // "1ms"
  double legend_y = 0;
  struct LegendItem {  // in order: segment, retransmission, lost, timer, scale, cut
    double x, y;       // the drawing's left end, on the row's centre line
    double w;          // the drawing's width; its text starts 6 further
    std::string text;
  };
  std::vector<LegendItem> legend;
  std::vector<std::string> title_lines, subtitle_lines;  // wrapped to the width in --compact
  // Print size: points (1/72 in) per pixel; 0 when neither --width nor
  // --font-size was given (the SVG in pixels, TikZ at half a point each).
  double pt_per_px = 0;
  std::string size_error;  // --width with --font-size that this figure cannot meet
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
