#include "kernel/capture.h"

#include <arpa/inet.h>
#include <poll.h>

#include <cstring>

namespace tcpsim::kernel {

namespace {

std::uint32_t be32(const u_char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
std::uint16_t be16(const u_char* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

}  // namespace

Capture::~Capture() {
  if (thread_.joinable()) {
    stop_ = true;
    if (pcap_) pcap_breakloop(pcap_);
    thread_.join();
  }
  if (pcap_) pcap_close(pcap_);
}

std::string Capture::open() {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_ = pcap_create("lo", err);
  if (!pcap_) return std::string("libpcap: ") + err;
  // lo has a 1500-byte MTU and no GSO in the namespace: a frame is at most
  // 1514 bytes. Small frames and a large ring, so a burst is never lost.
  pcap_set_snaplen(pcap_, 2048);
  pcap_set_buffer_size(pcap_, 32 << 20);
  pcap_set_immediate_mode(pcap_, 1);
  pcap_set_timeout(pcap_, 5);
  pcap_set_tstamp_precision(pcap_, PCAP_TSTAMP_PRECISION_NANO);
  if (pcap_activate(pcap_) < 0) return std::string("libpcap: ") + pcap_geterr(pcap_);
  bpf_program prog{};
  if (pcap_compile(pcap_, &prog, "ip and tcp", 1, PCAP_NETMASK_UNKNOWN) == 0) {
    pcap_setfilter(pcap_, &prog);
    pcap_freecode(&prog);
  }
  // The thread polls so that stop() is never stuck behind a quiet link.
  if (pcap_setnonblock(pcap_, 1, err) != 0) return std::string("libpcap: ") + err;
  linktype_ = pcap_datalink(pcap_);
  return "";
}

bool parse_ipv4_tcp(const unsigned char* ip, std::size_t caplen, CapturedSegment& s) {
  if (caplen < 20 || (ip[0] >> 4) != 4 || ip[9] != 6) return false;
  const std::size_t ihl = (ip[0] & 15) * 4u;
  const std::size_t total = be16(ip + 2);
  if (caplen < ihl + 20 || total < ihl + 20) return false;
  const u_char* tcp = ip + ihl;
  const std::size_t thl = (tcp[12] >> 4) * 4u;
  if (total < ihl + thl || caplen < ihl + thl) return false;
  s.src = sim::Addr{be32(ip + 12), be16(tcp)};
  s.dst = sim::Addr{be32(ip + 16), be16(tcp + 2)};
  s.seq = be32(tcp + 4);
  s.ack = be32(tcp + 8);
  s.flags = tcp[13] & 0x3f;
  s.window = be16(tcp + 14);
  const std::size_t len = total - ihl - thl;
  const std::size_t have = caplen - ihl - thl;
  s.payload.assign(reinterpret_cast<const char*>(tcp + thl), std::min(len, have));
  return true;
}

void Capture::handle(u_char* self, const pcap_pkthdr* h, const u_char* bytes) {
  auto* c = reinterpret_cast<Capture*>(self);
  std::size_t off = c->linktype_ == DLT_EN10MB ? 14 : c->linktype_ == DLT_NULL ? 4 : 0;
  if (h->caplen < off) return;
  CapturedSegment s;
  if (!parse_ipv4_tcp(bytes + off, h->caplen - off, s)) return;
  s.t =
      static_cast<Time>(h->ts.tv_sec) * 1000000000 + h->ts.tv_usec - c->t0_->load();  // tv_usec holds ns here
  {
    std::lock_guard<std::mutex> lock(c->mu_);
    c->segs_.push_back(std::move(s));
  }
  if (c->on_segment_) c->on_segment_();
}

void Capture::start(const std::atomic<std::int64_t>* t0, std::function<void()> on_segment) {
  t0_ = t0;
  on_segment_ = std::move(on_segment);
  thread_ = std::thread([this] {
    while (!stop_) {
      const int n = pcap_dispatch(pcap_, -1, &Capture::handle, reinterpret_cast<u_char*>(this));
      if (n < 0) break;
      if (n == 0) {
        pollfd p{pcap_get_selectable_fd(pcap_), POLLIN, 0};
        poll(&p, 1, 2);
      }
    }
    // Drain what the kernel still holds.
    while (pcap_dispatch(pcap_, -1, &Capture::handle, reinterpret_cast<u_char*>(this)) > 0) {
    }
  });
}

std::vector<CapturedSegment> Capture::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  pcap_stat st{};
  if (pcap_stats(pcap_, &st) == 0) dropped_ = st.ps_drop + st.ps_ifdrop;
  std::lock_guard<std::mutex> lock(mu_);
  return std::move(segs_);
}

}  // namespace tcpsim::kernel
