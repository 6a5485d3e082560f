// Behaviour profiles: the numbers and switches that make an endpoint behave
// like RFC 9293 to the letter, like the Linux kernel, or like a BSD. Each
// value can be overridden on its own (`--set time_wait=30s`).
//
// Linux figures were measured on this project's machines; see
// docs/linux-observations.md and kernel/probes/. The kernel's own constants
// are in include/net/tcp.h (TCP_TIMEWAIT_LEN, TCP_RTO_MIN, TCP_TIMEOUT_INIT,
// TCP_DELACK_MIN) and its sysctls in Documentation/networking/ip-sysctl.rst.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/config.h"
#include "sim/wire_options.h"

namespace tcpsim::sim {

struct Profile {
  std::string name;
  model::Config tcp;
  // Host-level, as Linux presents them to programs.
  std::uint16_t ephemeral_low = 32768;  // net.ipv4.ip_local_port_range
  std::uint16_t ephemeral_high = 60999;
  int somaxconn = 4096;  // net.core.somaxconn caps listen()'s backlog
  // RLIMIT_NOFILE (`ulimit -n`) of every process on the host: socket(),
  // accept(), dup() and epoll_create1() fail with EMFILE once a descriptor
  // would be this number or more. 1024 is Linux's default soft limit.
  int nofile = 1024;
  // RFC 7323 options on the host's wire (sim/wire_options.h); off in every
  // profile, turned on by the packetdrill runner as a script's sysctls say.
  WireSettings wire;
  // FreeBSD's tcp_mss(): once the peer's MSS is known, the socket buffers
  // are rounded up to a multiple of the segment size, and getsockopt
  // SO_RCVBUF/SO_SNDBUF report that (65536 -> 65700 with MSS 1460). Only
  // the report here: the window tcpsim advertises is at most 65535 anyway.
  // Off in every profile; the packetdrill runner sets it under bsd.
  bool buffers_round_to_mss = false;
  // Linux tcp_reset(): a RST in CLOSE-WAIT leaves EPIPE, not ECONNRESET
  // (FreeBSD and RFC 9293 report a reset).
  bool reset_in_close_wait_epipe = true;
  // TCP Fast Open's server side (sim/fast_open.h); off in every profile.
  FastOpenSettings fast_open;
};

// The profile that models the Linux kernel: the default, and what a real
// kernel run (`tcpsim kernel`) is compared with.
inline constexpr std::string_view kLinuxProfile = "linux";

// The one registry of profiles (sim/profile.cc): every name a command line,
// a scenario or a listing accepts comes from here, in this order.
// nullopt for an unknown name.
std::optional<Profile> profile_named(std::string_view name);
const std::vector<std::string_view>& profile_names();
// The names for a message: "rfc9293, linux or bsd".
std::string profile_choices();

struct ProfileKey {
  std::string_view name;         // "time_wait"
  std::string_view kind;         // "duration", "count", "bool", "bytes", "range"
  std::string_view description;  // one line for --help and docs
  std::string range;             // the values `set` takes: "1us..120s", "0..255", "on|off"
  // The Linux sysctl that sets the same value for a whole network namespace
  // ("net.ipv4.tcp_fin_timeout"); empty where Linux has none. The kernel
  // runner sets a namespace's sysctls from this column.
  std::string_view linux_sysctl;
};
const std::vector<ProfileKey>& profile_keys();

// The value of `key` as its Linux sysctl takes it: in the sysctl's unit
// ("200000" for rto_min = 200ms in net.ipv4.tcp_rto_min_us), a switch as its
// sysctl writes on and off (1/0; "cubic"/"reno" for tcp_congestion_control,
// 3/0 for tcp_early_retrans), "32768 60999" for a port range; nullopt where
// there is no sysctl.
std::optional<std::string> linux_sysctl_value(const Profile& p, std::string_view key);

// Sets one value; on failure returns a message naming what was wrong (a
// value outside its range says the range).
std::optional<std::string> set_profile_value(Profile& p, std::string_view key, std::string_view value);
std::string get_profile_value(const Profile& p, std::string_view key);

// The relations between values, checked once every `set` is applied (one
// value at a time may pass through an inconsistent state):
// rto_min <= rto_initial <= rto_max.
struct ProfileProblem {
  std::string message;                 // names the values and their settings
  std::vector<std::string_view> keys;  // the settings involved
};
std::optional<ProfileProblem> check_profile(const Profile& p);

}  // namespace tcpsim::sim
