// Fuzzing the scenario parser and interpreter: thousands of mutations of
// valid scenarios (the bundled traces and a built-in one), each parsed and,
// when it parses, run for a few virtual seconds. Nothing may crash, throw or
// hang; errors must be `file:line:col: message`. Deterministic (a fixed
// seed), so it runs in CI, and under ASan+UBSan there it also catches memory
// errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "scenario/interpreter.h"
#include "scenario/parser.h"
#include "sim/rng.h"

namespace tcpsim::scenario {
namespace {

// A fixed corpus decides the pass thresholds; the bundled traces are
// mutated too, but they change as traces are added.
std::vector<std::string> builtin() {
  return {
      "host A 10.0.0.1\nhost B 10.0.0.2\nlink A <-> B delay 1ms loss 10%\ndrop A -> B first FIN\n"
      "program s on B {\n  s = socket()\n  bind(s, *:80)\n  listen(s, 1)\n  c = accept(s)\n  read(c, 10)\n  "
      "close(c)\n}\n"
      "program k on A {\n  k = socket()\n  connect(k, 10.0.0.2:80) = 0\n  write(k, 5)\n  close(k)\n}\n"
      "at 1s expect k.k FIN-WAIT-2\nexpect sent A -> B FIN 2 times\n",
      "# t\nprofile rfc9293\nhost A 127.0.0.1\nset time_wait 5s\nprogram p on A {\n  s = socket()\n"
      "  setsockopt(s, SO_REUSEADDR, 1) = 0\n  bind(s, 127.0.0.1:7) = 0\n  listen(s, 2)\n  ep = "
      "epoll_create1(0)\n"
      "  epoll_ctl(ep, EPOLL_CTL_ADD, s, EPOLLIN|EPOLLET)\n  epoll_wait(ep, 100) = 0\n  ss\n  close(s)\n}\n"
      "program q on A at 1ms {\n  k = socket()\n  fcntl(k, F_SETFL, O_NONBLOCK)\n  connect(k, 127.0.0.1:7) = "
      "-1 EINPROGRESS\n"
      "  usleep(1000)\n  write(k, 3) = 3\n  shutdown(k, SHUT_WR)\n  repeat 2 {\n    read(k, 9)\n  }\n}\n"
      "at end expect q.k CLOSED\nexpect finished\n"};
}

std::vector<std::string> traces() {
  std::vector<std::string> c;
  const std::filesystem::path traces = std::filesystem::path(TCPSIM_SOURCE_DIR) / "traces";
  if (std::filesystem::exists(traces)) {
    for (const auto& f : std::filesystem::directory_iterator(traces)) {
      if (f.path().extension() != ".tcpsim") continue;
      std::ifstream in(f.path());
      std::ostringstream ss;
      ss << in.rdbuf();
      c.push_back(ss.str());
    }
  }
  return c;
}

std::string mutate(const std::string& s, sim::Rng& r) {
  std::string m = s;
  static const char* kTokens[] = {"(",
                                  ")",
                                  "{",
                                  "}",
                                  ",",
                                  "=",
                                  "-1",
                                  "0",
                                  "99999999999999999999",
                                  "\n",
                                  "\"",
                                  "->",
                                  "<->",
                                  "|",
                                  ":",
                                  "ms",
                                  "%",
                                  "FIN",
                                  "repeat 5 {",
                                  "sleep(1)",
                                  "x = ",
                                  "127.0.0.1:",
                                  "*:",
                                  "at 1s expect ",
                                  "\x00",
                                  "\xff",
                                  "EPOLLIN|",
                                  "drop A -> A last "};
  const int edits = 1 + static_cast<int>(r.uniform(2));
  for (int k = 0; k < edits && !m.empty(); ++k) {
    const std::size_t at = r.uniform(m.size());
    switch (r.uniform(4)) {
      case 0: m.erase(at, 1 + r.uniform(8)); break;
      case 1: m.insert(at, kTokens[r.uniform(sizeof kTokens / sizeof *kTokens)]); break;
      case 2: m[at] = static_cast<char>(r.uniform(256)); break;
      default: {  // duplicate a slice
        const std::size_t len = std::min<std::size_t>(1 + r.uniform(40), m.size() - at);
        m.insert(r.uniform(m.size()), m.substr(at, len));
      }
    }
  }
  return m;
}

// Mutates, parses and runs; counts what parsed and what ran.
std::pair<int, int> fuzz(const std::vector<std::string>& seeds, std::uint64_t seed, int n) {
  std::pair<int, int> counts{0, 0};
  if (seeds.empty()) return counts;
  sim::Rng rng(seed);
  const std::regex located(R"(^f\.tcpsim:\d+:\d+: .+)");
  for (int i = 0; i < n; ++i) {
    const std::string text = mutate(seeds[rng.uniform(seeds.size())], rng);
    auto r = parse(text, "f.tcpsim");
    if (auto* e = std::get_if<ParseError>(&r)) {
      EXPECT_TRUE(std::regex_match(e->message, located)) << e->message << "\n--- input:\n" << text;
      continue;
    }
    ++counts.first;
    auto sc = std::make_shared<const Scenario>(std::move(std::get<Scenario>(r)));
    RunOptions o;
    o.trace = false;
    o.until = 5 * kSecond;
    auto out = run(sc, o);
    if (auto* e = std::get_if<ParseError>(&out)) {
      EXPECT_TRUE(std::regex_match(e->message, located) || e->message.rfind("--set", 0) == 0) << e->message;
      continue;
    }
    ++counts.second;
  }
  return counts;
}

TEST(Fuzz, MutatedTracesNeverCrashHangOrThrow) { fuzz(traces(), 11, 5000); }

TEST(Fuzz, MutatedScenariosNeverCrashHangOrThrow) {
  const auto [parsed, ran] = fuzz(builtin(), 20261124, 20000);
  // The mutations must not all die in the lexer: some must get through.
  EXPECT_GT(parsed, 400);
  EXPECT_GT(ran, 200);
  std::printf("fuzz: 20000 mutations, %d parsed, %d ran\n", parsed, ran);
}

TEST(Fuzz, RandomBytesAreRejectedWithAPosition) {
  sim::Rng rng(7);
  const std::regex located(R"(^f\.tcpsim:\d+:\d+: .+)");
  for (int i = 0; i < 2000; ++i) {
    std::string text(rng.uniform(200), '\0');
    for (auto& c : text) c = static_cast<char>(rng.uniform(256));
    auto r = parse(text, "f.tcpsim");
    if (auto* e = std::get_if<ParseError>(&r)) {
      EXPECT_TRUE(std::regex_match(e->message, located)) << e->message;
    }
  }
}

}  // namespace
}  // namespace tcpsim::scenario
