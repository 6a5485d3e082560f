#include "sim/profile.h"

#include <fmt/format.h>

#include <charconv>

#include "sim/units.h"

namespace tcpsim::sim {

namespace {

Profile rfc9293() {
  Profile p;
  p.name = "rfc9293";
  model::Config& c = p.tcp;
  // RFC 6298 (2.1) "RTO <- 1 second" before any sample; (2.4) "Whenever RTO is
  // computed, if it is less than 1 second, then the RTO SHOULD be rounded up
  // to 1 second"; (2.5) a maximum "at least 60 seconds".
  c.rto_initial = 1 * kSecond;
  c.rto_min = 1 * kSecond;
  c.rto_max = 120 * kSecond;
  // RFC 9293 §3.4.2: MSL 2 minutes; TIME-WAIT lasts 2 MSL.
  c.time_wait = 240 * kSecond;
  c.fin_wait_2_timeout = 0;
  // RFC 1122 4.2.3.5: retransmit a SYN for at least 3 minutes (7 doublings
  // from 1 s: the last SYN at 127 s, given up at 247 s); R2 for data at
  // least 100 s (15 retransmissions reach it long before the cap).
  c.syn_retries = 7;
  c.synack_retries = 5;
  c.data_retries = 15;
  c.syn_linear_timeouts = 0;
  c.delayed_ack = false;
  c.rfc5961 = true;  // RFC 9293 §3.10.7.4 recommends RFC 5961's checks
  c.rfc1337 = false;
  c.rst_on_data_after_close = false;
  c.rto_min_on_variance = false;
  return p;
}

Profile linux_profile() {
  Profile p;
  p.name = "linux";
  model::Config& c = p.tcp;
  c.rto_initial = 1 * kSecond;          // TCP_TIMEOUT_INIT
  c.rto_min = 200 * kMillisecond;       // TCP_RTO_MIN, net.ipv4.tcp_rto_min_us
  c.rto_max = 120 * kSecond;            // TCP_RTO_MAX, net.ipv4.tcp_rto_max_ms
  c.rto_min_on_variance = true;         // tcp_set_rto(): SRTT + max(4 RTTVAR, rto_min)
  c.time_wait = 60 * kSecond;           // TCP_TIMEWAIT_LEN, not tcp_fin_timeout
  c.fin_wait_2_timeout = 60 * kSecond;  // net.ipv4.tcp_fin_timeout, orphans only
  c.syn_retries = 6;                    // net.ipv4.tcp_syn_retries
  c.synack_retries = 5;                 // net.ipv4.tcp_synack_retries
  c.data_retries = 15;                  // net.ipv4.tcp_retries2
  c.syn_linear_timeouts = 4;            // net.ipv4.tcp_syn_linear_timeouts
  c.delayed_ack = true;
  c.delayed_ack_timeout = 40 * kMillisecond;  // TCP_DELACK_MIN (observed ~41 ms)
  c.quick_acks = 16;                          // TCP_MAX_QUICKACKS
  c.rfc5961 = true;                           // challenge ACKs since Linux 3.6
  c.rfc1337 = false;                          // net.ipv4.tcp_rfc1337 = 0
  c.rst_on_data_after_close = true;
  c.tail_loss_probe = true;               // net.ipv4.tcp_early_retrans = 3
  c.give_up_by_time = true;               // retransmits_timed_out()
  c.rst_ack_on_abort = true;              // tcp_send_active_reset()
  c.synack_on_dup_syn = true;             // tcp_check_req()
  c.timewait_ignores_bare_ack = true;     // tcp_timewait_state_process()
  c.timewait_reopen = true;               // TCP_TW_SYN in tcp_timewait_state_process()
  c.timewait_reopen_by_timestamp = true;  // net.ipv4.tcp_timestamps = 1
  // Data path (issue 15): net.ipv4.tcp_sack = 1, tcp_congestion_control =
  // cubic (IW10, TCP_INIT_CWND), tcp_recovery = 1 (RACK) with PRR.
  c.sack = true;
  c.cubic = true;
  c.rack = true;
  return p;
}

Profile bsd() {
  // FreeBSD-like, from its documented defaults (not measured here): MSL 30 s
  // (net.inet.tcp.msl), so TIME-WAIT 60 s; rexmit_min 30 ms; delayed ACK
  // 40 ms; net.inet.tcp.finwait2_timeout 60 s for orphans.
  Profile p = rfc9293();
  p.name = "bsd";
  model::Config& c = p.tcp;
  c.time_wait = 60 * kSecond;
  c.rto_min = 30 * kMillisecond;
  c.rto_max = 64 * kSecond;
  c.fin_wait_2_timeout = 60 * kSecond;
  c.syn_retries = 6;
  c.delayed_ack = true;
  c.delayed_ack_timeout = 40 * kMillisecond;
  c.timewait_reopen = true;  // tcp_twcheck(): a SYN above RCV.NXT
  // Data path: net.inet.tcp.sack.enable = 1; NewReno (FreeBSD's default
  // cc_newreno) with RFC 6675 SACK recovery and PRR in bytes here, an
  // approximation of FreeBSD's tcp_sack.c, not measured.
  c.sack = true;
  p.ephemeral_low = 10000;
  p.ephemeral_high = 65535;
  return p;
}

struct Field {
  ProfileKey key;
  Duration model::Config::*duration = nullptr;
  int model::Config::*count = nullptr;
  bool model::Config::*flag = nullptr;
  std::uint32_t model::Config::*bytes = nullptr;
  std::uint16_t model::Config::*small = nullptr;
};

const std::vector<Field>& fields() {
  using C = model::Config;
  static const std::vector<Field> f = {
      {{"rto_initial", "duration", "RTO before the first RTT sample (RFC 6298 2.1)"}, &C::rto_initial},
      {{"rto_min", "duration", "lower bound of the RTO"}, &C::rto_min},
      // The data path's settings (issue 15), kept together.
      {{"sack", "bool", "offer and use SACK (RFC 2018, RFC 6675 recovery)"}, nullptr, nullptr, &C::sack},
      {{"cubic", "bool", "Linux CUBIC from IW10 (else RFC 5681/6582 NewReno)"}, nullptr, nullptr, &C::cubic},
      {{"rack", "bool", "RACK loss detection and Linux PRR (RFC 8985, RFC 6937)"},
       nullptr,
       nullptr,
       &C::rack},
      {{"rto_max", "duration", "upper bound of the RTO"}, &C::rto_max},
      {{"time_wait", "duration", "TIME-WAIT length (2 MSL)"}, &C::time_wait},
      {{"fin_wait_2_timeout", "duration", "orphaned FIN-WAIT-2 bound, 0 = none (Linux tcp_fin_timeout)"},
       &C::fin_wait_2_timeout},
      {{"user_timeout", "duration", "RFC 9293 3.8.3 user timeout, 0 = off"}, &C::user_timeout},
      {{"delayed_ack_timeout", "duration", "how long an ACK may wait"}, &C::delayed_ack_timeout},
      {{"syn_retries", "count", "SYN retransmissions before giving up"}, nullptr, &C::syn_retries},
      {{"synack_retries", "count", "SYN,ACK retransmissions before giving up"}, nullptr, &C::synack_retries},
      {{"data_retries", "count", "data/FIN retransmissions before giving up (Linux tcp_retries2)"},
       nullptr,
       &C::data_retries},
      {{"syn_linear_timeouts", "count", "SYN retransmissions at the initial RTO before doubling"},
       nullptr,
       &C::syn_linear_timeouts},
      {{"quick_acks", "count", "ACKs sent at once at a connection's start"}, nullptr, &C::quick_acks},
      {{"delayed_ack", "bool", "delay ACKs (RFC 1122 4.2.3.2)"}, nullptr, nullptr, &C::delayed_ack},
      {{"rfc5961", "bool", "challenge ACKs for in-window RST and for SYN"}, nullptr, nullptr, &C::rfc5961},
      {{"rfc1337", "bool", "TIME-WAIT ignores RST"}, nullptr, nullptr, &C::rfc1337},
      {{"rst_on_data_after_close", "bool", "RST for new data after the reader has gone (Linux)"},
       nullptr,
       nullptr,
       &C::rst_on_data_after_close},
      {{"rto_min_on_variance", "bool", "Linux RTO formula: SRTT + max(4 RTTVAR, rto_min)"},
       nullptr,
       nullptr,
       &C::rto_min_on_variance},
      {{"rto_after_syn_timeout", "duration", "RTO for data after a SYN timed out (RFC 6298 5.7), 0 = off"},
       &C::rto_after_syn_timeout},
      {{"tail_loss_probe", "bool", "Linux tail-loss probe before the RTO (RFC 8985)"},
       nullptr,
       nullptr,
       &C::tail_loss_probe},
      {{"give_up_by_time", "bool", "retry counts as Linux time budgets (tcp_model_timeout)"},
       nullptr,
       nullptr,
       &C::give_up_by_time},
      {{"orphan_retries", "count", "data retries of an orphaned connection (Linux; 0 = 8)"},
       nullptr,
       &C::orphan_retries},
      {{"rst_ack_on_abort", "bool", "an abort's RST carries an ACK (Linux)"},
       nullptr,
       nullptr,
       &C::rst_ack_on_abort},
      {{"synack_on_dup_syn", "bool", "answer a retransmitted SYN in SYN-RECEIVED with the SYN,ACK (Linux)"},
       nullptr,
       nullptr,
       &C::synack_on_dup_syn},
      {{"timewait_ignores_bare_ack", "bool", "TIME-WAIT ignores a bare ACK at RCV.NXT (Linux)"},
       nullptr,
       nullptr,
       &C::timewait_ignores_bare_ack},
      {{"timewait_reopen", "bool", "a new SYN reopens a TIME-WAIT connection (RFC 9293 3.6.1 MAY-2)"},
       nullptr,
       nullptr,
       &C::timewait_reopen},
      {{"timewait_reopen_by_timestamp", "bool",
        "...any new SYN, as timestamps tell (Linux); otherwise only a SYN above RCV.NXT"},
       nullptr,
       nullptr,
       &C::timewait_reopen_by_timestamp},
      {{"rcv_buffer", "bytes", "receive buffer (the advertised window, at most 65535)"},
       nullptr,
       nullptr,
       nullptr,
       &C::rcv_buffer},
      {{"snd_buffer", "bytes", "send buffer"}, nullptr, nullptr, nullptr, &C::snd_buffer},
      {{"mss", "bytes", "our maximum segment size"}, nullptr, nullptr, nullptr, nullptr, &C::mss},
  };
  return f;
}

const Field* find_field(std::string_view key) {
  for (const Field& f : fields()) {
    if (f.key.name == key) return &f;
  }
  return nullptr;
}

template <class T>
std::optional<T> parse_int(std::string_view s, T lo, T hi) {
  long long v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < static_cast<long long>(lo) ||
      v > static_cast<long long>(hi)) {
    return std::nullopt;
  }
  return static_cast<T>(v);
}

}  // namespace

std::optional<Profile> profile_named(std::string_view name) {
  if (name == "rfc9293") return rfc9293();
  if (name == "linux") return linux_profile();
  if (name == "bsd") return bsd();
  return std::nullopt;
}

const std::vector<std::string_view>& profile_names() {
  static const std::vector<std::string_view> names = {"rfc9293", "linux", "bsd"};
  return names;
}

const std::vector<ProfileKey>& profile_keys() {
  static const std::vector<ProfileKey> keys = [] {
    std::vector<ProfileKey> k;
    for (const Field& f : fields()) k.push_back(f.key);
    k.push_back({"ephemeral_ports", "range", "ports connect() picks from, e.g. 32768-60999"});
    k.push_back({"somaxconn", "count", "cap on listen()'s backlog"});
    return k;
  }();
  return keys;
}

std::optional<std::string> set_profile_value(Profile& p, std::string_view key, std::string_view value) {
  if (key == "ephemeral_ports") {
    const auto dash = value.find('-');
    if (dash == std::string_view::npos) return std::string("expected a port range like 32768-60999");
    auto lo = parse_int<std::uint16_t>(value.substr(0, dash), 1, 65535);
    auto hi = parse_int<std::uint16_t>(value.substr(dash + 1), 1, 65535);
    if (!lo || !hi || *lo > *hi) return std::string("expected a port range like 32768-60999");
    p.ephemeral_low = *lo;
    p.ephemeral_high = *hi;
    return std::nullopt;
  }
  if (key == "somaxconn") {
    auto v = parse_int<int>(value, 0, 1 << 30);
    if (!v) return std::string("expected a whole number");
    p.somaxconn = *v;
    return std::nullopt;
  }
  const Field* f = find_field(key);
  if (!f) return fmt::format("unknown setting '{}'", key);
  if (f->duration) {
    auto d = parse_duration(value);
    if (!d) return fmt::format("'{}' is not a duration (e.g. 200ms, 1.5s, 2min)", value);
    p.tcp.*(f->duration) = *d;
  } else if (f->count) {
    auto v = parse_int<int>(value, 0, 1000);
    if (!v) return std::string("expected a whole number from 0 to 1000");
    p.tcp.*(f->count) = *v;
  } else if (f->flag) {
    if (value == "on" || value == "true" || value == "1")
      p.tcp.*(f->flag) = true;
    else if (value == "off" || value == "false" || value == "0")
      p.tcp.*(f->flag) = false;
    else
      return std::string("expected on or off");
  } else if (f->bytes) {
    auto v = parse_int<std::uint32_t>(value, 1, 1u << 30);
    if (!v) return std::string("expected a byte count");
    p.tcp.*(f->bytes) = *v;
  } else if (f->small) {
    auto v = parse_int<std::uint16_t>(value, 64, 65535);
    if (!v) return std::string("expected a byte count from 64 to 65535");
    p.tcp.*(f->small) = *v;
  }
  return std::nullopt;
}

std::string get_profile_value(const Profile& p, std::string_view key) {
  if (key == "ephemeral_ports") return fmt::format("{}-{}", p.ephemeral_low, p.ephemeral_high);
  if (key == "somaxconn") return std::to_string(p.somaxconn);
  const Field* f = find_field(key);
  if (!f) return {};
  if (f->duration) return format_duration(p.tcp.*(f->duration));
  if (f->count) return std::to_string(p.tcp.*(f->count));
  if (f->flag) return p.tcp.*(f->flag) ? "on" : "off";
  if (f->bytes) return std::to_string(p.tcp.*(f->bytes));
  if (f->small) return std::to_string(p.tcp.*(f->small));
  return {};
}

}  // namespace tcpsim::sim
