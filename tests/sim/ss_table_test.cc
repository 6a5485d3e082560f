// sim/ss_table against the real kernel: the layouts of `ss -tan`,
// `ss -tano` and /proc/net/tcp byte for byte (rows parsed from the captures
// in tests/sim/data/ss/ and printed again), ss's timer format, and the
// situations of docs/linux-observations.md §7 rebuilt in the simulator
// (linux profile, one host, loopback) and compared with the kernel's tables.
#include "sim/ss_table.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "script.h"
#include "sim/trace_text.h"

namespace tcpsim::test {
namespace {

using model::State;
using sim::Shut;
using sim::SocketRow;
using sim::SockKind;
using sim::SockOpt;
constexpr Duration ms = kMillisecond;
constexpr Duration s = kSecond;

std::string read_data(const std::string& name) {
  const std::string path = std::string(TCPSIM_SOURCE_DIR) + "/tests/sim/data/ss/" + name;
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

std::vector<std::string> sorted_rows(const std::string& text) {
  std::vector<std::string> v = lines_of(text);
  if (!v.empty()) v.erase(v.begin());  // the header
  std::sort(v.begin(), v.end());
  return v;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& l : v) out += "[" + l + "]\n";
  return out;
}

// ---------------------------------------------------------------------------
// ss's timer text (iproute2 ss.c print_ms_timer, and the kernel's jiffies).

TEST(SsTableTimer, MillisecondFormatFollowsPrintMsTimer) {
  using sim::ss_ms_timer;
  EXPECT_EQ(ss_ms_timer(0), "");  // ss prints "timer:(on,,0)" then
  EXPECT_EQ(ss_ms_timer(4), "004ms");
  EXPECT_EQ(ss_ms_timer(28), "028ms");  // states.ss-tano.txt
  EXPECT_EQ(ss_ms_timer(999), "999ms");
  EXPECT_EQ(ss_ms_timer(1000), "1sec");
  EXPECT_EQ(ss_ms_timer(1001), "1.001ms");  // sic: 1.001 s
  EXPECT_EQ(ss_ms_timer(1304), "1.304ms");
  EXPECT_EQ(ss_ms_timer(2896), "2.896ms");
  EXPECT_EQ(ss_ms_timer(8688), "8.688ms");  // keepalive.ss-tano.txt
  EXPECT_EQ(ss_ms_timer(9999), "9.999ms");
  EXPECT_EQ(ss_ms_timer(10000), "10sec");
  EXPECT_EQ(ss_ms_timer(10999), "10sec");  // from 10 s on the milliseconds are dropped (truncated)
  EXPECT_EQ(ss_ms_timer(59996), "59sec");
  EXPECT_EQ(ss_ms_timer(59999), "59sec");
  EXPECT_EQ(ss_ms_timer(60000), "1min");
  EXPECT_EQ(ss_ms_timer(60999), "1min");
  EXPECT_EQ(ss_ms_timer(61000), "1min1sec");
  EXPECT_EQ(ss_ms_timer(124000), "2min4sec");  // keepalive.ss-tano.txt
  EXPECT_EQ(ss_ms_timer(599999), "9min59sec");
  EXPECT_EQ(ss_ms_timer(600000), "10min");
  EXPECT_EQ(ss_ms_timer(660000), "11min");  // keepalive.ss-tano.txt
  EXPECT_EQ(ss_ms_timer(665000), "11min");  // from 10 min on the seconds go too
}

TEST(SsTableTimer, RemainingTimeIsWholeJiffiesRoundedUp) {
  using sim::kernel_jiffies_left;
  EXPECT_EQ(kernel_jiffies_left(-5 * ms), 0);
  EXPECT_EQ(kernel_jiffies_left(0), 0);
  EXPECT_EQ(kernel_jiffies_left(1), 1);
  EXPECT_EQ(kernel_jiffies_left(4 * ms), 1);
  EXPECT_EQ(kernel_jiffies_left(4 * ms + 1), 2);
  EXPECT_EQ(kernel_jiffies_left(60 * s), 15000);
}

SocketRow timed(const char* kind, Duration left, int retransmits = 0) {
  SocketRow r;
  r.timer = kind;
  r.timer_left = left;
  r.retransmits = retransmits;
  return r;
}

TEST(SsTableTimer, TimerTextAsSsPrintsIt) {
  using sim::ss_timer;
  EXPECT_EQ(ss_timer(SocketRow{}), "");
  // A 60 s TIME-WAIT: "1min" within the jiffy it started in (the kernel
  // stores expires = jiffies + 60 * HZ: twnow.proc-net-tcp.txt reads
  // 03:00001770, 60.00 s), "59sec" from the next jiffy on (twnow.ss-tano.txt,
  // ss ran 1-2 ms later) until 59 s are left.
  EXPECT_EQ(ss_timer(timed("timewait", 60 * s)), "timewait,1min,0");
  EXPECT_EQ(ss_timer(timed("timewait", 60 * s - 4 * ms)), "timewait,59sec,0");
  EXPECT_EQ(ss_timer(timed("timewait", 60 * s - 50 * ms)), "timewait,59sec,0");
  EXPECT_EQ(ss_timer(timed("timewait", 59 * s + 1)), "timewait,59sec,0");
  EXPECT_EQ(ss_timer(timed("timewait", 59 * s)), "timewait,59sec,0");
  EXPECT_EQ(ss_timer(timed("timewait", 59 * s - 1)), "timewait,59sec,0");  // 14750 jiffies
  EXPECT_EQ(ss_timer(timed("timewait", 59 * s - 4 * ms)), "timewait,58sec,0");
  EXPECT_EQ(ss_timer(timed("timewait", 2896 * ms)), "timewait,2.896ms,0");
  // Sub-jiffy remainders round up to the next 4 ms.
  EXPECT_EQ(ss_timer(timed("on", 25 * ms, 0)), "on,028ms,0");
  EXPECT_EQ(ss_timer(timed("on", 999 * ms, 1)), "on,1sec,1");
  EXPECT_EQ(ss_timer(timed("on", 1000 * ms, 2)), "on,1sec,2");
  EXPECT_EQ(ss_timer(timed("on", 1001 * ms, 2)), "on,1.004ms,2");
  EXPECT_EQ(ss_timer(timed("on", 1304 * ms, 5)), "on,1.304ms,5");
  EXPECT_EQ(ss_timer(timed("on", 59999 * ms, 0)), "on,1min,0");
  EXPECT_EQ(ss_timer(timed("on", 0, 3)), "on,,3");  // due now
}

// ---------------------------------------------------------------------------
// Layouts: rows parsed from a kernel capture, printed again, must give the
// capture byte for byte (in the kernel's order).

State state_named(const std::string& n) {
  static const std::map<std::string, State> m{
      {"ESTAB", State::Established},    {"SYN-SENT", State::SynSent},    {"SYN-RECV", State::SynReceived},
      {"FIN-WAIT-1", State::FinWait1},  {"FIN-WAIT-2", State::FinWait2}, {"TIME-WAIT", State::TimeWait},
      {"CLOSE-WAIT", State::CloseWait}, {"LAST-ACK", State::LastAck},    {"LISTEN", State::Listen},
      {"CLOSING", State::Closing}};
  return m.at(n);
}

Addr addr_of(const std::string& text) {
  const auto colon = text.rfind(':');
  unsigned a, b, c, d;
  EXPECT_EQ(std::sscanf(text.substr(0, colon).c_str(), "%u.%u.%u.%u", &a, &b, &c, &d), 4) << text;
  const std::string port = text.substr(colon + 1);
  return Addr{sim::ipv4(static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b),
                        static_cast<std::uint8_t>(c), static_cast<std::uint8_t>(d)),
              static_cast<std::uint16_t>(port == "*" ? 0 : std::stoi(port))};
}

// "59sec" -> 59 s, "1.304ms" -> 1.304 s, "028ms", "2min4sec", "11min".
Duration ss_time(const std::string& t) {
  static const std::regex re(R"(^(?:(\d+)min)?(?:(\d+)sec)?(?:(\d+)\.)?(?:(\d{3})ms)?$)");
  std::smatch m;
  EXPECT_TRUE(std::regex_match(t, m, re)) << t;
  Duration d = 0;
  if (m[1].matched) d += std::stoll(m[1]) * 60 * s;
  if (m[2].matched) d += std::stoll(m[2]) * s;
  if (m[3].matched) d += std::stoll(m[3]) * s;
  if (m[4].matched) d += std::stoll(m[4]) * ms;
  return d;
}

// Rows of an `ss -tan[o]` capture, in its order.
std::vector<SocketRow> parse_ss(const std::string& text) {
  std::vector<SocketRow> rows;
  const auto lines = lines_of(text);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::istringstream in(lines[i]);
    std::string st, rq, sq, local, peer, timer;
    in >> st >> rq >> sq >> local >> peer >> timer;
    SocketRow r;
    r.state = state_named(st);
    r.recv_q = static_cast<std::uint32_t>(std::stoul(rq));
    r.send_q = static_cast<std::uint32_t>(std::stoul(sq));
    r.local = addr_of(local);
    r.peer = addr_of(peer);
    r.listening = r.state == State::Listen;
    if (!timer.empty()) {
      static const std::regex re(R"(^timer:\((\w+),([^,]*),(\d+)\)$)");
      std::smatch m;
      EXPECT_TRUE(std::regex_match(timer, m, re)) << timer;
      r.timer = m[1];
      r.timer_left = ss_time(m[2]);
      r.retransmits = std::stoi(m[3]);
    }
    rows.push_back(r);
  }
  return rows;
}

class SsTableCapture : public ::testing::TestWithParam<const char*> {};

TEST_P(SsTableCapture, SsPrintsItAgain) {
  const std::string prefix = GetParam();
  const std::string tano = read_data(prefix + ".ss-tano.txt");
  EXPECT_EQ(sim::format_ss(parse_ss(tano), true), tano);
  if (prefix == "twnow" || prefix == "keepalive" || prefix == "states.later") return;  // no -tan capture
  const std::string tan = read_data(prefix + ".ss-tan.txt");
  // -tan and -tano were separate runs of ss: same rows, but maybe another
  // order; print -tano's rows without timers and compare as sets, then in
  // -tan's own order.
  EXPECT_EQ(sorted_rows(sim::format_ss(parse_ss(tano), false)), sorted_rows(tan));
  EXPECT_EQ(sim::format_ss(parse_ss(tan), false), tan);
}

INSTANTIATE_TEST_SUITE_P(SsTable, SsTableCapture,
                         ::testing::Values("states", "states.later", "syn", "closing", "wide", "listen",
                                           "twnow", "keepalive"));

TEST(SsTableLayout, EmptyTableIsTheHeaderWithNothingMeasured) {
  EXPECT_EQ(sim::format_ss({}, false), read_data("empty.ss-tan.txt"));
  EXPECT_EQ(sim::format_ss({}, true), read_data("empty.ss-tan.txt"));
}

TEST(SsTableLayout, LastRowsTimerIsNotMeasured) {
  // twnow.ss-tano.txt: the only timer is on the last row, so the Process
  // column stays 7 wide and that row sticks out. The same row elsewhere
  // widens the column.
  const auto rows = parse_ss(read_data("twnow.ss-tano.txt"));
  ASSERT_EQ(rows.size(), 2u);
  const std::vector<SocketRow> swapped{rows[1], rows[0]};
  const auto lines = lines_of(sim::format_ss(swapped, true));
  EXPECT_EQ(lines[0],
            "State     Recv-Q Send-Q Local Address:Port Peer Address:Port Process                  ");
  EXPECT_EQ(lines[1],
            "TIME-WAIT 0      0          127.0.0.1:5011    127.0.0.1:43031 timer:(timewait,59sec,0)");
  EXPECT_EQ(lines[2],
            "LISTEN    0      8          127.0.0.1:5011      0.0.0.0:*                             ");
}

struct ProcLine {
  std::string local, peer;
  int st = 0;
  std::uint32_t tx = 0, rx = 0;
  int tr = 0;
  std::uint64_t when = 0;
  std::uint32_t retrnsmt = 0;
  std::uint64_t inode = 0;
  std::size_t fields = 0;  // 12 for timewait and request sockets, 17 for full ones
  std::size_t length = 0;
};

std::map<std::string, ProcLine> parse_proc(const std::string& text) {
  std::map<std::string, ProcLine> m;
  const auto lines = lines_of(text);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::istringstream in(lines[i]);
    std::vector<std::string> f;
    for (std::string w; in >> w;) f.push_back(w);
    ProcLine p;
    p.length = lines[i].size();
    p.fields = f.size();
    p.local = f[1];
    p.peer = f[2];
    p.st = std::stoi(f[3], nullptr, 16);
    p.tx = static_cast<std::uint32_t>(std::stoul(f[4].substr(0, 8), nullptr, 16));
    p.rx = static_cast<std::uint32_t>(std::stoul(f[4].substr(9), nullptr, 16));
    p.tr = std::stoi(f[5].substr(0, 2), nullptr, 16);
    p.when = std::stoull(f[5].substr(3), nullptr, 16);
    p.retrnsmt = static_cast<std::uint32_t>(std::stoul(f[6], nullptr, 16));
    p.inode = std::stoull(f[9]);
    m[p.local + " " + p.peer] = p;
  }
  return m;
}

// The /proc/net/tcp rows that follow from an ss -tano capture of the same
// moment: states, queues, timer codes and the line shapes must match the
// kernel's /proc capture.
void expect_proc_matches(const std::string& prefix, const std::vector<SocketRow>& rows, bool same_moment) {
  const std::string kernel_text = read_data(prefix + ".proc-net-tcp.txt");
  const std::string ours_text = sim::format_proc_net_tcp(rows);
  const auto kernel = parse_proc(kernel_text);
  const auto ours = parse_proc(ours_text);
  EXPECT_EQ(lines_of(ours_text)[0], lines_of(kernel_text)[0]);  // the header, with its padding
  ASSERT_EQ(ours.size(), kernel.size()) << ours_text << kernel_text;
  for (const auto& [key, k] : kernel) {
    SCOPED_TRACE(prefix + " " + key);
    ASSERT_TRUE(ours.count(key)) << ours_text;
    const ProcLine& o = ours.at(key);
    EXPECT_EQ(o.st, k.st);
    EXPECT_EQ(o.tx, k.tx);
    EXPECT_EQ(o.rx, k.rx);
    EXPECT_EQ(o.tr, k.tr);
    EXPECT_EQ(o.retrnsmt, k.retrnsmt);
    EXPECT_EQ(o.fields, k.fields);  // short line for timewait and request sockets
    EXPECT_EQ(o.inode == 0, k.inode == 0);
    EXPECT_EQ(o.length, 149u);
    if (same_moment) {
      // tm->when in 1/100 s; ss's value of a moment later is a little smaller.
      EXPECT_LE(o.when, k.when + 1);
      EXPECT_GE(o.when + 2, k.when);
    }
  }
}

TEST(SsTableLayout, ProcNetTcpFromTheSsCapture) {
  // ss -tano and /proc/net/tcp were read moments apart: the timers agree
  // within a tick. What ss does not show (orphan, kind) comes from the
  // capture's /proc line itself.
  for (const char* prefix : {"states", "syn", "closing", "wide", "listen"}) {
    auto rows = parse_ss(read_data(std::string(prefix) + ".ss-tano.txt"));
    const auto kernel = parse_proc(read_data(std::string(prefix) + ".proc-net-tcp.txt"));
    for (SocketRow& r : rows) {
      r.kind = r.state == State::TimeWait || r.timer == "timewait" ? SockKind::TimeWait
               : r.state == State::SynReceived                     ? SockKind::Request
                                                                   : SockKind::Full;
      const std::string key = fmt::format("{:08X}:{:04X} {:08X}:{:04X}", __builtin_bswap32(r.local.ip),
                                          r.local.port, __builtin_bswap32(r.peer.ip), r.peer.port);
      ASSERT_TRUE(kernel.count(key)) << key;
      r.orphan = kernel.at(key).inode == 0;
      r.inode = r.orphan ? 0 : 1;
    }
    expect_proc_matches(prefix, rows, false);
  }
}

// ---------------------------------------------------------------------------
// The simulator against the kernel.

// One host; loopback takes 10 us each way (as tests/sim/sockets_notes_test.cc).
struct Loopback : World {
  Loopback() : World("linux", 10 * kMicrosecond, false) {}
  std::string trace() const { return sim::format_trace(net); }
};

constexpr std::uint32_t kLo = sim::ipv4(127, 0, 0, 1);

// Drops every pure ACK (no SYN, FIN, RST, no payload) on the loopback link
// from now on; `off` lets everything through again.
void drop_pure_acks(sim::StepContext& c, bool on) {
  sim::LinkConfig cfg = c.net.default_link;
  if (on) {
    sim::DropRule r;
    r.match.required = model::kAck;
    r.match.forbidden = model::kSyn | model::kFin | model::kRst;
    r.match.payload = sim::PacketMatch::Payload::kWithout;
    r.count = sim::DropRule::kAll;
    cfg.rules.push_back(r);
  }
  const sim::Host& h = c.sockets.host();
  c.net.set_link(h, h, cfg);
}

// Masks the number in "timer:(kind,NUMBER,n)" and drops trailing spaces, so
// two tables whose timers differ by a few ms compare equal; checks that the
// number has one of ss's forms.
std::string masked(const std::string& line) {
  static const std::regex re(R"(timer:\((\w+),([^,]*),(\d+)\))");
  static const std::regex form(R"(^(\d{3}ms|[1-9]\.\d{3}ms|\d+sec|\d+min(\d+sec)?)$)");
  std::smatch m;
  std::string out = line;
  if (std::regex_search(line, m, re)) {
    EXPECT_TRUE(std::regex_match(m[2].str(), form)) << line;
    out = m.prefix().str() + "timer:(" + m[1].str() + ",#," + m[3].str() + ")";
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::string> masked_rows(const std::string& text) {
  std::vector<std::string> v;
  for (const auto& l : sorted_rows(text)) v.push_back(masked(l));
  std::sort(v.begin(), v.end());
  return v;
}

// The timer value of each row, by "local peer", for reporting.
std::map<std::string, std::string> timers_of(const std::string& text) {
  std::map<std::string, std::string> m;
  for (const auto& l : lines_of(text)) {
    std::istringstream in(l);
    std::string st, rq, sq, local, peer, timer;
    in >> st >> rq >> sq >> local >> peer >> timer;
    if (!timer.empty()) m[local + " " + peer] = timer;
  }
  return m;
}

// Every line of an ss table is as wide as the header, but the last may be wider.
void expect_rectangular(const std::string& text) {
  const auto lines = lines_of(text);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (i + 1 == lines.size()) {
      EXPECT_GE(lines[i].size(), lines[0].size()) << text;
    } else {
      EXPECT_EQ(lines[i].size(), lines[0].size()) << text;
    }
  }
}

std::string row_key(const SocketRow& r) {
  return fmt::format("{} {}", sim::to_string(r.local),
                     r.listening ? std::string("0.0.0.0:*") : sim::to_string(r.peer));
}

// Our rows in the order of the kernel's capture (matched by addresses).
std::vector<SocketRow> in_kernel_order(const std::vector<SocketRow>& rows, const std::string& kernel_text) {
  std::vector<SocketRow> out;
  const auto lines = lines_of(kernel_text);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::istringstream in(lines[i]);
    std::string st, rq, sq, local, peer;
    in >> st >> rq >> sq >> local >> peer;
    for (const SocketRow& r : rows) {
      if (row_key(r) == local + " " + peer) out.push_back(r);
    }
  }
  EXPECT_EQ(out.size(), rows.size());
  return out;
}

// Compares the simulator's `ss -tano` (from `rows`) with a capture: every
// row equal but for the timer's number (kind, retransmissions and the
// number's form must match), the header exactly. ss's layout depends on
// which row comes last (its Process token is not measured): so the rows are
// printed in the kernel's order for the exact comparison, and in tcpsim's own
// order the header is compared only when own_order_header (not when the
// order moves the only widest timer onto the last row).
void expect_like_kernel(const std::string& prefix, const std::vector<SocketRow>& rows,
                        const std::string& context, bool own_order_header = true) {
  SCOPED_TRACE(prefix);
  const std::string kernel_tano = read_data(prefix + ".ss-tano.txt");
  const std::string tano = sim::format_ss(in_kernel_order(rows, kernel_tano), true);
  const auto ours_lines = lines_of(tano), kernel_lines = lines_of(kernel_tano);
  ASSERT_EQ(ours_lines.size(), kernel_lines.size()) << tano << kernel_tano << context;
  EXPECT_EQ(ours_lines[0], kernel_lines[0]);
  for (std::size_t i = 1; i < ours_lines.size(); ++i) {
    EXPECT_EQ(masked(ours_lines[i]), masked(kernel_lines[i])) << "ours:\n"
                                                              << tano << "kernel:\n"
                                                              << kernel_tano;
  }
  expect_rectangular(tano);
  const std::string own = sim::format_ss(rows, true);
  EXPECT_EQ(masked_rows(own), masked_rows(kernel_tano)) << "ours:\n"
                                                        << joined(masked_rows(own)) << "kernel:\n"
                                                        << joined(masked_rows(kernel_tano)) << context;
  if (own_order_header) {
    EXPECT_EQ(lines_of(own)[0], kernel_lines[0]);
  }
  expect_rectangular(own);
  // Timer values side by side, for the record (allowed to differ).
  const auto ours_t = timers_of(tano), kernel_t = timers_of(kernel_tano);
  for (const auto& [k, v] : kernel_t) {
    const auto it = ours_t.find(k);
    const std::string ours = it == ours_t.end() ? "-" : it->second;
    ::testing::Test::RecordProperty(prefix + " " + k, "kernel " + v + ", tcpsim " + ours);
    if (ours != v)
      std::printf("  timer %s %s: kernel %s, tcpsim %s\n", prefix.c_str(), k.c_str(), v.c_str(),
                  ours.c_str());
  }
}

void expect_tan_like_kernel(const std::string& prefix, const std::vector<SocketRow>& rows) {
  const std::string tan = sim::format_ss(rows, false);
  const std::string kernel_tan = read_data(prefix + ".ss-tan.txt");
  EXPECT_EQ(lines_of(tan)[0], lines_of(kernel_tan)[0]);
  EXPECT_EQ(sorted_rows(tan), sorted_rows(kernel_tan)) << "ours:\n" << tan << "kernel:\n" << kernel_tan;
}

// docs/linux-observations.md §7 / kernel/probes/p07_ss_states.py, with two
// changes of order the drops need (loopback is one link, and drop rules
// match flags, not ports): 43007/43008 connect before the closes, and A6
// closes before A5, so that from A5's close() on every pure ACK can be
// dropped: B5's ACKs of A5's FIN (the kernel dropped everything to 43005)
// and A6's ACKs of B6's FIN (the kernel dropped A6's non-FIN segments).
// Nothing else sends a pure ACK then. Timings otherwise as the probe's.
struct States : Loopback {
  std::vector<SocketRow> first, later;
  Time first_at = 0;
  States() {
    Script p = script("p");
    p.socket("L").setsockopt("L", SockOpt::ReuseAddr, 1).bind("L", Addr{kLo, 5007}).listen("L", 8);
    auto mk = [&](int n) {
      const std::string a = fmt::format("a{}", n), b = fmt::format("b{}", n);
      p.socket(a)
          .bind(a, Addr{kLo, static_cast<std::uint16_t>(43000 + n)})
          .connect(a, Addr{kLo, 5007})
          .accept("L", b);
    };
    mk(1);
    p.write("a1", std::string(100, 'x'));
    mk(2);
    p.close("a2");
    mk(3);
    p.shutdown("a3", Shut::Wr);
    mk(4);
    p.close("a4").sleep(50 * ms).close("b4");
    mk(5);
    mk(6);
    for (int n : {7, 8}) {
      const std::string q = fmt::format("q{}", n);
      p.socket(q).bind(q, Addr{kLo, static_cast<std::uint16_t>(43000 + n)}).connect(q, Addr{kLo, 5007});
    }
    p.close("a6").sleep(50 * ms);  // B6's ACK of A6's FIN gets through
    p.at([](sim::StepContext& c) { drop_pure_acks(c, true); });
    p.close("a5").sleep(100 * ms).close("b6").sleep(50 * ms);
    p.at([this](sim::StepContext& c) {
      first_at = c.net.now();
      first = sim::socket_rows(c.sockets.host(), c.net.now());
    });
    p.sleep(1026 * ms);  // the probe's second look came 1025.7 ms later
    p.at([this](sim::StepContext& c) { later = sim::socket_rows(c.sockets.host(), c.net.now()); });
    p.sleep(1000 * s);  // keep every descriptor open
    run_on(*a, p);
    run_until(10 * s);
  }
};

TEST(SsTableKernel, SixteenSocketsAsTheKernelShowsThem) {
  States w;
  ASSERT_EQ(w.first.size(), 16u) << w.log->dump() << sim::format_ss(w.first, true);
  expect_tan_like_kernel("states", w.first);
  expect_like_kernel("states", w.first, w.trace());
  expect_proc_matches("states", w.first, false);
}

TEST(SsTableKernel, SixteenSocketsOneSecondLater) {
  // The retransmission counts (2 for LAST-ACK and FIN-WAIT-1) and TIME-WAIT
  // 43006 back at 59sec (B6's retransmitted FIN restarted it).
  States w;
  ASSERT_EQ(w.later.size(), 16u);
  expect_like_kernel("states.later", w.later, w.trace());
}

// SYN-SENT (every SYN to 5009 lost: no listener there and all SYNs dropped
// from then on) and SYN-RECV (the client's final ACK lost).
TEST(SsTableKernel, SynSentAndSynRecv) {
  Loopback w;
  std::vector<SocketRow> rows;
  Script p = w.script("p");
  p.socket("L").setsockopt("L", SockOpt::ReuseAddr, 1).bind("L", Addr{kLo, 5008}).listen("L", 8);
  p.at([](sim::StepContext& c) {
    sim::LinkConfig cfg = c.net.default_link;
    sim::DropRule syn;  // the 1st SYN: 43011's to 5009 (43012's is the 2nd)
    syn.match.required = model::kSyn;
    syn.match.forbidden = model::kAck;
    sim::DropRule ack;  // 43012's final ACK, and every pure ACK after it
    ack.match.required = model::kAck;
    ack.match.forbidden = model::kSyn | model::kFin | model::kRst;
    ack.match.payload = sim::PacketMatch::Payload::kWithout;
    ack.count = sim::DropRule::kAll;
    cfg.rules = {syn, ack};
    c.net.set_link(c.sockets.host(), c.sockets.host(), cfg);
  });
  p.socket("a").bind("a", Addr{kLo, 43011}).nonblocking("a").connect("a", Addr{kLo, 5009});
  p.socket("c").bind("c", Addr{kLo, 43012}).connect("c", Addr{kLo, 5008}).sleep(50 * ms);
  p.at([&](sim::StepContext& c) { rows = sim::socket_rows(c.sockets.host(), c.net.now()); });
  p.sleep(100 * s);
  w.run_on(*w.a, p);
  w.run_until(1 * s);
  ASSERT_EQ(rows.size(), 4u) << w.log->dump() << w.trace();
  expect_tan_like_kernel("syn", rows);
  expect_like_kernel("syn", rows, w.trace());
  expect_proc_matches("syn", rows, false);
}

// CLOSING: A's FIN lost, then B's FIN arrives.
TEST(SsTableKernel, Closing) {
  Loopback w;
  std::vector<SocketRow> rows;
  Script p = w.script("p");
  p.socket("L").setsockopt("L", SockOpt::ReuseAddr, 1).bind("L", Addr{kLo, 5010}).listen("L", 8);
  p.socket("a").bind("a", Addr{kLo, 43021}).connect("a", Addr{kLo, 5010}).accept("L", "b").close("L");
  p.at([](sim::StepContext& c) {
    sim::LinkConfig cfg = c.net.default_link;
    sim::DropRule fin;  // A's FIN (B's comes second and passes)
    fin.match.required = model::kFin;
    fin.include_retransmissions = false;
    cfg.rules = {fin};
    c.net.set_link(c.sockets.host(), c.sockets.host(), cfg);
  });
  p.shutdown("a", Shut::Wr).sleep(20 * ms).shutdown("b", Shut::Wr).sleep(50 * ms);
  p.at([&](sim::StepContext& c) { rows = sim::socket_rows(c.sockets.host(), c.net.now()); });
  p.sleep(100 * s);
  w.run_on(*w.a, p);
  w.run_until(1 * s);
  expect_tan_like_kernel("closing", rows);
  // tcpsim lists FIN-WAIT-2 (5010) before CLOSING (43021), so the only
  // timer is on the last row and ss would not widen the header for it.
  expect_like_kernel("closing", rows, w.trace(), false);
  expect_proc_matches("closing", rows, false);
}

// A listener alone: the peer Port column is 4 wide, "Port" touches "Process".
TEST(SsTableKernel, ListenerAlone) {
  Loopback w;
  std::vector<SocketRow> rows;
  Script p = w.script("p");
  p.socket("L").setsockopt("L", SockOpt::ReuseAddr, 1).bind("L", Addr{kLo, 80}).listen("L", 5);
  p.at([&](sim::StepContext& c) { rows = sim::socket_rows(c.sockets.host(), c.net.now()); });
  w.run_on(*w.a, p);
  w.run_until(1 * s);
  EXPECT_EQ(sim::format_ss(rows, false), read_data("listen.ss-tan.txt"));
  EXPECT_EQ(sim::format_ss(rows, true), read_data("listen.ss-tano.txt"));
  expect_proc_matches("listen", rows, false);
}

// A TIME-WAIT read at once: /proc shows the full 60.00 s (0x1770).
TEST(SsTableKernel, TimeWaitJustStarted) {
  Loopback w;
  std::vector<SocketRow> rows;
  Script p = w.script("p");
  p.socket("L").setsockopt("L", SockOpt::ReuseAddr, 1).bind("L", Addr{kLo, 5011}).listen("L", 8);
  p.socket("a").bind("a", Addr{kLo, 43031}).connect("a", Addr{kLo, 5011}).accept("L", "b");
  p.close("b").sleep(50 * ms).close("a").sleep(30 * kMicrosecond);  // a's FIN reaches b, b's ACK reaches a
  p.at([&](sim::StepContext& c) { rows = sim::socket_rows(c.sockets.host(), c.net.now()); });
  p.sleep(100 * s);
  w.run_on(*w.a, p);
  w.run_until(1 * s);
  ASSERT_EQ(rows.size(), 2u) << w.trace();
  expect_proc_matches("twnow", rows, true);
  // ss a jiffy or more later: "59sec".
  const auto kernel = lines_of(read_data("twnow.ss-tano.txt"));
  for (SocketRow& r : rows) r.timer_left -= 5 * ms;
  EXPECT_EQ(lines_of(sim::format_ss(rows, true)), kernel);
}

}  // namespace
}  // namespace tcpsim::test
