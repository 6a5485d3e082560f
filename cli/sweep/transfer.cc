#include "cli/sweep/transfer.h"

#include "sim/network.h"

namespace tcpsim::sweep {

std::optional<Transfer> transfer_of(const scenario::RunResult& run) {
  const sim::Network& net = *run.net;
  const sim::Trace& tr = net.trace();
  std::optional<Time> start, end;
  for (const sim::TraceRecord& r : tr.records()) {
    if (r.kind != sim::TraceKind::Sent && r.kind != sim::TraceKind::Delivered) continue;
    const model::Segment& seg = tr.packet(r.ref).packet.seg;
    if (r.kind == sim::TraceKind::Sent && !start && seg.has(model::kSyn)) start = r.t;
    if (r.kind == sim::TraceKind::Delivered && !seg.payload.empty()) end = r.t;
  }
  std::uint64_t read = 0;
  for (std::size_t h = 0; h < net.host_count(); ++h) {
    for (const auto& [tuple, ledger] : net.host(h).ledger()) read += ledger.read;
  }
  if (!start || !end || *end <= *start || read == 0) return std::nullopt;
  Transfer t;
  t.duration = *end - *start;
  t.bytes_read = read;
  const unsigned __int128 bits = static_cast<unsigned __int128>(read) * 8 * 1'000'000'000u;
  const unsigned __int128 bps = bits / static_cast<unsigned __int128>(t.duration);
  t.goodput_bps = bps > INT64_MAX ? INT64_MAX : static_cast<std::int64_t>(bps);
  return t;
}

}  // namespace tcpsim::sweep
