// A process's descriptor table: descriptor -> socket, and POSIX's rule that
// a new descriptor is the lowest one not open, in O(log n) per call.
//
// The table is a vector indexed by descriptor. Descriptors are handed out
// from `end_` (the first never used) unless one below it was closed: the
// closed ones wait in a min-heap, whose top is then the lowest free. A
// descriptor is in the heap at most once (it is pushed when closed, popped
// when reused), so the heap never outgrows the table.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

namespace tcpsim::sim {

class FdTable {
 public:
  using SocketId = std::uint32_t;
  static constexpr SocketId kNone = UINT32_MAX;

  explicit FdTable(int first) : first_(first), end_(first) {}

  // The descriptor open() would return now.
  int lowest_free() const { return free_.empty() ? end_ : free_.top(); }
  // Opens the lowest free descriptor on s and returns it.
  int open(SocketId s) {
    int fd = end_;
    if (!free_.empty()) {
      fd = free_.top();
      free_.pop();
    } else {
      ++end_;
      table_.resize(static_cast<std::size_t>(end_ - first_), kNone);
    }
    table_[index(fd)] = s;
    ++open_;
    return fd;
  }
  // kNone when fd is not open.
  SocketId find(int fd) const {
    if (fd < first_ || fd >= end_) return kNone;
    return table_[index(fd)];
  }
  void close(int fd) {
    if (find(fd) == kNone) return;
    table_[index(fd)] = kNone;
    free_.push(fd);
    --open_;
  }
  std::size_t size() const { return open_; }
  // Open descriptors in increasing order.
  template <class F>
  void for_each(F&& f) const {
    for (int fd = first_; fd < end_; ++fd) {
      if (table_[index(fd)] != kNone) f(fd, table_[index(fd)]);
    }
  }

 private:
  std::size_t index(int fd) const { return static_cast<std::size_t>(fd - first_); }
  int first_;
  int end_;  // the lowest descriptor never opened
  std::size_t open_ = 0;
  std::vector<SocketId> table_;  // [first_, end_)
  std::priority_queue<int, std::vector<int>, std::greater<int>> free_;
};

}  // namespace tcpsim::sim
