// A pattern: which transmissions of one run explore made go wrong, and how
// ("drop #4, drop #6"). Transmissions are numbered in the order the run put
// them on a link, retransmissions included, so a pattern names one run
// exactly: the choices before a transmission decide what the run sends next.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/network.h"

namespace tcpsim::explore {

struct Choice {
  std::uint32_t index = 0;  // the transmission, counted from 0 (printed from 1: "#1")
  sim::Fate fate = sim::Fate::kDrop;
  bool operator==(const Choice& o) const { return index == o.index && fate == o.fate; }
  bool operator!=(const Choice& o) const { return !(*this == o); }
};
using Pattern = std::vector<Choice>;  // in transmission order

// How many of each departure from the link's own verdict a pattern may hold.
struct Budget {
  unsigned drops = 0;
  unsigned dups = 0;
  unsigned reorders = 0;
  bool allows(sim::Fate f) const;
  void spend(sim::Fate f);
};

// "drop", "duplicate", "reorder" (Fate::kDeliver: "deliver").
const char* fate_name(sim::Fate f);

// The order results are listed and the "shortest" pattern of a class chosen:
// fewer choices first, then the earliest transmissions, then drop before
// duplicate before reorder.
bool shorter(const Pattern& a, const Pattern& b);

// "drop #4, duplicate #6"; "none" for the run where every packet arrives.
std::string pattern_text(const Pattern& p);

}  // namespace tcpsim::explore
