// Real runs in a private network namespace. They need root (CAP_NET_ADMIN)
// and are skipped, saying so, without it.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "kernel/plan.h"
#include "kernel/runner.h"
#include "kernel/to_trace.h"
#include "scenario/parser.h"

namespace tcpsim::kernel {
namespace {

scenario::Scenario parse(const std::string& text) {
  auto p = scenario::parse(text, "t.tcpsim");
  return std::get<scenario::Scenario>(p);
}

std::string shell(const char* cmd) {
  std::string out;
  FILE* f = popen(cmd, "r");
  if (!f) return out;
  char buf[256];
  while (fgets(buf, sizeof(buf), f)) out += buf;
  pclose(f);
  return out;
}

#define NEEDS_ROOT()                                                           \
  do {                                                                         \
    if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_NET_ADMIN): skipped"; \
  } while (0)

TEST(KernelRun, ARefusedConnectionIsASynAnsweredByRstAndECONNREFUSED) {
  NEEDS_ROOT();
  const auto sc = parse(R"(host A 10.0.0.1
host B 10.0.0.2
program client on A {
  k = socket()
  connect(k, 10.0.0.2:9) = -1 ECONNREFUSED
  close(k) = 0
}
)");
  const Plan plan = make_plan(sc, {});
  NamespaceRunOptions o;
  o.cap = 2 * kSecond;
  auto rec = run_in_namespace(sc, plan, o);
  ASSERT_TRUE(std::holds_alternative<Recording>(rec)) << std::get<std::string>(rec);
  const Recording& r = std::get<Recording>(rec);
  ASSERT_EQ(r.segments.size(), 2u);
  EXPECT_EQ(r.segments[0].flags, model::kSyn);
  EXPECT_EQ(r.segments[0].src.ip, 0x0a000001u);  // the host's own address
  EXPECT_EQ(r.segments[1].flags, model::kRst | model::kAck);
  ASSERT_EQ(r.calls.size(), 3u);
  EXPECT_EQ(r.calls[1].text, "connect(k, 10.0.0.2:9) = -1 ECONNREFUSED");
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_TRUE(r.results[0].pass);
  EXPECT_FALSE(r.capped);  // it ended on its own: programs done, no socket left
}

TEST(KernelRun, TheFirstFinIsDroppedByNftablesAndSentAgain) {
  NEEDS_ROOT();
  const auto sc = std::make_shared<const scenario::Scenario>(parse(R"(host A 10.0.0.1
host B 10.0.0.2
drop A -> B first FIN
program server on B {
  s = socket()
  bind(s, 10.0.0.2:8080)
  listen(s, 5)
  c = accept(s)
  read(c, 100) = 0
  close(c)
}
program client on A {
  k = socket()
  connect(k, 10.0.0.2:8080)
  close(k)
}
)"));
  const Plan plan = make_plan(*sc, {});
  NamespaceRunOptions o;
  o.cap = 2 * kSecond;
  auto rec = run_in_namespace(*sc, plan, o);
  ASSERT_TRUE(std::holds_alternative<Recording>(rec)) << std::get<std::string>(rec);
  const Recording& r = std::get<Recording>(rec);
  EXPECT_EQ(r.error, "");  // nft's own drop counter agrees with the capture
  int fins = 0;
  for (const auto& s : r.segments) fins += (s.src.ip == 0x0a000001u && (s.flags & model::kFin)) ? 1 : 0;
  EXPECT_EQ(fins, 2);
  // The drop was real: B's read() returned 0 only after the second FIN.
  const auto run = to_run_result(sc, r, plan, "Linux");
  EXPECT_EQ(run.net->trace().records().size() > 0, true);
  bool lost = false;
  for (const auto& t : run.net->trace().records()) lost |= t.kind == sim::TraceKind::Dropped;
  EXPECT_TRUE(lost);
}

TEST(KernelRun, LeavesNothingInTheHostNamespace) {
  NEEDS_ROOT();
  const auto sc = parse(R"(host A 10.0.0.1
host B 10.0.0.2
drop A -> B all SYN
program client on A {
  k = socket()
  connect(k, 10.0.0.2:9)
}
)");
  NamespaceRunOptions o;
  o.cap = 300 * kMillisecond;  // stopped at the cap, the program still blocked in connect()
  auto rec = run_in_namespace(sc, make_plan(sc, {}), o);
  ASSERT_TRUE(std::holds_alternative<Recording>(rec)) << std::get<std::string>(rec);
  EXPECT_TRUE(std::get<Recording>(rec).capped);
  EXPECT_EQ(shell("nft list tables 2>/dev/null | grep -c tcpsim"), "0\n");
  EXPECT_EQ(shell("ip -o addr show dev lo | grep -c '10\\.0\\.0\\.'"), "0\n");
}

TEST(KernelRun, WithoutCapNetAdminSaysSoInOneLine) {
  NEEDS_ROOT();  // to become someone without it
  const auto sc = parse("host A 10.0.0.1\nprogram p on A {\n  sleep(1)\n}\n");
  const Plan plan = make_plan(sc, {});
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    auto rec = run_in_namespace(sc, plan, NamespaceRunOptions{});
    const auto* e = std::get_if<std::string>(&rec);
    _exit(e && *e == "needs root (CAP_NET_ADMIN) to create a network namespace" ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace tcpsim::kernel
