#include "sim/profile.h"

#include <fmt/format.h>

#include <charconv>
#include <type_traits>
#include <utility>
#include <variant>

#include "sim/units.h"

namespace tcpsim::sim {

namespace {

Profile rfc9293() {
  Profile p;
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
  c.nagle = true;                        // RFC 9293 §3.7.4 SHLD-7
  c.rfc5961_rst = c.rfc5961_syn = true;  // RFC 9293 §3.10.7.4 recommends RFC 5961's checks
  c.rfc1337 = false;
  c.rst_on_data_after_close = false;
  c.rto_min_on_variance = false;
  // RFC 1122 4.2.3.6: the idle interval "MUST default to no less than two
  // hours"; it names no probe interval or count: 4.4BSD's (TCPTV_KEEPINTVL,
  // TCPTV_KEEPCNT), which FreeBSD keeps.
  c.keepalive_time = 7200 * kSecond;
  c.keepalive_intvl = 75 * kSecond;
  c.keepalive_probes = 8;
  return p;
}

Profile linux_profile() {
  Profile p;
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
  c.rfc5961_rst = c.rfc5961_syn = true;       // challenge ACKs since Linux 3.6
  c.rfc5961_ack = true;                       // RFC 5961 §5.2 (p13_ack_checks.py)
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
  c.hz = 250;                                // CONFIG_HZ of the measured kernel
  c.nagle = true;                            // TCP_NODELAY off by default
  c.nagle_minshall = true;                   // tcp_minshall_check()
  c.persist_linux = true;                    // tcp_probe_timer(), tcp_write_wakeup()
  c.invalid_ratelimit = 500 * kMillisecond;  // net.ipv4.tcp_invalid_ratelimit = HZ/2
  c.ack_policy_linux = true;                 // tcp_event_data_recv(), __tcp_ack_snd_check()
  c.keepalive_time = 7200 * kSecond;         // net.ipv4.tcp_keepalive_time
  c.keepalive_intvl = 75 * kSecond;          // net.ipv4.tcp_keepalive_intvl
  c.keepalive_probes = 9;                    // net.ipv4.tcp_keepalive_probes
  return p;
}

Profile bsd() {
  // FreeBSD-like, from its documented defaults (not measured here): MSL 30 s
  // (net.inet.tcp.msl), so TIME-WAIT 60 s; rexmit_min 30 ms; delayed ACK
  // 40 ms; net.inet.tcp.finwait2_timeout 60 s for orphans.
  Profile p = rfc9293();
  model::Config& c = p.tcp;
  c.time_wait = 60 * kSecond;
  c.rto_min = 30 * kMillisecond;
  c.rto_max = 64 * kSecond;
  c.fin_wait_2_timeout = 60 * kSecond;
  c.syn_retries = 6;
  c.delayed_ack = true;
  c.delayed_ack_timeout = 40 * kMillisecond;
  c.timewait_reopen = true;  // tcp_twcheck(): a SYN above RCV.NXT
  // net.inet.tcp.keepidle 7200 s, keepintvl 75 s, keepcnt 8 (rfc9293's above).
  // FreeBSD's tcp_input.c and tcp_timewait.c (read, not measured):
  // insecure_rst = insecure_syn = 0 (RFC 5961 checks, the defaults above);
  // tcp_twcheck() drops any RST (RFC 1337), a segment without ACK and a
  // duplicate ACK at RCV.NXT, and acknowledges the rest; tcp_drop() sends
  // RST,ACK (tcp_outflags[TCPS_CLOSED]); tcp_mss() rounds the receive
  // buffer to whole segments and rcv_wnd is the buffer's free space;
  // tcp_output() keeps an unacknowledged FIN on the ACKs it sends.
  c.rfc1337 = true;
  c.timewait_needs_ack = true;
  c.timewait_ignores_bare_ack = true;
  c.rst_ack_on_abort = true;
  c.rcv_wnd_from_buffer = true;
  c.fin_on_output_acks = true;
  p.reset_in_close_wait_epipe = false;  // tcp_do_segment(): ECONNRESET in CLOSE-WAIT too
  // Data path: net.inet.tcp.sack.enable = 1; NewReno (FreeBSD's default
  // cc_newreno) with RFC 6675 SACK recovery and PRR in bytes here, an
  // approximation of FreeBSD's tcp_sack.c, not measured.
  c.sack = true;
  p.ephemeral_low = 10000;
  p.ephemeral_high = 65535;
  return p;
}

// The one list of profiles, in the order listings show them.
using Maker = Profile (*)();
const std::vector<std::pair<std::string_view, Maker>>& registry() {
  static const std::vector<std::pair<std::string_view, Maker>> r = {
      {"rfc9293", rfc9293}, {kLinuxProfile, linux_profile}, {"bsd", bsd}};
  return r;
}

// Where a setting is kept: a member of model::Config or of the Profile, by
// type. The type says how the value is parsed and printed.
struct PortRange {};  // ephemeral_low and ephemeral_high, "32768-60999"
using Member =
    std::variant<Duration model::Config::*, int model::Config::*, bool model::Config::*,
                 std::uint32_t model::Config::*, std::uint16_t model::Config::*, int Profile::*, PortRange>;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// The Linux sysctl of a setting, the unit it counts a duration in, and
// what it takes for a switch's on and off.
struct Sysctl {
  std::string_view name;  // empty: none
  Duration unit = 1;      // kSecond for net.ipv4.tcp_fin_timeout
  std::string_view on = "1", off = "0";
};

// One row per setting, with the values it takes: the one table `set`,
// `--set`, `tcpsim profiles`, the kernel runner and the docs read. Each range
// is Linux's where Linux bounds the value (its sysctl or socket option),
// otherwise what keeps the simulation meaningful; the source is in the
// comment.
struct Field {
  Field(std::string_view n, std::int64_t l, std::int64_t h, std::string_view d, Member m, Sysctl s = {})
      : name(n), lo(l), hi(h), description(d), member(m), sysctl(s) {}
  std::string_view name;
  std::int64_t lo, hi;  // inclusive; durations in ns
  std::string_view description;
  Member member;
  Sysctl sysctl;
};

bool is_duration(const Field& f) { return std::holds_alternative<Duration model::Config::*>(f.member); }
bool is_flag(const Field& f) { return std::holds_alternative<bool model::Config::*>(f.member); }
bool is_ports(const Field& f) { return std::holds_alternative<PortRange>(f.member); }

std::string_view kind_name(const Field& f) {
  return std::visit(Overloaded{[](Duration model::Config::*) { return "duration"; },
                               [](bool model::Config::*) { return "bool"; },
                               [](std::uint32_t model::Config::*) { return "bytes"; },
                               [](std::uint16_t model::Config::*) { return "bytes"; },
                               [](PortRange) { return "range"; }, [](auto) { return "count"; }},
                    f.member);
}

constexpr std::int64_t kUs = kMicrosecond, kMs = kMillisecond, kS = kSecond;

// The data path's settings (issue 15), kept together; in fields() after
// the connection's and before the buffers.
std::vector<Field> data_path_fields() {
  using C = model::Config;
  return {
      {"sack", 0, 1, "offer and use SACK (RFC 2018, RFC 6675 recovery)", &C::sack, {"net.ipv4.tcp_sack"}},
      // Off, the model's NewReno: Linux's "reno" (with SACK, tcp_cong.c).
      {"cubic",
       0,
       1,
       "Linux CUBIC from IW10 (else RFC 5681/6582 NewReno)",
       &C::cubic,
       {"net.ipv4.tcp_congestion_control", 1, "cubic", "reno"}},
      // net.ipv4.tcp_recovery: bit 0x1 enables RACK loss detection.
      {"rack",
       0,
       1,
       "RACK loss detection and Linux PRR (RFC 8985, RFC 6937)",
       &C::rack,
       {"net.ipv4.tcp_recovery"}},
      // CONFIG_HZ: 100, 250, 300 or 1000.
      {"hz", 100, 1000, "Linux timer ticks per second (delayed ACK, persist in jiffies)", &C::hz},
      {"nagle", 0, 1, "Nagle algorithm, unless TCP_NODELAY (RFC 9293 3.7.4)", &C::nagle},
      {"nagle_minshall", 0, 1, "...holding a short segment only while a short one is unacknowledged (Linux)",
       &C::nagle_minshall},
      {"persist_linux", 0, 1, "zero-window probes at SND.UNA-1 on Linux's probe timer; whole segments only",
       &C::persist_linux},
      // net.ipv4.tcp_invalid_ratelimit, in ms.
      {"invalid_ratelimit",
       0,
       2147483647 * kMs,
       "one ACK per this for out-of-window segments, 0 = off",
       &C::invalid_ratelimit,
       {"net.ipv4.tcp_invalid_ratelimit", kMs}},
      {"ack_policy_linux", 0, 1, "Linux's delayed-ACK policy (quick ACKs, pingpong, jiffies)",
       &C::ack_policy_linux},
      // FreeBSD's behaviours (bsd profile), kept together.
      {"rcv_wnd_from_buffer", 0, 1,
       "check segments against the free receive buffer, rounded to segments (FreeBSD)",
       &C::rcv_wnd_from_buffer},
      {"fin_on_output_acks", 0, 1, "ACKs resend an unacknowledged FIN, challenge ACKs not (BSD tcp_output)",
       &C::fin_on_output_acks},
      {"timewait_needs_ack", 0, 1,
       "TIME-WAIT drops segments without ACK, ACKs a SYN,ACK (FreeBSD tcp_twcheck)", &C::timewait_needs_ack},
      {"drop_synfin", 0, 1, "drop segments with SYN and FIN (FreeBSD net.inet.tcp.drop_synfin)",
       &C::drop_synfin},
  };
}

// Keepalive (RFC 1122 4.2.3.6), after the data path's: the idle time, the
// interval and the count, bounded as Linux bounds TCP_KEEPIDLE, TCP_KEEPINTVL
// (1 to 32767 s) and TCP_KEEPCNT (1 to 127).
std::vector<Field> keepalive_fields() {
  using C = model::Config;
  return {
      {"keepalive_time",
       1 * kS,
       32767 * kS,
       "idle time before the first keepalive probe (RFC 1122 4.2.3.6)",
       &C::keepalive_time,
       {"net.ipv4.tcp_keepalive_time", kS}},
      {"keepalive_intvl",
       1 * kS,
       32767 * kS,
       "between unanswered keepalive probes",
       &C::keepalive_intvl,
       {"net.ipv4.tcp_keepalive_intvl", kS}},
      {"keepalive_probes",
       1,
       127,
       "unanswered keepalive probes before the connection is dropped",
       &C::keepalive_probes,
       {"net.ipv4.tcp_keepalive_probes"}},
  };
}

// The buffers and the host's values, last in fields().
std::vector<Field> buffer_and_host_fields() {
  using C = model::Config;
  return {
      {"rcv_buffer", 1, 1 << 30, "receive buffer (the advertised window, at most 65535)", &C::rcv_buffer},
      {"snd_buffer", 1, 1 << 30, "send buffer", &C::snd_buffer},
      {"mss", 64, 65535, "our maximum segment size", &C::mss},
      {"ephemeral_ports",
       1,
       65535,
       "ports connect() picks from, e.g. 32768-60999",
       PortRange{},
       {"net.ipv4.ip_local_port_range"}},
      {"somaxconn", 0, 1 << 30, "cap on listen()'s backlog", &Profile::somaxconn, {"net.core.somaxconn"}},
      // RLIMIT_NOFILE: Linux's fs.nr_open (1048576) bounds it.
      {"nofile", 1, 1 << 20, "descriptors per process (RLIMIT_NOFILE): EMFILE past it", &Profile::nofile},
  };
}

const std::vector<Field>& fields() {
  using C = model::Config;
  static const std::vector<Field> f = [] {
    std::vector<Field> v = {
        // Linux has no knob for the initial RTO (TCP_TIMEOUT_INIT); the bounds
        // of rto_min and rto_max, and rto_min <= rto_initial <= rto_max.
        {"rto_initial", 1 * kUs, 120 * kS, "RTO before the first RTT sample (RFC 6298 2.1)", &C::rto_initial},
        // net.ipv4.tcp_rto_min_us: at least 1 us.
        {"rto_min",
         1 * kUs,
         120 * kS,
         "lower bound of the RTO",
         &C::rto_min,
         {"net.ipv4.tcp_rto_min_us", kUs}},
        // net.ipv4.tcp_rto_max_ms and TCP_RTO_MAX_MS: 1 s to TCP_RTO_MAX (120 s).
        {"rto_max",
         1 * kS,
         120 * kS,
         "upper bound of the RTO",
         &C::rto_max,
         {"net.ipv4.tcp_rto_max_ms", kMs}},
        // Fixed in Linux (TCP_TIMEWAIT_LEN); any span up to kMaxDuration here.
        {"time_wait", 0, kMaxDuration, "TIME-WAIT length (2 MSL)", &C::time_wait},
        {"fin_wait_2_timeout",
         0,
         kMaxDuration,
         "orphaned FIN-WAIT-2 bound, 0 = none (Linux tcp_fin_timeout)",
         &C::fin_wait_2_timeout,
         {"net.ipv4.tcp_fin_timeout", kS}},
        // TCP_USER_TIMEOUT takes an int of milliseconds.
        {"user_timeout", 0, 2147483647 * kMs, "RFC 9293 3.8.3 user timeout, 0 = off", &C::user_timeout},
        // RFC 1122 4.2.3.2: "the delay MUST be less than 0.5 seconds".
        {"delayed_ack_timeout", 1 * kMs, 500 * kMs, "how long an ACK may wait", &C::delayed_ack_timeout},
        // net.ipv4.tcp_syn_retries: 1 to MAX_TCP_SYNCNT (127).
        {"syn_retries",
         1,
         127,
         "SYN retransmissions before giving up",
         &C::syn_retries,
         {"net.ipv4.tcp_syn_retries"}},
        // net.ipv4.tcp_synack_retries, tcp_retries2, tcp_orphan_retries: a u8.
        {"synack_retries",
         0,
         255,
         "SYN,ACK retransmissions before giving up",
         &C::synack_retries,
         {"net.ipv4.tcp_synack_retries"}},
        {"data_retries",
         0,
         255,
         "data/FIN retransmissions before giving up (Linux tcp_retries2)",
         &C::data_retries,
         {"net.ipv4.tcp_retries2"}},
        // net.ipv4.tcp_syn_linear_timeouts: 0 to MAX_TCP_SYNCNT.
        {"syn_linear_timeouts",
         0,
         127,
         "SYN retransmissions at the initial RTO before doubling",
         &C::syn_linear_timeouts,
         {"net.ipv4.tcp_syn_linear_timeouts"}},
        {"quick_acks", 0, 1000, "ACKs sent at once at a connection's start", &C::quick_acks},
        {"delayed_ack", 0, 1, "delay ACKs (RFC 1122 4.2.3.2)", &C::delayed_ack},
        {"rfc5961_rst", 0, 1, "challenge ACK for an in-window RST not at RCV.NXT (RFC 5961 3.2)",
         &C::rfc5961_rst},
        {"rfc5961_syn", 0, 1, "challenge ACK for a SYN in a synchronized state (RFC 5961 4.2)",
         &C::rfc5961_syn},
        {"rfc1337", 0, 1, "TIME-WAIT ignores RST", &C::rfc1337, {"net.ipv4.tcp_rfc1337"}},
        {"rst_on_data_after_close", 0, 1, "RST for new data after the reader has gone (Linux)",
         &C::rst_on_data_after_close},
        {"rto_min_on_variance", 0, 1, "Linux RTO formula: SRTT + max(4 RTTVAR, rto_min)",
         &C::rto_min_on_variance},
        // Linux's TCP_TIMEOUT_FALLBACK is 3 s; at most TCP_RTO_MAX.
        {"rto_after_syn_timeout", 0, 120 * kS, "RTO for data after a SYN timed out (RFC 6298 5.7), 0 = off",
         &C::rto_after_syn_timeout},
        // net.ipv4.tcp_early_retrans: 0 disables TLP, 3 (the default) enables it.
        {"tail_loss_probe",
         0,
         1,
         "Linux tail-loss probe before the RTO (RFC 8985)",
         &C::tail_loss_probe,
         {"net.ipv4.tcp_early_retrans", 1, "3", "0"}},
        {"give_up_by_time", 0, 1, "retry counts as Linux time budgets (tcp_model_timeout)",
         &C::give_up_by_time},
        {"orphan_retries",
         0,
         255,
         "data retries of an orphaned connection (Linux; 0 = 8)",
         &C::orphan_retries,
         {"net.ipv4.tcp_orphan_retries"}},
        {"rst_ack_on_abort", 0, 1, "an abort's RST carries an ACK (Linux)", &C::rst_ack_on_abort},
        {"synack_on_dup_syn", 0, 1, "answer a retransmitted SYN in SYN-RECEIVED with the SYN,ACK (Linux)",
         &C::synack_on_dup_syn},
        {"timewait_ignores_bare_ack", 0, 1, "TIME-WAIT ignores a bare ACK at RCV.NXT (Linux)",
         &C::timewait_ignores_bare_ack},
        {"timewait_reopen", 0, 1, "a new SYN reopens a TIME-WAIT connection (RFC 9293 3.6.1 MAY-2)",
         &C::timewait_reopen},
        // net.ipv4.tcp_timestamps 0: no timestamps, so TIME-WAIT reopens only
        // for a SYN above RCV.NXT (tcp_timewait_state_process()).
        {"timewait_reopen_by_timestamp",
         0,
         1,
         "...any new SYN, as timestamps tell (Linux); otherwise only a SYN above RCV.NXT",
         &C::timewait_reopen_by_timestamp,
         {"net.ipv4.tcp_timestamps"}},
    };
    const std::vector<Field> data = data_path_fields();
    v.insert(v.end(), data.begin(), data.end());
    const std::vector<Field> keepalive = keepalive_fields();
    v.insert(v.end(), keepalive.begin(), keepalive.end());
    const std::vector<Field> buffers_and_host = buffer_and_host_fields();
    v.insert(v.end(), buffers_and_host.begin(), buffers_and_host.end());
    return v;
  }();
  return f;
}

const Field* find_field(std::string_view key) {
  for (const Field& f : fields()) {
    if (f.name == key) return &f;
  }
  return nullptr;
}

std::optional<long long> parse_int(std::string_view s) {
  long long v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string range_text(const Field& f) {
  if (is_flag(f)) return "on|off";
  if (is_duration(f)) return format_duration(f.lo) + ".." + format_duration(f.hi);
  if (is_ports(f)) return fmt::format("{}-{}", f.lo, f.hi);
  return fmt::format("{}..{}", f.lo, f.hi);
}

std::string out_of_range(const Field& f) { return fmt::format("{} takes {}", f.name, range_text(f)); }

std::optional<std::string> set_ports(Profile& p, const Field& f, std::string_view value) {
  const std::string want = fmt::format(
      "expected a port range like 32768-60999 (each port {}..{}, the first "
      "not above the second)",
      f.lo, f.hi);
  const auto dash = value.find('-');
  if (dash == std::string_view::npos) return want;
  const auto lo = parse_int(value.substr(0, dash)), hi = parse_int(value.substr(dash + 1));
  if (!lo || !hi || *lo < f.lo || *hi > f.hi || *lo > *hi) return want;
  p.ephemeral_low = static_cast<std::uint16_t>(*lo);
  p.ephemeral_high = static_cast<std::uint16_t>(*hi);
  return std::nullopt;
}

std::optional<std::string> set_flag(Profile& p, bool model::Config::*m, std::string_view value) {
  if (value == "on" || value == "true" || value == "1")
    p.tcp.*m = true;
  else if (value == "off" || value == "false" || value == "0")
    p.tcp.*m = false;
  else
    return std::string("expected on or off");
  return std::nullopt;
}

// A number (or a duration, in ns) within the field's range, or why not.
std::variant<std::int64_t, std::string> parse_number(const Field& f, std::string_view value) {
  std::int64_t v = 0;
  if (is_duration(f)) {
    auto d = parse_duration(value);
    // Too long for any duration is out of this value's range too: say so,
    // not that it is no duration (`set time_wait 9223372036s`).
    if (!d && duration_too_long(value))
      return fmt::format("{} is out of range: {}", echo(value), out_of_range(f));
    if (!d) return fmt::format("'{}' is not a duration (e.g. 200ms, 1.5s, 2min)", echo(value));
    v = *d;
  } else {
    auto n = parse_int(value);
    if (!n) return fmt::format("'{}' is not a whole number; {}", value, out_of_range(f));
    v = *n;
  }
  if (v < f.lo || v > f.hi) return fmt::format("{} is out of range: {}", value, out_of_range(f));
  return v;
}

// The value as a number: ns for a duration, 0/1 for a switch.
std::int64_t number_of(const Profile& p, const Field& f) {
  return std::visit(Overloaded{[&](PortRange) { return std::int64_t{0}; },
                               [&](int Profile::*m) { return std::int64_t{p.*m}; },
                               [&](auto model::Config::*m) { return static_cast<std::int64_t>(p.tcp.*m); }},
                    f.member);
}

}  // namespace

std::optional<Profile> profile_named(std::string_view name) {
  for (const auto& entry : registry()) {
    if (entry.first != name) continue;
    Profile p = entry.second();
    p.name = std::string(entry.first);
    return p;
  }
  return std::nullopt;
}

const std::vector<std::string_view>& profile_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> n;
    for (const auto& entry : registry()) n.push_back(entry.first);
    return n;
  }();
  return names;
}

std::string profile_choices() {
  const auto& n = profile_names();
  std::string out;
  for (std::size_t i = 0; i < n.size(); ++i) {
    out += i == 0 ? "" : i + 1 == n.size() ? " or " : ", ";
    out += n[i];
  }
  return out;
}

const std::vector<ProfileKey>& profile_keys() {
  static const std::vector<ProfileKey> keys = [] {
    std::vector<ProfileKey> k;
    for (const Field& f : fields())
      k.push_back({f.name, kind_name(f), f.description, range_text(f), f.sysctl.name});
    return k;
  }();
  return keys;
}

std::optional<std::string> linux_sysctl_value(const Profile& p, std::string_view key) {
  const Field* f = find_field(key);
  if (!f || f->sysctl.name.empty()) return std::nullopt;
  if (is_ports(*f)) return fmt::format("{} {}", p.ephemeral_low, p.ephemeral_high);
  if (is_flag(*f)) return std::string(number_of(p, *f) != 0 ? f->sysctl.on : f->sysctl.off);
  return std::to_string(number_of(p, *f) / f->sysctl.unit);
}

std::optional<std::string> set_profile_value(Profile& p, std::string_view key, std::string_view value) {
  const Field* f = find_field(key);
  if (!f) return fmt::format("unknown setting '{}'", key);
  if (is_ports(*f)) return set_ports(p, *f, value);
  if (is_flag(*f)) return set_flag(p, std::get<bool model::Config::*>(f->member), value);
  auto v = parse_number(*f, value);
  if (auto* e = std::get_if<std::string>(&v)) return *e;
  const std::int64_t n = std::get<std::int64_t>(v);
  std::visit(Overloaded{[](PortRange) {}, [](bool model::Config::*) {},
                        [&](int Profile::*m) { p.*m = static_cast<int>(n); },
                        [&](auto model::Config::*m) {
                          using T = std::remove_reference_t<decltype(p.tcp.*m)>;
                          p.tcp.*m = static_cast<T>(n);
                        }},
             f->member);
  return std::nullopt;
}

std::string get_profile_value(const Profile& p, std::string_view key) {
  const Field* f = find_field(key);
  if (!f) return {};
  if (is_ports(*f)) return fmt::format("{}-{}", p.ephemeral_low, p.ephemeral_high);
  if (is_flag(*f)) return number_of(p, *f) != 0 ? "on" : "off";
  if (is_duration(*f)) return format_duration(number_of(p, *f));
  return std::to_string(number_of(p, *f));
}

std::optional<ProfileProblem> check_profile(const Profile& p) {
  // RFC 6298 2.4/2.5: the RTO is kept within [rto_min, rto_max]; the initial
  // RTO (2.1) too, else the first backoff would leave the range.
  const model::Config& c = p.tcp;
  auto named = [&p](std::string_view k) { return fmt::format("{} ({})", k, get_profile_value(p, k)); };
  if (c.rto_min > c.rto_max)
    return ProfileProblem{fmt::format("{} must not exceed {}", named("rto_min"), named("rto_max")),
                          {"rto_min", "rto_max"}};
  if (c.rto_initial < c.rto_min)
    return ProfileProblem{fmt::format("{} must not be below {}", named("rto_initial"), named("rto_min")),
                          {"rto_initial", "rto_min"}};
  if (c.rto_initial > c.rto_max)
    return ProfileProblem{fmt::format("{} must not exceed {}", named("rto_initial"), named("rto_max")),
                          {"rto_initial", "rto_max"}};
  return std::nullopt;
}

}  // namespace tcpsim::sim
