#include "cli/explore/pattern.h"

#include <fmt/format.h>

#include <tuple>

namespace tcpsim::explore {

bool Budget::allows(sim::Fate f) const {
  switch (f) {
    case sim::Fate::kDrop: return drops > 0;
    case sim::Fate::kDuplicate: return dups > 0;
    case sim::Fate::kOvertake: return reorders > 0;
    case sim::Fate::kDeliver: return true;
  }
  return false;
}

void Budget::spend(sim::Fate f) {
  switch (f) {
    case sim::Fate::kDrop: --drops; break;
    case sim::Fate::kDuplicate: --dups; break;
    case sim::Fate::kOvertake: --reorders; break;
    case sim::Fate::kDeliver: break;
  }
}

const char* fate_name(sim::Fate f) {
  switch (f) {
    case sim::Fate::kDeliver: return "deliver";
    case sim::Fate::kDrop: return "drop";
    case sim::Fate::kDuplicate: return "duplicate";
    case sim::Fate::kOvertake: return "reorder";
  }
  return "?";
}

bool shorter(const Pattern& a, const Pattern& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return std::make_tuple(a[i].index, a[i].fate) < std::make_tuple(b[i].index, b[i].fate);
  }
  return false;
}

std::string pattern_text(const Pattern& p) {
  if (p.empty()) return "none";
  std::string s;
  for (const Choice& c : p)
    s += fmt::format("{}{} #{}", s.empty() ? "" : ", ", fate_name(c.fate), c.index + 1);
  return s;
}

}  // namespace tcpsim::explore
