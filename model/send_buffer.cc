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

std::string_view WriteSource::head(std::size_t n, std::string& scratch) const {
  const std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(n, size()));
  if (is_literal_) return literal_.substr(static_cast<std::size_t>(begin_), len);
  scratch.resize(len);
  for (std::size_t i = 0; i < len; ++i) scratch[i] = static_cast<char>('0' + (begin_ + i) % 10);
  return scratch;
}

}  // namespace tcpsim::model
