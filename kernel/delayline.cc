#include "kernel/delayline.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>

#include "kernel/capture.h"
#include "sim/link.h"

namespace tcpsim::kernel {

namespace {

std::int64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

Passage pass(LinkState& l, Time now, std::uint32_t ip_bytes) {
  Passage out;
  // The queue: transmissions not yet ended when this packet arrives; the
  // first of them is on the wire, the rest wait (as sim::Link counts them).
  auto on_wire_bytes = [&] { return l.tx_ends.empty() ? 0 : l.tx_ends.front().bytes; };
  while (!l.tx_ends.empty() && l.tx_ends.front().end <= now) {
    l.tx_ends.pop_front();
    l.waiting_bytes -= on_wire_bytes();  // the next one leaves the queue for the wire
  }
  if (l.link.bandwidth_bps != 0 && !l.tx_ends.empty() && l.link.queue.bounded()) {
    const bool full = l.link.queue.unit == sim::QueueLimit::Unit::kPackets
                          ? l.tx_ends.size() - 1 >= l.link.queue.limit
                          : l.waiting_bytes + ip_bytes > l.link.queue.limit;
    if (full) {
      out.lost = true;  // drop-tail: it never occupies the link
      return out;
    }
  }
  // As sim::Link: random loss is in flight, after the packet took its turn
  // on the link; serialisation as the model computes it.
  out.lost = !l.link.loss.is_zero() && l.rng.bernoulli(l.link.loss);
  const Duration ser = sim::serialisation_time(l.link.bandwidth_bps, ip_bytes);
  const Time tx_end = sat_add(std::max(now, l.tx_free), ser);
  l.tx_free = tx_end;
  if (l.link.bandwidth_bps != 0) {
    if (!l.tx_ends.empty()) l.waiting_bytes += ip_bytes;
    l.tx_ends.push_back({tx_end, ip_bytes});
  }
  out.due = sat_add(tx_end, l.link.delay);
  return out;
}

DelayLine::DelayLine(std::vector<Wire> wires, const Plan& plan, std::uint64_t seed)
    : wires_(std::move(wires)), rules_(plan.rules, plan.windows) {
  const sim::Rng root(seed);
  for (const Wire& a : wires_) {
    for (const Wire& b : wires_) {
      if (a.ip == b.ip) continue;
      LinkState l;
      l.link.src_ip = a.ip;
      l.link.dst_ip = b.ip;
      for (const DirectedLink& d : plan.links) {
        if (d.src_ip == a.ip && d.dst_ip == b.ip) l.link = d;
      }
      l.rng = root.fork(links_.size());
      links_.push_back(std::move(l));
    }
  }
}

DelayLine::~DelayLine() { stop(); }

LinkState* DelayLine::link_for(std::uint32_t src, std::uint32_t dst) {
  for (LinkState& l : links_) {
    if (l.link.src_ip == src && l.link.dst_ip == dst) return &l;
  }
  return nullptr;
}

void DelayLine::start(const std::atomic<std::int64_t>* t0, std::function<void()> on_segment) {
  t0_ = t0;
  on_segment_ = std::move(on_segment);
  reader_ = std::thread([this] { read_loop(); });
  writer_ = std::thread([this] { write_loop(); });
}

// One packet read from a sender's wire at `now` (CLOCK_REALTIME ns).
void DelayLine::take(const unsigned char* p, std::size_t n, std::int64_t now) {
  if (n < 20 || (p[0] >> 4) != 4) return;  // IPv4 only (the wires carry nothing else we send)
  const std::uint32_t src = (std::uint32_t{p[12]} << 24) | (p[13] << 16) | (p[14] << 8) | p[15];
  const std::uint32_t dst = (std::uint32_t{p[16]} << 24) | (p[17] << 16) | (p[18] << 8) | p[19];
  LinkState* l = link_for(src, dst);
  int fd = -1;
  for (const Wire& w : wires_) {
    if (w.ip == dst) fd = w.fd;
  }
  if (!l || fd < 0) return;  // to no host of the scenario: nowhere to go
  const Time t = now - t0_->load();
  Passage ps = pass(*l, t, static_cast<std::uint32_t>(n));
  CapturedSegment s;
  const bool tcp = parse_ipv4_tcp(p, n, s);
  bool by_rule = false;
  if (tcp) {
    s.t = t;
    by_rule = rules_.next(s);  // every rule counts every segment, lost or not, as sim::Link
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (!ps.lost && !by_rule && heap_.size() >= kMaxInFlight) ps.lost = true;
  if (tcp) {
    s.lost = ps.lost && !by_rule;  // a rule's drops are found again by replay_drops
    s.transit = ps.lost || by_rule ? 0 : ps.due - t;
    segs_.push_back(std::move(s));
  }
  if (!ps.lost && !by_rule) {
    const bool first = heap_.empty() || ps.due + t0_->load() < heap_.top().due;
    heap_.push(Held{ps.due + t0_->load(), order_++, fd, std::string(reinterpret_cast<const char*>(p), n)});
    if (first) cv_.notify_one();
  }
  lock.unlock();
  if (tcp && on_segment_) on_segment_();
}

void DelayLine::read_loop() {
  std::vector<pollfd> fds;
  for (const Wire& w : wires_) fds.push_back(pollfd{w.fd, POLLIN, 0});
  std::vector<unsigned char> buf(65536);
  while (!stop_) {
    const int r = poll(fds.data(), fds.size(), 5);
    if (r <= 0) continue;
    for (const pollfd& f : fds) {
      if (!(f.revents & POLLIN)) continue;
      while (true) {
        const ssize_t n = read(f.fd, buf.data(), buf.size());
        if (n <= 0) break;  // EAGAIN: the wire is empty
        take(buf.data(), static_cast<std::size_t>(n), realtime_ns());
      }
    }
  }
}

void DelayLine::write_loop() {
  using Clock = std::chrono::system_clock;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (heap_.empty()) {
      cv_.wait(lock, [this] { return stop_ || !heap_.empty(); });
      continue;
    }
    const std::int64_t due = heap_.top().due;
    if (realtime_ns() < due) {
      // An absolute CLOCK_REALTIME deadline (pthread_cond_clockwait); a
      // packet due sooner wakes it.
      cv_.wait_until(lock, Clock::time_point(
                               std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(due))));
      continue;
    }
    Held h = heap_.top();
    heap_.pop();
    lock.unlock();
    if (write(h.fd, h.bytes.data(), h.bytes.size()) < 0) ++failed_;
    lock.lock();
  }
}

std::vector<CapturedSegment> DelayLine::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (reader_.joinable()) reader_.join();
  if (writer_.joinable()) writer_.join();
  std::lock_guard<std::mutex> lock(mu_);
  return std::move(segs_);
}

}  // namespace tcpsim::kernel
