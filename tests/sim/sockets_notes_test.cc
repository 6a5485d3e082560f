// The notes' experiments about what a program sees (shared/seed/DIGEST.md
// S2, S3, S5, S6, S8, S9), run against the simulated socket API under the
// linux profile, on one host over loopback as the notes ran them. Expected
// values are the digest's kernel-checked claims and docs/linux-observations.md.
#include <gtest/gtest.h>

#include "script.h"
#include "sim/ss_table.h"
#include "sim/trace_text.h"

namespace tcpsim::test {
namespace {

using model::State;
using sim::EpollOp;
using sim::Shut;
using sim::SockOpt;
using namespace sim;  // kEpoll* bits
constexpr Duration ms = kMillisecond;
constexpr Duration s = kSecond;
const Addr kLo9090{ipv4(127, 0, 0, 1), 9090};

// One host; loopback takes 10 us each way.
struct Loopback : World {
  Loopback() : World("linux", 10 * kMicrosecond, false) {}
  // Packets a program's side sent, by the local port they left from.
  std::vector<const sim::PacketRecord*> sent_from(std::uint16_t port, Time from = 0,
                                                  Time to = INT64_MAX) const {
    std::vector<const sim::PacketRecord*> v;
    for (const auto& p : net.trace().packets()) {
      if (p.packet.src.port == port && p.sent >= from && p.sent < to) v.push_back(&p);
    }
    return v;
  }
  std::string trace() const { return sim::format_trace(net); }
};

// A server that accepts one connection on 127.0.0.1:9090 into "c".
Script& serve(Script& sc) { return sc.socket("s").bind("s", kLo9090).listen("s", 5).accept("s", "c"); }

TEST(NotesS2, PeersFinIsReadZeroAndEpollRdhupNotHup) {
  Loopback w;
  Script server = w.script("server");
  serve(server)
      .epoll_create("ep")
      .epoll_ctl("ep", EpollOp::Add, "c", kEpollIn | kEpollRdHup)
      .epoll_wait("ep", -1)
      .read("c", 100)
      .sleep(100000 * s);  // and never close: CLOSE-WAIT for ever
  Script client = w.script("client");
  client.socket("k").connect("k", kLo9090).sleep(1 * s).close("k");
  w.run_on(*w.a, server);
  w.run_on(*w.a, client);
  w.run_until(1000 * s);
  const LogEntry* ev = w.log->find("server", "epoll_wait");
  ASSERT_TRUE(ev) << w.log->dump();
  EXPECT_EQ(ev->events, kEpollIn | kEpollRdHup) << epoll_events_name(ev->events);
  // connect() returns after the handshake (2 x 10 us); 1 s later the FIN
  // leaves and arrives 10 us after that.
  EXPECT_EQ(ev->t, 1 * s + 30 * kMicrosecond);
  EXPECT_EQ(w.log->find("server", "read")->value, 0);
  // Nothing forces the program to close: still CLOSE-WAIT 1000 s later.
  EXPECT_EQ(w.state(*w.a, kLo9090), State::CloseWait);
  // The client's orphaned FIN-WAIT-2 ended after tcp_fin_timeout (60 s).
  EXPECT_EQ(w.a->conn_count(), 2u);  // the listener and the CLOSE-WAIT socket
}

TEST(NotesS3, AfterShutdownWrThePeerStillReceivesData) {
  Loopback w;
  Script server = w.script("server");
  serve(server).read("c", 100).write("c", "hello");
  Script client = w.script("client");
  client.socket("k").connect("k", kLo9090).sleep(1 * s).shutdown("k", Shut::Wr).sleep(1 * s).read("k", 100);
  w.run_on(*w.a, server);
  w.run_on(*w.a, client);
  w.run_until(10 * s);
  EXPECT_EQ(w.log->find("server", "read")->value, 0);
  EXPECT_EQ(w.log->find("server", "write")->value, 5);
  EXPECT_EQ(w.log->find("client", "read")->data, "hello") << w.log->dump();
  for (const auto& p : w.net.trace().packets()) EXPECT_FALSE(p.packet.seg.has(model::kRst)) << w.trace();
}

TEST(NotesS3, AfterCloseDataIsAnsweredWithRstAndTheWriterGetsEpipe) {
  // docs/linux-observations.md §9: the first write returns 5 and A answers
  // RST; after that write gives EPIPE and read gives 0 (never ECONNRESET:
  // B was in CLOSE-WAIT, which Linux's tcp_reset turns into EPIPE).
  Loopback w;
  Script server = w.script("server");
  serve(server)
      .read("c", 100)
      .sleep(1 * s)
      .write("c", "hello")
      .sleep(1 * s)
      .write("c", "again")
      .read("c", 100);
  Script client = w.script("client");
  client.socket("k").connect("k", kLo9090).sleep(1 * s).close("k");
  w.run_on(*w.a, server);
  w.run_on(*w.a, client);
  w.run_until(10 * s);
  EXPECT_EQ(w.log->find("server", "write", 0)->value, 5) << w.log->dump();
  const LogEntry* again = w.log->find("server", "write", 1);
  EXPECT_EQ(again->value, -1);
  EXPECT_EQ(again->err, Errno::Pipe);
  EXPECT_EQ(w.log->find("server", "read", 1)->value, 0);
  bool rst = false;
  for (const auto* p : w.sent_from(w.log->find("client", "connect") ? 32768 : 0))
    rst |= p->packet.seg.has(model::kRst);
  EXPECT_TRUE(rst) << w.trace();
  // Reset, so no TIME-WAIT on the client's side.
  EXPECT_EQ(w.state(*w.a, Addr{ipv4(127, 0, 0, 1), 32768}), State::Closed);
}

// S5: the old server (SO_REUSEADDR or not) closes its accepted connection
// first, so that connection waits in TIME-WAIT on 127.0.0.1:8080, then the
// server exits; a new server binds 127.0.0.1:8080 with SO_REUSEADDR or not.
Errno restart(bool old_reuse, bool new_reuse) {
  Loopback w;
  const Addr a8080{ipv4(127, 0, 0, 1), 8080};
  Script old_server = w.script("old");
  old_server.socket("s");
  if (old_reuse) old_server.setsockopt("s", SockOpt::ReuseAddr, 1);
  old_server.bind("s", a8080).listen("s", 5).accept("s", "c").sleep(100 * ms).close("c").close("s");
  Script client = w.script("client");
  client.socket("k").connect("k", a8080).read("k", 100).close("k");
  Script new_server = w.script("new");
  new_server.socket("s");
  if (new_reuse) new_server.setsockopt("s", SockOpt::ReuseAddr, 1);
  new_server.bind("s", a8080);
  w.run_on(*w.a, old_server);
  w.run_on(*w.a, client);
  w.run_on(*w.a, new_server, 1 * s);
  w.run_until(2 * s);
  EXPECT_EQ(w.state(*w.a, a8080), State::TimeWait) << w.trace();
  return w.log->find("new", "bind")->err;
}

TEST(NotesS5, RestartedServerMeetsItsTimeWaitWithoutReuseAddr) {
  EXPECT_EQ(restart(false, false), Errno::AddrInUse);
}
TEST(NotesS5, ReuseAddrOnBothSidesGetsPastTimeWait) { EXPECT_EQ(restart(true, true), Errno::Ok); }
TEST(NotesS5, TimeWaitKeepsTheOldSocketsFlagsSoTheNewReuseAddrAloneFails) {
  EXPECT_EQ(restart(false, true), Errno::AddrInUse);
}

TEST(NotesS6, ReuseAddrDoesNotSharePortWithAListener) {
  Loopback w;
  const Addr a7070{ipv4(127, 0, 0, 1), 7070};
  Script one = w.script("one");
  one.socket("s").setsockopt("s", SockOpt::ReuseAddr, 1).bind("s", a7070).listen("s", 5);
  Script two = w.script("two");
  two.socket("s").setsockopt("s", SockOpt::ReuseAddr, 1).bind("s", a7070);
  w.run_on(*w.a, one);
  w.run_on(*w.a, two, 1 * ms);
  w.run_until(1 * s);
  EXPECT_EQ(w.log->find("two", "bind")->err, Errno::AddrInUse);
}

TEST(NotesS6, ReusePortOnBothLetsTwoListenersShareAndSpreadsConnections) {
  Loopback w;
  const Addr a7070{ipv4(127, 0, 0, 1), 7070};
  std::uint32_t ready_one = 0, ready_two = 0;
  Script one = w.script("one");
  one.socket("s")
      .setsockopt("s", SockOpt::ReusePort, 1)
      .bind("s", a7070)
      .listen("s", 16)
      .sleep(1 * s)
      .at([&](sim::StepContext& c) { ready_one = c.sockets.readiness(c.pid, 3); });
  Script two = w.script("two");
  two.socket("s")
      .setsockopt("s", SockOpt::ReusePort, 1)
      .bind("s", a7070)
      .listen("s", 16)
      .sleep(1 * s)
      .at([&](sim::StepContext& c) { ready_two = c.sockets.readiness(c.pid, 3); });
  w.run_on(*w.a, one);
  w.run_on(*w.a, two);
  for (int i = 0; i < 8; ++i) {
    Script cl = w.script("client" + std::to_string(i));
    cl.socket("k").connect("k", a7070);
    w.run_on(*w.a, cl, 10 * ms + i * ms);
  }
  w.run_until(2 * s);
  EXPECT_EQ(w.log->find("two", "bind")->err, Errno::Ok);
  EXPECT_EQ(w.log->find("two", "listen")->err, Errno::Ok);
  // Both listeners have connections waiting: the kernel spread them.
  EXPECT_TRUE(ready_one & kEpollIn);
  EXPECT_TRUE(ready_two & kEpollIn);
}

// S8: what each way of closing sends.
std::vector<std::string> sent_after(void (*call)(Script&), State* state_after) {
  Loopback w;
  Script server = w.script("server");
  serve(server);
  Script client = w.script("client");
  client.socket("k").connect("k", kLo9090).sleep(1 * s);
  call(client);
  w.run_on(*w.a, server);
  w.run_on(*w.a, client);
  w.run_until(1 * s + 5 * ms);
  std::vector<std::string> labels;
  for (const auto* p : w.sent_from(32768, 1 * s)) labels.push_back(sim::segment_label(p->packet.seg));
  *state_after = w.state(*w.a, Addr{ipv4(127, 0, 0, 1), 32768});
  return labels;
}

TEST(NotesS8, ShutRdSendsNothingAndStaysEstablished) {
  State st;
  EXPECT_TRUE(sent_after([](Script& c) { c.shutdown("k", Shut::Rd); }, &st).empty());
  EXPECT_EQ(st, State::Established);
}
TEST(NotesS8, ShutWrSendsFin) {
  State st;
  EXPECT_EQ(sent_after([](Script& c) { c.shutdown("k", Shut::Wr); }, &st),
            std::vector<std::string>{"FIN,ACK"});
  EXPECT_EQ(st, State::FinWait2);
}
TEST(NotesS8, ShutRdwrSendsFin) {
  State st;
  EXPECT_EQ(sent_after([](Script& c) { c.shutdown("k", Shut::RdWr); }, &st),
            std::vector<std::string>{"FIN,ACK"});
  EXPECT_EQ(st, State::FinWait2);
}
TEST(NotesS8, CloseSendsFinAndTheKernelFinishesAlone) {
  State st;
  EXPECT_EQ(sent_after([](Script& c) { c.close("k"); }, &st), std::vector<std::string>{"FIN,ACK"});
  EXPECT_EQ(st, State::FinWait2);
}

TEST(NotesS9, ServerCloseWaitWithRecvQ1WhileClientWaitsInFinWait2ThenOnlyClientTimeWaitIsLeft) {
  // 377.c and 378.c, line by line. 377.c calls shutdown(fd, O_RDWR): O_RDWR
  // is 2, the value of SHUT_RDWR, so it does what was meant.
  Loopback w;
  Script server = w.script("377");
  server.socket("s")
      .bind("s", kLo9090)
      .listen("s", 5)
      .epoll_create("ep")
      .epoll_ctl("ep", EpollOp::Add, "s", kEpollIn | kEpollEt)
      .epoll_wait("ep", -1)  // j = 0: the listener
      .accept("s", "c")
      .epoll_ctl("ep", EpollOp::Add, "c", kEpollRdHup | kEpollEt)
      .epoll_wait("ep", -1)  // j = 1: EPOLLRDHUP on c
      .epoll_ctl("ep", EpollOp::Del, "c", 0)
      .sleep(30 * s)
      .shutdown("c", Shut::RdWr)
      .close("c")
      .close("ep")
      .close("s");
  Script client = w.script("378");
  client.socket("k")
      .connect("k", kLo9090)
      .sleep(5 * s)
      .shutdown("k", Shut::RdWr)
      .sleep(5 * s)
      .close("k")
      .sleep(90 * s);
  std::vector<sim::SocketRow> during;
  Script look = w.script("ss");
  look.sleep(20 * s).at(
      [&](sim::StepContext& c) { during = sim::socket_rows(c.sockets.host(), c.net.now()); });
  w.run_on(*w.a, server);
  w.run_on(*w.a, client);
  w.run_on(*w.a, look);
  // The server closes at ~35 s; the client's TIME-WAIT then lasts to ~95 s.
  w.run_until(40 * s);
  const LogEntry* rdhup = w.log->find("377", "epoll_wait", 1);
  ASSERT_TRUE(rdhup) << w.log->dump();
  EXPECT_EQ(rdhup->events, kEpollRdHup);
  EXPECT_EQ(rdhup->t, 5 * s + 30 * kMicrosecond);  // handshake 20 us + 5 s + 10 us
  // During the 30 s: server CLOSE-WAIT with Recv-Q 1 (the FIN), client FIN-WAIT-2.
  bool server_cw = false, client_fw2 = false;
  for (const auto& r : during) {
    if (r.local == kLo9090 && r.state == State::CloseWait) server_cw = r.recv_q == 1;
    if (r.local.port == 32768 && r.state == State::FinWait2) client_fw2 = true;
  }
  EXPECT_TRUE(server_cw) << sim::format_ss(during, true);
  EXPECT_TRUE(client_fw2) << sim::format_ss(during, true);
  // After the server's 30 s (the client still asleep): only the client's TIME-WAIT.
  const auto end = sim::socket_rows(*w.a, w.net.now());
  ASSERT_EQ(end.size(), 1u) << sim::format_ss(end, true);
  EXPECT_EQ(end[0].state, State::TimeWait);
  EXPECT_EQ(end[0].local.port, 32768);
}

}  // namespace
}  // namespace tcpsim::test
