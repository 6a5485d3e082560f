// The calls of the scenario language as Linux makes them (issue 17's
// holes): getsockopt(SO_ERROR) returns Linux's errno number and its
// expectation may name it; recv/send's MSG_ flags take effect as on Linux
// or are refused at their position; SO_KEEPALIVE and TCP_KEEP* work
// (keepalive probes as Linux sends them). Each scenario's expected values are Linux's
// (tcp_recvmsg, tcp_sendmsg, tcp_reset, sock_getsockopt), derived in the
// comments.
#include <gtest/gtest.h>

#include <string>

#include "scenario/interpreter.h"
#include "scenario/parser.h"
#include "tests/cli/run_tcpsim.h"

namespace tcpsim::scenario {
namespace {

RunResult run_text(const std::string& text) {
  auto r = parse(text, "t.tcpsim");
  EXPECT_TRUE(std::holds_alternative<Scenario>(r)) << std::get<ParseError>(r).message;
  if (!std::holds_alternative<Scenario>(r)) return {};
  auto ran = run(std::make_shared<const Scenario>(std::get<Scenario>(r)), RunOptions{});
  EXPECT_TRUE(std::holds_alternative<RunResult>(ran)) << std::get<ParseError>(ran).message;
  if (!std::holds_alternative<RunResult>(ran)) return {};
  return std::move(std::get<RunResult>(ran));
}

std::string error_of(const std::string& text) {
  auto r = parse(text, "t.tcpsim");
  if (auto* e = std::get_if<ParseError>(&r)) return e->message;
  auto ran = run(std::make_shared<const Scenario>(std::get<Scenario>(r)), RunOptions{});
  if (auto* e = std::get_if<ParseError>(&ran)) return e->message;
  return "";
}

// Every call expectation of the run passed (and there were `n`).
void expect_all_pass(const RunResult& r, std::size_t n) {
  EXPECT_EQ(r.results.size(), n);
  for (const auto& a : r.results) EXPECT_TRUE(a.pass) << a.loc.line << ": " << a.what << "\n" << a.detail;
}

// A server on B accepting one connection from a client on A (1 ms each
// way: the client's connect() returns at 2 ms, accept() at 3 ms).
std::string pair(const std::string& server, const std::string& client) {
  return "host A 10.0.0.1\nhost B 10.0.0.2\nprogram server on B {\n  s = socket()\n  bind(s, *:9090)\n"
         "  listen(s, 5)\n  c = accept(s)\n" +
         server + "}\nprogram client on A {\n  k = socket()\n  connect(k, 10.0.0.2:9090)\n" + client + "}\n";
}

// ------------------------------------------------------------- SO_ERROR

// tcp_reset() in SYN-SENT sets sk_err = ECONNREFUSED; sock_getsockopt's
// SO_ERROR returns it as the number (111 on Linux) and clears it
// (sock_error's xchg): the second read gives 0. Written by name or number.
TEST(SocketCallsSoError, RefusedNonBlockingConnectReads111ByNameOrNumberThenZero) {
  const std::string prog =
      "host A 10.0.0.1\nhost B 10.0.0.2\nprogram p on A {\n  k = socket()\n  fcntl(k, F_SETFL, O_NONBLOCK)\n"
      "  connect(k, 10.0.0.2:9) = -1 EINPROGRESS\n  sleep(10ms)\n  getsockopt(k, SO_ERROR) = ECONNREFUSED\n"
      "  getsockopt(k, SO_ERROR) = 0\n"
      "  j = socket()\n  fcntl(j, F_SETFL, O_NONBLOCK)\n  connect(j, 10.0.0.2:9) = -1 EINPROGRESS\n"
      "  sleep(10ms)\n  getsockopt(j, SOL_SOCKET, SO_ERROR) = 111\n}\n";
  expect_all_pass(run_text(prog), 5);
}

// S3b (traces/s03b-...): a RST received in CLOSE-WAIT leaves sk_err = EPIPE
// (tcp_reset: TCP_CLOSE_WAIT -> EPIPE), 32 on Linux; read() returns 0 first
// (end of stream is reported before the error), so getsockopt finds it.
TEST(SocketCallsSoError, RstInCloseWaitLeavesEpipeWhichGetsockoptReturnsAs32) {
  const std::string prog = pair(
      "  read(c, 100) = 0\n  write(c, \"hello\") = 5\n  sleep(100ms)\n  getsockopt(c, SO_ERROR) = EPIPE\n"
      "  getsockopt(c, SO_ERROR) = 0\n",
      "  close(k)\n");
  const RunResult r = run_text(prog);
  expect_all_pass(r, 4);
  // And the trace shows the number with its name.
  bool shown = false;
  for (const auto& rec : r.net->trace().records()) {
    if (rec.kind == sim::TraceKind::Call &&
        r.net->trace().text(rec.ref) == "getsockopt(c, SO_ERROR) = 32 (EPIPE)")
      shown = true;
  }
  EXPECT_TRUE(shown);
}

TEST(SocketCallsSoError, AnErrnoNameAsTheResultOfAnotherCallIsRefused) {
  EXPECT_EQ(error_of(pair("  read(c, 5) = EPIPE\n", "")),
            "t.tcpsim:8:16: read() does not return an errno: a failure is written = -1 EPIPE");
  EXPECT_EQ(error_of(pair("  getsockopt(c, SO_RCVBUF) = EPIPE\n", "")),
            "t.tcpsim:8:30: getsockopt() does not return an errno: a failure is written = -1 EPIPE");
}

// ------------------------------------------------------------ MSG_ flags

// MSG_DONTWAIT: tcp_recvmsg's timeo is 0 for this call: with nothing
// queued it returns EAGAIN at once (the socket itself is blocking; the
// client writes only at 1 s).
TEST(SocketCallsMsgFlags, RecvDontwaitOnAnEmptyBlockingSocketIsEagainAtOnce) {
  const RunResult r = run_text(pair("  recv(c, 100, MSG_DONTWAIT) = -1 EAGAIN\n  recv(c, 100) = 4 \"late\"\n",
                                    "  sleep(1)\n  write(k, \"late\")\n"));
  expect_all_pass(r, 2);
}

// MSG_PEEK: the bytes are copied and stay queued (peek_seq): the next
// read() returns them again.
TEST(SocketCallsMsgFlags, RecvPeekLeavesTheBytesForTheNextRead) {
  const RunResult r =
      run_text(pair("  sleep(100ms)\n  recv(c, 100, MSG_PEEK) = 5 \"hello\"\n  read(c, 100) = 5 \"hello\"\n",
                    "  write(k, \"hello\")\n  sleep(1)\n"));
  expect_all_pass(r, 2);
}

// MSG_WAITALL: tcp_recvmsg's target is the whole length: "hello" (sent at
// 2 ms) and "world" (sent at 1.002 s) come back in one call.
TEST(SocketCallsMsgFlags, RecvWaitallWaitsForEveryByteAskedFor) {
  const RunResult r =
      run_text(pair("  recv(c, 10, MSG_WAITALL) = 10 \"helloworld\"\n",
                    "  write(k, \"hello\")\n  sleep(1)\n  write(k, \"world\")\n  sleep(1)\n"));
  expect_all_pass(r, 1);
}

// ... but end of stream ends the wait with what came (copied > 0 and
// RCV_SHUTDOWN: break).
TEST(SocketCallsMsgFlags, RecvWaitallReturnsWhatCameAtEndOfStream) {
  const RunResult r =
      run_text(pair("  recv(c, 10, MSG_WAITALL) = 3 \"abc\"\n  recv(c, 10, MSG_WAITALL) = 0\n",
                    "  write(k, \"abc\")\n  close(k)\n"));
  expect_all_pass(r, 2);
}

// MSG_DONTWAIT on send: tcp_sendmsg queues what fits and returns (timeo 0)
// rather than waiting for room. tcpsim's send buffer holds the SO_SNDBUF
// value asked for (sim/sockets.cc), 4096 bytes, empty before the first send.
TEST(SocketCallsMsgFlags, SendDontwaitQueuesWhatFitsAndReturns) {
  const std::string prog =
      "host A 10.0.0.1\nhost B 10.0.0.2\nprogram server on B {\n  s = socket()\n  bind(s, *:9090)\n"
      "  listen(s, 5)\n  c = accept(s)\n  sleep(10)\n}\nprogram client on A {\n  k = socket()\n"
      "  setsockopt(k, SO_SNDBUF, 4096)\n  connect(k, 10.0.0.2:9090)\n  send(k, 100000, MSG_DONTWAIT) = "
      "4096\n"
      "  send(k, 100, MSG_DONTWAIT) = -1 EAGAIN\n}\n";
  expect_all_pass(run_text(prog), 2);
}

// tcpsim's programs ignore SIGPIPE (a broken connection is EPIPE), which
// is what MSG_NOSIGNAL asks for: send() takes it.
TEST(SocketCallsMsgFlags, SendTakesMsgNosignal) {
  expect_all_pass(
      run_text(pair("  read(c, 2) = 2 \"hi\"\n", "  send(k, \"hi\", MSG_NOSIGNAL|MSG_DONTWAIT) = 2\n")), 2);
}

TEST(SocketCallsMsgFlags, FlagsThatWouldDoNothingAreRefusedWhereWritten) {
  EXPECT_EQ(error_of(pair("", "  send(k, \"x\", MSG_MORE)\n")),
            "t.tcpsim:12:16: MSG_MORE is not simulated: tcpsim does not cork the data path");
  EXPECT_EQ(error_of(pair("  recv(c, 5, MSG_NOSIGNAL)\n", "")),
            "t.tcpsim:8:14: recv() does not take MSG_NOSIGNAL");
  EXPECT_EQ(error_of(pair("  recv(c, 5, MSG_PEEK|MSG_WAITALL)\n", "")),
            "t.tcpsim:8:14: MSG_PEEK|MSG_WAITALL is not simulated: peek, or wait for all");
  EXPECT_EQ(
      error_of(pair("  recv(c, 5, 16)\n", "")),
      "t.tcpsim:8:14: recv() argument 3: expected 0 or MSG_ flags such as MSG_DONTWAIT|MSG_PEEK, found 16");
  EXPECT_EQ(error_of(pair("  recv(c, 5, MSG_OOB)\n", "")),
            "t.tcpsim:8:14: recv() argument 3: expected 0 or MSG_ flags such as MSG_DONTWAIT|MSG_PEEK, found "
            "MSG_OOB");
}

TEST(SocketCallsMsgFlags, ARefusedFlagIsExitStatusTwo) {
  char path[] = "/tmp/tcpsim-calls-XXXXXX.tcpsim";
  const int fd = mkstemps(path, 7);
  ASSERT_GE(fd, 0);
  const std::string text = pair("", "  send(k, \"x\", MSG_MORE)\n");
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  const int null = open("/dev/null", O_WRONLY);
  const testing::Ran r = testing::run_tcpsim({"check", path}, null);
  close(null);
  unlink(path);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(":12:16: MSG_MORE is not simulated"), std::string::npos) << r.err;
}

// -------------------------------------------------------------- options

// SO_KEEPALIVE 1 was refused (no probes were simulated); now it is taken,
// and the TCP_KEEP* options read back the linux profile's values until set
// (net.ipv4.tcp_keepalive_time 7200, _intvl 75, _probes 9, this machine's
// /proc/sys/net/ipv4 too) and are bounded as do_tcp_setsockopt() bounds
// them: 1 to 32767 s, 1 to 127 probes, else EINVAL.
TEST(SocketCallsOptions, KeepaliveOptionsAsLinuxTakesAndBoundsThem) {
  expect_all_pass(
      run_text(pair("",
                    "  setsockopt(k, SO_KEEPALIVE, 1) = 0\n  getsockopt(k, SO_KEEPALIVE) = 1\n"
                    "  getsockopt(k, TCP_KEEPIDLE) = 7200\n  getsockopt(k, TCP_KEEPINTVL) = 75\n"
                    "  getsockopt(k, TCP_KEEPCNT) = 9\n  setsockopt(k, TCP_KEEPCNT, 0) = -1 EINVAL\n"
                    "  setsockopt(k, TCP_KEEPCNT, 128) = -1 EINVAL\n"
                    "  setsockopt(k, TCP_KEEPIDLE, 32768) = -1 EINVAL\n"
                    "  setsockopt(k, TCP_KEEPINTVL, 32767) = 0\n  getsockopt(k, TCP_KEEPINTVL) = 32767\n"
                    "  setsockopt(k, SO_KEEPALIVE, 0) = 0\n  getsockopt(k, SO_KEEPALIVE) = 0\n")),
      12);
}

// An accepted socket inherits the listener's keepalive (Linux
// sk_clone_lock(); the timer armed at the handshake's end,
// tcp_create_openreq_child()): B's connection, established at 3 ms, probes
// A at 5.003 and 6.003 s (TCP_KEEPIDLE 5, TCP_KEEPINTVL 1); A's answers are
// lost (A -> B dropped from 1 s), so at 7.003 s (TCP_KEEPCNT 2) B resets
// it: B's read() fails with ETIMEDOUT, A's with ECONNRESET at 7.004 s.
TEST(SocketCallsOptions, AcceptedSocketInheritsKeepaliveAndTimesOutAPeerThatVanished) {
  const std::string text =
      "host A 10.0.0.1\nhost B 10.0.0.2\ndrop A -> B from 1s to 100s\nprogram server on B {\n  s = socket()\n"
      "  setsockopt(s, SO_KEEPALIVE, 1)\n  setsockopt(s, TCP_KEEPIDLE, 5)\n  setsockopt(s, TCP_KEEPINTVL, "
      "1)\n"
      "  setsockopt(s, TCP_KEEPCNT, 2)\n  bind(s, *:9090)\n  listen(s, 5)\n  c = accept(s)\n"
      "  getsockopt(c, TCP_KEEPIDLE) = 5\n  read(c, 10) = -1 ETIMEDOUT\n}\n"
      "program client on A {\n  k = socket()\n  connect(k, 10.0.0.2:9090)\n  read(k, 10) = -1 ECONNRESET\n}\n"
      "at 6900ms expect server.c ESTABLISHED\nat 7100ms expect server.c CLOSED\n"
      "expect B -> A segment 2 ACK seq=0 ack=1 len=0 at 5.003s\n"
      "expect B -> A segment 3 ACK seq=0 ack=1 len=0 at 6.003s\n"
      "expect B -> A segment 4 RST,ACK seq=1 ack=1 at 7.003s\nexpect finished\n";
  expect_all_pass(run_text(text), 9);
}

// A level that is not the option's would be another option on Linux
// (IPPROTO_TCP's 2 is TCP_MAXSEG): refused, not read as SO_REUSEADDR.
TEST(SocketCallsOptions, AnOptionUnderAnotherLevelIsRefused) {
  EXPECT_EQ(error_of(pair("", "  setsockopt(k, IPPROTO_TCP, SO_REUSEADDR, 1)\n")),
            "t.tcpsim:12:17: SO_REUSEADDR is not a IPPROTO_TCP option (its level is SOL_SOCKET)");
  expect_all_pass(
      run_text(pair(
          "",
          "  setsockopt(k, IPPROTO_TCP, TCP_NODELAY, 1) = 0\n  getsockopt(k, SOL_TCP, TCP_NODELAY) = 1\n")),
      2);
}

// struct linger {l_onoff, l_linger}: with the level written too, SO_LINGER
// takes its two values (five arguments); getsockopt reads back l_onoff.
TEST(SocketCallsOptions, LingerWithItsLevelTakesBothValuesAndReadsBackOnOff) {
  expect_all_pass(
      run_text(
          pair("", "  setsockopt(k, SOL_SOCKET, SO_LINGER, 1, 5) = 0\n  getsockopt(k, SO_LINGER) = 1\n")),
      2);
  EXPECT_EQ(error_of(pair("", "  setsockopt(k, SO_REUSEADDR, 1, 0)\n")),
            "t.tcpsim:12:34: SO_REUSEADDR takes one value");
}

// socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0) makes a non-blocking
// socket (as fcntl would): its connect() returns EINPROGRESS.
TEST(SocketCallsSocket, SockNonblockMakesANonBlockingSocket) {
  const std::string prog =
      "host A 10.0.0.1\nhost B 10.0.0.2\nprogram p on A {\n  k = socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, "
      "0)\n"
      "  connect(k, 10.0.0.2:9) = -1 EINPROGRESS\n}\n";
  expect_all_pass(run_text(prog), 1);
  EXPECT_EQ(
      error_of("host A 10.0.0.1\nprogram p on A {\n  k = socket(AF_INET, SOCK_DGRAM, 0)\n}\n"),
      "t.tcpsim:3:23: socket() argument 2: expected SOCK_STREAM, with SOCK_NONBLOCK or SOCK_CLOEXEC, found "
      "SOCK_DGRAM");
}

// ------------------------------------------------------ poll, ioctl, TCP_INFO

// poll(2) on one descriptor: Linux's tcp_poll() reports EPOLLIN once bytes
// are queued, so a poll for POLLIN waits for the client's write (at 52 ms,
// arriving at 53 ms) and returns 1 with revents POLLIN; a poll with
// nothing to report returns 0 at its timeout; an established socket with
// room to send is POLLOUT (with POLLWRNORM only when asked for: do_pollfd
// masks revents with the events asked for, ERR and HUP).
TEST(SocketCallsPoll, PollWaitsForDataReportsRevEventsAndTimesOut) {
  expect_all_pass(run_text(pair("  poll(c, POLLOUT, 0) = 1 [c: POLLOUT]\n"
                                "  poll(c, POLLOUT|POLLWRNORM, 0) = 1 [c: POLLOUT|POLLWRNORM]\n"
                                "  poll(c, POLLIN, 20) = 0\n  poll(c, POLLIN, 1000) = 1 [c: POLLIN]\n"
                                "  read(c, 5) = 5 \"hello\"\n",
                                "  sleep(50ms)\n  write(k, \"hello\")\n")),
                  5);
  // The same poll written to expect POLLOUT as well fails: the events
  // reported are only those asked for.
  const RunResult r = run_text(
      pair("  poll(c, POLLIN, 1000) = 1 [c: POLLIN|POLLOUT]\n", "  sleep(50ms)\n  write(k, \"hello\")\n"));
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_FALSE(r.results[0].pass);
}

// tcp_ioctl(): SIOCINQ counts the bytes queued to read; SIOCOUTQ
// write_seq - snd_una, 0 once the peer has acknowledged everything (the
// client's 5 bytes are ACKed within 2 ms plus the delayed-ACK time).
TEST(SocketCallsIoctl, SiocinqCountsUnreadBytesSiocoutqUnacknowledgedOnes) {
  expect_all_pass(run_text(pair("  sleep(100ms)\n  ioctl(c, SIOCINQ) = 5\n  read(c, 2) = 2 \"he\"\n"
                                "  ioctl(c, FIONREAD) = 3\n",
                                "  write(k, \"hello\")\n  ioctl(k, SIOCOUTQ) = 5\n  sleep(300ms)\n"
                                "  ioctl(k, SIOCOUTQ) = 0\n")),
                  5);
}

// getsockopt(TCP_INFO) reads struct tcp_info as tcp_get_info() fills it (the
// client stays connected, so no FIN has come):
// tcpi_state is Linux's TCP_ESTABLISHED (1); under the linux profile the
// window starts at IW10 (RFC 6928, TCP_INIT_CWND) with ssthresh
// TCP_INFINITE_SSTHRESH (0x7fffffff); SACK negotiated shows in
// tcpi_options as TCPI_OPT_SACK (2).
TEST(SocketCallsTcpInfo, EstablishedLinuxConnectionReadsItsStateWindowAndOptions) {
  expect_all_pass(
      run_text("profile linux\n" + pair("  getsockopt(c, TCP_INFO, tcpi_state) = 1\n"
                                        "  getsockopt(c, TCP_INFO, tcpi_snd_cwnd) = 10\n"
                                        "  getsockopt(c, TCP_INFO, tcpi_snd_ssthresh) = 2147483647\n"
                                        "  getsockopt(c, TCP_INFO, tcpi_unacked) = 0\n",
                                        "  sleep(1s)\n")),
      4);
  EXPECT_EQ(error_of(pair("  getsockopt(c, TCP_INFO, tcpi_pmtu)\n", ""))
                .rfind("t.tcpsim:8:27: getsockopt() argument 3: expected a TCP_INFO field (tcpi_state, ", 0),
            0u);
}

}  // namespace
}  // namespace tcpsim::scenario
