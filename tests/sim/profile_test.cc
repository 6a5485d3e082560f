// Behaviour profiles: their values, overriding them one by one, and what the
// values do to a run.
#include "sim/profile.h"

#include <gtest/gtest.h>

#include <map>

#include "exchange.h"
#include "sim/trace_text.h"
#include "sim/units.h"

namespace tcpsim::test {
namespace {

using model::State;
constexpr Duration ms = kMillisecond;
constexpr Duration s = kSecond;

template <class F>
std::unique_ptr<Exchange> run(F&& setup) {
  ExchangeOptions o;
  setup(o);
  auto e = std::make_unique<Exchange>(std::move(o));
  e->run();
  return e;
}

TEST(Profiles, Rfc9293_3_4_2_TimeWaitIsTwoMslOfTwoMinutes) {
  EXPECT_EQ(sim::profile_named("rfc9293")->tcp.time_wait, 240 * s);
}

TEST(Profiles, LinuxTimeWaitIsTheFixed60sOfTcpTimewaitLen) {
  // Measured: 60.5 s with tcp_fin_timeout=3 (docs/linux-observations.md §7).
  EXPECT_EQ(sim::profile_named("linux")->tcp.time_wait, 60 * s);
  EXPECT_EQ(sim::profile_named("linux")->tcp.fin_wait_2_timeout, 60 * s);
}

TEST(Profiles, BsdTimeWaitIsTwiceAThirtySecondMsl) {
  EXPECT_EQ(sim::profile_named("bsd")->tcp.time_wait, 60 * s);
}

TEST(Profiles, UnknownProfileIsNotFound) { EXPECT_FALSE(sim::profile_named("windows")); }

// The one registry: every name it lists resolves, to a profile of that name.
TEST(Profiles, EveryRegisteredNameResolvesToAProfileOfThatName) {
  EXPECT_EQ(sim::profile_names(), (std::vector<std::string_view>{"rfc9293", "linux", "bsd"}));
  for (std::string_view name : sim::profile_names()) EXPECT_EQ(sim::profile_named(name)->name, name);
  EXPECT_EQ(sim::profile_choices(), "rfc9293, linux or bsd");
  EXPECT_EQ(sim::profile_named(sim::kLinuxProfile)->tcp.time_wait, 60 * s);
}

// The Linux sysctl column, in the units Linux's ip-sysctl.rst gives each:
// tcp_rto_min_us in microseconds, tcp_rto_max_ms in milliseconds,
// tcp_fin_timeout in seconds, ip_local_port_range as "low high", a switch 0/1.
TEST(Profiles, LinuxSysctlValuesAreInTheSysctlsOwnUnits) {
  const sim::Profile p = *sim::profile_named("linux");
  EXPECT_EQ(sim::linux_sysctl_value(p, "rto_min"), "200000");  // TCP_RTO_MIN, 200 ms
  EXPECT_EQ(sim::linux_sysctl_value(p, "rto_max"), "120000");  // TCP_RTO_MAX, 120 s
  EXPECT_EQ(sim::linux_sysctl_value(p, "fin_wait_2_timeout"), "60");
  EXPECT_EQ(sim::linux_sysctl_value(p, "ephemeral_ports"), "32768 60999");
  EXPECT_EQ(sim::linux_sysctl_value(p, "rfc1337"), "0");
  EXPECT_EQ(sim::linux_sysctl_value(p, "data_retries"), "15");
  EXPECT_EQ(sim::linux_sysctl_value(p, "somaxconn"), "4096");
  // TIME-WAIT is the constant TCP_TIMEWAIT_LEN: no sysctl.
  EXPECT_EQ(sim::linux_sysctl_value(p, "time_wait"), std::nullopt);
  std::map<std::string_view, std::string_view> names;
  for (const auto& k : sim::profile_keys()) names[k.name] = k.linux_sysctl;
  EXPECT_EQ(names["fin_wait_2_timeout"], "net.ipv4.tcp_fin_timeout");
  EXPECT_EQ(names["data_retries"], "net.ipv4.tcp_retries2");
  EXPECT_EQ(names["somaxconn"], "net.core.somaxconn");
  EXPECT_EQ(names["time_wait"], "");
}

// Keepalive (issue 17): linux has the kernel's defaults, which the sysctls
// print in seconds (net.ipv4.tcp_keepalive_time 7200, _intvl 75, _probes 9,
// as /proc/sys/net/ipv4 reads on the measured machine); bsd has FreeBSD's
// (net.inet.tcp.keepidle 7200 s, keepintvl 75 s, keepcnt 8).
TEST(Profiles, Rfc1122_4_2_3_6_KeepaliveValuesAreEachSystemsDefaults) {
  const sim::Profile l = *sim::profile_named("linux");
  EXPECT_EQ(sim::linux_sysctl_value(l, "keepalive_time"), "7200");
  EXPECT_EQ(sim::linux_sysctl_value(l, "keepalive_intvl"), "75");
  EXPECT_EQ(sim::linux_sysctl_value(l, "keepalive_probes"), "9");
  const sim::Profile b = *sim::profile_named("bsd");
  EXPECT_EQ(b.tcp.keepalive_time, 7200 * s);
  EXPECT_EQ(b.tcp.keepalive_intvl, 75 * s);
  EXPECT_EQ(b.tcp.keepalive_probes, 8);
  // RFC 1122: the idle time "MUST default to no less than two hours", and
  // keep-alives are off unless the application asks.
  for (const auto& name : {"rfc9293", "linux", "bsd"}) {
    EXPECT_GE(sim::profile_named(name)->tcp.keepalive_time, 7200 * s) << name;
    EXPECT_FALSE(sim::profile_named(name)->tcp.keepalive) << name;
  }
}

TEST(Profiles, EveryKeyCanBeSetAndReadBack) {
  sim::Profile p = *sim::profile_named("linux");
  EXPECT_FALSE(sim::set_profile_value(p, "time_wait", "30s"));
  EXPECT_EQ(p.tcp.time_wait, 30 * s);
  EXPECT_EQ(sim::get_profile_value(p, "time_wait"), "30s");
  EXPECT_FALSE(sim::set_profile_value(p, "rto_min", "1.5s"));
  EXPECT_EQ(p.tcp.rto_min, 1500 * ms);
  EXPECT_FALSE(sim::set_profile_value(p, "delayed_ack", "off"));
  EXPECT_FALSE(p.tcp.delayed_ack);
  EXPECT_FALSE(sim::set_profile_value(p, "ephemeral_ports", "40000-40009"));
  EXPECT_EQ(p.ephemeral_low, 40000);
  EXPECT_EQ(p.ephemeral_high, 40009);
  for (const auto& k : sim::profile_keys()) EXPECT_FALSE(sim::get_profile_value(p, k.name).empty()) << k.name;
}

TEST(Profiles, BadValuesAreRefusedWithAReason) {
  sim::Profile p = *sim::profile_named("rfc9293");
  EXPECT_EQ(*sim::set_profile_value(p, "time_wait", "soon"),
            "'soon' is not a duration (e.g. 200ms, 1.5s, 2min)");
  EXPECT_EQ(*sim::set_profile_value(p, "no_such_key", "1"), "unknown setting 'no_such_key'");
  EXPECT_TRUE(sim::set_profile_value(p, "delayed_ack", "maybe"));
  EXPECT_TRUE(sim::set_profile_value(p, "syn_retries", "-1"));
  EXPECT_TRUE(sim::set_profile_value(p, "ephemeral_ports", "5-1"));
  EXPECT_EQ(p.tcp.time_wait, 240 * s);  // unchanged by the failures
}

TEST(Durations, ParseExactlyAndRefuseNonsense) {
  EXPECT_EQ(sim::parse_duration("200ms"), 200 * ms);
  EXPECT_EQ(sim::parse_duration("1.5s"), 1500 * ms);
  EXPECT_EQ(sim::parse_duration("0.000000001s"), 1);
  EXPECT_EQ(sim::parse_duration("2min"), 120 * s);
  EXPECT_EQ(sim::parse_duration("7us"), 7000);
  EXPECT_FALSE(sim::parse_duration("1.5ns"));
  EXPECT_FALSE(sim::parse_duration("-1s"));
  EXPECT_FALSE(sim::parse_duration("1 s"));
  EXPECT_FALSE(sim::parse_duration("s"));
  EXPECT_FALSE(sim::parse_duration("99999999999999999999s"));
  EXPECT_EQ(sim::format_duration(1500 * ms), "1500ms");
  EXPECT_EQ(sim::format_seconds(1 * s + 20 * ms, 3), "1.020");
}

TEST(ProfileRuns, TimeWaitLastsWhatEachProfileSays) {
  for (const char* name : {"rfc9293", "linux", "bsd"}) {
    auto e = run([&](ExchangeOptions& o) { o.profile = name; });
    const Time tw = e->entered(true, State::TimeWait);
    ASSERT_GT(tw, 0) << name;
    EXPECT_EQ(e->entered(true, State::Closed) - tw, sim::profile_named(name)->tcp.time_wait) << name;
  }
}

TEST(ProfileRuns, SettingTimeWaitChangesTheRun) {
  ExchangeOptions o;
  auto e = std::make_unique<Exchange>(o);
  ASSERT_FALSE(sim::set_profile_value(e->a->profile(), "time_wait", "5s"));
  // The profile is read when a connection is made, so the change applies.
  e->run();
  EXPECT_EQ(e->entered(true, State::Closed) - e->entered(true, State::TimeWait), 5 * s);
}

TEST(ProfileRuns, LinuxOrphanedFinWait2EndsAfterTcpFinTimeout) {
  // B never closes; A closed and let go of its socket (an orphan). A's FIN
  // reaches B at 1.030 s; B's ACK of a FIN that follows data waits for the
  // 40 ms delayed-ACK timer, 10 jiffies of HZ = 250 from the arrival's
  // jiffy (257): it fires at jiffy 267 = 1.068 s, so A has it at 1.078 s,
  // and FIN-WAIT-2 lasts
  // tcp_fin_timeout = 60 s. No TIME-WAIT follows.
  auto e = run([](ExchangeOptions& o) {
    o.profile = "linux";
    o.server_close_after = 100000 * s;
  });
  const Time fw2 = e->entered(true, State::FinWait2);
  EXPECT_EQ(fw2, 1 * s + 78 * ms) << e->trace_text();
  EXPECT_EQ(e->entered(true, State::Closed), fw2 + 60 * s);
  EXPECT_EQ(e->entered(true, State::TimeWait), -1);
}

TEST(ProfileRuns, LinuxFinWait2AfterShutdownHasNoTimer) {
  // shutdown(SHUT_WR) without close(): not an orphan, FIN-WAIT-2 stays
  // (docs/linux-observations.md §8: still FIN-WAIT-2 at 6 s with no timer).
  auto e = run([](ExchangeOptions& o) {
    o.profile = "linux";
    o.server_close_after = 100000 * s;
    o.orphan_client = false;
    o.run_for = 1000 * s;
  });
  EXPECT_GT(e->entered(true, State::FinWait2), 0);
  EXPECT_EQ(e->entered(true, State::Closed), -1);
}

TEST(Determinism, SameSeedSameTraceByteForByte) {
  // 30% loss both ways: many retransmissions, so many random draws.
  auto make = [&](std::uint64_t seed) {
    ExchangeOptions o;
    o.seed = seed;
    o.profile = "linux";
    auto e = std::make_unique<Exchange>(o);
    sim::LinkConfig lc;
    lc.delay = 10 * ms;
    lc.loss = *sim::Probability::parse("0.3");
    lc.jitter = 5 * ms;
    e->net.set_link(*e->a, *e->b, lc);
    e->net.set_link(*e->b, *e->a, lc);
    e->run();
    return e;
  };
  const std::string one = make(42)->trace_text();
  const std::string two = make(42)->trace_text();
  const std::string other = make(43)->trace_text();
  EXPECT_EQ(one, two);
  EXPECT_NE(one, other);
  EXPECT_GT(one.size(), 1000u);
}

}  // namespace
}  // namespace tcpsim::test
