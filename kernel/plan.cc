#include "kernel/plan.h"

#include <fmt/format.h>

#include <optional>

#include "kernel/diff.h"
#include "sim/profile.h"

namespace tcpsim::kernel {

namespace {

std::string where(const scenario::Scenario& sc, const scenario::Loc& l) {
  return fmt::format("{}:{}:{}", sc.file, l.line, l.col);
}

bool is_loopback(std::uint32_t ip) { return (ip >> 24) == 127; }

std::string ip_text(std::uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

// A profile setting, as the kernel can (or cannot) be told it.
struct Mapped {
  enum Kind { Sysctl, Linger2, SynCnt, Refused } kind = Refused;
  std::string sysctl;  // "net.ipv4.tcp_synack_retries"
  std::string value;   // what to write
  int option = 0;      // the socket option's value
  std::string why;     // for Refused
};

// A socket option where one exists (it can differ per host), else the
// setting's Linux sysctl (sim/profile.cc's table), else refused.
Mapped map_setting(const std::string& key, const sim::Profile& p) {
  const model::Config& c = p.tcp;
  Mapped m;
  if (key == "fin_wait_2_timeout") {
    if (c.fin_wait_2_timeout <= 0 || c.fin_wait_2_timeout % kSecond != 0 ||
        c.fin_wait_2_timeout > 120 * kSecond) {
      m.why = "Linux bounds an orphaned FIN-WAIT-2 by whole seconds from 1 to 120 (TCP_LINGER2)";
      return m;
    }
    m.kind = Mapped::Linger2;
    m.option = static_cast<int>(c.fin_wait_2_timeout / kSecond);
    return m;
  }
  if (key == "syn_retries") {
    if (c.syn_retries < 1 || c.syn_retries > 127) {
      m.why = "Linux takes 1 to 127 SYN retransmissions (TCP_SYNCNT)";
      return m;
    }
    m.kind = Mapped::SynCnt;
    m.option = c.syn_retries;
    return m;
  }
  if (auto value = sim::linux_sysctl_value(p, key)) {
    for (const auto& k : sim::profile_keys()) {
      if (k.name == key) m.sysctl = std::string(k.linux_sysctl);
    }
    m.kind = Mapped::Sysctl;
    m.value = *value;
    return m;
  }
  m.why = key == "time_wait" ? "TIME-WAIT is the kernel constant TCP_TIMEWAIT_LEN (60 s), no sysctl sets it"
                             : "no sysctl or socket option sets it";
  return m;
}

// The scenario's links: delay, bandwidth and random loss go to the delay
// line; what it does not reproduce is refused.
void plan_links(const scenario::Scenario& sc, Plan& plan) {
  auto ip_of = [&](const std::string& name) {
    for (const auto& h : sc.hosts) {
      if (h.name == name) return h.ip;
    }
    return std::uint32_t{0};
  };
  bool any = false;
  for (const auto& l : sc.links) {
    const sim::LinkConfig& c = l.cfg;
    if (c.jitter != 0 || c.mtu != 0 || c.burst.any() || !c.duplicate.is_zero() || !c.reorder.is_zero() ||
        !c.rules.empty() || !c.windows.empty()) {
      plan.refusals.push_back(fmt::format(
          "{}: link {} {} {}: the delay line reproduces a link's delay, bandwidth and loss; not its jitter, "
          "MTU, burst loss, duplication or reordering (this kernel has no tc netem: "
          "CONFIG_NET_SCH_NETEM)",
          where(sc, l.loc), l.from, l.both ? "<->" : "->", l.to));
      continue;
    }
    any = any || c.delay != 0 || c.bandwidth_bps != 0 || !c.loss.is_zero();
    const std::uint32_t a = ip_of(l.from), b = ip_of(l.to);
    plan.links.push_back(DirectedLink{a, b, c.delay, c.bandwidth_bps, c.loss, c.queue});
    if (l.both) plan.links.push_back(DirectedLink{b, a, c.delay, c.bandwidth_bps, c.loss, c.queue});
  }
  if (!any) {
    plan.links.clear();  // nothing to delay: loopback, as without links
    return;
  }
  for (const auto& h : sc.hosts) {
    if (is_loopback(h.ip)) {
      plan.refusals.push_back(
          fmt::format("{}: host {} on {}: the delay line needs hosts outside 127.0.0.0/8 (each host's "
                      "loopback is its own)",
                      where(sc, h.loc), h.name, ip_text(h.ip)));
    }
  }
}

}  // namespace

Plan make_plan(const scenario::Scenario& sc, const std::vector<std::pair<std::string, std::string>>& sets) {
  Plan plan;
  const std::size_t n = sc.hosts.size();
  plan.host_options.resize(n);
  for (const auto& h : sc.hosts) {
    plan.host_ips.push_back(h.ip);
    if (is_loopback(h.ip) && n > 1) {
      plan.refusals.push_back(fmt::format(
          "{}: host {} on {}: with several hosts each needs its own address (one namespace holds them all)",
          where(sc, h.loc), h.name, ip_text(h.ip)));
    }
    for (const auto& g : sc.hosts) {
      if (&g < &h && g.ip == h.ip) {
        plan.refusals.push_back(
            fmt::format("{}: host {} has the address of host {}: the kernel needs one per host",
                        where(sc, h.loc), h.name, g.name));
      }
    }
  }
  // The kernel is Linux whatever the scenario was written for.
  std::string others;
  if (sc.profile != sim::kLinuxProfile) others = sc.profile;
  for (const auto& h : sc.hosts) {
    if (!h.profile.empty() && h.profile != sim::kLinuxProfile && others.find(h.profile) == std::string::npos)
      others += (others.empty() ? "" : ", ") + h.profile;
  }
  if (!others.empty()) {
    plan.notes.push_back(
        fmt::format("the scenario is written for profile {}; the kernel is Linux, and --diff compares it "
                    "with the linux profile",
                    others));
  }

  plan_links(sc, plan);
  plan.seed = sc.seed;

  auto host_index = [&](const std::string& name) -> std::size_t {
    for (std::size_t i = 0; i < n; ++i) {
      if (sc.hosts[i].name == name) return i;
    }
    return 0;
  };

  // Settings: a socket option where one exists (it can differ per host), a
  // namespace sysctl where every host agrees, else refused.
  std::vector<std::pair<std::string, std::string>> sysctl_seen;  // name, value
  auto apply = [&](const std::string& key, const std::string& value, const std::string& host,
                   const std::string& at) {
    sim::Profile p = *sim::profile_named(sim::kLinuxProfile);
    if (auto e = sim::set_profile_value(p, key, value)) {
      plan.refusals.push_back(fmt::format("{}: {}", at, *e));
      return;
    }
    const Mapped m = map_setting(key, p);
    // What a Linux segment carries on a 1500-byte MTU with timestamps: the
    // kernel's own, which --diff gives the model too.
    if (key == "mss" && p.tcp.mss == kKernelMss) return;
    if (m.kind == Mapped::Refused) {
      const sim::Profile linux = *sim::profile_named(sim::kLinuxProfile);
      if (sim::get_profile_value(linux, key) == sim::get_profile_value(p, key)) return;  // Linux's own value
      plan.refusals.push_back(
          fmt::format("{}: set {} {}: cannot be reproduced on the kernel: {}", at, key, value, m.why));
      return;
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (!host.empty() && sc.hosts[i].name != host) continue;
      if (m.kind == Mapped::Linger2) plan.host_options[i].linger2_s = m.option;
      if (m.kind == Mapped::SynCnt) plan.host_options[i].syncnt = m.option;
    }
    if (m.kind != Mapped::Sysctl) return;
    if (!host.empty() && n > 1) {
      plan.refusals.push_back(
          fmt::format("{}: set {} {} {}: the sysctl {} would apply to every host of the one namespace", at,
                      host, key, value, m.sysctl));
      return;
    }
    for (const auto& [name, v] : sysctl_seen) {
      if (name == m.sysctl && v != m.value) {
        plan.refusals.push_back(
            fmt::format("{}: set {} {}: conflicts with an earlier value of {}", at, key, value, m.sysctl));
        return;
      }
    }
    sysctl_seen.emplace_back(m.sysctl, m.value);
    plan.sysctls.emplace_back(m.sysctl, m.value);
  };
  for (const auto& s : sc.sets) apply(s.key, s.value, s.host, where(sc, s.loc));
  for (const auto& [k, v] : sets) apply(k, v, "", fmt::format("--set {}={}", k, v));

  for (const auto& d : sc.drops) {
    const std::uint32_t src = sc.hosts[host_index(d.from)].ip, dst = sc.hosts[host_index(d.to)].ip;
    if (d.window) {
      plan.windows.push_back(DirectedWindow{src, dst, d.span, d.text});
      continue;
    }
    const auto& m = d.rule.match;
    const bool occupies_sequence =
        (m.required & (model::kSyn | model::kFin)) != 0 || m.payload == sim::PacketMatch::Payload::kWith;
    if (!d.rule.include_retransmissions && !occupies_sequence) {
      plan.refusals.push_back(fmt::format(
          "{}: {}: 'excluding retransmissions' is reproduced only for SYN, FIN and data segments (a segment "
          "whose sequence number was seen before)",
          where(sc, d.loc), d.text));
      continue;
    }
    if (d.rule.retransmission != 0 && plan.links.empty()) {
      // nftables would have to follow one segment's sequence number; the
      // delay line's forwarder does (DropReplay).
      plan.refusals.push_back(fmt::format(
          "{}: {}: a retransmission of a given segment is dropped only through the delay line (give the "
          "hosts a link with a delay)",
          where(sc, d.loc), d.text));
      continue;
    }
    plan.rules.push_back(DirectedRule{src, dst, d.rule, d.text, d.last});
  }
  return plan;
}

}  // namespace tcpsim::kernel
