// Where the processes of one exploration put their results: a shared
// anonymous mapping made by the root before the first fork, so every process
// forked from it writes into the same memory. Only one process runs at a time
// (each parent waits for its child), but the counters are atomics anyway, so
// the store stays correct if that ever changes.
//
// Not a pipe: the root is itself busy in a run (it takes the "delivered"
// branch) while its descendants report, so it could not drain a pipe, and a
// full pipe would block them for ever.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/explore/pattern.h"
#include "scenario/outcome.h"

namespace tcpsim::explore {

// What one process reports about the run it ended: its pattern and outcome,
// or why it has none.
struct PatternResult {
  Pattern pattern;
  scenario::OutcomeKind kind = scenario::OutcomeKind::Clean;
  std::string label;  // Outcome::label(): the class
  std::uint64_t unread_bytes = 0;
  // Non-empty: the run did not end normally (a crash, an exception, a fork
  // that failed); the patterns that extend this one may be missing.
  std::string error;
};

// Why a search stopped before exploring every pattern: --max-patterns (or
// the results' store full), or --max-work.
enum class Stop : std::uint8_t { None, Patterns, Work };

// Whether one more pattern may be claimed, `claimed` having been, with
// `work` trace records counted so far: Stop::None, or what refuses it. The
// one rule of both strategies.
Stop refuse_claim(std::uint64_t claimed, std::uint64_t limit, std::uint64_t work, std::uint64_t max_work);

class SharedResults {
 public:
  // Room for about `patterns` results; throws std::runtime_error when the
  // mapping cannot be made.
  explicit SharedResults(std::uint64_t patterns);
  ~SharedResults();
  SharedResults(const SharedResults&) = delete;
  SharedResults& operator=(const SharedResults&) = delete;

  // Claims one more pattern to explore, `work` being the trace records the
  // search counts as made when this claim comes (explorer.cc says which):
  // false once `limit` patterns were claimed or `work` reached `max_work`,
  // and from the first refusal on, so that every process stops alike.
  bool claim_pattern(std::uint64_t limit, std::uint64_t work = 0, std::uint64_t max_work = UINT64_MAX);
  bool truncated() const { return stopped() != Stop::None; }
  Stop stopped() const;
  std::uint64_t claimed() const;

  // The trace records of the runs that ended, each run counted whole.
  void add_work(std::uint64_t records);
  std::uint64_t work() const;

  // False (and truncated()) when the store is full.
  bool append(const PatternResult& r);
  std::vector<PatternResult> read_all() const;

 private:
  struct Header;
  Header* header() const;
  unsigned char* data() const;
  void* map_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace tcpsim::explore
