#include "model/send_buffer.h"

#include <algorithm>

namespace tcpsim::model {

void SendBuffer::consume(std::size_t n) {
  head_ += std::min(n, size());
  // Moving the rest down once the consumed front is half the storage costs
  // O(1) per byte acknowledged; erasing on every ACK moved the whole
  // buffer each time.
  if (head_ == bytes_.size()) {
    clear();
  } else if (head_ >= 4096 && head_ * 2 >= bytes_.size()) {
    bytes_.erase(0, head_);
    head_ = 0;
  }
}

WriteSource WriteSource::tail(std::uint64_t k) const {
  WriteSource w = *this;
  w.begin_ += std::min(k, size());
  return w;
}

namespace {

// The filler's bytes ("0123456789" repeated) for any phase and up to
// kFillerSpan bytes, as a view: a bulk transfer's segments are read from
// here instead of being made a byte at a time (that loop was 35 % of a
// 100 MB transfer's time through the tcpsim command, docs/benchmarks.md).
constexpr std::size_t kFillerSpan = 64 * 1024;

const char* filler_pattern() {
  static const std::string pattern = [] {
    std::string p(kFillerSpan + 10, '0');
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<char>('0' + i % 10);
    return p;
  }();
  return pattern.data();
}

}  // namespace

std::string_view WriteSource::head(std::size_t n, std::string& scratch) const {
  const std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(n, size()));
  if (is_literal_) return literal_.substr(static_cast<std::size_t>(begin_), len);
  const std::size_t phase = static_cast<std::size_t>(begin_ % 10);
  if (len <= kFillerSpan) return std::string_view(filler_pattern() + phase, len);
  scratch.resize(len);
  for (std::size_t i = 0; i < len; ++i) scratch[i] = static_cast<char>('0' + (phase + i) % 10);
  return scratch;
}

}  // namespace tcpsim::model
