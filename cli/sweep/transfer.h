// What a run's data transfer took, for a sweep's goodput and completion
// time percentiles: from the first SYN put on a link to the arrival of the
// last segment carrying data that reached its host, and the bytes the
// programs read in that time. Goodput is those bytes * 8 over that time, in
// whole bits per second (an integer, so that sums and histograms merge
// exactly across threads and shards). A run that moved no data, or read
// none, has no transfer.
#pragma once

#include <cstdint>
#include <optional>

#include "model/time.h"
#include "scenario/interpreter.h"

namespace tcpsim::sweep {

struct Transfer {
  Time duration = 0;             // ns, > 0
  std::uint64_t bytes_read = 0;  // > 0
  std::int64_t goodput_bps = 0;  // floor(bytes_read * 8 * 1e9 / duration)
};

// Reads the run's trace (RunOptions::trace) and the hosts' ledgers.
std::optional<Transfer> transfer_of(const scenario::RunResult& run);

}  // namespace tcpsim::sweep
