// The table of socket calls (sim/socket_calls.h): its numbers are Linux's,
// its decoding is the one every runner performs, and no other file
// compares a call's name (one source of truth, issue 14).
#include "sim/socket_calls.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "sim/tcp_info.h"

namespace tcpsim::sim {
namespace {

// getsockopt(SO_ERROR) returns the number; glibc names it as tcpsim does.
TEST(SocketCallsTable, ErrnoNumbersAreLinuxsAndGlibcNamesThemAlike) {
  EXPECT_EQ(errno_number(Errno::Pipe), EPIPE);
  EXPECT_EQ(errno_number(Errno::Pipe), 32);  // include/uapi/asm-generic/errno-base.h
  EXPECT_EQ(errno_number(Errno::ConnRefused), 111);
  for (int e = 1; e <= static_cast<int>(Errno::MFile); ++e) {
    const auto err = static_cast<Errno>(e);
    const char* glibc = strerrorname_np(errno_number(err));
    ASSERT_NE(glibc, nullptr) << errno_name(err);
    EXPECT_EQ(errno_name(err), glibc);
    EXPECT_EQ(errno_name_of_number(errno_number(err)), errno_name(err));
  }
}

// The kernel runner passes the table's level and option numbers to the
// kernel as they are: they must be <sys/socket.h>'s and <netinet/tcp.h>'s.
TEST(SocketCallsTable, OptionLevelsAndNumbersAreTheKernelHeaders) {
  const std::pair<std::string_view, std::pair<int, int>> linux_opts[] = {
      {"SO_REUSEADDR", {SOL_SOCKET, SO_REUSEADDR}},
      {"SO_REUSEPORT", {SOL_SOCKET, SO_REUSEPORT}},
      {"SO_LINGER", {SOL_SOCKET, SO_LINGER}},
      {"SO_RCVBUF", {SOL_SOCKET, SO_RCVBUF}},
      {"SO_SNDBUF", {SOL_SOCKET, SO_SNDBUF}},
      {"TCP_NODELAY", {IPPROTO_TCP, TCP_NODELAY}},
      {"TCP_CORK", {IPPROTO_TCP, TCP_CORK}},
      {"SO_ERROR", {SOL_SOCKET, SO_ERROR}},
      {"SO_KEEPALIVE", {SOL_SOCKET, SO_KEEPALIVE}},
      {"TCP_INFO", {IPPROTO_TCP, TCP_INFO}},
      {"SO_RCVTIMEO", {SOL_SOCKET, SO_RCVTIMEO}},
      {"SO_SNDTIMEO", {SOL_SOCKET, SO_SNDTIMEO}},
      {"TCP_USER_TIMEOUT", {IPPROTO_TCP, TCP_USER_TIMEOUT}},
      {"TCP_FASTOPEN", {IPPROTO_TCP, TCP_FASTOPEN}},
      {"TCP_KEEPIDLE", {IPPROTO_TCP, TCP_KEEPIDLE}},
      {"TCP_KEEPINTVL", {IPPROTO_TCP, TCP_KEEPINTVL}},
      {"TCP_KEEPCNT", {IPPROTO_TCP, TCP_KEEPCNT}},
  };
  ASSERT_EQ(socket_options().size(), std::size(linux_opts));
  for (const auto& [name, want] : linux_opts) {
    const auto o = sockopt_from_name(name);
    ASSERT_TRUE(o) << name;
    EXPECT_EQ(sockopt_info(*o).level, want.first) << name;
    EXPECT_EQ(sockopt_info(*o).number, want.second) << name;
    EXPECT_EQ(sockopt_name(*o), name);
  }
}

// tcp_state() returns tcpi_state as the kernel numbers it: <netinet/tcp.h>'s
// TCP_ESTABLISHED ... TCP_CLOSING, the same numbers sock_diag gives.
TEST(SocketCallsTable, TcpStateNumbersAreTheKernelHeaders) {
  using model::State;
  const std::pair<State, int> linux_states[] = {
      {State::Established, TCP_ESTABLISHED},
      {State::SynSent, TCP_SYN_SENT},
      {State::SynReceived, TCP_SYN_RECV},
      {State::FinWait1, TCP_FIN_WAIT1},
      {State::FinWait2, TCP_FIN_WAIT2},
      {State::TimeWait, TCP_TIME_WAIT},
      {State::Closed, TCP_CLOSE},
      {State::CloseWait, TCP_CLOSE_WAIT},
      {State::LastAck, TCP_LAST_ACK},
      {State::Listen, TCP_LISTEN},
      {State::Closing, TCP_CLOSING},
  };
  for (const auto& [st, n] : linux_states) {
    EXPECT_EQ(linux_tcp_state(st), n) << model::state_name(st);
    EXPECT_EQ(state_from_linux(n), st) << n;
  }
  EXPECT_EQ(state_from_linux(12), State::SynReceived);  // TCP_NEW_SYN_RECV: a request socket
  // Through a descriptor, TIME-WAIT reads as TCP_CLOSE (tcp_time_wait + tcp_done).
  EXPECT_EQ(linux_tcp_state(state_seen_by_descriptor(State::TimeWait)), TCP_CLOSE);
  EXPECT_EQ(state_seen_by_descriptor(State::FinWait2), State::FinWait2);
}

DecodedCall decoded(std::string_view fn, std::vector<CallArg> args) {
  const auto r = decode_call(*find_call(fn), args, SourceLoc{1, 1});
  EXPECT_TRUE(std::holds_alternative<DecodedCall>(r)) << std::get<CallError>(r).message;
  return std::holds_alternative<DecodedCall>(r) ? std::get<DecodedCall>(r) : DecodedCall{};
}

CallArg ident(std::string s) {
  CallArg a;
  a.text = std::move(s);
  return a;
}
CallArg number(long n) {
  CallArg a;
  a.kind = CallArg::Number;
  a.number = n;
  return a;
}
CallArg flags(std::vector<std::string> f) {
  CallArg a;
  a.kind = CallArg::Flags;
  a.flags = std::move(f);
  return a;
}

// Names and numbers decode to the same Linux values, which the kernel
// runner hands to recv(2), epoll_ctl(2) as they are.
TEST(SocketCallsTable, FlagsDecodeToLinuxValuesByNameOrNumber) {
  const DecodedCall by_name = decoded("recv", {ident("c"), number(10), flags({"MSG_DONTWAIT", "MSG_PEEK"})});
  EXPECT_EQ(by_name.msg_flags, MSG_DONTWAIT | MSG_PEEK);
  EXPECT_EQ(by_name.fd.var, "c");
  EXPECT_EQ(by_name.count, 10u);
  EXPECT_EQ(decoded("recv", {number(4), number(10), number(MSG_WAITALL)}).msg_flags, MSG_WAITALL);
  EXPECT_EQ(decoded("recv", {number(4), number(10), number(MSG_WAITALL)}).fd.number, 4);
  const DecodedCall ctl =
      decoded("epoll_ctl", {ident("ep"), ident("EPOLL_CTL_MOD"), ident("c"), flags({"EPOLLIN", "EPOLLET"})});
  EXPECT_EQ(ctl.events, static_cast<std::uint32_t>(EPOLLIN | EPOLLET));
  EXPECT_EQ(ctl.op, EpollOp::Mod);
  EXPECT_EQ(ctl.target.var, "c");
  const DecodedCall opt =
      decoded("setsockopt", {ident("s"), ident("SOL_SOCKET"), ident("SO_LINGER"), number(1), number(7)});
  EXPECT_EQ(opt.opt, SockOpt::Linger);
  EXPECT_EQ(opt.value, 1);
  EXPECT_EQ(opt.value2, 7);
}

// poll(2)'s bits, fcntl(2)'s flags and the ioctl requests decode to
// <poll.h>'s, <fcntl.h>'s values, which the kernel runner passes on.
TEST(SocketCallsTable, PollIoctlFcntlDecodeToTheKernelHeadersValues) {
  const DecodedCall p = decoded("poll", {ident("c"), flags({"POLLIN", "POLLOUT", "POLLRDHUP"}), number(250)});
  EXPECT_EQ(p.events, static_cast<std::uint32_t>(POLLIN | POLLOUT | POLLRDHUP));
  EXPECT_EQ(p.timeout, 250 * kMillisecond);
  EXPECT_EQ(decoded("poll", {ident("c"), ident("POLLIN"), number(-1)}).timeout, -1);
  EXPECT_EQ(poll_events_value({"POLLERR", "POLLHUP", "POLLNVAL", "POLLRDNORM", "POLLWRNORM"}),
            static_cast<std::uint32_t>(POLLERR | POLLHUP | POLLNVAL | POLLRDNORM | POLLWRNORM));
  EXPECT_FALSE(poll_events_value({"EPOLLIN"}));
  EXPECT_EQ(decoded("ioctl", {ident("c"), ident("SIOCOUTQ")}).request, Ioctl::OutQ);
  EXPECT_EQ(decoded("ioctl", {ident("c"), ident("FIONREAD")}).request, Ioctl::InQ);
  EXPECT_TRUE(decoded("fcntl", {ident("c"), ident("F_GETFL")}).getfl);
  EXPECT_TRUE(decoded("fcntl", {ident("c"), ident("F_SETFL"), flags({"O_RDWR", "O_NONBLOCK"})}).nonblocking);
  EXPECT_FALSE(decoded("fcntl", {ident("c"), ident("F_SETFL"), ident("O_RDWR")}).nonblocking);
  EXPECT_EQ(kORdWr, O_RDWR);
  EXPECT_EQ(kONonblock, O_NONBLOCK);
  EXPECT_EQ(static_cast<std::uint32_t>(kPollRdNorm), static_cast<std::uint32_t>(POLLRDNORM));
}

// getsockopt(c, TCP_INFO, tcpi_FIELD) names a member of struct tcp_info;
// setting TCP_INFO, or naming no field or an unknown one, is refused.
TEST(SocketCallsTable, TcpInfoIsReadOneFieldAtATime) {
  const DecodedCall g = decoded("getsockopt", {ident("c"), ident("TCP_INFO"), ident("tcpi_snd_cwnd")});
  EXPECT_EQ(g.opt, SockOpt::TcpInfo);
  EXPECT_EQ(static_cast<TcpInfoField>(g.value), TcpInfoField::tcpi_snd_cwnd);
  auto refused = [](std::string_view fn, std::vector<CallArg> args) {
    const auto r = decode_call(*find_call(fn), args, SourceLoc{1, 1});
    return std::holds_alternative<CallError>(r) ? std::get<CallError>(r).message : std::string("decoded");
  };
  EXPECT_EQ(refused("setsockopt", {ident("c"), ident("TCP_INFO"), number(0)}),
            "TCP_INFO can only be read (getsockopt)");
  EXPECT_NE(refused("getsockopt", {ident("c"), ident("TCP_INFO")}).find("TCP_INFO needs a field"),
            std::string::npos);
  EXPECT_NE(
      refused("getsockopt", {ident("c"), ident("TCP_INFO"), ident("tcpi_pmtu")}).find("a TCP_INFO field"),
      std::string::npos);
}

TEST(SocketCallsTable, EpollEventNamesAreSaidOnceForPrintingAndDecoding) {
  EXPECT_EQ(epoll_events_name(EPOLLIN | EPOLLRDHUP), "EPOLLIN|EPOLLRDHUP");
  EXPECT_EQ(decoded("epoll_ctl", {ident("ep"), ident("ADD"), ident("c"), ident("EPOLLRDHUP")}).events,
            static_cast<std::uint32_t>(EPOLLRDHUP));
}

// --------------------------------------------- call names compared elsewhere

// `== "connect"`, `"read" !=`: a comparison of a string literal that is a
// call's name. In `text`, each as "LINE: call".
std::vector<std::string> name_comparisons(const std::string& text) {
  std::string names;
  for (const auto& c : socket_calls()) names += (names.empty() ? "" : "|") + std::string(c.name);
  const std::regex cmp("([=!]=\\s*\"(" + names + ")\")|(\"(" + names + ")\"\\s*[=!]=)");
  std::vector<std::string> found;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::smatch m;
    if (std::regex_search(line, m, cmp))
      found.push_back(std::to_string(n) + ": " + (m[2].matched ? m[2] : m[4]).str());
  }
  return found;
}

TEST(SocketCallsTable, TheScanFindsANameComparison) {
  EXPECT_EQ(name_comparisons("  if (st.fn == \"connect\") x();\nok\n  \"read\" != fn\n"),
            (std::vector<std::string>{"1: connect", "3: read"}));
  EXPECT_TRUE(name_comparisons("return \"listen\";\nfn == \"connected\"\n").empty());
}

// Every call is decoded once, by the table: the parser, the interpreter and
// the kernel runner (and what else is built on them) never compare a call's
// name. The load statement's `accept` keyword is not a call.
TEST(SocketCallsTable, NoSourceOutsideTheTableComparesACallName) {
  namespace fs = std::filesystem;
  const fs::path root = TCPSIM_SOURCE_DIR;
  const std::vector<std::pair<std::string, std::string>> allowed = {
      {"scenario/parser.cc", "accept"},  // `load ... accept 100/s`: the accept rate
  };
  std::vector<std::string> bad;
  for (const char* layer : {"model", "sim", "scenario", "formats", "kernel", "cli", "packetdrill"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / layer)) {
      const std::string ext = e.path().extension().string();
      if (ext != ".cc" && ext != ".h") continue;
      const std::string rel = fs::relative(e.path(), root).string();
      if (rel.rfind("sim/socket_calls.", 0) == 0) continue;
      std::ifstream f(e.path());
      std::stringstream text;
      text << f.rdbuf();
      for (const auto& hit : name_comparisons(text.str())) {
        const std::string name = hit.substr(hit.find(": ") + 2);
        bool ok = false;
        for (const auto& [file, n] : allowed) ok |= file == rel && n == name;
        if (!ok) bad.push_back(rel + ":" + hit);
      }
    }
  }
  std::string list;
  for (const auto& b : bad) list += "\n  " + b;
  EXPECT_TRUE(bad.empty()) << "call names compared outside sim/socket_calls.cc (decode them there):" << list;
}

}  // namespace
}  // namespace tcpsim::sim
