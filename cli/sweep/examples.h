// `tcpsim sweep --examples N`: for each outcome class, the first N runs
// that ended in it (lowest point, then lowest run: the same runs for any
// --jobs), each with its point, seed and the `tcpsim run` command line that
// replays it, so a share in the table leads to a ladder diagram.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cli/sweep/spec.h"
#include "scenario/outcome.h"

namespace tcpsim::sweep {

struct Example {
  std::size_t point = 0;
  std::uint64_t run = 0;  // 0-based, within the point
  std::uint64_t seed = 0;
  std::string label;  // scenario::Outcome::label()
};

// Per outcome kind, up to `keep` runs by global index (point * runs + run):
// the lowest ones, whatever order they were offered in.
class ExampleSet {
 public:
  explicit ExampleSet(std::uint64_t keep = 0) : keep_(keep) {}
  void offer(scenario::OutcomeKind k, std::uint64_t global, const std::string& label);
  void merge(const ExampleSet& other);
  std::uint64_t keep() const { return keep_; }
  // A kind's examples, lowest index first.
  std::vector<Example> of(scenario::OutcomeKind k, const SweepSpec& spec) const;

 private:
  std::uint64_t keep_;
  std::array<std::map<std::uint64_t, std::string>, scenario::kOutcomeKindCount> kept_;
};

// `tcpsim run FILE --seed S [--profile P] [--set K=V]... [--until U] [--loss L]`,
// each word quoted for a POSIX shell when it needs to be.
std::string replay_command(const SweepSpec& spec, std::size_t point, std::uint64_t seed);

// The section the table ends with: per outcome class that happened, its
// examples and their commands.
std::string examples_text(const SweepSpec& spec, const ExampleSet& examples);

}  // namespace tcpsim::sweep
