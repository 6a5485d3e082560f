#include "formats/label_layout.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>

namespace tcpsim::formats {

namespace {

// DejaVu Sans (2.37, Debian fonts-dejavu-core) advance widths of ' '..'~' in
// font units (2048 an em), read with FreeType; its oblique has the same.
constexpr int kAdvance[95] = {
    651,  821,  942,  1716, 1303, 1946, 1597, 563,  799,  799,  1024, 1716, 651,  739,  651,  690,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690,  690,  1716, 1716, 1716, 1087,
    2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604,  604,  1343, 1141, 1767, 1532, 1612,
    1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799,  690,  799,  1716, 1024,
    1024, 1255, 1300, 1126, 1300, 1260, 721,  1300, 1298, 569,  569,  1186, 569,  1995, 1298, 1253,
    1300, 1300, 842,  1067, 803,  1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,  1303, 1716};
constexpr double kAscent = 0.76;    // ink above the baseline, in ems (digits, capitals, 'l')
constexpr double kDescent = 0.24;   // below ('g', 'p', ',')
constexpr double kBaselineGap = 4;  // arrow to the nearer edge of the text
constexpr double kPad = 2;          // clearance kept around a label

// Things drawn, bucketed by height, so that a label is tested only against
// what lies near it (a run with thousands of segments stays linear).
class YBuckets {
 public:
  void add(std::size_t item, double y0, double y1) {
    for (long b = bucket(std::min(y0, y1)); b <= bucket(std::max(y0, y1)); ++b) buckets_[b].push_back(item);
    if (item >= stamp_.size()) stamp_.resize(item + 1, 0);
  }
  // Calls f(item) once for each item whose band of height meets [y0, y1].
  template <class F>
  void near(double y0, double y1, F f) {
    ++round_;
    for (long b = bucket(y0); b <= bucket(y1); ++b) {
      auto it = buckets_.find(b);
      if (it == buckets_.end()) continue;
      for (std::size_t item : it->second) {
        if (stamp_[item] == round_) continue;
        stamp_[item] = round_;
        f(item);
      }
    }
  }

 private:
  static long bucket(double y) { return static_cast<long>(std::floor(y / 64.0)); }
  std::map<long, std::vector<std::size_t>> buckets_;
  std::vector<std::uint64_t> stamp_;
  std::uint64_t round_ = 0;
};

}  // namespace

double dejavu_sans_width(const std::string& text, double px) {
  double units = 0;
  for (unsigned char c : text) {
    if (c >= 32 && c < 127) {
      units += kAdvance[c - 32];
    } else if ((c & 0xc0) != 0x80) {
      units += 2048;  // the first byte of a non-ASCII character
    }
  }
  return units / 2048.0 * px;
}

LabelBox label_box(double x, double y, double angle_deg, double w, double ascent, double descent) {
  const double a = angle_deg * M_PI / 180.0;
  const double ux = std::cos(a), uy = std::sin(a);
  // The normal pointing "up" in the text's frame is (uy, -ux).
  const double mid = (ascent - descent) / 2;  // from the baseline towards the top
  return {x + uy * mid, y - ux * mid, ux, uy, w / 2, (ascent + descent) / 2};
}

bool boxes_overlap(const LabelBox& a, const LabelBox& b) {
  // Separating axes: the two boxes' own axes.
  const LabelBox* boxes[2] = {&a, &b};
  const double dx = b.cx - a.cx, dy = b.cy - a.cy;
  for (const LabelBox* k : boxes) {
    const double axes[2][2] = {{k->ux, k->uy}, {k->uy, -k->ux}};
    for (const auto& ax : axes) {
      auto radius = [&](const LabelBox& q) {
        return q.half_w * std::abs(q.ux * ax[0] + q.uy * ax[1]) +
               q.half_h * std::abs(q.uy * ax[0] - q.ux * ax[1]);
      };
      if (std::abs(dx * ax[0] + dy * ax[1]) > radius(a) + radius(b)) return false;
    }
  }
  return true;
}

bool segment_crosses_box(double x0, double y0, double x1, double y1, const LabelBox& b) {
  // In the box's frame: u along, v across; clip the segment (Liang-Barsky).
  auto to_u = [&](double x, double y) { return (x - b.cx) * b.ux + (y - b.cy) * b.uy; };
  auto to_v = [&](double x, double y) { return (x - b.cx) * b.uy - (y - b.cy) * b.ux; };
  const double u0 = to_u(x0, y0), v0 = to_v(x0, y0);
  const double du = to_u(x1, y1) - u0, dv = to_v(x1, y1) - v0;
  double t0 = 0, t1 = 1;
  const double p[4] = {-du, du, -dv, dv};
  const double q[4] = {u0 + b.half_w, b.half_w - u0, v0 + b.half_h, b.half_h - v0};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
      continue;
    }
    const double r = q[i] / p[i];
    if (p[i] < 0) {
      t0 = std::max(t0, r);
    } else {
      t1 = std::min(t1, r);
    }
    if (t0 > t1) return false;
  }
  return true;
}

std::vector<LabelPlace> place_labels(const std::vector<ArrowLine>& arrows, const std::vector<double>& widths,
                                     double px, double x_min, double x_max) {
  static const double kAlong[] = {0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85};
  std::vector<LabelPlace> out;
  std::vector<LabelBox> placed;
  YBuckets arrow_index, label_index;
  for (std::size_t k = 0; k < arrows.size(); ++k) arrow_index.add(k, arrows[k].y0, arrows[k].y1);
  for (std::size_t i = 0; i < arrows.size(); ++i) {
    const ArrowLine& a = arrows[i];
    // Written left to right whichever way the segment goes.
    const bool flip = a.x1 < a.x0;
    const double lx0 = flip ? a.x1 : a.x0, ly0 = flip ? a.y1 : a.y0;
    const double lx1 = flip ? a.x0 : a.x1, ly1 = flip ? a.y0 : a.y1;
    const double angle = std::atan2(ly1 - ly0, lx1 - lx0) * 180.0 / M_PI;
    const double ux = std::cos(angle * M_PI / 180.0), uy = std::sin(angle * M_PI / 180.0);
    const double w = widths[i];
    LabelPlace best{0, 0, angle, false};
    LabelBox best_box{};
    int best_hits = -1;
    for (double f : kAlong) {
      for (int below = 0; below < 2 && best_hits != 0; ++below) {
        const double px0 = lx0 + f * (lx1 - lx0), py0 = ly0 + f * (ly1 - ly0);
        // The baseline: kBaselineGap above the arrow, or the text's height below it.
        const double off = below ? -(kBaselineGap + kAscent * px) : kBaselineGap;
        const double bx = px0 + uy * off, by = py0 - ux * off;
        const LabelBox box =
            label_box(bx, by, angle, w + 2 * kPad, kAscent * px + kPad, kDescent * px + kPad);
        int hits = 0;
        const double ex = box.half_w * std::abs(box.ux) + box.half_h * std::abs(box.uy);
        if (box.cx - ex < x_min || box.cx + ex > x_max) hits += 100;
        const double ey = box.half_w * std::abs(box.uy) + box.half_h * std::abs(box.ux);
        arrow_index.near(box.cy - ey, box.cy + ey, [&](std::size_t k) {
          if (k != i && segment_crosses_box(arrows[k].x0, arrows[k].y0, arrows[k].x1, arrows[k].y1, box))
            ++hits;
        });
        label_index.near(box.cy - ey, box.cy + ey,
                         [&](std::size_t q) { hits += boxes_overlap(placed[q], box); });
        if (best_hits < 0 || hits < best_hits) {
          best_hits = hits;
          best = {bx, by, angle, hits == 0};
          best_box = box;
        }
      }
      if (best_hits == 0) break;
    }
    out.push_back(best);
    const double ey = best_box.half_w * std::abs(best_box.uy) + best_box.half_h * std::abs(best_box.ux);
    label_index.add(placed.size(), best_box.cy - ey, best_box.cy + ey);
    placed.push_back(best_box);
  }
  return out;
}

}  // namespace tcpsim::formats
