// A progress bar on standard error, for sweeps long enough to wonder about,
// and only when standard error is a terminal: a pipe, a file or a batch
// job's log gets nothing (nothing to clean up, nothing to diff).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace tcpsim::sweep {

// "[#######.............]  35%  35000/100000 runs  1.2 s": `width` cells of bar.
std::string progress_line(std::uint64_t done, std::uint64_t total, double seconds, int width = 30);

class ProgressBar {
 public:
  // Draws nothing unless `enabled` (callers pass isatty(2)).
  ProgressBar(std::uint64_t total, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  // Redraws if enough time has passed; call from one thread.
  void update(std::uint64_t done);
  // Erases the bar.
  void finish();

 private:
  std::uint64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace tcpsim::sweep
