#include "sim/tcp_info.h"

#include <algorithm>
#include <array>

#include "model/congestion_control.h"
#include "model/data_path.h"
#include "model/endpoint.h"

namespace tcpsim::sim {

namespace {

using model::State;

constexpr std::array<std::string_view, 15> kNames = {
#define TCPSIM_TCP_INFO_NAME(name) #name,
    TCPSIM_TCP_INFO_FIELDS(TCPSIM_TCP_INFO_NAME)
#undef TCPSIM_TCP_INFO_NAME
};

// include/net/tcp_states.h
std::uint32_t linux_state(State s) {
  switch (s) {
    case State::Established: return 1;
    case State::SynSent: return 2;
    case State::SynReceived: return 3;
    case State::FinWait1: return 4;
    case State::FinWait2: return 5;
    case State::TimeWait: return 6;
    case State::Closed: return 7;
    case State::CloseWait: return 8;
    case State::LastAck: return 9;
    case State::Listen: return 10;
    case State::Closing: return 11;
  }
  return 7;
}

constexpr std::uint32_t kOptTimestamps = 1, kOptSack = 2, kOptWscale = 4, kOptSynData = 32;
constexpr std::uint32_t kCaOpen = 0, kCaDisorder = 1, kCaRecovery = 3, kCaLoss = 4;
// tcp_init_sock(): icsk_rto = mdev_us = TCP_TIMEOUT_INIT (1 s).
constexpr std::uint32_t kTimeoutInitUs = 1000000;

std::uint32_t us(Duration d) {
  return static_cast<std::uint32_t>(std::clamp<Duration>(d / 1000, 0, UINT32_MAX));
}

}  // namespace

std::uint32_t TcpInfo::get(TcpInfoField f) const {
  switch (f) {
#define TCPSIM_TCP_INFO_GET(name) \
  case TcpInfoField::name: return name;
    TCPSIM_TCP_INFO_FIELDS(TCPSIM_TCP_INFO_GET)
#undef TCPSIM_TCP_INFO_GET
  }
  return 0;
}

std::optional<TcpInfoField> tcp_info_field(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<TcpInfoField>(i);
  }
  return std::nullopt;
}

std::string_view tcp_info_name(TcpInfoField f) { return kNames[static_cast<std::size_t>(f)]; }

std::string_view tcp_info_names() {
  static const std::string all = [] {
    std::string s;
    for (auto n : kNames) s += (s.empty() ? "" : ", ") + std::string(n);
    return s;
  }();
  return all;
}

std::optional<std::uint32_t> tcp_info_constant(std::string_view name) {
  static const std::pair<std::string_view, std::uint32_t> k[] = {
      {"TCPI_OPT_TIMESTAMPS", kOptTimestamps}, {"TCPI_OPT_SACK", kOptSack},
      {"TCPI_OPT_WSCALE", kOptWscale},         {"TCPI_OPT_ECN", 8},
      {"TCPI_OPT_SYN_DATA", kOptSynData},      {"TCP_CA_Open", kCaOpen},
      {"TCP_CA_Disorder", kCaDisorder},        {"TCP_CA_CWR", 2},
      {"TCP_CA_Recovery", kCaRecovery},        {"TCP_CA_Loss", kCaLoss},
  };
  for (const auto& [n, v] : k) {
    if (n == name) return v;
  }
  return std::nullopt;
}

TcpInfo tcp_info_closed(bool linux_window) {
  TcpInfo i;
  i.tcpi_state = linux_state(State::Closed);
  i.tcpi_rto = kTimeoutInitUs;
  i.tcpi_rttvar = kTimeoutInitUs / 4;
  i.tcpi_snd_mss = 536;  // TCP_MSS_DEFAULT
  i.tcpi_snd_ssthresh = model::cc::kInfiniteSsthresh;
  i.tcpi_snd_cwnd = linux_window ? model::cc::kLinuxInitialWindow : 2;
  i.tcpi_reordering = static_cast<std::uint32_t>(model::ScoreboardConfig{}.dup_thresh);
  return i;
}

TcpInfo tcp_info_of(const model::Endpoint& ep, TcpInfoWire wire) {
  const model::Tcb& t = ep.tcb();
  const model::Config& cfg = ep.config();
  TcpInfo i = tcp_info_closed(cfg.cubic);
  i.tcpi_state = linux_state(ep.state());
  i.tcpi_retransmits = static_cast<std::uint32_t>(t.retransmits);
  i.tcpi_options = (wire.ts_ok ? kOptTimestamps : 0) | (t.sack_ok ? kOptSack : 0) |
                   (wire.ws_ok ? kOptWscale : 0) | (wire.syn_data ? kOptSynData : 0);
  i.tcpi_rto = us(t.rtt.rto > 0 ? t.rtt.rto : cfg.rto_initial);
  if (t.rtt.has_sample) {
    i.tcpi_rtt = us(t.rtt.srtt);
    i.tcpi_rttvar = us(t.rtt.rttvar);
  }
  const std::uint32_t smss = std::min<std::uint32_t>(cfg.mss, t.peer_mss);
  if (ep.state() != State::Listen && ep.state() != State::Closed) i.tcpi_snd_mss = smss;
  // packets_out counts the SYN and a FIN alone in its segment as Linux's
  // skbs do; data segments as the scoreboard holds them.
  const bool syn_out = model::seq_lt(t.snd_una, t.snd_buf_seq);
  const bool fin_out = t.fin_sent && !t.fin_merged && model::seq_le(t.snd_una, t.fin_seq);
  std::uint32_t data_out = 0;
  const model::DataPath* dp = ep.data_path();
  if (dp && dp->sb) {
    data_out = static_cast<std::uint32_t>(dp->sb->segments().size());
    i.tcpi_sacked = dp->sb->sacked_segments();
    i.tcpi_lost = dp->sb->lost_segments();
    i.tcpi_retrans = dp->sb->retransmitted_out();
  }
  i.tcpi_unacked = data_out + (syn_out ? 1 : 0) + (fin_out ? 1 : 0);
  if (dp && dp->cc) {
    const bool bytes = dp->cc->unit() == model::cc::Unit::Bytes;
    auto segs = [&](std::uint32_t v) {
      return bytes && v != model::cc::kInfiniteSsthresh ? v / std::max<std::uint32_t>(smss, 1) : v;
    };
    i.tcpi_snd_cwnd = segs(dp->cc->cwnd());
    i.tcpi_snd_ssthresh = segs(dp->cc->ssthresh());
  }
  // icsk_ca_state: Loss after an RTO, Recovery in fast recovery, Disorder
  // while SACKed or lost segments or duplicate ACKs are about (Linux
  // tcp_try_keep_open: tcp_left_out()). A tail loss probe alone leaves it
  // Open, as Linux changes the state only on an ACK or a timeout.
  if (dp) {
    const bool disorder = i.tcpi_sacked || i.tcpi_lost || dp->dupacks > 0;
    i.tcpi_ca_state = dp->loss ? kCaLoss : dp->recovery ? kCaRecovery : disorder ? kCaDisorder : kCaOpen;
  }
  return i;
}

}  // namespace tcpsim::sim
