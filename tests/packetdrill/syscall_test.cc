// System-call events and their expressions (packetdrill parser.y's
// syscall_spec and expression rules), and the %{ }% assertion subset.
#include <gtest/gtest.h>

#include "helpers.h"

namespace tcpsim::packetdrill {
namespace {

using testing::action;
using testing::error;
using testing::ok;

Syscall call(const std::string& line) {
  Script s = ok("0 " + line + "\n");
  return s.events.empty() ? Syscall{} : action<Syscall>(s, 0);
}

TEST(PacketdrillSyscall, ResultErrnoAndNote) {
  Syscall c = call("connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)");
  EXPECT_EQ(c.name, "connect");
  ASSERT_EQ(c.args.size(), 3u);
  EXPECT_EQ(c.args[0].kind, Expr::Kind::Integer);
  EXPECT_EQ(c.args[0].integer, 3);
  EXPECT_EQ(c.args[1].kind, Expr::Kind::Ellipsis);
  EXPECT_EQ(c.result.integer, -1);
  EXPECT_EQ(c.errno_name, "EINPROGRESS");
  EXPECT_EQ(c.note, "Operation now in progress");
  // The Linux selftests write the note without a space.
  Syscall nospace = call("write(4, ..., 100) = -1 ECONNRESET(Connection reset by peer)");
  EXPECT_EQ(nospace.errno_name, "ECONNRESET");
  EXPECT_EQ(nospace.note, "Connection reset by peer");
  // A note after a plain result (FreeBSD's fcntl), hex remembered.
  Syscall f = call("fcntl(3, F_GETFL) = 0x02 (flags O_RDWR)");
  EXPECT_EQ(f.result.integer, 2);
  EXPECT_TRUE(f.result.hex);
  EXPECT_FALSE(f.errno_name);
  EXPECT_EQ(f.note, "flags O_RDWR");
  Syscall bare = call("read(4, ..., 2000) = -1");
  EXPECT_FALSE(bare.errno_name);
  EXPECT_FALSE(bare.note);
  EXPECT_TRUE(call("getpid() = 7").args.empty());
}

TEST(PacketdrillSyscall, FlagsArraysAndErrnoNamesAsValues) {
  Syscall s = call("socket(..., SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 3");
  const Expr& type = s.args[1];
  ASSERT_EQ(type.kind, Expr::Kind::Binary);
  EXPECT_EQ(type.text, "|");
  EXPECT_EQ(type.items[0].text, "SOCK_STREAM");
  EXPECT_EQ(type.items[1].text, "SOCK_NONBLOCK");
  Syscall three = call("fcntl(3, F_SETFL, O_RDWR | O_NONBLOCK | 0x800) = 0");
  ASSERT_EQ(three.args[2].kind, Expr::Kind::Binary);  // ((O_RDWR | O_NONBLOCK) | 0x800)
  EXPECT_EQ(three.args[2].items[0].kind, Expr::Kind::Binary);
  EXPECT_EQ(three.args[2].items[1].integer, 0x800);
  Syscall g = call("getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNRESET], [4]) = 0");
  ASSERT_EQ(g.args[3].kind, Expr::Kind::List);
  EXPECT_EQ(g.args[3].items[0].text, "ECONNRESET");
  EXPECT_EQ(g.args[4].items[0].integer, 4);
  EXPECT_EQ(call("setsockopt(3, SOL_TCP, TCP_NOTSENT_LOWAT, [0xffffffff], 4) = 0").args[3].items[0].integer,
            0xffffffffLL);
  EXPECT_EQ(call("connect(3, AF_UNSPEC, ...) = 0").args[1].text, "AF_UNSPEC");
  EXPECT_TRUE(call("getsockopt(3, SOL_SOCKET, SO_LINGER, [], [0]) = 0").args[3].items.empty());
}

TEST(PacketdrillSyscall, StructLiteralsForPollEpollMsghdrAndSockaddr) {
  Syscall p = call("poll([{fd=3,\n events=POLLIN|POLLOUT|POLLERR,\n revents=POLLOUT}], 1, 100) = 1");
  const Expr& pfd = p.args[0].items[0];
  ASSERT_EQ(pfd.kind, Expr::Kind::Struct);
  ASSERT_NE(pfd.field("fd"), nullptr);
  EXPECT_EQ(pfd.field("fd")->integer, 3);
  EXPECT_EQ(pfd.field("revents")->text, "POLLOUT");
  EXPECT_EQ(pfd.field("events")->kind, Expr::Kind::Binary);
  EXPECT_EQ(pfd.field("missing"), nullptr);
  Syscall e = call("epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0");
  EXPECT_EQ(e.args[1].field("ptr")->integer, 0);
  Syscall m = call(
      "sendmsg(4, {msg_name(...)=..., msg_iov(3)=[{..., 100}, {..., 200}, {..., 195}], msg_flags=0}, "
      "MSG_MORE) = 495");
  const Expr* iov = m.args[1].field("msg_iov");
  ASSERT_NE(iov, nullptr);
  ASSERT_EQ(iov->items.size(), 3u);
  EXPECT_EQ(iov->items[2].items[1].integer, 195);
  EXPECT_EQ(m.args[1].field("msg_name")->kind, Expr::Kind::Ellipsis);
  Syscall b =
      call("bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"192.0.2.1\")}, 16) = 0");
  const Expr* port = b.args[1].field("sin_port");
  ASSERT_EQ(port->kind, Expr::Kind::Call);
  EXPECT_EQ(port->text, "htons");
  EXPECT_EQ(port->items[0].integer, 8080);
  EXPECT_EQ(b.args[1].field("sin_addr")->items[0].text, "192.0.2.1");
  Syscall w = call("write(3, \"ab\" \"cd\"..., 4) = 4");
  EXPECT_EQ(w.args[1].kind, Expr::Kind::String);
  EXPECT_EQ(w.args[1].text, "abcd");
  EXPECT_TRUE(w.args[1].string_ellipsis);
}

TEST(PacketdrillSyscall, MistakesArePositioned) {
  EXPECT_EQ(error("0 close(3)\n+0 close(4) = 0\n"),
            "t.pkt:2:1: expected '=' after close(...): a system call needs its expected result, not '+'");
  EXPECT_EQ(error("0 close(3, ) = 0\n"),
            "t.pkt:1:12: expected an expression (a number, a name, \"string\", ..., [..] or {..}), not ')'");
  EXPECT_EQ(error("0 read(3, ..., 10 = 0\n"),
            "t.pkt:1:19: expected ')' or ',' in the argument list, not '='");
  EXPECT_EQ(error("0 close(99999999999999999999) = 0\n"),
            "t.pkt:1:9: number 99999999999999999999 is too large");
  EXPECT_EQ(error("0 read(3, ..., 1) = -1 EAGAIN (Resource\n"),
            "t.pkt:1:31: unterminated note: '(' without ')'");
  std::string deep = "0 f(" + std::string(40, '[') + std::string(40, ']') + ") = 0\n";
  EXPECT_EQ(error(deep), "t.pkt:1:37: expression nested deeper than 32");
}

TEST(PacketdrillPython, AssertsOnTcpInfoFieldsAreParsed) {
  Script s =
      ok("0 close(3) = 0\n+0 %{ assert tcpi_state == TCP_SYN_RECV, tcpi_state }%\n"
         "+0 %{ assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0, tcpi_options }%\n"
         "+0 %{\nassert tcpi_ca_state == TCP_CA_Recovery, tcpi_ca_state\n"
         "assert tcpi_lost == 7,tcpi_lost         # RACK thinks 1:7001 are lost\n}%\n"
         "+0 %{ assert tcpi_snd_cwnd >= 0x0a, 'cwnd=%d; #' % tcpi_snd_cwnd; assert tcpi_rto < 3 }%\n");
  const PythonBlock& a = action<PythonBlock>(s, 1);
  ASSERT_EQ(a.statements.size(), 1u);
  const PythonStatement& st = a.statements[0];
  EXPECT_TRUE(st.supported);
  EXPECT_EQ(st.field, "tcpi_state");
  EXPECT_EQ(st.op, "==");
  EXPECT_EQ(st.value.text, "TCP_SYN_RECV");
  EXPECT_EQ(st.message, "tcpi_state");
  EXPECT_EQ(st.where.line, 2);
  EXPECT_EQ(st.where.column, 7);
  const PythonStatement& m = action<PythonBlock>(s, 2).statements[0];
  EXPECT_EQ(m.field, "tcpi_options");
  ASSERT_TRUE(m.mask);
  EXPECT_EQ(m.mask->text, "TCPI_OPT_SYN_DATA");
  EXPECT_EQ(m.op, "!=");
  EXPECT_EQ(m.value.integer, 0);
  const PythonBlock& multi = action<PythonBlock>(s, 3);
  ASSERT_EQ(multi.statements.size(), 2u);
  EXPECT_EQ(multi.statements[1].text, "assert tcpi_lost == 7,tcpi_lost");  // the comment dropped
  EXPECT_EQ(multi.statements[1].value.integer, 7);
  EXPECT_EQ(multi.statements[1].where.line, 6);
  EXPECT_EQ(multi.statements[1].where.column, 1);
  EXPECT_TRUE(multi.supported());
  const PythonBlock& two = action<PythonBlock>(s, 4);
  ASSERT_EQ(two.statements.size(), 2u);  // ';' and '#' inside the string do not split or cut
  EXPECT_EQ(two.statements[0].message, "'cwnd=%d; #' % tcpi_snd_cwnd");
  EXPECT_EQ(two.statements[0].op, ">=");
  EXPECT_EQ(two.statements[0].value.integer, 10);
  EXPECT_EQ(two.statements[1].op, "<");
  EXPECT_FALSE(two.statements[1].message);
}

TEST(PacketdrillPython, EverythingElseIsUnsupportedWithAReason) {
  auto reason = [](const std::string& code) {
    auto st = parse_python(code, {1, 1});
    return st.size() == 1 && !st[0].supported ? st[0].unsupported_reason : "(supported or not one statement)";
  };
  EXPECT_EQ(reason("import os"), "not an assert statement");
  EXPECT_EQ(reason("print(tcpi_state)"), "not an assert statement");
  EXPECT_EQ(reason("assert x == 1"), "the assert is not about a tcpi_ field of TCP_INFO");
  EXPECT_EQ(reason("assert tcpi_state == state"),
            "the field is compared with something other than a number or a TCP_/TCPI_ name");
  EXPECT_EQ(reason("assert tcpi_rtt in (1, 2)"), "expected a comparison (== != < <= > >=) after the field");
  EXPECT_EQ(reason("assert tcpi_rtt == 1 + 2"), "unexpected '+ 2' after the comparison");
  EXPECT_EQ(reason("assert (tcpi_options | 1) == 1"),
            "only (tcpi_field & MASK) is understood inside parentheses");
  EXPECT_EQ(reason("assert tcpi_rtt == 1,"), "',' without a message");
  EXPECT_EQ(reason("assert tcpi_rtt == f(1"), "unbalanced brackets or quotes");
  EXPECT_TRUE(parse_python("  # only a comment\n\n", {1, 1}).empty());
  Script s = ok("0 close(3) = 0\n+0 %{ assert tcpi_state == 1; import os }%\n");
  EXPECT_FALSE(action<PythonBlock>(s, 1).supported());
}

// Found by the fuzz test: a backslash continuation before the first
// statement left a space at its start, so its dump did not read back the same.
TEST(PacketdrillPython, ABackslashContinuationBeforeAStatementAddsNoSpace) {
  auto st = parse_python(" \\\n assert tcpi_rto > 0", {1, 1});
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].text, "assert tcpi_rto > 0");
  EXPECT_EQ(st[0].where.line, 2);
  EXPECT_EQ(st[0].where.column, 2);
}

}  // namespace
}  // namespace tcpsim::packetdrill
