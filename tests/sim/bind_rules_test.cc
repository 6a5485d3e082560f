// sim::bind_allowed() and listen_allowed() against the real kernel's answers,
// recorded in tests/sim/data/bind_matrix.tsv by kernel_bind_matrix_test.cc,
// plus the digest's scenarios (S5, S6) spelled out.
#include "sim/bind_rules.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace tcpsim::test {
namespace {

using sim::BindRequest;
using sim::BindState;
using sim::BindVerdict;
using sim::BoundSocket;

constexpr const char* kTsvPath = TCPSIM_SOURCE_DIR "/tests/sim/data/bind_matrix.tsv";
constexpr uint32_t kOtherUid = 65534;

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> cols;
  std::string col;
  std::istringstream in(line);
  while (std::getline(in, col, '\t')) cols.push_back(col);
  return cols;
}

uint32_t ip_of(const std::string& s) {
  in_addr a{};
  EXPECT_EQ(inet_pton(AF_INET, s.c_str(), &a), 1) << s;
  return ntohl(a.s_addr);
}

BindState state_of(const std::string& s) {
  for (BindState st : {BindState::Bound, BindState::Listen, BindState::Established, BindState::TimeWait})
    if (s == sim::to_string(st)) return st;
  ADD_FAILURE() << "unknown state " << s;
  return BindState::Bound;
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

Table load() {
  Table t;
  std::ifstream f(kTsvPath);
  EXPECT_TRUE(f) << "cannot read " << kTsvPath;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (t.header.empty())
      t.header = split_tabs(line);
    else
      t.rows.push_back(split_tabs(line));
  }
  return t;
}

TEST(BindRulesMatrix, TableHasEveryCase) {
  const Table t = load();
  const std::vector<std::string> want = {
      "uid",           "exist_reuseaddr", "exist_reuseport", "exist_state", "exist_bind", "exist_local",
      "new_reuseaddr", "new_reuseport",   "new_addr",        "bind",        "listen",     "exist_listen"};
  ASSERT_EQ(t.header, want);
  std::set<std::string> keys;
  int core = 0;
  for (const auto& r : t.rows) {
    ASSERT_EQ(r.size(), want.size());
    keys.insert(r[0] + r[1] + r[2] + r[3] + r[4] + r[6] + r[7] + r[8]);
    // The 4 x 4 x 4 x 4 core: same owner, and the four address overlaps.
    const bool fifth_addr_case = r[4] == "0.0.0.0" && r[8] == "127.0.0.2";
    if (r[0] == "same" && !fifth_addr_case) ++core;
  }
  EXPECT_EQ(core, 256);
  EXPECT_EQ(keys.size(), t.rows.size()) << "duplicate rows";
  EXPECT_EQ(t.rows.size(), 640u);  // x2 owners, x5 address cases
}

// Every row: the function's answers equal the kernel's.
TEST(BindRulesMatrix, AgreesWithKernelOnEveryRow) {
  const Table t = load();
  ASSERT_FALSE(t.rows.empty());
  int checked = 0;
  for (const auto& c : t.rows) {
    ASSERT_EQ(c.size(), 12u);
    const std::string what = "row: uid=" + c[0] + " exist ra=" + c[1] + " rp=" + c[2] + " " + c[3] + " " +
                             c[4] + " (local " + c[5] + ") new ra=" + c[6] + " rp=" + c[7] + " " + c[8];
    const uint16_t port = 8080;
    BoundSocket e{ip_of(c[5]), port, c[1] == "1", c[2] == "1", 0, state_of(c[3])};
    BoundSocket n{ip_of(c[8]),     port, c[6] == "1", c[7] == "1", c[0] == "other" ? kOtherUid : 0,
                  BindState::Bound};
    const BindRequest req{n.ip, n.port, n.reuseaddr, n.reuseport, n.owner_uid};

    const BindVerdict b = sim::bind_allowed(req, {e});
    EXPECT_EQ(sim::to_string(b), c[9]) << "bind, " << what;
    if (b != BindVerdict::Ok) {
      EXPECT_EQ(c[10], "-");
      continue;
    }
    // listen() on the new socket, then (if the existing one is only bound)
    // listen() on the existing one.
    const BindVerdict l = sim::listen_allowed(n, {e});
    EXPECT_EQ(sim::to_string(l), c[10]) << "listen new, " << what;
    if (e.state == BindState::Bound) {
      n.state = l == BindVerdict::Ok ? BindState::Listen : BindState::Bound;
      EXPECT_EQ(sim::to_string(sim::listen_allowed(e, {n})), c[11]) << "listen existing, " << what;
    } else {
      EXPECT_EQ(c[11], "-");
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

// --- the scenarios of the digest, as the socket layer will call them -------

constexpr uint32_t kLocal = 0x7f000001;  // 127.0.0.1

TEST(BindRules, S5_RestartedServerNeedsReuseaddrOnBothOldAndNew) {
  // The old server's accepted connections sit in TIME-WAIT on 127.0.0.1:8080.
  std::vector<BoundSocket> tw = {{kLocal, 8080, true, false, 0, BindState::TimeWait},
                                 {kLocal, 8080, true, false, 0, BindState::TimeWait}};
  EXPECT_EQ(sim::bind_allowed({kLocal, 8080, false, false, 0}, tw), BindVerdict::AddrInUse);
  EXPECT_EQ(sim::bind_allowed({kLocal, 8080, true, false, 0}, tw), BindVerdict::Ok);
  EXPECT_EQ(sim::bind_allowed({0, 8080, true, false, 0}, tw), BindVerdict::Ok);
  // If the old server had not set SO_REUSEADDR, its TIME-WAITs block the new one.
  for (auto& s : tw) s.reuseaddr = false;
  EXPECT_EQ(sim::bind_allowed({kLocal, 8080, true, false, 0}, tw), BindVerdict::AddrInUse);
  // Another port, or another specific address, is free.
  EXPECT_EQ(sim::bind_allowed({kLocal, 8081, false, false, 0}, tw), BindVerdict::Ok);
  EXPECT_EQ(sim::bind_allowed({kLocal + 1, 8080, false, false, 0}, tw), BindVerdict::Ok);
}

TEST(BindRules, S6_ReuseaddrDoesNotPassAListenerReuseportOnBothDoes) {
  const std::vector<BoundSocket> l = {{kLocal, 9292, true, false, 0, BindState::Listen}};
  EXPECT_EQ(sim::bind_allowed({kLocal, 9292, true, false, 0}, l), BindVerdict::AddrInUse);
  EXPECT_EQ(sim::bind_allowed({kLocal, 9292, true, true, 0}, l), BindVerdict::AddrInUse);
  const std::vector<BoundSocket> lp = {{kLocal, 9292, true, true, 0, BindState::Listen}};
  EXPECT_EQ(sim::bind_allowed({kLocal, 9292, false, true, 0}, lp), BindVerdict::Ok);
  EXPECT_EQ(sim::bind_allowed({0, 9292, false, true, 0}, lp), BindVerdict::Ok);
  EXPECT_EQ(sim::bind_allowed({kLocal, 9292, true, false, 0}, lp), BindVerdict::AddrInUse);
  // Only for the same owner.
  EXPECT_EQ(sim::bind_allowed({kLocal, 9292, true, true, 1000}, lp), BindVerdict::AddrInUse);
}

TEST(BindRules, TwoReuseaddrSocketsBindTheSecondListenFails) {
  std::vector<BoundSocket> socks = {{kLocal, 7000, true, false, 0, BindState::Bound}};
  ASSERT_EQ(sim::bind_allowed({kLocal, 7000, true, false, 0}, socks), BindVerdict::Ok);
  socks.push_back({kLocal, 7000, true, false, 0, BindState::Bound});
  // `me` is found in the vector by address and skipped.
  EXPECT_EQ(sim::listen_allowed(socks[0], socks), BindVerdict::Ok);
  socks[0].state = BindState::Listen;
  EXPECT_EQ(sim::listen_allowed(socks[1], socks), BindVerdict::AddrInUse);
  // With SO_REUSEPORT on both too, the two listeners share the port.
  for (auto& s : socks) s.reuseport = true;
  EXPECT_EQ(sim::listen_allowed(socks[1], socks), BindVerdict::Ok);
}

TEST(BindRules, TimeWaitReuseportIgnoresTheOwner) {
  const std::vector<BoundSocket> tw = {{kLocal, 6000, false, true, 0, BindState::TimeWait}};
  EXPECT_EQ(sim::bind_allowed({kLocal, 6000, false, true, 1000}, tw), BindVerdict::Ok);
  const std::vector<BoundSocket> est = {{kLocal, 6000, false, true, 0, BindState::Established}};
  EXPECT_EQ(sim::bind_allowed({kLocal, 6000, false, true, 1000}, est), BindVerdict::AddrInUse);
  EXPECT_EQ(sim::bind_allowed({kLocal, 6000, false, true, 0}, est), BindVerdict::Ok);
}

TEST(BindRules, EmptyPortAndPointerRange) {
  EXPECT_EQ(sim::bind_allowed({0, 80, false, false, 0}, {}), BindVerdict::Ok);
  const BoundSocket one[] = {{0, 80, false, false, 0, BindState::Bound}};
  EXPECT_EQ(sim::bind_allowed({kLocal, 80, true, true, 0}, one, one + 1), BindVerdict::AddrInUse);
  EXPECT_EQ(sim::bind_allowed({kLocal, 81, false, false, 0}, one, one + 1), BindVerdict::Ok);
}

}  // namespace
}  // namespace tcpsim::test
