// The scripts' shell commands, reduced to what they mean for the simulated
// host: sysctls become profile settings (or switch a feature tcpsim does
// not model, which makes the script unsupported where the feature shows),
// the defaults file is read line by line, and a few FreeBSD tools are
// answered from the host's tables. Nothing is ever run.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "packetdrill/run_state.h"
#include "packetdrill/shell_freebsd.h"
#include "sim/profile.h"

namespace tcpsim::packetdrill {

namespace {

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string unquote(std::string v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    v = v.substr(1, v.size() - 2);
  return v;
}

// Settings whose effect is outside what these scripts can observe of
// tcpsim's host, or whose value is the one the profile already follows
// (Linux's defaults.sh, FreeBSD's defaults). Accepted with no effect.
bool neutral(const std::string& name, const std::string& value) {
  static const std::map<std::string, std::string> any_value = {
      // Linux: buffer sizes (tcpsim's advertised window is at most 65535),
      // loss-recovery and pacing knobs the teardown scripts do not reach,
      // caches tcpsim does not have.
      {"net.ipv4.tcp_wmem", ""},
      {"net.ipv4.tcp_frto", ""},
      {"net.ipv4.tcp_dsack", ""},
      {"net.ipv4.tcp_fack", ""},
      {"net.ipv4.tcp_reordering", ""},
      {"net.ipv4.tcp_early_retrans", ""},
      {"net.ipv4.tcp_recovery", ""},
      {"net.ipv4.tcp_tso_win_divisor", ""},
      {"net.ipv4.tcp_pacing_ss_ratio", ""},
      {"net.ipv4.tcp_pacing_ca_ratio", ""},
      {"net.ipv4.tcp_notsent_lowat", ""},
      {"net.ipv4.tcp_slow_start_after_idle", ""},

      {"net.ipv4.tcp_syncookies", ""},
      // AccECN's option is sent only on an AccECN connection, which needs
      // tcp_ecn (0 in the defaults, and any other value is refused).
      {"net.ipv4.tcp_ecn_option", ""},
      // FreeBSD: the socket buffer ceiling, the host cache, ECN (accepted:
      // a script's ECN marks and flags make it unsupported where they occur).
      {"net.inet.tcp.hostcache.purgenow", ""},
      {"net.inet.tcp.ecn.enable", ""},
      {"net.inet.tcp.ecn.maxretries", ""},
      {"net.inet.tcp.rexmit_slop", ""}};
  if (any_value.count(name)) return true;
  // Values that are these stacks' defaults and tcpsim's behaviour.
  static const std::map<std::string, std::string> fixed = {{"net.ipv4.tcp_ecn", "0"},
                                                           {"net.ipv4.tcp_congestion_control", "cubic"},
                                                           {"net.inet.tcp.blackhole", "0"},
                                                           {"net.inet.tcp.rexmit_drop_options", "0"}};
  auto it = fixed.find(name);
  return it != fixed.end() && it->second == value;
}

// A number as defaults.sh writes it: 6291456 or $((15*1024*1024)).
std::uint64_t shell_number(const Run& r, const Location& where, std::string t) {
  if (t.rfind("$((", 0) == 0 && t.size() > 5 && t.compare(t.size() - 2, 2, "))") == 0)
    t = t.substr(3, t.size() - 5);
  std::uint64_t product = 1;
  std::istringstream in(t);
  std::string factor;
  while (std::getline(in, factor, '*')) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(factor.c_str(), &end, 10);
    if (factor.empty() || *end != '\0' || v == 0 || v > (1ull << 32)) r.unsupported(where, "the number " + t);
    product *= v;
    if (product > (1ull << 40)) r.unsupported(where, "the number " + t);
  }
  return product;
}

// Linux's tcp_select_initial_window: the shift that lets the largest
// receive buffer (tcp_rmem's maximum, at least rmem_max, 212992) be
// advertised: ilog2(space) - 15, at most 14.
std::uint8_t linux_wscale(const Run& r, const Location& where, const std::string& rmem) {
  std::istringstream in(rmem);
  std::string lo, def, max;
  if (!(in >> lo >> def >> max)) r.unsupported(where, "net.ipv4.tcp_rmem=" + rmem);
  const std::uint64_t space = std::max<std::uint64_t>(shell_number(r, where, max), 212992);
  int log2 = 0;
  while ((space >> (log2 + 1)) != 0) ++log2;
  return static_cast<std::uint8_t>(std::clamp(log2 - 15, 0, 14));
}

// FreeBSD's tcp_connect/syncache: the smallest shift s with
// 65535 << s >= sb_max (kern.ipc.maxsockbuf), at most 14.
std::uint8_t freebsd_wscale(const Run& r, const Location& where, const std::string& v) {
  const std::uint64_t sb_max = shell_number(r, where, v);
  std::uint8_t s = 0;
  while (s < 14 && (std::uint64_t{65535} << s) < sb_max) ++s;
  return s;
}

void set_profile(Run& r, const Location& where, const char* key, const std::string& value) {
  if (auto err = sim::set_profile_value(r.host->profile(), key, value))
    r.unsupported(where, "sysctl value: " + *err);
}

void sysctl(Run& r, const Location& where, const std::string& name, const std::string& value) {
  auto flag = [&] { return value != "0"; };
  sim::WireSettings& wire = r.host->profile().wire;
  if (name == "net.ipv4.tcp_timestamps") {
    wire.timestamps = flag();
  } else if (name == "net.ipv4.tcp_window_scaling") {
    wire.window_scaling = flag();
  } else if (name == "net.inet.tcp.rfc1323") {
    wire.timestamps = wire.window_scaling = flag();
  } else if (name == "net.ipv4.tcp_rmem") {
    wire.wscale = linux_wscale(r, where, value);
  } else if (name == "kern.ipc.maxsockbuf") {
    wire.wscale = freebsd_wscale(r, where, value);
  } else if (name == "net.ipv4.tcp_fastopen") {
    // The server side's bits (sim/fast_open.h); the client side is not
    // modelled, and shows where a script uses it (MSG_FASTOPEN).
    r.host->profile().fast_open.sysctl = static_cast<std::uint32_t>(std::strtoul(value.c_str(), nullptr, 0));
  } else if (name == "net.ipv4.tcp_fastopen_key") {
    std::string why;
    auto key = sim::parse_fast_open_key(value, &why);
    if (!key) r.unsupported(where, fmt::format("sysctl {}={}: {}", name, value, why));
    r.host->profile().fast_open.key = *key;
  } else if (name == "net.ipv4.tcp_sack" || name == "net.inet.tcp.sack.enable") {
    set_profile(r, where, "sack", flag() ? "on" : "off");
  } else if (name == "net.ipv4.tcp_syn_retries") {
    set_profile(r, where, "syn_retries", value);
  } else if (name == "net.ipv4.tcp_synack_retries") {
    set_profile(r, where, "synack_retries", value);
  } else if (name == "net.ipv4.tcp_invalid_ratelimit") {
    set_profile(r, where, "invalid_ratelimit", value + "ms");
  } else if (name == "net.inet.tcp.rexmit_initial") {
    set_profile(r, where, "rto_initial", value + "ms");
  } else if (name == "net.inet.tcp.recvspace") {
    set_profile(r, where, "rcv_buffer", value);
  } else if (name == "net.inet.tcp.sendspace") {
    set_profile(r, where, "snd_buffer", value);
  } else if (!neutral(name, value) && !freebsd_sysctl(r, where, name, value)) {
    r.unsupported(where, fmt::format("sysctl {}={}", name, value));
  }
}

// `sysctl -q a=b c=d`, `sysctl -w a=b`.
void run_sysctl(Run& r, const Location& where, const std::string& line) {
  std::istringstream in(line);
  std::string word;
  in >> word;  // sysctl
  std::string rest;
  std::getline(in, rest);
  // Options, then name=value pairs; a quoted value may hold spaces.
  std::size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && rest[i] == ' ') ++i;
    if (i >= rest.size()) break;
    if (rest[i] == '-') {
      while (i < rest.size() && rest[i] != ' ') ++i;
      continue;
    }
    if (rest[i] == '>') break;  // > /dev/null 2>&1
    const std::size_t eq = rest.find('=', i);
    if (eq == std::string::npos) r.unsupported(where, "sysctl without a value: " + line);
    std::size_t end = eq + 1;
    if (end < rest.size() && (rest[end] == '"' || rest[end] == '\'')) {
      end = rest.find(rest[end], end + 1);
      end = end == std::string::npos ? rest.size() : end + 1;
    } else {
      while (end < rest.size() && rest[end] != ' ') ++end;
    }
    sysctl(r, where, rest.substr(i, eq - i), unquote(rest.substr(eq + 1, end - eq - 1)));
    i = end;
  }
}

void run_line(Run& r, const ShellLine& l, int depth);

// google/packetdrill's set_sysctls.py /proc/sys/net/ipv4/NAME=VALUE ...:
// "set these sysctls for this script".
void run_set_sysctls(Run& r, const Location& where, const std::string& line) {
  std::istringstream in(line);
  std::string word;
  in >> word;  // the helper
  while (in >> word) {
    const auto eq = word.find('=');
    const std::string prefix = "/proc/sys/";
    if (eq == std::string::npos || word.rfind(prefix, 0) != 0) r.unsupported(where, "shell: " + line);
    std::string name = word.substr(prefix.size(), eq - prefix.size());
    for (char& ch : name) ch = ch == '/' ? '.' : ch;
    sysctl(r, where, name, word.substr(eq + 1));
  }
}

// A defaults file the script runs (`../common/defaults.sh`), read relative
// to the script's directory as packetdrill runs it.
void run_file(Run& r, const Location& where, const std::string& rel, int depth) {
  const std::string& f = r.script.file;
  const auto slash = f.rfind('/');
  const std::string path = (slash == std::string::npos ? std::string() : f.substr(0, slash + 1)) + rel;
  std::ifstream in(path);
  if (!in || depth > 3) r.unsupported(where, "the shell script " + rel + " (not readable)");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The copy of the corpus keeps upstream's symbolic link
  // tcp/common/defaults.sh as a file holding its target: followed as a link.
  const std::string target = trim(text);
  if (target.find('\n') == std::string::npos && target.size() > 3 &&
      target.compare(target.size() - 3, 3, ".sh") == 0 && target.find(' ') == std::string::npos) {
    const auto dir = rel.rfind('/');
    return run_file(r, where, (dir == std::string::npos ? std::string() : rel.substr(0, dir + 1)) + target,
                    depth + 1);
  }
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    run_line(r, ShellLine{line, where}, depth + 1);
  }
}

// `sockstat -4 -P tcp ... -s | grep -c STATE | grep N`: the number of the
// host's connections in STATE must be N.
void run_sockstat(Run& r, const Location& where, const std::string& line) {
  static const std::map<std::string, model::State> states = {{"TIME_WAIT", model::State::TimeWait},
                                                             {"SYN_RCVD", model::State::SynReceived},
                                                             {"CLOSED", model::State::Closed},
                                                             {"ESTABLISHED", model::State::Established}};
  const auto c = line.find("grep -c ");
  const auto last = line.rfind("| grep ");
  if (c == std::string::npos || last == std::string::npos || last < c) r.unsupported(where, "shell: " + line);
  std::istringstream a(line.substr(c + 8)), b(line.substr(last + 7));
  std::string state;
  long want = -1;
  a >> state;
  b >> want;
  auto it = states.find(state);
  if (it == states.end() || want < 0) r.unsupported(where, "shell: " + line);
  long got = 0;
  r.host->for_each_conn([&](const sim::Conn& conn) { got += conn.state() == it->second && !conn.listening; });
  if (got != want)
    r.fail(where, fmt::format("sockstat: {} connections in {}, expected {}", got, state, want));
}

void run_line(Run& r, const ShellLine& l, int depth) {
  const std::string& t = l.text;
  if (t.rfind("sysctl ", 0) == 0) return run_sysctl(r, l.where, t);
  if (t.rfind("ip tcp_metrics flush", 0) == 0) return;  // tcpsim keeps no metrics cache
  if (t == "tc qdisc add dev tun0 root pfifo") return;  // FIFO: what the simulated host does
  if (t.find("defaults.sh") != std::string::npos && t.find(' ') == std::string::npos) {
    return run_file(r, l.where, t, depth);
  }
  if (t.rfind("sockstat ", 0) == 0) return run_sockstat(r, l.where, t);
  if (freebsd_shell_line(r, l.where, t)) return;
  if (t.find("set_sysctls.py ") != std::string::npos) return run_set_sysctls(r, l.where, t);
  // The restore script set_sysctls.py writes: the run ends here anyway.
  if (t.rfind("/tmp/sysctl_restore_", 0) == 0) return;
  if (t.rfind("ethtool -K tun0", 0) == 0 && t.find(" on") == std::string::npos) {
    r.tso = false;  // tso off / gso off: one wire segment per expected packet
    return;
  }
  r.unsupported(l.where, "shell: " + t);
}

}  // namespace

void run_shell(Run& r, const ShellCommand& c, const Event*) {
  for (const ShellLine& l : shell_lines(c)) run_line(r, l, 0);
}

void apply_flags(Run& r) {
  for (const Option& o : r.script.flags.all) {
    // tcp_ts_tick_usecs matters only for TS options, which are refused
    // where a script has them while tcpsim does not model timestamps.
    static const std::set<std::string> handled = {"tolerance_usecs", "ip_version", "local_ip",
                                                  "remote_ip",       "define",     "tcp_ts_tick_usecs"};
    if (handled.count(o.name)) continue;
    r.unsupported(o.where, "--" + o.name);
  }
}

}  // namespace tcpsim::packetdrill
