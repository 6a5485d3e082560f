#include "cli/sweep/progress.h"

#include <fmt/format.h>

#include <cstdio>

namespace tcpsim::sweep {

std::string progress_line(std::uint64_t done, std::uint64_t total, double seconds, int width) {
  const std::uint64_t cells =
      total == 0 ? static_cast<std::uint64_t>(width) : done * static_cast<std::uint64_t>(width) / total;
  const std::uint64_t percent = total == 0 ? 100 : done * 100 / total;
  std::string bar(cells, '#');
  bar.resize(static_cast<std::size_t>(width), '.');
  return fmt::format("[{}] {:3}%  {}/{} runs  {:.1f} s", bar, percent, done, total, seconds);
}

ProgressBar::ProgressBar(std::uint64_t total, bool enabled)
    : total_(total), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_(start_) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::uint64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  // Nothing for a sweep that ends within half a second; then ten times a second.
  if (now - start_ < std::chrono::milliseconds(500) || now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const double s = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r%s", progress_line(done, total_, s).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  // Erase the line: the results that follow start on a clean one.
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace tcpsim::sweep
