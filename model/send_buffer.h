// A connection's send buffer (Linux's write queue, bounded by SO_SNDBUF) and
// the bytes a write() still has to hand to it.
//
// SendBuffer holds the bytes from SND.UNA on: sent and not yet acknowledged
// (the retransmission queue), then not yet sent. Its first byte's sequence
// number is TcbVariables::snd_buf_seq (kept there because a TIME-WAIT record
// keeps the variables alone). Acknowledged bytes leave from the front in
// amortised O(1): the storage is compacted once the consumed front is half
// of it, not on every ACK.
//
// Capacity is the socket's SO_SNDBUF, Config::snd_buffer: Linux's default
// net.ipv4.tcp_wmem[1] is 16384, but the simulator counts payload bytes only
// (no sk_wmem_queued/truesize overhead yet), and its default is 65535. The
// accounting of overhead belongs here when it comes.
//
// WriteSource is one write() call's data, produced on demand: a caller's
// string, or write(fd, N)'s N bytes of "0123456789..." made only as the
// buffer takes them. A blocking write of 10^10 bytes so queues what fits,
// waits, and continues as ACKs free space, holding at most a buffer's worth.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tcpsim::model {

class SendBuffer {
 public:
  std::size_t size() const { return bytes_.size() - head_; }  // queued, unacknowledged or unsent
  bool empty() const { return size() == 0; }
  // Room left under `capacity` bytes (SO_SNDBUF).
  std::size_t free_space(std::size_t capacity) const { return size() >= capacity ? 0 : capacity - size(); }
  void append(const char* data, std::size_t n) { bytes_.append(data, n); }
  // Bytes [offset, offset + n) of what is queued (n clipped at the end).
  std::string_view view(std::size_t offset, std::size_t n) const {
    return std::string_view(bytes_).substr(head_ + offset, n);
  }
  // The first n bytes were acknowledged: they leave.
  void consume(std::size_t n);
  void clear() {
    bytes_.clear();
    head_ = 0;
  }

 private:
  std::string bytes_;
  std::size_t head_ = 0;  // bytes_[0, head_) are acknowledged, kept until compaction
};

class WriteSource {
 public:
  // A caller's bytes (not copied: they must outlive the source).
  WriteSource(std::string_view bytes) : literal_(bytes), end_(bytes.size()), is_literal_(true) {}  // NOLINT
  // n bytes of the filler "0123456789" repeated, from its first digit.
  static WriteSource filler(std::uint64_t n) { return WriteSource(0, n); }

  std::uint64_t size() const { return end_ - begin_; }
  bool empty() const { return size() == 0; }
  // What is left after the first k bytes.
  WriteSource tail(std::uint64_t k) const;
  // The first n bytes (n clipped at size()): a view of the literal, or the
  // filler written into scratch.
  std::string_view head(std::size_t n, std::string& scratch) const;

 private:
  WriteSource(std::uint64_t begin, std::uint64_t end) : begin_(begin), end_(end) {}
  std::string_view literal_;
  std::uint64_t begin_ = 0;  // filler: position in the pattern; literal: offset in literal_
  std::uint64_t end_ = 0;
  bool is_literal_ = false;
};

}  // namespace tcpsim::model
