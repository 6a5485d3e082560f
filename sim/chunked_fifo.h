// A queue with indexed access, in fixed blocks of N elements that are
// recycled: pushing a million elements costs a thousand allocations, not a
// million (std::deque allocates a node per 512 bytes, a single element when
// the element is large), and no element ever moves.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <utility>

namespace tcpsim::sim {

template <class T, std::size_t N = 1024>
class ChunkedFifo {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) {
    i += head_;
    return blocks_[i / N][i % N];
  }
  const T& operator[](std::size_t i) const {
    i += head_;
    return blocks_[i / N][i % N];
  }
  T& front() { return (*this)[0]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }

  void push_back(T&& v) {
    const std::size_t end = head_ + size_;
    if (end == blocks_.size() * N) blocks_.push_back(spare_ ? std::move(spare_) : std::make_unique<T[]>(N));
    blocks_[end / N][end % N] = std::move(v);
    ++size_;
  }
  void pop_front() {
    blocks_.front()[head_] = T{};  // let go of what it holds now, not when the block is reused
    ++head_;
    --size_;
    if (head_ == N || size_ == 0) {
      // Its front block is used up (an empty queue has a single block).
      // One spare is enough for a queue that moves along steadily.
      if (!spare_) spare_ = std::move(blocks_.front());
      blocks_.pop_front();
      head_ = 0;
    }
  }

 private:
  std::deque<std::unique_ptr<T[]>> blocks_;
  std::unique_ptr<T[]> spare_;
  std::size_t head_ = 0;  // index of front() in blocks_.front()
  std::size_t size_ = 0;
};

}  // namespace tcpsim::sim
