#include "formats/pcap.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <vector>

#include "formats/output_file.h"

namespace tcpsim::formats {

namespace {

// RFC 1071's one's-complement sum.
std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t acc = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) acc += (std::uint32_t{p[i]} << 8) | p[i + 1];
  if (n & 1) acc += std::uint32_t{p[n - 1]} << 8;
  return acc;
}
std::uint16_t fold(std::uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc & 0xffff);
}
void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v >> 16));
  put16(b, at + 2, static_cast<std::uint16_t>(v));
}

// An IPv4 datagram carrying the segment (no IP options; TCP's MSS option on
// segments that carry one).
std::vector<std::uint8_t> datagram(const sim::Packet& p, std::uint16_t ip_id) {
  const auto& s = p.seg;
  const std::size_t tcp_hdr = s.mss ? 24 : 20;
  const std::size_t total = 20 + tcp_hdr + s.payload.size();
  std::vector<std::uint8_t> b(total, 0);
  b[0] = 0x45;  // IPv4, 5 words
  put16(b, 2, static_cast<std::uint16_t>(total));
  put16(b, 4, ip_id);
  b[6] = 0x40;  // don't fragment
  b[8] = 64;    // TTL
  b[9] = 6;     // TCP
  put32(b, 12, p.src.ip);
  put32(b, 16, p.dst.ip);
  put16(b, 10, fold(sum16(b.data(), 20)));
  const std::size_t t = 20;
  put16(b, t, p.src.port);
  put16(b, t + 2, p.dst.port);
  put32(b, t + 4, s.seq);
  put32(b, t + 8, s.ack);
  b[t + 12] = static_cast<std::uint8_t>((tcp_hdr / 4) << 4);
  b[t + 13] = s.flags;
  put16(b, t + 14, s.window);
  if (s.mss) {
    b[t + 20] = 2;  // kind MSS
    b[t + 21] = 4;
    put16(b, t + 22, s.mss);
  }
  std::copy(s.payload.begin(), s.payload.end(), b.begin() + static_cast<std::ptrdiff_t>(t + tcp_hdr));
  // TCP checksum over the pseudo-header (RFC 9293 §3.1) and the segment.
  const std::size_t tcp_len = total - t;
  std::uint32_t acc = sum16(b.data() + 12, 8);  // source and destination addresses
  acc += 6 + static_cast<std::uint32_t>(tcp_len);
  acc = sum16(b.data() + t, tcp_len, acc);
  put16(b, t + 16, fold(acc));
  return b;
}

}  // namespace

std::string write_pcap(const scenario::RunResult& run, const std::string& path, CapturePoint at) {
  const sim::Trace& tr = run.net->trace();
  std::string error;
  // The file is opened here, not by pcap_dump_open (which would follow a
  // link at any name and truncate in place): libpcap writes through a FILE*
  // on a copy of the descriptor, and every failure is seen before commit().
  auto out = output::OutputFile::open(path, error);
  if (!out) return error;
  const int fd = fcntl(out->fd(), F_DUPFD_CLOEXEC, 3);
  FILE* f = fd < 0 ? nullptr : fdopen(fd, "wb");
  if (!f) {
    out->fail(errno);
    if (fd >= 0) close(fd);
    return out->error();  // out, abandoned, leaves nothing behind
  }
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, 65535, PCAP_TSTAMP_PRECISION_NANO);
  pcap_dumper_t* dump = dead ? pcap_dump_fopen(dead, f) : nullptr;
  if (!dump) {
    std::fclose(f);
    if (dead) pcap_close(dead);
    return "cannot write " + path + ": cannot start a pcap writer";
  }
  int err = 0;  // the first failure's errno
  errno = 0;
  for (const sim::TraceRecord& r : tr.records()) {
    const bool take =
        at == CapturePoint::Sender ? r.kind == sim::TraceKind::Sent : r.kind == sim::TraceKind::Delivered;
    if (!take) continue;
    const auto& p = tr.packet(r.ref).packet;
    const std::vector<std::uint8_t> bytes = datagram(p, static_cast<std::uint16_t>(p.id));
    pcap_pkthdr h{};
    h.ts.tv_sec = static_cast<time_t>(r.t / kSecond);
    h.ts.tv_usec = static_cast<suseconds_t>(r.t % kSecond);  // nanoseconds: the file says so
    h.caplen = h.len = static_cast<bpf_u_int32>(bytes.size());
    pcap_dump(reinterpret_cast<u_char*>(dump), &h, bytes.data());
    // pcap_dump ignores fwrite's result; the stream's error flag keeps it,
    // and errno the reason (ENOSPC), which a later flush would not repeat.
    if (std::ferror(f)) {
      err = errno ? errno : EIO;
      break;
    }
  }
  if (!err && (pcap_dump_flush(dump) != 0 || std::ferror(f))) err = errno ? errno : EIO;
  pcap_dump_close(dump);  // closes f, the copy: everything is already written
  pcap_close(dead);
  if (err) out->fail(err);
  if (!out->commit()) return out->error();
  return "";
}

}  // namespace tcpsim::formats
