// `link ... queue N`: the drop-tail queue before a link's transmitter
// (sim::QueueLimit), as the scenario language writes it.
#include <gtest/gtest.h>

#include "scenario/parser.h"

namespace tcpsim::scenario {
namespace {

const char* kHosts = "host A 10.0.0.1\nhost B 10.0.0.2\n";

std::variant<Scenario, ParseError> parse_link(const std::string& link) {
  return parse(std::string(kHosts) + link + "\n", "q.tcpsim");
}

sim::QueueLimit queue_of(const std::string& link) {
  auto r = parse_link(link);
  EXPECT_TRUE(std::holds_alternative<Scenario>(r)) << std::get<ParseError>(r).message;
  return std::get<Scenario>(r).links.at(0).cfg.queue;
}

std::string error_of(const std::string& link) {
  auto r = parse_link(link);
  if (auto* e = std::get_if<ParseError>(&r)) return e->message;
  return "";
}

// Linux's default txqueuelen is 1000 packets (`ip link` qlen 1000).
TEST(LinkQueueSyntax, WithoutQueueTheLimitIsLinuxsTxQueueLen) {
  const auto q = queue_of("link A <-> B bandwidth 10Mbit");
  EXPECT_EQ(q.unit, sim::QueueLimit::Unit::kPackets);
  EXPECT_EQ(q.limit, 1000u);
}

TEST(LinkQueueSyntax, APlainNumberCountsPacketsAndUnitsCountBytes) {
  EXPECT_EQ(queue_of("link A <-> B bandwidth 10Mbit queue 100").limit, 100u);
  EXPECT_EQ(queue_of("link A <-> B bandwidth 10Mbit queue 100").unit, sim::QueueLimit::Unit::kPackets);
  const auto kb = queue_of("link A -> B bandwidth 10Mbit queue 64KB");
  EXPECT_EQ(kb.unit, sim::QueueLimit::Unit::kBytes);
  EXPECT_EQ(kb.limit, 64000u);  // KB = 1000 bytes
  EXPECT_EQ(queue_of("link A -> B bandwidth 10Mbit queue 64KiB").limit, 65536u);
  EXPECT_EQ(queue_of("link A -> B bandwidth 10Mbit queue 1500B").limit, 1500u);
  EXPECT_FALSE(queue_of("link A -> B bandwidth 10Mbit queue unlimited").bounded());
}

// Without a bandwidth no packet ever waits: a queue there would do nothing,
// so it is an error at the `queue` value rather than a silent no-op.
TEST(LinkQueueSyntax, AQueueWithoutBandwidthIsAnErrorAtItsValue) {
  EXPECT_EQ(
      error_of("link A <-> B delay 1ms queue 10"),
      "q.tcpsim:3:30: a queue needs a bandwidth: without one no packet waits (e.g. bandwidth 10Mbit queue "
      "100)");
}

TEST(LinkQueueSyntax, BadOrHugeLimitsAreLocatedErrors) {
  EXPECT_NE(error_of("link A <-> B bandwidth 1Mbit queue 10furlongs")
                .find("q.tcpsim:3:36: '10furlongs' is not a "
                      "queue limit"),
            std::string::npos);
  EXPECT_NE(error_of("link A <-> B bandwidth 1Mbit queue 99999999999999999999").find("q.tcpsim:3:36: "),
            std::string::npos);
  EXPECT_NE(error_of("link A <-> B bandwidth 1Mbit queue 99999999999999999999")
                .find("larger than the largest queue"),
            std::string::npos);
}

}  // namespace
}  // namespace tcpsim::scenario
