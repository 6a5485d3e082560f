// A real run's recording: its trip through the pipe, and its conversion into
// the trace the ladder draws.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "formats/ladder.h"
#include "formats/registry.h"
#include "kernel/recording.h"
#include "kernel/to_trace.h"
#include "scenario/parser.h"

namespace tcpsim::kernel {
namespace {

constexpr std::uint32_t kA = 0x0a000001, kB = 0x0a000002;

CapturedSegment seg(Time t, sim::Addr src, sim::Addr dst, std::uint8_t flags, std::uint32_t seq,
                    std::uint32_t ack, std::string payload = "") {
  CapturedSegment c;
  c.t = t;
  c.src = src;
  c.dst = dst;
  c.flags = flags;
  c.seq = seq;
  c.ack = ack;
  c.window = 512;
  c.payload = std::move(payload);
  return c;
}

SocketSample sock(model::State s, sim::Addr local, sim::Addr peer) {
  SocketSample k;
  k.state = s;
  k.local = local;
  k.peer = peer;
  k.inode = 7;
  return k;
}

// A handshake and one "hi", as a kernel run would record it.
Recording handshake() {
  const sim::Addr a{kA, 40000}, b{kB, 8080}, any{0, 0};
  Recording r;
  r.segments = {seg(100, a, b, model::kSyn, 1000, 0), seg(110, b, a, model::kSyn | model::kAck, 5000, 1001),
                seg(120, a, b, model::kAck, 1001, 5001),
                seg(200, a, b, model::kAck | model::kPsh, 1001, 5001, "hi"),
                seg(210, b, a, model::kAck, 5001, 1003)};
  r.snapshots = {Snapshot{50, {sock(model::State::Listen, b, any)}},
                 Snapshot{150,
                          {sock(model::State::Listen, b, any), sock(model::State::Established, a, b),
                           sock(model::State::Established, b, a)}}};
  CallRecord listen;
  listen.program = 0;
  listen.start = listen.end = 40;
  listen.text = "listen(s, 5) = 0";
  listen.var = "s";
  listen.has_socket = true;
  listen.local = b;
  listen.peer = any;
  CallRecord connect;
  connect.program = 1;
  connect.start = 90;
  connect.end = 125;
  connect.text = "connect(k, 10.0.0.2:8080) = 0";
  connect.var = "k";
  connect.has_socket = true;
  connect.local = a;
  connect.peer = b;
  connect.fn = "connect";
  connect.args = {"k", "10.0.0.2:8080"};
  r.calls = {listen, connect};
  r.programs = {ProgramEnd{true, ""}, ProgramEnd{false, "asleep"}};
  r.end_time = 1000;
  r.capped = true;
  return r;
}

std::shared_ptr<const scenario::Scenario> scenario_text() {
  auto p = scenario::parse(R"(host A 10.0.0.1
host B 10.0.0.2
program server on B {
  s = socket()
  bind(s, 10.0.0.2:8080)
  listen(s, 5)
}
program client on A {
  k = socket()
  connect(k, 10.0.0.2:8080)
  sleep(10)
}
expect sent A -> B data 1 times
expect not sent B -> A RST
expect sent A -> B FIN
)",
                           "t.tcpsim");
  return std::make_shared<const scenario::Scenario>(std::get<scenario::Scenario>(p));
}

Plan plan_for_two_hosts() {
  Plan p;
  p.host_ips = {kA, kB};
  p.host_options.resize(2);
  return p;
}

TEST(Recording, SurvivesThePipeWhole) {
  Recording r = handshake();
  r.outputs.push_back(OutputRecord{1, 300, "State Recv-Q\nLISTEN 0\n"});
  r.results.push_back(scenario::AssertionResult{{3, 4}, false, "what\twith tab", "detail\\n", "", ""});
  r.error = "a warning";
  const auto back = deserialize(serialize(r));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(serialize(*back), serialize(r));
  EXPECT_EQ(back->segments[3].payload, "hi");
  EXPECT_EQ(back->outputs[0].text, "State Recv-Q\nLISTEN 0\n");
  EXPECT_EQ(back->results[0].what, "what\twith tab");
  EXPECT_TRUE(back->capped);
}

// issue 17: a call's record carries the call as data (name, arguments,
// result, errno name and number) through the pipe and into `-f json`, as
// the simulator's trace has it, so a kernel trace validates against the
// same schema (docs/tcpsim-trace.schema.json: every call event has `call`).
TEST(Recording, ACallAsDataSurvivesThePipeAndIsTheJsonCallRecord) {
  Recording r = handshake();
  CallRecord& c = r.calls[1];
  c.assign = "";
  c.value = -1;
  c.err = "ECONNREFUSED";
  c.err_number = 111;
  c.args = {"k", "10.0.0.2:8080", "with\ttab"};
  const auto back = deserialize(serialize(r));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->calls[1].fn, "connect");
  EXPECT_EQ(back->calls[1].args, c.args);
  EXPECT_EQ(back->calls[1].value, -1);
  EXPECT_EQ(back->calls[1].err, "ECONNREFUSED");
  EXPECT_EQ(back->calls[1].err_number, 111);
  const auto run = to_run_result(scenario_text(), *back, plan_for_two_hosts(), "Linux");
  const auto json = nlohmann::json::parse(formats::write_trace(*formats::output_format("json"), run, {}));
  int calls = 0;
  for (const auto& e : json["events"]) {
    if (e["kind"] != "call") continue;
    ++calls;
    ASSERT_TRUE(e.contains("call")) << e.dump();
    if (e["call"]["name"] != "connect") continue;
    EXPECT_EQ(e["call"]["errno"], "ECONNREFUSED");
    EXPECT_EQ(e["call"]["errno_number"], 111);
    EXPECT_EQ(e["call"]["result"], -1);
    EXPECT_EQ(e["call"]["start_ns"], 90);
    EXPECT_EQ(e["call"]["blocked_ns"], 125 - 90);  // connect() waits: shown where it returned
    EXPECT_EQ(e["call"]["args"][1], "10.0.0.2:8080");
    EXPECT_GE(e["call"]["connection"], 0);
  }
  EXPECT_EQ(calls, 2);
}

TEST(Recording, ACutOffRecordingIsRejected) {
  const std::string text = serialize(handshake());
  EXPECT_FALSE(deserialize(text.substr(0, text.size() / 2)).has_value());
  EXPECT_FALSE(deserialize(text.substr(0, text.size() - 1)).has_value());  // no final line
  EXPECT_FALSE(deserialize("X\tgarbage\n").has_value());
}

TEST(ToTrace, TheLadderShowsTheHandshakeTheDataAndTheCallsOnTheirSides) {
  const auto run = to_run_result(scenario_text(), handshake(), plan_for_two_hosts(), "Linux test");
  const std::string ladder = formats::ladder(run, formats::LadderOptions{});
  EXPECT_NE(ladder.find("profile Linux test"), std::string::npos) << ladder;
  EXPECT_NE(ladder.find("client 10.0.0.1:40000"), std::string::npos) << ladder;
  // The SYN's end exists before its first sample: SYN-SENT is implied by the SYN.
  EXPECT_NE(ladder.find("SYN-SENT     --SYN---"), std::string::npos) << ladder;
  EXPECT_NE(ladder.find("--ACK len=2---"), std::string::npos) << ladder;
  EXPECT_NE(ladder.find("ESTABLISHED  <-----"), std::string::npos) << ladder;
  // The server's call is on the right, the client's on the left.
  const auto listen = ladder.find("listen(s, 5) = 0");
  ASSERT_NE(listen, std::string::npos);
  EXPECT_GT(listen - ladder.rfind('\n', listen), 40u) << ladder;
  const auto connect = ladder.find("connect(k, 10.0.0.2:8080) = 0");
  ASSERT_NE(connect, std::string::npos);
  EXPECT_LT(connect - ladder.rfind('\n', connect), 20u) << ladder;
}

TEST(ToTrace, AssertionsAreCheckedAgainstTheCapture) {
  const auto run = to_run_result(scenario_text(), handshake(), plan_for_two_hosts(), "Linux");
  ASSERT_EQ(run.results.size(), 3u);
  EXPECT_TRUE(run.results[0].pass);   // one data segment A -> B
  EXPECT_TRUE(run.results[1].pass);   // no RST
  EXPECT_FALSE(run.results[2].pass);  // no FIN was sent
  EXPECT_FALSE(run.finished);
  EXPECT_NE(run.ending.find("'client' is asleep"), std::string::npos) << run.ending;
}

TEST(ToTrace, ADroppedSegmentIsMarkedLostWhereTheRuleSaysSo) {
  Plan p = plan_for_two_hosts();
  DirectedRule r;
  r.src_ip = kA;
  r.dst_ip = kB;
  r.rule.match.payload = sim::PacketMatch::Payload::kWith;
  p.rules.push_back(r);
  const auto run = to_run_result(scenario_text(), handshake(), p, "Linux");
  const std::string ladder = formats::ladder(run, formats::LadderOptions{});
  const auto lost = ladder.find("--ACK len=2---");
  ASSERT_NE(lost, std::string::npos) << ladder;
  // The x in the middle of the 30-column link, whatever the label's length (issue 18).
  EXPECT_EQ(ladder.substr(lost, ladder.find('\n', lost) - lost).find("x "), 15u) << ladder;
}

// `tcpsim kernel` draws with the run command's formats (formats/registry.h):
// every format that draws a trace takes the real run's, the pictures
// included (a second dispatcher once left svg, tikz and mermaid out). Each
// picture shows the handshake's SYN and the client's connect() call.
TEST(ToTrace, EveryTraceFormatDrawsAKernelRun) {
  const auto run = to_run_result(scenario_text(), handshake(), plan_for_two_hosts(), "Linux test");
  const std::vector<std::string> names = formats::format_names(formats::kKernel);
  for (const char* want : {"ascii", "unicode", "json", "events", "svg", "tikz", "mermaid", "dot"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  for (const auto& name : names) {
    const formats::OutputFormat* f = formats::output_format(name);
    ASSERT_TRUE(f && f->trace) << name;
    const std::string text = formats::write_trace(*f, run, formats::WriteOptions{});
    EXPECT_FALSE(text.empty()) << name;
    if (name == "svg" || name == "tikz" || name == "mermaid") {
      EXPECT_NE(text.find("SYN"), std::string::npos) << name << "\n" << text;
      EXPECT_NE(text.find("connect(k, 10.0.0.2:8080) = 0"), std::string::npos) << name << "\n" << text;
    }
  }
  const std::string svg = formats::write_trace(*formats::output_format("svg"), run, formats::WriteOptions{});
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

// issue 17: a state asserted at a moment T is judged on the kernel by
// whether the socket was in it within the slack (--tolerance) of T: the real
// run's programs start late and its states are sampled. In handshake(), the
// client's SYN at 100 ns puts it in SYN-SENT until the sample at 150 ns sees
// it ESTABLISHED; at 1000 ns it is ESTABLISHED.
TEST(ToTrace, AStateAtTPassesOnlyWhenTheKernelHeldItWithinTheSlackOfT) {
  auto p = scenario::parse(
      "host A 10.0.0.1\nhost B 10.0.0.2\nprogram server on B {\n  s = socket()\n  bind(s, 10.0.0.2:8080)\n"
      "  listen(s, 5)\n}\nprogram client on A {\n  k = socket()\n  connect(k, 10.0.0.2:8080)\n  "
      "sleep(10)\n}\n"
      "at 1000ns expect client.k SYN-SENT\nat 1000ns expect client.k ESTABLISHED\n",
      "t.tcpsim");
  ASSERT_TRUE(std::holds_alternative<scenario::Scenario>(p)) << std::get<scenario::ParseError>(p).message;
  const auto sc = std::make_shared<const scenario::Scenario>(std::get<scenario::Scenario>(p));
  auto result = [&](Duration slack, int line, double relative = 0) {
    const auto run = to_run_result(sc, handshake(), plan_for_two_hosts(), "Linux", slack, relative);
    for (const auto& r : run.results) {
      if (r.loc.line == line) return r;
    }
    ADD_FAILURE() << "no result on line " << line;
    return scenario::AssertionResult{};
  };
  // The moment alone: ESTABLISHED, not SYN-SENT.
  EXPECT_FALSE(result(0, 13).pass);
  EXPECT_TRUE(result(0, 14).pass);
  // SYN-SENT began with the SYN at 100 ns, 900 ns before T: a window that
  // reaches it passes, one that stops 850 ns before T (after the SYN,ACK and
  // the ACK at 110 and 120 ns) does not.
  EXPECT_TRUE(result(900, 13).pass);
  const auto far = result(850, 13);
  EXPECT_FALSE(far.pass);
  EXPECT_EQ(far.detail, "expected SYN-SENT, got ESTABLISHED (nor SYN-SENT within 850ns of it)");
  // The kernel's timers fire late by a share of their length (the timer
  // wheel: up to an eighth), and a timer that fired before T was armed for
  // at most T: --relative-tolerance x T widens the window. 800 ns alone
  // stops short of the SYN; 800 ns + 10 % of 1000 ns reaches it. (On the
  // kernel, a lost SYN's 1 s retransmission came 17-30 ms late, and
  // traces/lost-syn.tcpsim's 20 ms window failed about one run in two.)
  EXPECT_FALSE(result(800, 13).pass);
  EXPECT_TRUE(result(800, 13, 0.10).pass);
}

}  // namespace
}  // namespace tcpsim::kernel
