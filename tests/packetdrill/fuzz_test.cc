// Fuzzing the packetdrill parser in-process: thousands of random mutations
// of script snippets (built-in ones covering every construct, plus the
// corpus scripts when ../shared is present), with a fixed seed. Every input
// must give either a script whose dump reads back to itself, or an error at
// a position inside the input: never a crash, a hang or an exception.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include "packetdrill/parser.h"

namespace tcpsim::packetdrill {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> builtin() {
  return {
      "--tolerance_usecs=75000\n--ip_version=ipv4\n--mss=1000\n`./defaults.sh\nsysctl -q a=1`\n"
      "0 socket(..., SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 3\n"
      "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n+0 bind(3, ..., ...) = 0\n"
      "+0 listen(3, 1) = 0\n+0 < S 0:10(10) win 32792 <mss 1460,sackOK,nop,nop,FO TFO_COOKIE,nop,nop>\n"
      "+0 > S. 0:0(0) ack 11 <mss 1460,nop,nop,sackOK>\n+0 accept(3, ..., ...) = 4\n"
      "+0 %{ assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0, tcpi_options }%\n"
      "+0 read(4, ..., 512) = -1 ECONNRESET (Connection reset by peer)\n`/tmp/x.sh`\n",
      "--ip_version=ipv6\n 0.00 `sysctl -w net.inet.tcp.rfc1323=1`\n+0.00 fcntl(3, F_GETFL) = 0x02 (flags "
      "O_RDWR)\n"
      "+0.10 < SEW  0:0(0)       win 32767 <mss 1460,sackOK,eol,eol>\n"
      "#ifdef STANDARD\n+0.00 > R. 2:2(0) ack 2 win     0\n#else\n*  > S. ...(0) ack 1 win 65535 "
      "<...>\n#endif\n"
      "+0.01 <[noecn] . 1:1(0) ack 1 win 65535\n1.00...6.00 connect(3, ..., ...) = -1 ETIMEDOUT\n"
      "+0.00 %{ assert tcpi_state == TCPI_SYN_RECEIVED }%\n",
      "0 poll([{fd=3,\n events=POLLIN|POLLOUT,\n revents=POLLOUT}], 1, 100) = 1\n"
      "+.3~+.400 > F. 1:1(0) ack 1 <sack 1:2 3:4,TS val 1 ecr 2>\n/* c */ +0 %{\nassert tcpi_lost == 7 # "
      "x\n}%\n"
      "+0 sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 40}], msg_flags=0}, MSG_MORE) = 40\n"
      "+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT|EPOLLIN|EPOLLET, fd=4}) = 0\n"
      "+0 write(3, \"ab\" \"c\"..., 3) = 3\n+0 < udp (1472)\n",
  };
}

std::vector<std::string> corpus_sample() {
  std::vector<std::string> out;
  const char* env = std::getenv("TCPSIM_SHARED_DIR");
  fs::path root =
      (env && *env ? fs::path(env) : fs::path(TCPSIM_SOURCE_DIR) / ".." / "shared") / "conformance";
  if (!fs::exists(root)) return out;
  std::vector<fs::path> files;
  for (const auto& f : fs::recursive_directory_iterator(root)) {
    if (f.path().extension() == ".pkt") files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  for (std::size_t i = 0; i < files.size(); i += 25) {  // a spread of ~30 scripts, every corpus
    std::ifstream in(files[i]);
    std::ostringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  return out;
}

std::string mutate(const std::string& s, std::mt19937_64& rng) {
  static const char* const kTokens[] = {"(",
                                        ")",
                                        "[",
                                        "]",
                                        "{",
                                        "}",
                                        "<",
                                        ">",
                                        ",",
                                        ":",
                                        "=",
                                        "|",
                                        "~",
                                        "*",
                                        "+",
                                        "-",
                                        ".",
                                        "...",
                                        "`",
                                        "\"",
                                        "%{",
                                        "}%",
                                        "/*",
                                        "*/",
                                        "//",
                                        "#ifdef X\n",
                                        "#else\n",
                                        "#endif\n",
                                        "\n",
                                        " ",
                                        "0",
                                        "4294967296",
                                        "0x",
                                        "1.5",
                                        "S.",
                                        "ack",
                                        "win",
                                        "<...>",
                                        "...(0)",
                                        "mss",
                                        "sack",
                                        "TS val",
                                        "FO",
                                        "assert",
                                        "tcpi_state",
                                        "--mss=",
                                        "99999999999999999999999",
                                        "\xff",
                                        "\t",
                                        "\\\n",
                                        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["};
  std::string m = s;
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int k = 0; k < edits && !m.empty(); ++k) {
    std::size_t at = rng() % (m.size() + 1);
    switch (rng() % 4) {
      case 0: m.erase(at, 1 + rng() % 8); break;
      case 1: m.insert(at, kTokens[rng() % (sizeof kTokens / sizeof *kTokens)]); break;
      case 2:
        if (at < m.size()) m[at] = static_cast<char>(rng() % 128);
        break;
      default: {  // duplicate a slice elsewhere
        std::size_t from = rng() % m.size();
        std::string slice = m.substr(from, 1 + rng() % 40);
        m.insert(at, slice);
      }
    }
  }
  return m;
}

TEST(PacketdrillFuzz, MutatedScriptsGiveAScriptOrAPositionedErrorNeverACrash) {
  std::vector<std::string> seeds = builtin();
  for (std::string& c : corpus_sample()) seeds.push_back(std::move(c));
  std::mt19937_64 rng(20261207);
  const std::regex located(R"(^f\.pkt:(\d+):(\d+): .+$)");
  int parsed = 0, errors = 0;
  for (int i = 0; i < 4000; ++i) {
    const std::string input = mutate(seeds[i % seeds.size()], rng);
    auto r = parse(input, "f.pkt");
    if (auto* e = std::get_if<ParseError>(&r)) {
      ++errors;
      std::smatch m;
      const std::string msg = e->message();
      ASSERT_TRUE(std::regex_match(msg, m, located)) << msg;
      int lines = 1 + static_cast<int>(std::count(input.begin(), input.end(), '\n'));
      EXPECT_GE(e->where.line, 1) << msg;
      EXPECT_LE(e->where.line, lines) << msg;
      EXPECT_GE(e->where.column, 1) << msg;
      continue;
    }
    ++parsed;
    const std::string once = dump(std::get<Script>(r));
    auto again = parse(once, "f.pkt");
    ASSERT_TRUE(std::holds_alternative<Script>(again)) << std::get<ParseError>(again).message() << "\ndump:\n"
                                                       << once << "\ninput:\n"
                                                       << input;
    EXPECT_EQ(dump(std::get<Script>(again)), once) << "input:\n" << input;
  }
  // Both outcomes must be exercised, or the mutations test nothing.
  EXPECT_GT(parsed, 100);
  EXPECT_GT(errors, 1000);
  std::cout << parsed << " mutants parsed, " << errors << " rejected with a position\n";
}

}  // namespace
}  // namespace tcpsim::packetdrill
