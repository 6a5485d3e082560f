#include "formats/run_summary.h"

#include <fmt/format.h>

#include "formats/ladder.h"
#include "sim/network.h"
#include "sim/units.h"

namespace tcpsim::formats {

namespace {

// "RTO 1, TLP 2, dupack 0, RACK 9", the retransmissions of one host by
// reason; those no loss detection decided (a SYN,ACK answering a repeated
// SYN) are counted as "other".
std::string by_reason(const sim::HostCounters& c) {
  std::string out;
  for (auto r : {model::LossReason::Rto, model::LossReason::Tlp, model::LossReason::DupAck,
                 model::LossReason::Rack, model::LossReason::None}) {
    const std::uint64_t n = c.by_reason[static_cast<std::size_t>(r)];
    const std::string_view name = r == model::LossReason::None ? "other" : model::loss_reason_name(r);
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", name, n);
  }
  return out;
}

// "ESTABLISHED 1, TIME-WAIT 2": the host's connections at the end, or "none".
std::string states(const sim::Host& h) {
  std::string out;
  for (int s = 0; s < model::kStateCount; ++s) {
    const auto st = static_cast<model::State>(s);
    const std::uint32_t n = h.count_in(st);
    if (n > 0) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", model::state_name(st), n);
  }
  if (h.compact_time_waits() > 0)
    out += fmt::format("{}TIME-WAIT (compact) {}", out.empty() ? "" : ", ", h.compact_time_waits());
  return out.empty() ? "none" : out;
}

// Goodput as sweep computes it (cli/sweep/transfer.h): bytes read over the
// time from the first SYN to the last arrival of data.
std::string goodput(const sim::Network& net) {
  std::uint64_t read = 0;
  for (std::size_t h = 0; h < net.host_count(); ++h) read += net.counters(h).app_read;
  const sim::RunCounters& rc = net.counters();
  if (rc.first_syn < 0 || rc.last_data_delivered <= rc.first_syn || read == 0)
    return "transfer: no data was read\n";
  const Duration d = rc.last_data_delivered - rc.first_syn;
  const unsigned __int128 bits = static_cast<unsigned __int128>(read) * 8 * 1'000'000'000u;
  const auto bps = static_cast<double>(bits / static_cast<unsigned __int128>(d));
  return fmt::format(
      "transfer: {} bytes read in {} s (first SYN to last data delivered), goodput {:.3f} Mbit/s\n", read,
      sim::format_seconds(d), bps / 1e6);
}

}  // namespace

std::string run_summary(const scenario::RunResult& run) {
  const sim::Network& net = *run.net;
  const auto& sc = *run.scenario;
  std::string out;
  if (!sc.title.empty()) out += sc.title + "\n";
  out += fmt::format("{}: seed {}, untraced, ended at {}\n\n", sc.file, net.seed(),
                     sim::format_seconds(run.end_time));
  for (std::size_t i = 0; i < net.host_count(); ++i) {
    const sim::Host& h = net.host(i);
    const sim::HostCounters& c = net.counters(i);
    out += fmt::format("host {} ({}.{}.{}.{}, profile {})\n", h.name(), h.ip() >> 24, (h.ip() >> 16) & 0xff,
                       (h.ip() >> 8) & 0xff, h.ip() & 0xff, h.profile().name);
    out += fmt::format("  sent      {} segments, {} with data, {} payload bytes; {} lost on links\n",
                       c.segments, c.data_segments, c.payload_bytes, c.dropped);
    out += fmt::format("  resent    {} ({})\n", c.retransmissions, by_reason(c));
    out += fmt::format("  received  {} segments\n", c.received);
    out += fmt::format("  programs  wrote {} bytes, read {} bytes\n", c.app_written, c.app_read);
    out += fmt::format("  at end    {}\n", states(h));
  }
  out += "\n" + goodput(net);
  std::size_t unchecked = 0;
  for (const auto& a : sc.assertions)
    unchecked += a.kind == scenario::Assertion::Sent || a.kind == scenario::Assertion::NotSent;
  std::string text = summary(run);
  if (unchecked > 0)
    text +=
        fmt::format("not checked: {} assertion{} about segments sent (an untraced run keeps no segments)\n",
                    unchecked, unchecked == 1 ? "" : "s");
  return out + text;
}

}  // namespace tcpsim::formats
