// One test per Linux semantic the socket layer (sim/sockets.cc) must get
// right, under the linux profile. Every expected value comes from the
// kernel: docs/linux-observations.md (measured on this machine, cited as
// §N), the kernel-checked claims of shared/seed/DIGEST.md ("digest"), or
// the Linux source named next to the test (net/ipv4/tcp.c tcp_poll,
// tcp_recvmsg, tcp_sendmsg, tcp_close, tcp_reset; net/ipv4/tcp_input.c
// tcp_rcv_state_process; net/ipv4/af_inet.c __inet_stream_connect;
// net/ipv4/inet_hashtables.c __inet_hash_connect).
//
// Two hosts, A (10.0.0.1, the client) and B (10.0.0.2, the server on port
// 80), 1 ms apart unless a test says otherwise. With 1 ms: the client's
// connect() returns at 2 ms, the server's accept() at 3 ms.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "script.h"
#include "sim/trace_text.h"

namespace tcpsim::test {
namespace {

using model::State;
using sim::EpollOp;
using sim::Shut;
using sim::SockOpt;
using namespace sim;  // kEpoll* bits
constexpr Duration us = kMicrosecond;
constexpr Duration ms = kMillisecond;
constexpr Duration s = kSecond;

const Addr kSrv{ipv4(10, 0, 0, 2), 80};
const Addr kNobody{ipv4(10, 0, 0, 2), 81};  // nobody listens there
// The first ephemeral port the linux profile hands out (32768-60999).
const Addr kCli{ipv4(10, 0, 0, 1), 32768};

struct Two : World {
  explicit Two(Duration delay = 1 * ms) : World("linux", delay, true) {}
  // Labels ("FIN,ACK", "RST", "PSH,ACK len=5") of what host h sent in [from, to).
  std::vector<std::string> sent(const sim::Host& h, Time from = 0, Time to = INT64_MAX) const {
    std::vector<std::string> v;
    for (const auto* p : packets(h, from, to)) v.push_back(sim::segment_label(p->packet.seg));
    return v;
  }
  std::vector<const sim::PacketRecord*> packets(const sim::Host& h, Time from = 0,
                                                Time to = INT64_MAX) const {
    std::vector<const sim::PacketRecord*> v;
    for (const auto& p : net.trace().packets()) {
      if (p.from_host == h.index() && p.sent >= from && p.sent < to) v.push_back(&p);
    }
    return v;
  }
  bool any_rst() const {
    for (const auto& p : net.trace().packets()) {
      if (p.packet.seg.has(model::kRst)) return true;
    }
    return false;
  }
  int count_in(const sim::Host& h, State st) const {
    int n = 0;
    h.for_each_conn([&](const sim::Conn& c) { n += c.state() == st; });
    return n;
  }
  std::string trace() const { return sim::format_trace(net); }
};

// A server on B:80 that accepts one connection into "c".
Script& serve(Script& sc, int backlog = 5) {
  return sc.socket("s").bind("s", kSrv).listen("s", backlog).accept("s", "c");
}

Errno err_of(const LogEntry* e) { return e ? e->err : Errno::Inval; }
long value_of(const LogEntry* e) { return e ? e->value : -999; }

// ------------------------------------------------------------ 1. end of stream

// tcp_recvmsg: with the queue empty, SOCK_DONE (set by the peer's FIN) ends
// the read with 0, every time (digest: "it keeps returning 0").
TEST(SocketsSemantics, ReadReturnsZeroAtEndOfStreamAndKeepsReturningZero) {
  Two w;
  Script server = w.script("server");
  serve(server).read("c", 100).read("c", 100).read("c", 100).read("c", 100);
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).write("k", "hello").close("k");
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(5 * s);
  ASSERT_TRUE(w.log->find("server", "read", 3)) << w.log->dump();
  EXPECT_EQ(w.log->find("server", "read", 0)->data, "hello");
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(w.log->find("server", "read", i)->value, 0) << i;
    EXPECT_EQ(w.log->find("server", "read", i)->err, Errno::Ok) << i;
  }
  EXPECT_EQ(w.state(*w.b, kSrv), State::CloseWait);
}

// Digest: after shutdown(SHUT_RD) "nothing is sent, the state stays
// ESTABLISHED, read() returns the queued data (even data arriving later),
// then 0; epoll reports EPOLLIN and EPOLLRDHUP". tcp_poll: RCV_SHUTDOWN
// gives EPOLLIN|EPOLLRDHUP, EPOLLHUP only with both directions shut.
TEST(SocketsSemantics, ShutRdReturnsQueuedDataThenZeroAndPollsInRdhup) {
  Two w;
  Script server = w.script("server");
  serve(server)
      .sleep(100 * ms)  // "hello" is queued
      .shutdown("c", Shut::Rd)
      .epoll_create("ep")
      .epoll_ctl("ep", EpollOp::Add, "c", kEpollIn | kEpollRdHup)
      .epoll_wait("ep", 0)
      .read("c", 100)   // hello
      .read("c", 100)   // 0
      .read("c", 100)   // 0
      .sleep(2 * s)     // "world" arrives at 1.003 s
      .read("c", 100)   // world
      .read("c", 100);  // 0
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).write("k", "hello").sleep(1 * s).write("k", "world").sleep(100 * s);
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(5 * s);
  ASSERT_TRUE(w.log->find("server", "read", 4)) << w.log->dump();
  EXPECT_EQ(w.log->find("server", "epoll_wait")->events, kEpollIn | kEpollRdHup)
      << epoll_events_name(w.log->find("server", "epoll_wait")->events);
  EXPECT_EQ(w.log->find("server", "read", 0)->data, "hello");
  EXPECT_EQ(w.log->find("server", "read", 1)->value, 0);
  EXPECT_EQ(w.log->find("server", "read", 2)->value, 0);
  EXPECT_EQ(w.log->find("server", "read", 3)->data, "world") << w.log->dump();
  EXPECT_EQ(w.log->find("server", "read", 4)->value, 0);
  EXPECT_EQ(w.state(*w.b, kSrv), State::Established);
  EXPECT_FALSE(w.any_rst()) << w.trace();
}

// --------------------------------------------------- 2. after the peer's RST

// The peer aborts with SO_LINGER {1,0} (§10b) while we are ESTABLISHED.
// tcp_sendmsg: sk_err first (ECONNRESET, cleared by sock_error), then
// SEND_SHUTDOWN (set by tcp_done) gives EPIPE; the error is gone, so read()
// then returns 0 (RCV_SHUTDOWN).
TEST(SocketsSemantics, WriteAfterPeersRstIsEconnresetOnceThenEpipe) {
  Two w;
  Script server = w.script("server");
  serve(server).sleep(2 * s).write("c", "x").write("c", "y").read("c", 100);
  Script client = w.script("client");
  client.socket("k").setsockopt("k", SockOpt::Linger, 1, 0).connect("k", kSrv).sleep(1 * s).close("k");
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(5 * s);
  EXPECT_EQ(w.sent(*w.a, 1 * s), std::vector<std::string>{"RST,ACK"}) << w.trace();
  ASSERT_TRUE(w.log->find("server", "read")) << w.log->dump();
  EXPECT_EQ(w.log->find("server", "write", 0)->value, -1);
  EXPECT_EQ(w.log->find("server", "write", 0)->err, Errno::ConnReset);
  EXPECT_EQ(w.log->find("server", "write", 1)->err, Errno::Pipe);
  EXPECT_EQ(w.log->find("server", "read")->value, 0);
  EXPECT_EQ(w.log->find("server", "read")->err, Errno::Ok);
}

// §10: "B (ESTABLISHED, nothing unread): recv ECONNRESET, then recv 0, send
// EPIPE, send EPIPE"; digest: "recv() reports ECONNRESET once and then 0".
// Here the read is blocked when the RST arrives.
TEST(SocketsSemantics, ReadAfterPeersRstIsEconnresetOnceThenZeroAndWriteEpipe) {
  Two w;
  Script server = w.script("server");
  serve(server).read("c", 100).read("c", 100).write("c", "x").write("c", "y");
  Script client = w.script("client");
  client.socket("k").setsockopt("k", SockOpt::Linger, 1, 0).connect("k", kSrv).sleep(1 * s).close("k");
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(5 * s);
  ASSERT_TRUE(w.log->find("server", "write", 1)) << w.log->dump();
  const LogEntry* r0 = w.log->find("server", "read", 0);
  EXPECT_EQ(r0->value, -1);
  EXPECT_EQ(r0->err, Errno::ConnReset);
  EXPECT_EQ(r0->t, 1 * s + 3 * ms);  // close at 1.002 s, the RST 1 ms later
  EXPECT_EQ(w.log->find("server", "read", 1)->value, 0);
  EXPECT_EQ(w.log->find("server", "read", 1)->err, Errno::Ok);
  EXPECT_EQ(w.log->find("server", "write", 0)->err, Errno::Pipe);
  EXPECT_EQ(w.log->find("server", "write", 1)->err, Errno::Pipe);
  EXPECT_EQ(w.state(*w.b, kSrv), State::Closed);
}

// tcp_reset does not purge the receive queue (only the write queue), and
// tcp_recvmsg copies queued data before it looks at sk_err: data that
// arrived before the RST is read first, then ECONNRESET, then 0.
TEST(SocketsSemantics, DataQueuedBeforeTheRstIsReadFirstThenEconnreset) {
  Two w;
  Script server = w.script("server");
  serve(server).sleep(2 * s).read("c", 100).read("c", 100).read("c", 100);
  Script client = w.script("client");
  client.socket("k")
      .setsockopt("k", SockOpt::Linger, 1, 0)
      .connect("k", kSrv)
      .write("k", "hello")
      .sleep(1 * s)
      .close("k");
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(5 * s);
  ASSERT_TRUE(w.log->find("server", "read", 2)) << w.log->dump();
  EXPECT_EQ(w.log->find("server", "read", 0)->data, "hello");
  EXPECT_EQ(w.log->find("server", "read", 1)->err, Errno::ConnReset);
  EXPECT_EQ(w.log->find("server", "read", 2)->value, 0);
}

// ------------------------------------------------------------ 3. close() and RST

// §10a: close() with 5 unread bytes: "one [R.] segment (RST+ACK), no FIN. A
// disappears at once (no TIME-WAIT)"; the peer's recv gives ECONNRESET.
TEST(SocketsSemantics, CloseWithUnreadDataSendsRstAckNotFinAndNoTimeWait) {
  Two w;
  Script server = w.script("server");
  serve(server).sleep(1 * s).close("c");
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).write("k", "hello").read("k", 100).read("k", 100);
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(3 * s);
  EXPECT_EQ(w.sent(*w.b, 1 * s), std::vector<std::string>{"RST,ACK"}) << w.trace();
  EXPECT_EQ(w.count_in(*w.b, State::TimeWait), 0);
  EXPECT_EQ(w.b->conn_count(), 1u);  // the listener only
  ASSERT_TRUE(w.log->find("client", "read", 1)) << w.log->dump();
  EXPECT_EQ(w.log->find("client", "read", 0)->err, Errno::ConnReset);
  EXPECT_EQ(w.log->find("client", "read", 0)->t, 1 * s + 4 * ms);
  EXPECT_EQ(w.log->find("client", "read", 1)->value, 0);
  EXPECT_EQ(w.count_in(*w.a, State::TimeWait), 0);
}

// §7 / correction 9: "The unread FIN does not trigger a RST; only unread
// *data* does" (tcp_close counts end_seq - seq - fin). B closes in
// CLOSE-WAIT without reading end of stream: FIN, then the usual ending.
TEST(SocketsSemantics, CloseWithOnlyAnUnreadFinSendsFinNotRst) {
  Two w;
  Script server = w.script("server");
  serve(server).sleep(1 * s).close("c");
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).close("k");
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(2 * s);
  EXPECT_EQ(w.sent(*w.b, 1 * s), std::vector<std::string>{"FIN,ACK"}) << w.trace();
  EXPECT_FALSE(w.any_rst()) << w.trace();
  EXPECT_EQ(w.state(*w.a, kCli), State::TimeWait);
  EXPECT_EQ(w.b->conn_count(), 1u);  // LAST-ACK got its ACK: the listener only
}

// Digest: "With unread data close() sends RST only, while shutdown(SHUT_RDWR)
// sends FIN and the later close() a RST".
TEST(SocketsSemantics, ShutdownRdwrWithUnreadDataSendsFinAndTheLaterCloseRst) {
  Two w;
  Script server = w.script("server");
  serve(server).sleep(1 * s).shutdown("c", Shut::RdWr).sleep(1 * s).close("c");
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).write("k", "hello").sleep(100 * s);
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(3 * s);
  EXPECT_EQ(w.sent(*w.b, 1 * s, 2 * s), std::vector<std::string>{"FIN,ACK"}) << w.trace();
  EXPECT_EQ(w.sent(*w.b, 2 * s), std::vector<std::string>{"RST,ACK"}) << w.trace();
  EXPECT_EQ(w.count_in(*w.b, State::TimeWait), 0);
}

// ------------------------------------------------------------ 4. SO_LINGER {1,0}

// §10b: "SO_LINGER {1,0} + close() with nothing unread: the same, one [R.],
// no TIME-WAIT"; the digest: no TIME-WAIT on either side after an abort.
TEST(SocketsSemantics, LingerZeroCloseSendsRstAndNoTimeWaitOnEitherSide) {
  Two w;
  Script server = w.script("server");
  serve(server).read("c", 100);
  Script client = w.script("client");
  client.socket("k").setsockopt("k", SockOpt::Linger, 1, 0).connect("k", kSrv).sleep(1 * s).close("k");
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(3 * s);
  EXPECT_EQ(w.sent(*w.a, 1 * s), std::vector<std::string>{"RST,ACK"}) << w.trace();
  EXPECT_EQ(w.count_in(*w.a, State::TimeWait) + w.count_in(*w.b, State::TimeWait), 0);
  EXPECT_EQ(w.a->conn_count(), 0u);
  EXPECT_EQ(w.state(*w.b, kSrv), State::Closed);
  EXPECT_EQ(err_of(w.log->find("server", "read")), Errno::ConnReset);
}

// ------------------------------------------------------------ 5. orphans

// §9 on two hosts: A close()d (orphaned FIN-WAIT-2); B in CLOSE-WAIT writes:
// "1st write(5) succeeds (returns 5); A answers RST ([R], seq = B's ack,
// ack=0)"; then write EPIPE and read 0 (a RST in CLOSE-WAIT is EPIPE).
TEST(SocketsSemantics, DataToAnOrphanInFinWait2IsAnsweredWithRst) {
  Two w;
  Script server = w.script("server");
  serve(server)
      .read("c", 100)
      .sleep(1 * s)
      .write("c", "hello")
      .sleep(1 * s)
      .write("c", "again")
      .read("c", 100);
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).sleep(1 * s).close("k");
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(5 * s);
  EXPECT_EQ(w.log->find("server", "write", 0)->value, 5) << w.log->dump();
  EXPECT_EQ(w.log->find("server", "write", 1)->err, Errno::Pipe);
  EXPECT_EQ(value_of(w.log->find("server", "read", 1)), 0);
  const auto after = w.packets(*w.a, 2 * s);
  ASSERT_EQ(after.size(), 1u) << w.trace();
  EXPECT_EQ(sim::segment_label(after[0]->packet.seg), "RST");
  const auto data = w.packets(*w.b, 2 * s, 2 * s + 500 * ms);
  ASSERT_FALSE(data.empty());
  EXPECT_EQ(after[0]->packet.seg.seq, data[0]->packet.seg.ack);
  EXPECT_EQ(w.a->conn_count(), 0u);
}

// The orphan is still in FIN-WAIT-1 (its FIN not yet acknowledged) when the
// data arrives. tcp_rcv_state_process, FIN_WAIT1 with RCV_SHUTDOWN (close()
// set it) and new data: tcp_reset() and return 1, so tcp_v4_do_rcv sends a
// RST (for a segment with ACK: seq = its ack, RST alone). 50 ms each way.
TEST(SocketsSemantics, DataToAnOrphanInFinWait1IsAnsweredWithRst) {
  Two w(50 * ms);
  Script server = w.script("server");
  // accept() returns at 150 ms; the write leaves at 1.120 s, before the
  // client's FIN (sent at 1.100 s) arrives at 1.150 s.
  serve(server).sleep(970 * ms).write("c", "hello").read("c", 100).sleep(500 * ms).write("c", "again");
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).sleep(1 * s).close("k");  // close at 1.100 s
  State before = State::Closed;
  Script look = w.script("look");
  look.sleep(1165 * ms).at([&](sim::StepContext&) { before = w.state(*w.a, kCli); });
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_on(*w.a, look);
  w.run_until(3 * s);
  EXPECT_EQ(before, State::FinWait1);
  EXPECT_EQ(w.log->find("server", "write", 0)->value, 5) << w.log->dump();
  const auto a_sent = w.packets(*w.a, 1 * s);
  ASSERT_GE(a_sent.size(), 2u) << w.trace();
  EXPECT_EQ(sim::segment_label(a_sent[0]->packet.seg), "FIN,ACK");
  EXPECT_EQ(sim::segment_label(a_sent[1]->packet.seg), "RST");
  EXPECT_EQ(a_sent[1]->sent, 1 * s + 170 * ms);
  // Anything later (B's ACK of the FIN meets no connection) is a RST too.
  for (std::size_t i = 2; i < a_sent.size(); ++i) EXPECT_EQ(sim::segment_label(a_sent[i]->packet.seg), "RST");
  const auto data = w.packets(*w.b, 1120 * ms, 1121 * ms);
  ASSERT_EQ(data.size(), 1u) << w.trace();
  EXPECT_EQ(a_sent[1]->packet.seg.seq, data[0]->packet.seg.ack);
  EXPECT_EQ(w.a->conn_count(), 0u);  // gone: no TIME-WAIT
  // B saw the FIN first (CLOSE-WAIT), so the RST leaves EPIPE, read 0 (§9).
  EXPECT_EQ(value_of(w.log->find("server", "read")), 0);
  EXPECT_EQ(err_of(w.log->find("server", "write", 1)), Errno::Pipe);
}

// ------------------------------------------------------------ 6. SHUT_WR

// S3/S8: shutdown(SHUT_WR) sends FIN; the socket stays readable and the
// data the peer writes afterwards is read, then end of stream.
TEST(SocketsSemantics, ShutWrSendsFinAndTheSocketStillReads) {
  Two w;
  Script server = w.script("server");
  serve(server).read("c", 100).write("c", "reply").close("c");
  Script client = w.script("client");
  client.socket("k")
      .connect("k", kSrv)
      .sleep(1 * s)
      .shutdown("k", Shut::Wr)
      .write("k", "late")
      .read("k", 100)
      .read("k", 100);
  // Between the shutdown (1.002 s) and the server's reply (arriving 1.004 s).
  std::uint32_t ready_after_shut = 0;
  State state_after_shut = State::Closed;
  Script look = w.script("look");
  look.sleep(1 * s + 2500 * us).at([&](sim::StepContext& c) {
    ready_after_shut = c.sockets.readiness(1, 3);  // the client's process is pid 1 on A, k is fd 3
    state_after_shut = w.state(*w.a, kCli);
  });
  w.run_on(*w.b, server);
  w.run_on(*w.a, look);
  w.run_on(*w.a, client);
  w.run_until(3 * s);
  const auto a_sent = w.sent(*w.a, 1 * s);
  ASSERT_FALSE(a_sent.empty());
  EXPECT_EQ(a_sent[0], "FIN,ACK") << w.trace();
  EXPECT_EQ(value_of(w.log->find("server", "read")), 0);
  // tcp_sendmsg: SEND_SHUTDOWN is EPIPE.
  EXPECT_EQ(err_of(w.log->find("client", "write")), Errno::Pipe);
  EXPECT_EQ(w.log->find("client", "read", 0)->data, "reply") << w.log->dump();
  EXPECT_EQ(value_of(w.log->find("client", "read", 1)), 0);
  // tcp_poll after our own SHUT_WR, nothing received: EPOLLOUT (SEND_SHUTDOWN
  // still reports it), no EPOLLHUP (only one direction shut), no EPOLLIN.
  EXPECT_EQ(state_after_shut, State::FinWait1);
  EXPECT_EQ(ready_after_shut, kEpollOut) << epoll_events_name(ready_after_shut);
  EXPECT_EQ(w.state(*w.a, kCli), State::TimeWait);  // A closed first
  EXPECT_FALSE(w.any_rst()) << w.trace();
}

// ------------------------------------------------------------ 7. dup()

// Digest: "With a dup'd descriptor close() sends nothing"; closing the last
// descriptor is tcp_close(): FIN.
TEST(SocketsSemantics, DupCloseOfOneDescriptorSendsNothingTheLastSendsFin) {
  Two w;
  Script server = w.script("server");
  serve(server).read("c", 100).sleep(100 * s);
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).dup("k", "k2").sleep(1 * s).close("k").sleep(1 * s).close("k2");
  State between = State::Closed;
  Script look = w.script("look");
  look.sleep(1500 * ms).at([&](sim::StepContext&) { between = w.state(*w.a, kCli); });
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_on(*w.a, look);
  w.run_until(3 * s);
  EXPECT_TRUE(w.sent(*w.a, 1 * s, 2 * s).empty()) << w.trace();
  EXPECT_EQ(between, State::Established);
  const auto last = w.sent(*w.a, 2 * s);
  ASSERT_FALSE(last.empty()) << w.trace();
  EXPECT_EQ(last[0], "FIN,ACK");
  EXPECT_EQ(value_of(w.log->find("server", "read")), 0);
}

// Digest: "With a dup'd descriptor ... shutdown() sends FIN anyway".
TEST(SocketsSemantics, DupShutdownSendsFinAnyway) {
  Two w;
  Script server = w.script("server");
  serve(server).read("c", 100).sleep(100 * s);
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).dup("k", "k2").sleep(1 * s).shutdown("k", Shut::RdWr).sleep(100 * s);
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(3 * s);
  const auto sent = w.sent(*w.a, 1 * s);
  ASSERT_FALSE(sent.empty()) << w.trace();
  EXPECT_EQ(sent[0], "FIN,ACK");
  EXPECT_EQ(w.state(*w.a, kCli), State::FinWait2);
  EXPECT_EQ(value_of(w.log->find("server", "read")), 0);
}

// ------------------------------------------------------------ 8. connect()

// tcp_reset in SYN-SENT: ECONNREFUSED. The failed connect() releases the
// automatically chosen port, and the digest: "a second connect() after
// ECONNREFUSED uses a new port".
TEST(SocketsSemantics, ConnectRefusedThenASecondConnectUsesANewPort) {
  Two w;
  Script client = w.script("client");
  client.socket("k").connect("k", kNobody).connect("k", kNobody);
  w.run_on(*w.a, client);
  w.run_until(1 * s);
  ASSERT_TRUE(w.log->find("client", "connect", 1)) << w.log->dump();
  EXPECT_EQ(w.log->find("client", "connect", 0)->err, Errno::ConnRefused);
  EXPECT_EQ(w.log->find("client", "connect", 0)->t, 2 * ms);
  EXPECT_EQ(w.log->find("client", "connect", 1)->err, Errno::ConnRefused);
  const auto syns = w.packets(*w.a);
  ASSERT_EQ(syns.size(), 2u) << w.trace();
  EXPECT_EQ(sim::segment_label(syns[0]->packet.seg), "SYN");
  EXPECT_EQ(sim::segment_label(syns[1]->packet.seg), "SYN");
  EXPECT_NE(syns[0]->packet.src.port, syns[1]->packet.src.port);
  for (const auto* p : w.packets(*w.b)) EXPECT_TRUE(p->packet.seg.has(model::kRst)) << w.trace();
}

// Non-blocking connect: EINPROGRESS; tcp_poll reports nothing in SYN-SENT,
// then EPOLLOUT; SO_ERROR 0. __inet_stream_connect: connect() again while
// SS_CONNECTING and the handshake done returns 0 (SS_CONNECTED), then EISCONN.
TEST(SocketsSemantics, NonBlockingConnectInProgressThenEpolloutAndSoErrorZero) {
  Two w;
  Script server = w.script("server");
  serve(server).sleep(100 * s);
  std::uint32_t ready_connecting = 0xffffffff;
  CallResult peer;
  Addr peer_addr;
  Script client = w.script("client");
  client.socket("k")
      .nonblocking("k")
      .connect("k", kSrv)
      .at([&](sim::StepContext& c) { ready_connecting = c.sockets.readiness(c.pid, 3); })
      .epoll_create("ep")
      .epoll_ctl("ep", EpollOp::Add, "k", kEpollOut)
      .epoll_wait("ep", -1)
      .getsockopt("k", SockOpt::Error)
      .at([&](sim::StepContext& c) { peer = c.sockets.getpeername(c.pid, 3, &peer_addr); })
      .connect("k", kSrv)
      .connect("k", kSrv);
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(1 * s);
  ASSERT_TRUE(w.log->find("client", "connect", 2)) << w.log->dump();
  EXPECT_EQ(w.log->find("client", "connect", 0)->err, Errno::InProgress);
  EXPECT_EQ(w.log->find("client", "connect", 0)->t, 0);
  EXPECT_EQ(ready_connecting, 0u) << epoll_events_name(ready_connecting);
  const LogEntry* ev = w.log->find("client", "epoll_wait");
  EXPECT_EQ(ev->events, kEpollOut) << epoll_events_name(ev->events);
  EXPECT_EQ(ev->t, 2 * ms);
  EXPECT_EQ(w.log->find("client", "getsockopt(SO_ERROR)")->value, 0);
  EXPECT_EQ(peer.err, Errno::Ok);
  EXPECT_EQ(peer_addr, kSrv);
  EXPECT_EQ(w.log->find("client", "connect", 1)->value, 0);
  EXPECT_EQ(w.log->find("client", "connect", 1)->err, Errno::Ok);
  EXPECT_EQ(w.log->find("client", "connect", 2)->err, Errno::IsConn);
}

// A refused non-blocking connect: tcp_done leaves TCP_CLOSE with both
// directions shut and sk_err = ECONNREFUSED, so tcp_poll gives EPOLLOUT
// (state != SYN_SENT, SEND_SHUTDOWN), EPOLLHUP and EPOLLERR; SO_ERROR
// reports ECONNREFUSED and clears it.
TEST(SocketsSemantics, NonBlockingConnectRefusedPollsOutErrHupAndSoErrorRefused) {
  Two w;
  Script client = w.script("client");
  client.socket("k")
      .nonblocking("k")
      .connect("k", kNobody)
      .epoll_create("ep")
      .epoll_ctl("ep", EpollOp::Add, "k", kEpollOut)
      .epoll_wait("ep", -1)
      .getsockopt("k", SockOpt::Error)
      .getsockopt("k", SockOpt::Error);
  w.run_on(*w.a, client);
  w.run_until(1 * s);
  ASSERT_TRUE(w.log->find("client", "getsockopt", 1)) << w.log->dump();
  EXPECT_EQ(w.log->find("client", "connect")->err, Errno::InProgress);
  const LogEntry* ev = w.log->find("client", "epoll_wait");
  EXPECT_EQ(ev->events, kEpollOut | kEpollErr | kEpollHup) << epoll_events_name(ev->events);
  EXPECT_EQ(ev->t, 2 * ms);
  EXPECT_EQ(w.log->find("client", "getsockopt", 0)->value, 111);  // Linux's ECONNREFUSED
  EXPECT_EQ(w.log->find("client", "getsockopt", 1)->value, 0);
}

// __inet_stream_connect: connect() again on a SS_CONNECTING socket whose
// handshake was refused goes to sock_error: it returns the pending error
// (ECONNREFUSED), not a new attempt.
TEST(SocketsSemantics, NonBlockingConnectRefusedThenConnectAgainReportsTheError) {
  Two w;
  Script client = w.script("client");
  client.socket("k").nonblocking("k").connect("k", kNobody).sleep(100 * ms).connect("k", kNobody);
  w.run_on(*w.a, client);
  w.run_until(1 * s);
  ASSERT_TRUE(w.log->find("client", "connect", 1)) << w.log->dump();
  EXPECT_EQ(w.log->find("client", "connect", 1)->value, -1);
  EXPECT_EQ(w.log->find("client", "connect", 1)->err, Errno::ConnRefused);
  EXPECT_EQ(w.packets(*w.a).size(), 1u) << w.trace();  // one SYN only
}

// ------------------------------------------------------------ 9. EADDRNOTAVAIL

// __inet_hash_connect: a port taken by connect() can serve another
// connect() only with a different 4-tuple (check_established); with every
// port of ip_local_port_range used towards the same destination, connect()
// fails with EADDRNOTAVAIL. Towards another destination the ports are
// shared again.
TEST(SocketsSemantics, ConnectFailsWithEaddrnotavailWhenEphemeralPortsRunOut) {
  Two w;
  ASSERT_FALSE(sim::set_profile_value(w.a->profile(), "ephemeral_ports", "40000-40002"));
  Script server = w.script("server");
  server.socket("s")
      .bind("s", kSrv)
      .listen("s", 16)
      .socket("t")
      .bind("t", kNobody)
      .listen("t", 16)
      .sleep(100 * s);
  std::set<std::uint16_t> ports;
  Script client = w.script("client");
  client.socket("k1").connect("k1", kSrv).socket("k2").connect("k2", kSrv).socket("k3").connect("k3", kSrv);
  client.socket("k4").connect("k4", kSrv).socket("k5").connect("k5", kNobody);
  client.at([&](sim::StepContext& c) {
    for (int fd : {3, 4, 5}) {
      Addr a;
      c.sockets.getsockname(c.pid, fd, &a);
      ports.insert(a.port);
    }
  });
  w.run_on(*w.b, server);
  w.run_on(*w.a, client, 10 * ms);
  w.run_until(1 * s);
  ASSERT_TRUE(w.log->find("client", "connect", 4)) << w.log->dump();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(w.log->find("client", "connect", i)->err, Errno::Ok) << i;
  EXPECT_EQ(w.log->find("client", "connect", 3)->value, -1);
  EXPECT_EQ(w.log->find("client", "connect", 3)->err, Errno::AddrNotAvail);
  EXPECT_EQ(w.log->find("client", "connect", 3)->t, 16 * ms);  // at once, nothing sent
  EXPECT_EQ(ports, (std::set<std::uint16_t>{40000, 40001, 40002}));
  EXPECT_EQ(w.log->find("client", "connect", 4)->err, Errno::Ok);
}

// __inet_hash_connect skips a port whose bind bucket came from bind()
// (fastreuse >= 0): connect() never picks a port a bound socket holds, even
// one that is not listening.
TEST(SocketsSemantics, ConnectDoesNotPickAPortHeldByBind) {
  Two w;
  ASSERT_FALSE(sim::set_profile_value(w.a->profile(), "ephemeral_ports", "40000-40001"));
  Script server = w.script("server");
  server.socket("s").bind("s", kSrv).listen("s", 16).sleep(100 * s);
  Addr got;
  Script client = w.script("client");
  client.socket("b")
      .bind("b", Addr{0, 40000})
      .socket("k1")
      .connect("k1", kSrv)
      .at([&](sim::StepContext& c) { c.sockets.getsockname(c.pid, 4, &got); })
      .socket("k2")
      .connect("k2", kSrv);
  w.run_on(*w.b, server);
  w.run_on(*w.a, client, 10 * ms);
  w.run_until(1 * s);
  ASSERT_TRUE(w.log->find("client", "connect", 1)) << w.log->dump();
  EXPECT_EQ(w.log->find("client", "connect", 0)->err, Errno::Ok);
  EXPECT_EQ(got.port, 40001);
  EXPECT_EQ(w.log->find("client", "connect", 1)->err, Errno::AddrNotAvail);
}

// ------------------------------------------------------------ 10. accept queue

// §11: listen(fd, 1) holds backlog+1 = 2 connections; SYNs arriving with the
// queue full are dropped silently and retransmitted on the normal schedule
// (1 s gaps five times, then 2 s); after accept() makes room, the next SYN
// retransmission completes at once.
TEST(SocketsSemantics, AcceptQueueOverflowDropsSynsSilently) {
  Two w;
  Script server = w.script("server");
  std::size_t queued = 0;
  std::uint32_t ready = 0;
  State c3_at_2s = State::Closed, c1_at_2s = State::Closed;
  server.socket("s").bind("s", kSrv).listen("s", 1).sleep(2 * s).at([&](sim::StepContext& c) {
    ready = c.sockets.readiness(c.pid, 3);
    w.b->for_each_conn([&](const sim::Conn& l) {
      if (l.listening) queued = l.accept_queue.size();
    });
    c1_at_2s = w.state(*w.a, Addr{ipv4(10, 0, 0, 1), 32768});
    c3_at_2s = w.state(*w.a, Addr{ipv4(10, 0, 0, 1), 32770});
  });
  server.sleep(4500 * ms).accept("s", "c1").accept("s", "c2").accept("s", "c3").accept("s", "c4");
  for (int i = 0; i < 4; ++i) {
    Script cl = w.script("C" + std::to_string(i + 1));
    cl.socket("k").connect("k", kSrv);
    w.run_on(*w.a, cl, i * 10 * ms);
  }
  w.run_on(*w.b, server);
  w.run_until(10 * s);
  EXPECT_EQ(queued, 2u);
  EXPECT_TRUE(ready & kEpollIn);
  EXPECT_EQ(c1_at_2s, State::Established);
  EXPECT_EQ(c3_at_2s, State::SynSent);
  EXPECT_EQ(w.log->find("C1", "connect")->t, 2 * ms);
  EXPECT_EQ(w.log->find("C2", "connect")->t, 12 * ms);
  // C3's SYNs (port 32770, first at 20 ms): 0, 1, 2, 3, 4, 5, 7 s after.
  std::vector<Time> syns;
  for (const auto* p : w.packets(*w.a)) {
    if (p->packet.src.port == 32770 && p->packet.seg.has(model::kSyn)) syns.push_back(p->sent - 20 * ms);
  }
  EXPECT_EQ(syns, (std::vector<Time>{0, 1 * s, 2 * s, 3 * s, 4 * s, 5 * s, 7 * s})) << w.trace();
  // accept() made room at 6.5 s: the SYN at 7.020 s completes at once.
  ASSERT_TRUE(w.log->find("C3", "connect")) << w.log->dump();
  EXPECT_EQ(w.log->find("C3", "connect")->t, 7 * s + 22 * ms);
  EXPECT_EQ(w.log->find("C3", "connect")->err, Errno::Ok);
  ASSERT_TRUE(w.log->find("server", "accept", 3)) << w.log->dump();
  EXPECT_EQ(w.log->find("server", "accept", 0)->t, 6500 * ms);
  EXPECT_EQ(w.log->find("server", "accept", 2)->t, 7 * s + 23 * ms);
  EXPECT_FALSE(w.any_rst()) << w.trace();
}

// §11 (p11b): with the queue full when the final ACK arrives, the ACK is
// ignored, the server keeps SYN-RECEIVED and retransmits its SYN,ACK on the
// usual schedule (1 s, then 2 s later), the client (connected) re-ACKs each;
// once accept() made room, the next re-ACK completes the handshake. C1
// fills one place; C2 and C3 send their SYNs together while there is room
// for both SYNs but only one final ACK.
TEST(SocketsSemantics, AcceptQueueFullAtTheFinalAckIgnoresItAndRetransmitsSynAck) {
  Two w;
  Script server = w.script("server");
  State c3_server = State::Closed, c3_client = State::Closed;
  const Addr c3{ipv4(10, 0, 0, 1), 32770};
  server.socket("s").bind("s", kSrv).listen("s", 1).sleep(2 * s).at([&](sim::StepContext&) {
    c3_server = w.state(*w.b, kSrv, c3);
    c3_client = w.state(*w.a, c3);
  });
  server.accept("s", "c1").accept("s", "c2").accept("s", "c3");
  for (int i = 0; i < 3; ++i) {
    Script cl = w.script("C" + std::to_string(i + 1));
    cl.socket("k").connect("k", kSrv).sleep(100 * s);
    w.run_on(*w.a, cl, i == 0 ? 0 : 10 * ms);
  }
  w.run_on(*w.b, server);
  w.run_until(10 * s);
  EXPECT_EQ(w.log->find("C3", "connect")->t, 12 * ms);  // the client thinks it is connected
  EXPECT_EQ(c3_client, State::Established);
  EXPECT_EQ(c3_server, State::SynReceived);
  std::vector<Time> synacks;
  for (const auto* p : w.packets(*w.b)) {
    if (p->packet.dst == c3 && p->packet.seg.has(model::kSyn)) synacks.push_back(p->sent);
  }
  EXPECT_EQ(synacks, (std::vector<Time>{11 * ms, 1 * s + 11 * ms, 3 * s + 11 * ms})) << w.trace();
  int reacks = 0;
  for (const auto* p : w.packets(*w.a, 1 * s))
    reacks += p->packet.src == c3 && sim::segment_label(p->packet.seg) == "ACK";
  EXPECT_EQ(reacks, 2) << w.trace();
  ASSERT_TRUE(w.log->find("server", "accept", 2)) << w.log->dump();
  EXPECT_EQ(w.log->find("server", "accept", 2)->t, 3 * s + 13 * ms);
  EXPECT_FALSE(w.any_rst()) << w.trace();
}

// ------------------------------------------------------------ 11. epoll LT / ET

// Level-triggered: EPOLLIN on every epoll_wait while data is unread.
TEST(SocketsSemantics, EpollLevelTriggeredReportsInWhileDataIsUnread) {
  Two w;
  Script server = w.script("server");
  serve(server)
      .epoll_create("ep")
      .epoll_ctl("ep", EpollOp::Add, "c", kEpollIn)
      .epoll_wait("ep", -1)
      .epoll_wait("ep", -1)
      .read("c", 3)
      .epoll_wait("ep", 100 * ms)
      .read("c", 100)
      .epoll_wait("ep", 100 * ms);
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).write("k", "abcdef").sleep(100 * s);
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(2 * s);
  ASSERT_TRUE(w.log->find("server", "epoll_wait", 3)) << w.log->dump();
  const Time t0 = w.log->find("server", "epoll_wait", 0)->t;
  EXPECT_EQ(w.log->find("server", "epoll_wait", 0)->events, kEpollIn);
  EXPECT_EQ(w.log->find("server", "epoll_wait", 1)->events, kEpollIn);
  EXPECT_EQ(w.log->find("server", "epoll_wait", 1)->t, t0);
  EXPECT_EQ(w.log->find("server", "read", 0)->data, "abc");
  EXPECT_EQ(w.log->find("server", "epoll_wait", 2)->events, kEpollIn);
  EXPECT_EQ(w.log->find("server", "epoll_wait", 2)->t, t0);
  EXPECT_EQ(w.log->find("server", "read", 1)->data, "def");
  EXPECT_EQ(w.log->find("server", "epoll_wait", 3)->value, 0);  // timed out
  EXPECT_EQ(w.log->find("server", "epoll_wait", 3)->t, t0 + 100 * ms);
}

// Edge-triggered: once per new arrival (ep_poll_callback on sk_data_ready);
// a partial read followed by epoll_wait with no new data times out; the
// next arrival is reported again.
TEST(SocketsSemantics, EpollEdgeTriggeredReportsOncePerArrival) {
  Two w;
  Script server = w.script("server");
  serve(server)
      .epoll_create("ep")
      .epoll_ctl("ep", EpollOp::Add, "c", kEpollIn | kEpollEt)
      .epoll_wait("ep", -1)
      .epoll_wait("ep", 100 * ms)
      .read("c", 3)
      .epoll_wait("ep", 100 * ms)
      .epoll_wait("ep", -1)
      .read("c", 100);
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).write("k", "abcdef").sleep(1 * s).write("k", "ghi").sleep(100 * s);
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(3 * s);
  ASSERT_TRUE(w.log->find("server", "read", 1)) << w.log->dump();
  const Time t0 = w.log->find("server", "epoll_wait", 0)->t;
  EXPECT_EQ(w.log->find("server", "epoll_wait", 0)->events, kEpollIn);
  EXPECT_EQ(w.log->find("server", "epoll_wait", 1)->value, 0);
  EXPECT_EQ(w.log->find("server", "epoll_wait", 1)->t, t0 + 100 * ms);
  EXPECT_EQ(w.log->find("server", "read", 0)->data, "abc");
  EXPECT_EQ(w.log->find("server", "epoll_wait", 2)->value, 0);
  EXPECT_EQ(w.log->find("server", "epoll_wait", 2)->t, t0 + 200 * ms);
  EXPECT_EQ(w.log->find("server", "epoll_wait", 3)->events, kEpollIn);
  EXPECT_EQ(w.log->find("server", "epoll_wait", 3)->t, 1 * s + 3 * ms);  // "ghi" sent at 1.002 s
  EXPECT_EQ(w.log->find("server", "read", 1)->data, "defghi");
}

// Edge-triggered EPOLLIN is not re-armed by events that bring nothing to
// read: the ACK of our own data wakes no reader (ep_poll_callback drops a
// wakeup whose key is not in the interest set; tcp_ack only calls
// sk_write_space with EPOLLOUT when SOCK_NOSPACE is set).
TEST(SocketsSemantics, EpollEdgeTriggeredInIsNotReportedForTheAckOfOurOwnData) {
  Two w;
  Script server = w.script("server");
  serve(server)
      .epoll_create("ep")
      .epoll_ctl("ep", EpollOp::Add, "c", kEpollIn | kEpollEt)
      .epoll_wait("ep", -1)
      .read("c", 3)
      .write("c", "pong")  // the client's ACK comes back within 1 s
      .epoll_wait("ep", 1 * s);
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).write("k", "abcdef").sleep(100 * s);
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(3 * s);
  ASSERT_TRUE(w.log->find("server", "epoll_wait", 1)) << w.log->dump();
  EXPECT_EQ(w.log->find("server", "epoll_wait", 1)->value, 0) << w.log->dump();
  EXPECT_FALSE(w.packets(*w.a, 3 * ms).empty()) << "the client ACKed:\n" << w.trace();
}

// ------------------------------------------------------------ 12. HUP / RDHUP

// Digest: EPOLLRDHUP alone for a peer's FIN (S2: "not EPOLLHUP"); tcp_poll:
// EPOLLHUP only when sk_shutdown == SHUTDOWN_MASK or TCP_CLOSE. Our own
// SHUT_WR on top of the peer's FIN shuts both directions: EPOLLHUP.
TEST(SocketsSemantics, EpollRdhupForThePeersFinHupOnlyWhenBothDirectionsAreShut) {
  Two w;
  Script server = w.script("server");
  std::uint32_t after_fin = 0, after_shut = 0;
  serve(server)
      .epoll_create("ep")
      .epoll_ctl("ep", EpollOp::Add, "c", kEpollRdHup)
      .epoll_wait("ep", -1)
      .at([&](sim::StepContext& c) { after_fin = c.sockets.readiness(c.pid, 4); })
      .shutdown("c", Shut::Wr)
      .at([&](sim::StepContext& c) { after_shut = c.sockets.readiness(c.pid, 4); });
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).sleep(1 * s).shutdown("k", Shut::Wr).sleep(100 * s);
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(3 * s);
  const LogEntry* ev = w.log->find("server", "epoll_wait");
  ASSERT_TRUE(ev) << w.log->dump();
  EXPECT_EQ(ev->events, kEpollRdHup) << epoll_events_name(ev->events);
  EXPECT_EQ(after_fin, kEpollIn | kEpollOut | kEpollRdHup) << epoll_events_name(after_fin);
  EXPECT_EQ(after_shut, kEpollIn | kEpollOut | kEpollRdHup | kEpollHup) << epoll_events_name(after_shut);
}

// shutdown(SHUT_RDWR) alone sets SHUTDOWN_MASK: EPOLLHUP at once, before
// any answer from the peer.
TEST(SocketsSemantics, EpollHupRightAfterOwnShutRdwr) {
  Two w;
  Script server = w.script("server");
  serve(server).sleep(100 * s);
  std::uint32_t ready = 0;
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).shutdown("k", Shut::RdWr).at([&](sim::StepContext& c) {
    ready = c.sockets.readiness(c.pid, 3);
  });
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(1 * s);
  EXPECT_EQ(ready, kEpollIn | kEpollOut | kEpollRdHup | kEpollHup) << epoll_events_name(ready);
}

// On reset: tcp_done shuts both directions (EPOLLHUP, EPOLLIN|EPOLLRDHUP)
// and sk_err gives EPOLLERR, reported even though not asked for; once read()
// took the error, EPOLLERR is gone and EPOLLHUP stays.
TEST(SocketsSemantics, EpollHupAndErrOnReset) {
  Two w;
  Script server = w.script("server");
  std::uint32_t after_read = 0;
  serve(server)
      .epoll_create("ep")
      .epoll_ctl("ep", EpollOp::Add, "c", kEpollIn | kEpollRdHup)
      .epoll_wait("ep", -1)
      .read("c", 100)
      .at([&](sim::StepContext& c) { after_read = c.sockets.readiness(c.pid, 4); });
  Script client = w.script("client");
  client.socket("k").setsockopt("k", SockOpt::Linger, 1, 0).connect("k", kSrv).sleep(1 * s).close("k");
  w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(3 * s);
  const LogEntry* ev = w.log->find("server", "epoll_wait");
  ASSERT_TRUE(ev) << w.log->dump();
  EXPECT_EQ(ev->events, kEpollIn | kEpollRdHup | kEpollErr | kEpollHup) << epoll_events_name(ev->events);
  EXPECT_EQ(ev->t, 1 * s + 3 * ms);
  EXPECT_EQ(err_of(w.log->find("server", "read")), Errno::ConnReset);
  EXPECT_EQ(after_read, kEpollIn | kEpollOut | kEpollRdHup | kEpollHup) << epoll_events_name(after_read);
}

// ------------------------------------------------------------ 13. socket options

// sock_setsockopt/sock_getsockopt: SO_REUSEADDR and SO_REUSEPORT read back
// as set (1 or 0); SO_ERROR returns the pending error and clears it
// (sock_error's xchg).
TEST(SocketsSemantics, SocketOptionsRoundTripAndSoErrorClears) {
  Two w;
  Script p = w.script("p");
  p.socket("k")
      .getsockopt("k", SockOpt::ReuseAddr)
      .setsockopt("k", SockOpt::ReuseAddr, 1)
      .getsockopt("k", SockOpt::ReuseAddr)
      .setsockopt("k", SockOpt::ReusePort, 1)
      .getsockopt("k", SockOpt::ReusePort)
      .setsockopt("k", SockOpt::ReuseAddr, 0)
      .getsockopt("k", SockOpt::ReuseAddr)
      .getsockopt("k", SockOpt::ReusePort)
      .getsockopt("k", SockOpt::Error)
      // A blocking connect refused: connect() itself took the error.
      .connect("k", kNobody)
      .getsockopt("k", SockOpt::Error);
  w.run_on(*w.a, p);
  w.run_until(1 * s);
  ASSERT_TRUE(w.log->find("p", "getsockopt", 6)) << w.log->dump();
  const std::vector<long> want = {0, 1, 1, 0, 1};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(w.log->find("p", "getsockopt", i)->value, want[i]) << i;
  EXPECT_EQ(w.log->find("p", "getsockopt", 5)->value, 0);
  EXPECT_EQ(w.log->find("p", "connect")->err, Errno::ConnRefused);
  EXPECT_EQ(w.log->find("p", "getsockopt", 6)->value, 0);
}

// ------------------------------------------------------------ 14. blocking

// A blocking read() nobody satisfies never returns: the program stays
// Blocked, and says in what.
TEST(SocketsSemantics, BlockingReadNobodySatisfiesLeavesTheProgramBlocked) {
  Two w;
  Script server = w.script("server");
  serve(server).read("c", 100);
  Script client = w.script("client");
  client.socket("k").connect("k", kSrv).sleep(1000 * s);
  sim::Program& prog = w.run_on(*w.b, server);
  w.run_on(*w.a, client);
  w.run_until(100 * s);
  EXPECT_EQ(prog.status(), sim::Program::Status::Blocked);
  EXPECT_EQ(prog.blocked_in.rfind("read", 0), 0u) << prog.blocked_in;
  EXPECT_FALSE(w.log->find("server", "read"));
  EXPECT_EQ(w.state(*w.b, kSrv), State::Established);
}

}  // namespace
}  // namespace tcpsim::test

namespace tcpsim::test {
namespace {

// SO_RCVBUF set before connect() is the window the SYN advertises (tcpsim
// takes the value as the data space); getsockopt reports it doubled, as
// Linux's sock_setsockopt does.
TEST(SocketsSemantics, SoRcvbufBeforeConnectIsTheAdvertisedWindowAndReadsBackDoubled) {
  World w("linux");
  const Addr server{sim::ipv4(10, 0, 0, 2), 80};
  Script srv = w.script("server");
  srv.socket("s").bind("s", Addr{0, 80}).listen("s", 5).accept("s", "c");
  long reported = 0;
  Script cli = w.script("client");
  cli.socket("k").setsockopt("k", sim::SockOpt::RcvBuf, 4000).at([&](sim::StepContext& c) {
    reported = c.sockets.getsockopt(c.pid, 3, sim::SockOpt::RcvBuf).value;
  });
  cli.connect("k", server);
  w.run_on(*w.b, srv);
  w.run_on(*w.a, cli);
  w.run_until(1 * kSecond);
  EXPECT_EQ(reported, 8000);
  bool syn_seen = false;
  for (const auto& p : w.net.trace().packets()) {
    if (p.packet.seg.has(model::kSyn) && !p.packet.seg.has(model::kAck)) {
      EXPECT_EQ(p.packet.seg.window, 4000);
      syn_seen = true;
    }
  }
  EXPECT_TRUE(syn_seen);
}

}  // namespace
}  // namespace tcpsim::test
