// Every TCP segment on the namespace's loopback, captured with libpcap in a
// thread of its own, with the kernel's capture timestamps (nanoseconds).
#pragma once

#include <pcap/pcap.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kernel/recording.h"

namespace tcpsim::kernel {

// An IPv4 packet's TCP segment (addresses, header fields, payload); false
// when it is not one. Times are the caller's.
bool parse_ipv4_tcp(const unsigned char* ip, std::size_t caplen, CapturedSegment& s);

class Capture {
 public:
  ~Capture();
  // Opens lo of the current network namespace; a message on failure.
  std::string open();
  // t0: CLOCK_REALTIME of the run's start, in ns (set again when the programs start). on_segment runs in the
  // capture thread after each segment (the runner samples socket states there).
  void start(const std::atomic<std::int64_t>* t0, std::function<void()> on_segment);
  // Takes what is still buffered, then stops; returns every segment in order.
  std::vector<CapturedSegment> stop();
  // Segments the capture lost (libpcap's count), known after stop().
  unsigned dropped() const { return dropped_; }

 private:
  static void handle(u_char* self, const pcap_pkthdr* h, const u_char* bytes);
  pcap_t* pcap_ = nullptr;
  const std::atomic<std::int64_t>* t0_ = nullptr;
  int linktype_ = 0;
  std::function<void()> on_segment_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<CapturedSegment> segs_;
  unsigned dropped_ = 0;
};

}  // namespace tcpsim::kernel
