// What the kernel runner agrees to reproduce, and how: refusals with their
// positions, settings as sysctls or socket options, drop rules as nftables.
#include "kernel/plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

#include "kernel/nft.h"
#include "scenario/parser.h"
#include "sim/profile.h"

namespace tcpsim::kernel {
namespace {

scenario::Scenario parse(const std::string& text) {
  auto p = scenario::parse(text, "t.tcpsim");
  if (auto* e = std::get_if<scenario::ParseError>(&p)) {
    ADD_FAILURE() << e->message;
    return {};
  }
  return std::get<scenario::Scenario>(p);
}

const char* kHosts = "host A 10.0.0.1\nhost B 10.0.0.2\n";

TEST(Plan, LinkJitterIsRefusedWithItsPosition) {
  const Plan p = make_plan(parse(std::string(kHosts) + "link A <-> B delay 10ms jitter 1ms\n"), {});
  ASSERT_EQ(p.refusals.size(), 1u);
  EXPECT_EQ(p.refusals[0].rfind("t.tcpsim:3:1: link A <-> B:", 0), 0u) << p.refusals[0];
  EXPECT_NE(p.refusals[0].find("jitter"), std::string::npos);
}

TEST(Plan, ALinksDelayBandwidthAndLossGoToTheDelayLineEachWay) {
  const Plan p =
      make_plan(parse(std::string(kHosts) + "link A <-> B delay 20ms bandwidth 10Mbit loss 1%\n"), {});
  EXPECT_TRUE(p.refusals.empty());
  ASSERT_EQ(p.links.size(), 2u);
  EXPECT_EQ(p.links[0].src_ip, 0x0a000001u);
  EXPECT_EQ(p.links[1].src_ip, 0x0a000002u);
  EXPECT_EQ(p.links[1].delay, 20 * kMillisecond);
  EXPECT_EQ(p.links[1].bandwidth_bps, 10000000u);
  EXPECT_EQ(p.links[1].loss, sim::Probability::ratio(1, 100));
  EXPECT_EQ(p.links[1].queue.limit, 1000u);  // Linux's txqueuelen
}

TEST(Plan, ALinkThatDelaysNothingKeepsTheOneLoopbackNamespace) {
  const Plan p = make_plan(parse(std::string(kHosts) + "link A <-> B delay 0ms\n"), {});
  EXPECT_TRUE(p.refusals.empty());
  EXPECT_TRUE(p.links.empty());
}

TEST(Plan, APerHostFinTimeoutBecomesThatHostsSocketOption) {
  const Plan p = make_plan(parse(std::string(kHosts) + "set A fin_wait_2_timeout 3s\n"), {});
  EXPECT_TRUE(p.refusals.empty());
  EXPECT_EQ(p.host_options[0].linger2_s, 3);
  EXPECT_EQ(p.host_options[1].linger2_s, 0);
  EXPECT_TRUE(p.sysctls.empty());
}

TEST(Plan, ASettingWithOnlyASysctlAppliesToAllHostsOrIsRefused) {
  const Plan all = make_plan(parse(std::string(kHosts) + "set synack_retries 2\n"), {});
  ASSERT_EQ(all.sysctls.size(), 1u);
  EXPECT_EQ(all.sysctls[0], (std::pair<std::string, std::string>{"net.ipv4.tcp_synack_retries", "2"}));
  const Plan one = make_plan(parse(std::string(kHosts) + "set B synack_retries 2\n"), {});
  ASSERT_EQ(one.refusals.size(), 1u);
  EXPECT_NE(one.refusals[0].find("every host"), std::string::npos) << one.refusals[0];
}

TEST(Plan, TimeWaitCanOnlyBeLinuxsOwn) {
  EXPECT_EQ(make_plan(parse(std::string(kHosts) + "set time_wait 30s\n"), {}).refusals.size(), 1u);
  EXPECT_TRUE(make_plan(parse(std::string(kHosts) + "set time_wait 60s\n"), {}).refusals.empty());
  EXPECT_EQ(make_plan(parse(kHosts), {{"time_wait", "1s"}}).refusals.size(), 1u);
}

TEST(Plan, ProfilesOtherThanLinuxAreNotedNotRefused) {
  const Plan p = make_plan(parse(std::string("profile rfc9293\n") + kHosts), {});
  EXPECT_TRUE(p.refusals.empty());
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_NE(p.notes[0].find("rfc9293"), std::string::npos);
}

TEST(Plan, TwoHostsOnLoopbackAreRefused) {
  EXPECT_FALSE(make_plan(parse("host A 127.0.0.1\nhost B 127.0.0.2\n"), {}).refusals.empty());
  EXPECT_TRUE(make_plan(parse("host A 127.0.0.1\n"), {}).refusals.empty());
}

TEST(Plan, ExcludingRetransmissionsOfPureAcksIsRefused) {
  const Plan p =
      make_plan(parse(std::string(kHosts) + "drop A -> B first ACK excluding retransmissions\n"), {});
  EXPECT_EQ(p.refusals.size(), 1u);
  const Plan q =
      make_plan(parse(std::string(kHosts) + "drop A -> B first FIN excluding retransmissions\n"), {});
  EXPECT_TRUE(q.refusals.empty());
  ASSERT_EQ(q.rules.size(), 1u);
  EXPECT_FALSE(q.rules[0].rule.include_retransmissions);
}

// The profile registry's Linux sysctl column, as the kernel runner uses it:
// every value that names a sysctl is one this kernel has, and a `set` of it
// reaches the plan. Values and units from the kernel's
// Documentation/networking/ip-sysctl.rst.
// One `set` per setting with a sysctl, a value other than the linux
// profile's own, and what the namespace must get: the sysctl and its text in
// the sysctl's unit, or (fin_wait_2_timeout, syn_retries) the per-host socket
// option that stands in for it (TCP_LINGER2, TCP_SYNCNT).
struct Expected {
  std::string value;   // as `set` writes it
  std::string sysctl;  // empty: a socket option instead
  std::string written;
};
const std::map<std::string, Expected>& expected() {
  static const std::map<std::string, Expected> e = {
      {"rto_min", {"50ms", "net.ipv4.tcp_rto_min_us", "50000"}},
      {"rto_max", {"60s", "net.ipv4.tcp_rto_max_ms", "60000"}},
      {"fin_wait_2_timeout", {"30s", "", ""}},
      {"syn_retries", {"3", "", ""}},
      {"synack_retries", {"2", "net.ipv4.tcp_synack_retries", "2"}},
      {"data_retries", {"8", "net.ipv4.tcp_retries2", "8"}},
      {"syn_linear_timeouts", {"0", "net.ipv4.tcp_syn_linear_timeouts", "0"}},
      {"rfc1337", {"on", "net.ipv4.tcp_rfc1337", "1"}},
      {"orphan_retries", {"3", "net.ipv4.tcp_orphan_retries", "3"}},
      {"invalid_ratelimit", {"1s", "net.ipv4.tcp_invalid_ratelimit", "1000"}},
      {"ephemeral_ports", {"40000-40099", "net.ipv4.ip_local_port_range", "40000 40099"}},
      {"somaxconn", {"128", "net.core.somaxconn", "128"}},
      // Keepalive (RFC 1122 §4.2.3.6): idle time and interval in seconds.
      {"keepalive_time", {"30s", "net.ipv4.tcp_keepalive_time", "30"}},
      {"keepalive_intvl", {"5s", "net.ipv4.tcp_keepalive_intvl", "5"}},
      {"keepalive_probes", {"4", "net.ipv4.tcp_keepalive_probes", "4"}},
      // tcp_sack: 1 enables SACK.
      {"sack", {"off", "net.ipv4.tcp_sack", "0"}},
      // tcp_congestion_control: the model's other controller is NewReno,
      // Linux's "reno".
      {"cubic", {"off", "net.ipv4.tcp_congestion_control", "reno"}},
      // tcp_recovery: bit 0x1 enables RACK loss detection.
      {"rack", {"off", "net.ipv4.tcp_recovery", "0"}},
      // tcp_early_retrans: 0 disables TLP, 3 (the default) enables it.
      {"tail_loss_probe", {"off", "net.ipv4.tcp_early_retrans", "0"}},
      // tcp_timestamps 0: no timestamps, so TIME-WAIT reopens only for a SYN
      // above RCV.NXT (tcp_timewait_state_process()).
      {"timewait_reopen_by_timestamp", {"off", "net.ipv4.tcp_timestamps", "0"}},
  };
  return e;
}

// The column names exactly the settings above: a new sysctl name gets a row
// here (and so is checked on the kernel below).
TEST(PlanSysctls, EverySettingWithALinuxSysctlIsListedHere) {
  std::map<std::string, std::string> column;
  for (const auto& k : sim::profile_keys()) {
    if (!k.linux_sysctl.empty()) column[std::string(k.name)] = std::string(k.linux_sysctl);
  }
  std::map<std::string, std::string> listed;
  for (const auto& [key, e] : expected()) listed[key] = "";
  for (auto& [key, name] : column) name = "";
  EXPECT_EQ(column, listed);
}

// Each sysctl named is one this kernel has (under /proc/sys/net).
TEST(PlanSysctls, EveryNamedSysctlExistsOnThisKernel) {
  if (!std::filesystem::exists("/proc/sys/net/ipv4")) GTEST_SKIP() << "no /proc/sys/net/ipv4 here";
  for (const auto& k : sim::profile_keys()) {
    if (k.linux_sysctl.empty()) continue;
    std::string path = "/proc/sys/" + std::string(k.linux_sysctl);
    std::replace(path.begin() + 10, path.end(), '.', '/');
    EXPECT_TRUE(std::filesystem::exists(path)) << k.name << ": " << path;
  }
}

// A `set` of each reaches the namespace: the sysctl with its value in the
// sysctl's unit, or the per-host socket option.
TEST(PlanSysctls, TheKernelRunnersPlanSetsEachSetting) {
  for (const auto& [key, e] : expected()) {
    const Plan p = make_plan(parse(std::string(kHosts) + "set " + key + " " + e.value + "\n"), {});
    EXPECT_TRUE(p.refusals.empty()) << key << ": " << (p.refusals.empty() ? "" : p.refusals[0]);
    if (e.sysctl.empty()) {
      EXPECT_TRUE(p.sysctls.empty()) << key;
      EXPECT_TRUE(p.host_options[0].linger2_s != 0 || p.host_options[0].syncnt != 0) << key;
      continue;
    }
    ASSERT_EQ(p.sysctls.size(), 1u) << key;
    EXPECT_EQ(p.sysctls[0], (std::pair<std::string, std::string>{e.sysctl, e.written})) << key;
  }
}

TEST(Nft, TheFirstFinRuleMarksTheFirstMatchAndTheInputChainDropsWhatIsMarked) {
  const Plan p = make_plan(parse(std::string(kHosts) + "drop A -> B first FIN\n"), {});
  const std::string r = nft_ruleset(p.rules, p.windows);
  EXPECT_NE(r.find("ip saddr 10.0.0.1 ip daddr 10.0.0.2 tcp flags & (fin) == fin jump r0"), std::string::npos)
      << r;
  EXPECT_NE(r.find("numgen inc mod 1000000000 0-0 meta mark set 1"), std::string::npos) << r;
  EXPECT_NE(r.find("meta mark 1 counter drop"), std::string::npos) << r;
  EXPECT_EQ(nft_ruleset({}, {}), "");
}

TEST(Nft, DataRulesSkipSegmentsWithoutPayloadForEveryHeaderLength) {
  const Plan p = make_plan(parse(std::string(kHosts) + "drop B -> A second data\n"), {});
  const std::string r = nft_ruleset(p.rules, p.windows);
  EXPECT_NE(r.find("tcp doff 5 ip length 40 return"), std::string::npos) << r;
  EXPECT_NE(r.find("tcp doff 8 ip length 52 return"), std::string::npos) << r;
  EXPECT_NE(r.find("numgen inc mod 1000000000 1-1"), std::string::npos) << r;
}

CapturedSegment seg(Time t, std::uint32_t src, std::uint32_t dst, std::uint8_t flags, std::uint32_t seq,
                    std::string payload = "") {
  CapturedSegment c;
  c.t = t;
  c.src = sim::Addr{src, 40000};
  c.dst = sim::Addr{dst, 8080};
  c.flags = flags;
  c.seq = seq;
  c.payload = std::move(payload);
  return c;
}

constexpr std::uint32_t kA = 0x0a000001, kB = 0x0a000002;

TEST(ReplayDrops, TheSecondDataSegmentOnlyAndOnlyInItsDirection) {
  const Plan p = make_plan(parse(std::string(kHosts) + "drop A -> B second data\n"), {});
  const std::vector<CapturedSegment> segs = {
      seg(1, kA, kB, model::kAck, 1, "x"), seg(2, kB, kA, model::kAck, 1, "y"),
      seg(3, kA, kB, model::kAck, 2),      seg(4, kA, kB, model::kAck, 2, "z"),
      seg(5, kA, kB, model::kAck, 3, "w"),
  };
  EXPECT_EQ(replay_drops(segs, p.rules, p.windows), (std::vector<bool>{false, false, false, true, false}));
}

TEST(ReplayDrops, RetransmissionsCountUnlessExcluded) {
  const std::vector<CapturedSegment> segs = {
      seg(1, kA, kB, model::kFin | model::kAck, 5),
      seg(2, kA, kB, model::kFin | model::kAck, 5),  // the same FIN again
  };
  const Plan incl = make_plan(parse(std::string(kHosts) + "drop A -> B second FIN\n"), {});
  EXPECT_EQ(replay_drops(segs, incl.rules, incl.windows), (std::vector<bool>{false, true}));
  const Plan excl =
      make_plan(parse(std::string(kHosts) + "drop A -> B second FIN excluding retransmissions\n"), {});
  EXPECT_EQ(replay_drops(segs, excl.rules, excl.windows), (std::vector<bool>{false, false}));
}

TEST(ReplayDrops, EveryRuleCountsASegmentAnotherRuleDropped) {
  // As in the simulator: "the 2nd packet" is the 2nd sent, dropped or not.
  const Plan p =
      make_plan(parse(std::string(kHosts) + "drop A -> B first packet\ndrop A -> B second packet\n"), {});
  const std::vector<CapturedSegment> segs = {seg(1, kA, kB, model::kSyn, 0), seg(2, kA, kB, model::kSyn, 0),
                                             seg(3, kA, kB, model::kSyn, 0)};
  EXPECT_EQ(replay_drops(segs, p.rules, p.windows), (std::vector<bool>{true, true, false}));
}

TEST(ReplayDrops, AWindowDropsWhatIsSentInsideIt) {
  const Plan p = make_plan(parse(std::string(kHosts) + "drop A -> B from 1s to 2s\n"), {});
  const std::vector<CapturedSegment> segs = {seg(kSecond - 1, kA, kB, model::kAck, 1),
                                             seg(kSecond, kA, kB, model::kAck, 1),
                                             seg(2 * kSecond, kA, kB, model::kAck, 1)};
  EXPECT_EQ(replay_drops(segs, p.rules, p.windows), (std::vector<bool>{false, true, false}));
  EXPECT_NE(nft_ruleset(p.rules, p.windows).find("jump w0"), std::string::npos);
}

TEST(CountMatching, CountsTheLastAckOfADirection) {
  sim::DropRule ack;
  ack.match.required = model::kAck;
  ack.match.forbidden = model::kSyn | model::kFin | model::kRst;
  ack.match.payload = sim::PacketMatch::Payload::kWithout;
  const std::vector<CapturedSegment> segs = {seg(1, kA, kB, model::kAck, 1),
                                             seg(2, kA, kB, model::kAck, 1, "d"),
                                             seg(3, kA, kB, model::kAck, 2), seg(4, kB, kA, model::kAck, 1)};
  EXPECT_EQ(count_matching(segs, kA, kB, ack), 2u);
}

}  // namespace
}  // namespace tcpsim::kernel
