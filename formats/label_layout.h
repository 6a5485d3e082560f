// Where a segment's label goes on a ladder picture: along its arrow (as
// Stevens and mscgen write them), at the first position along it, above or
// below, where the label crosses no other arrow and no label placed before.
#pragma once

#include <string>
#include <vector>

namespace tcpsim::formats {

// The width in pixels of `text` set in DejaVu Sans (the font the SVG names
// first) at `px`: its advance widths, one em for a character outside ASCII.
double dejavu_sans_width(const std::string& text, double px);

// A label's box in its own frame: u along the arrow, v across it (v < 0
// towards the top of the picture for a label written left to right).
struct LabelBox {
  double cx, cy;          // centre of the box
  double ux, uy;          // unit vector along the text
  double half_w, half_h;  // half extents
};
bool boxes_overlap(const LabelBox& a, const LabelBox& b);
bool segment_crosses_box(double x0, double y0, double x1, double y1, const LabelBox& b);

// The box of a label of width `w` whose baseline centre is (x, y), rotated by
// `angle_deg`, with glyphs from `ascent` above to `descent` below the baseline.
LabelBox label_box(double x, double y, double angle_deg, double w, double ascent, double descent);

struct ArrowLine {
  double x0, y0, x1, y1;
};
struct LabelPlace {
  double x, y;  // the baseline's centre
  double angle_deg;
  bool clear;  // false: no position was free, this is the least bad one
};
// Places labels[i] (of width widths[i]) along arrows[i], in order, inside
// [x_min, x_max]; font size `px`.
std::vector<LabelPlace> place_labels(const std::vector<ArrowLine>& arrows, const std::vector<double>& widths,
                                     double px, double x_min, double x_max);

}  // namespace tcpsim::formats
