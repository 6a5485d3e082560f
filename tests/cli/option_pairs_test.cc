// issue 17: an option that parses but does nothing is a test that cannot
// fail. For every socket option of the one table (sim::socket_options()),
// two scenarios differing only in one setsockopt() line must behave
// differently (their segments, state changes or other calls' results), or
// the line must be refused at its position. A context is a scenario in
// which the option, set, is meant to change what happens, with `@` where
// the setsockopt() line goes; a new option without one fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "formats/registry.h"
#include "scenario/interpreter.h"
#include "scenario/parser.h"
#include "sim/socket_calls.h"

namespace tcpsim::scenario {
namespace {

struct Context {
  std::string set;   // the line, for socket k: "setsockopt(k, SO_LINGER, 1, 0)"
  std::string text;  // the scenario; `@` is replaced by the line, or by nothing
};

// B listens; A connects and runs `client` ("@" inside it); B's program
// runs `server` after accept(). 1 ms links.
std::string pair(const std::string& server, const std::string& client, const std::string& extra = "") {
  return "host A 10.0.0.1\nhost B 10.0.0.2\n" + extra + "program server on B {\n  s = socket()\n" +
         "  bind(s, *:9090)\n  listen(s, 5)\n  c = accept(s)\n" + server +
         "}\nprogram client on A {\n  k = socket()\n" + client + "}\n";
}
const std::string kConnect = "  connect(k, 10.0.0.2:9090)\n";

// Why each makes a difference: Linux's behaviour, as docs/scenario-language.md says.
const std::map<std::string, Context>& contexts() {
  static const std::map<std::string, Context> m = {
      // A second bind of the port succeeds only when both sockets asked.
      {"SO_REUSEADDR",
       {"setsockopt(k, SO_REUSEADDR, 1)",
        "host A 10.0.0.1\nprogram p on A {\n  j = socket()\n  setsockopt(j, SO_REUSEADDR, 1)\n"
        "  bind(j, *:7000)\n  k = socket()\n@  bind(k, *:7000)\n}\n"}},
      {"SO_REUSEPORT",
       {"setsockopt(k, SO_REUSEPORT, 1)",
        "host A 10.0.0.1\nprogram p on A {\n  j = socket()\n  setsockopt(j, SO_REUSEPORT, 1)\n"
        "  bind(j, *:7000)\n  k = socket()\n@  bind(k, *:7000)\n}\n"}},
      // {on, 0 s}: close() resets instead of sending a FIN.
      {"SO_LINGER", {"setsockopt(k, SO_LINGER, 1, 0)", pair("  sleep(1)\n", kConnect + "@  close(k)\n")}},
      // A 1000-byte receive buffer: a smaller window in the SYN.
      {"SO_RCVBUF", {"setsockopt(k, SO_RCVBUF, 1000)", pair("", "@" + kConnect)}},
      // A 2000-byte send buffer: the 100000-byte write() waits on ACKs.
      {"SO_SNDBUF",
       {"setsockopt(k, SO_SNDBUF, 2000)",
        pair("  read_to_end(c)\n", "@" + kConnect + "  write(k, 100000)\n")}},
      // Two small writes: Nagle holds the second until the first is acknowledged.
      {"TCP_NODELAY",
       {"setsockopt(k, TCP_NODELAY, 1)",
        pair("  read_to_end(c)\n", kConnect + "@  write(k, 10)\n  write(k, 10)\n")}},
      // One small write: the cork holds it (200 ms).
      {"TCP_CORK",
       {"setsockopt(k, TCP_CORK, 1)",
        pair("  read_to_end(c)\n", kConnect + "@  write(k, 10)\n  sleep(1)\n")}},
      // Idle 1 s: probes only with SO_KEEPALIVE on; then their TCP_ values.
      {"SO_KEEPALIVE",
       {"setsockopt(k, SO_KEEPALIVE, 1)",
        pair("  sleep(5)\n", "  setsockopt(k, TCP_KEEPIDLE, 1)\n@" + kConnect + "  sleep(3)\n")}},
      {"TCP_KEEPIDLE",
       {"setsockopt(k, TCP_KEEPIDLE, 1)",
        pair("  sleep(5)\n", "  setsockopt(k, SO_KEEPALIVE, 1)\n@" + kConnect + "  sleep(3)\n")}},
      {"TCP_KEEPINTVL",
       {"setsockopt(k, TCP_KEEPINTVL, 1)",
        pair("  sleep(20)\n",
             "  setsockopt(k, SO_KEEPALIVE, 1)\n  setsockopt(k, TCP_KEEPIDLE, 1)\n@" + kConnect +
                 "  sleep(10)\n",
             "drop B -> A from 500ms to 100s\n")}},
      {"TCP_KEEPCNT",
       {"setsockopt(k, TCP_KEEPCNT, 1)",
        pair("  sleep(20)\n",
             "  setsockopt(k, SO_KEEPALIVE, 1)\n  setsockopt(k, TCP_KEEPIDLE, 1)\n"
             "  setsockopt(k, TCP_KEEPINTVL, 1)\n@" +
                 kConnect + "  sleep(10)\n",
             "drop B -> A from 500ms to 100s\n")}},
      // A read with nothing to read gives up after 100 ms (EAGAIN).
      {"SO_RCVTIMEO",
       {"setsockopt(k, SO_RCVTIMEO, 100ms)", pair("  sleep(1)\n", kConnect + "@  read(k, 10)\n")}},
      // A write into a full send buffer gives up after 100 ms.
      {"SO_SNDTIMEO",
       {"setsockopt(k, SO_SNDTIMEO, 100ms)",
        pair("  sleep(2)\n", "  setsockopt(k, SO_SNDBUF, 2000)\n" + kConnect + "@  write(k, 1000000)\n",
             "drop A -> B from 100ms to 100s\n")}},
      // Unacknowledged data: the connection is given up 1 s after the write
      // (RFC 9293 §3.8.3's user timeout) instead of after the retry limits.
      {"TCP_USER_TIMEOUT",
       {"setsockopt(k, TCP_USER_TIMEOUT, 1000)",
        pair("  sleep(5)\n", kConnect + "@  sleep(200ms)\n  write(k, 100)\n  sleep(3)\n",
             "drop A -> B from 100ms to 100s\n")}},
      // A listener's Fast Open queue length: a scenario has no Fast Open
      // client, so what it changes is the length getsockopt() reports.
      {"TCP_FASTOPEN",
       {"setsockopt(k, TCP_FASTOPEN, 5)",
        "host A 10.0.0.1\nprogram p on A {\n  k = socket()\n  bind(k, *:7000)\n  listen(k, 5)\n@"
        "  getsockopt(k, TCP_FASTOPEN)\n}\n"}},
      // Read-only: setting them is refused at the line.
      {"SO_ERROR", {"setsockopt(k, SO_ERROR, 0)", pair("", kConnect + "@")}},
      {"TCP_INFO", {"setsockopt(k, TCP_INFO, 0)", pair("", kConnect + "@")}},
  };
  return m;
}

std::string with(const std::string& text, const std::string& line) {
  const auto at = text.find('@');
  return text.substr(0, at) + line + text.substr(at + 1);
}

// What the run did, without the calls' own texts of the line under test:
// the segments, the state changes, and every other call's result.
struct Ran {
  std::string error;  // a refusal: file:line:col: why
  nlohmann::json behaviour;
};

Ran run_text(const std::string& text) {
  auto p = parse(text, "t.tcpsim");
  if (auto* e = std::get_if<ParseError>(&p)) return {e->message, {}};
  RunOptions opt;
  opt.until = 60 * kSecond;
  auto r = run(std::make_shared<const Scenario>(std::get<Scenario>(p)), opt);
  if (auto* e = std::get_if<ParseError>(&r)) return {e->message, {}};
  const auto j = nlohmann::json::parse(
      formats::write_trace(*formats::output_format("json"), std::get<RunResult>(r), formats::WriteOptions{}));
  nlohmann::json b = nlohmann::json::array();
  for (const auto& pk : j["packets"]) b.push_back(pk);
  for (const auto& e : j["events"]) {
    if (e["kind"] == "state") b.push_back(e);
    if (e["kind"] == "call" && e["call"]["name"] != "setsockopt")
      b.push_back({e["t_ns"], e["call"]["name"], e["call"]["result"], e["call"]["errno"]});
  }
  return {"", b};
}

TEST(OptionPairs, EveryOptionOfTheTableChangesWhatHappensOrIsRefusedAtItsLine) {
  for (const sim::SockOptInfo& o : sim::socket_options()) {
    const std::string name(o.name);
    SCOPED_TRACE(name);
    const auto it = contexts().find(name);
    ASSERT_NE(it, contexts().end()) << name << " has no pair of scenarios here: add one";
    const Context& c = it->second;
    ASSERT_NE(c.set.find(name), std::string::npos);
    const Ran on = run_text(with(c.text, "  " + c.set + "\n"));
    const Ran off = run_text(with(c.text, ""));
    ASSERT_EQ(off.error, "") << "the scenario without " << name << " must run";
    if (!on.error.empty()) {
      // A located refusal: t.tcpsim:LINE:COL:, the line being the setsockopt's.
      const int line =
          1 + static_cast<int>(std::count(c.text.begin(), c.text.begin() + c.text.find('@'), '\n'));
      EXPECT_EQ(on.error.rfind("t.tcpsim:" + std::to_string(line) + ":", 0), 0u) << on.error;
      continue;
    }
    EXPECT_NE(on.behaviour, off.behaviour) << name << " was set and nothing changed";
  }
}

}  // namespace
}  // namespace tcpsim::scenario
