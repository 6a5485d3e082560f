// Statement-aware mutation of scenario files for the CLI fuzzer. A scenario
// is cut into statements by the parser's own keyword lists
// (scenario::top_level_statements, program_statements, calls); mutations
// insert, delete and duplicate whole statements (taken from the traces and
// examples, or generated from templates for every keyword), put value
// classes into their numbers and durations, add structures at the edge
// (deep `repeat` nesting, more than 256 hosts, many sockets), and change
// the line endings (CRLF, CR, a BOM).
#pragma once

#include <string>
#include <vector>

#include "sim/rng.h"

namespace tcpsim::fuzz {

class Mutator {
 public:
  // `sources`: the text of every scenario to draw statements from.
  explicit Mutator(const std::vector<std::string>& sources);

  // Empty when every statement keyword of the parser has a template here;
  // otherwise the ones missing (a new statement the fuzzer must learn).
  std::vector<std::string> keywords_without_template() const;

  // `edits` statement-level mutations of `text`.
  std::string mutate(const std::string& text, int edits, sim::Rng& rng) const;
  // Line deletions, duplications and value changes for a text that is
  // not a scenario (a sweep shard file).
  static std::string mutate_lines(const std::string& text, int edits, sim::Rng& rng);
  // CRLF, CR only, a byte-order mark, mixed, or no final newline.
  static std::string change_line_endings(const std::string& text, sim::Rng& rng);

  struct Unit {
    std::vector<std::string> lines;
    bool top_level;
  };

 private:
  std::vector<Unit> pool_;
};

}  // namespace tcpsim::fuzz
