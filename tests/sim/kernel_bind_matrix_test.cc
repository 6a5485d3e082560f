// The bind()/listen() conflict matrix run live against the real kernel, with
// real sockets in a private network namespace, and compared with the
// checked-in table tests/sim/data/bind_matrix.tsv (which bind_rules_test.cc
// holds sim::bind_allowed() to) and with the rules themselves.
//
// Needs root (unshare(CLONE_NEWNET)); skipped otherwise. The namespace lives
// in a forked child and dies with it; the whole run takes well under a second
// and is cut off after kDeadline.
//
// Regenerating the table: run this test as root with TCPSIM_WRITE_BIND_MATRIX
// set, e.g.
//   sudo TCPSIM_WRITE_BIND_MATRIX=1 build/tcpsim_sim_tests --gtest_filter='KernelBind*'
// It writes the kernel's answers to the TSV (TCPSIM_WRITE_BIND_MATRIX=1, or a
// path to write elsewhere) before comparing.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sim/bind_rules.h"

namespace tcpsim::test {
namespace {

using sim::BindState;
using sim::BindVerdict;

constexpr const char* kTsvPath = TCPSIM_SOURCE_DIR "/tests/sim/data/bind_matrix.tsv";
constexpr auto kDeadline = std::chrono::seconds(20);
constexpr uint32_t kOtherUid = 65534;   // nobody
constexpr uint16_t kPeerPort = 10000;   // the listener that existing sockets connect to
constexpr uint16_t kFirstPort = 20000;  // one fresh port per case

constexpr const char* kColumns[] = {
    "uid",           "exist_reuseaddr", "exist_reuseport", "exist_state", "exist_bind", "exist_local",
    "new_reuseaddr", "new_reuseport",   "new_addr",        "bind",        "listen",     "exist_listen"};
constexpr size_t kNumColumns = sizeof(kColumns) / sizeof(kColumns[0]);
constexpr size_t kNumInputs = 9;  // the columns before "bind"

// The address cases: (existing socket's bind address, new socket's address).
struct AddrCase {
  const char* exist;
  const char* fresh;
};
constexpr AddrCase kAddrCases[] = {
    {"127.0.0.1", "127.0.0.1"},  // same specific address
    {"0.0.0.0", "127.0.0.1"},    // wildcard existing, specific new
    {"127.0.0.1", "0.0.0.0"},    // specific existing, wildcard new
    {"127.0.0.1", "127.0.0.2"},  // different specific addresses
    {"0.0.0.0", "127.0.0.2"},    // wildcard existing, the other specific address
};
constexpr BindState kStates[] = {BindState::Bound, BindState::Listen, BindState::Established,
                                 BindState::TimeWait};

std::string errno_name(int e) {
  switch (e) {
    case 0: return "OK";
    case EADDRINUSE: return "EADDRINUSE";
    case EINVAL: return "EINVAL";
    case EACCES: return "EACCES";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    default: return "errno" + std::to_string(e);
  }
}

sockaddr_in make_addr(const char* ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

// --- the child, inside the namespace -------------------------------------

struct Failure {
  std::string what;
};

void check(bool ok, const std::string& what) {
  if (!ok) throw Failure{what + ": " + std::strerror(errno)};
}

void set_flag(int fd, int opt, bool on) {
  int v = on ? 1 : 0;
  check(setsockopt(fd, SOL_SOCKET, opt, &v, sizeof v) == 0, "setsockopt");
}

bool wait_readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, ms) == 1;
}

// The TCP state code (/proc/net/tcp "st") of a socket with local port `port`,
// or -1. Sockets merely bound are not listed there.
int proc_state(uint16_t port) {
  std::ifstream f("/proc/net/tcp");
  std::string line;
  std::getline(f, line);  // header
  while (std::getline(f, line)) {
    std::istringstream in(line);
    std::string sl, local, remote, st;
    in >> sl >> local >> remote >> st;
    auto colon = local.find(':');
    if (colon == std::string::npos) continue;
    if (std::stoul(local.substr(colon + 1), nullptr, 16) == port)
      return static_cast<int>(std::stoul(st, nullptr, 16));
  }
  return -1;
}

bool wait_proc_state(uint16_t port, int state) {
  for (int i = 0; i < 200; ++i) {  // up to 1 s
    if (proc_state(port) == state) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

struct Fds {
  std::vector<int> fds;
  ~Fds() {
    for (int fd : fds)
      if (fd >= 0) close(fd);
  }
  int add(int fd) {
    fds.push_back(fd);
    return fd;
  }
  void drop(int fd) {
    for (int& f : fds)
      if (f == fd) f = -1;
    close(fd);
  }
};

int new_socket(bool other_uid) {
  if (other_uid) check(seteuid(kOtherUid) == 0, "seteuid");
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int saved = errno;
  if (other_uid) check(seteuid(0) == 0, "seteuid(0)");
  errno = saved;
  check(fd >= 0, "socket");
  struct stat st {};
  check(fstat(fd, &st) == 0, "fstat");
  if (st.st_uid != (other_uid ? kOtherUid : 0)) {
    close(fd);
    throw Failure{"socket inode uid is " + std::to_string(st.st_uid)};
  }
  return fd;
}

int do_bind(int fd, const char* ip, uint16_t port) {
  sockaddr_in a = make_addr(ip, port);
  return bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 ? 0 : errno;
}

std::string local_ip(int fd) {
  sockaddr_in local{};
  socklen_t len = sizeof local;
  check(getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0, "getsockname");
  char ip[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &local.sin_addr, ip, sizeof ip);
  return ip;
}

// One row of the table: the input columns, then the kernel's answers.
std::vector<std::string> run_case(int listener, uint16_t port, bool other_uid, bool e_ra, bool e_rp,
                                  BindState state, const AddrCase& ac, bool n_ra, bool n_rp) {
  Fds fds;
  // The existing socket, brought into its state.
  int e = fds.add(new_socket(false));
  set_flag(e, SO_REUSEADDR, e_ra);
  set_flag(e, SO_REUSEPORT, e_rp);
  timeval tv{1, 0};
  check(setsockopt(e, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0, "SO_SNDTIMEO");
  if (int err = do_bind(e, ac.exist, port)) throw Failure{"bind existing: " + errno_name(err)};
  if (state == BindState::Listen) {
    check(listen(e, 4) == 0, "listen existing");
    if (!wait_proc_state(port, 0x0A)) throw Failure{"existing not LISTEN"};
  }
  if (state == BindState::Established || state == BindState::TimeWait) {
    sockaddr_in peer = make_addr("127.0.0.1", kPeerPort);
    check(connect(e, reinterpret_cast<sockaddr*>(&peer), sizeof peer) == 0, "connect");
    check(wait_readable(listener, 1000), "accept timeout");
    int s = fds.add(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    check(s >= 0, "accept");
    if (!wait_proc_state(port, 0x01)) throw Failure{"existing not ESTABLISHED"};
  }
  // Its local address now: a wildcard-bound socket that connected has one.
  const std::string exist_local = local_ip(e);
  if (state == BindState::TimeWait) {
    // The existing socket closes first, then its peer: it ends in TIME-WAIT.
    int s = fds.fds.back();
    fds.drop(e);
    check(wait_readable(s, 1000), "peer saw no FIN");
    char c;
    check(read(s, &c, 1) == 0, "peer read is not end of stream");
    fds.drop(s);
    if (!wait_proc_state(port, 0x06)) throw Failure{"existing not TIME-WAIT"};
  }

  // The new socket.
  int n = fds.add(new_socket(other_uid));
  set_flag(n, SO_REUSEADDR, n_ra);
  set_flag(n, SO_REUSEPORT, n_rp);
  const int bind_err = do_bind(n, ac.fresh, port);
  std::string listen_res = "-", exist_listen_res = "-";
  if (bind_err == 0) {
    listen_res = errno_name(listen(n, 4) == 0 ? 0 : errno);
    if (state == BindState::Bound) exist_listen_res = errno_name(listen(e, 4) == 0 ? 0 : errno);
  }
  return {other_uid ? "other" : "same",
          e_ra ? "1" : "0",
          e_rp ? "1" : "0",
          sim::to_string(state),
          ac.exist,
          exist_local,
          n_ra ? "1" : "0",
          n_rp ? "1" : "0",
          ac.fresh,
          errno_name(bind_err),
          listen_res,
          exist_listen_res};
}

std::string join(const std::vector<std::string>& cols) {
  std::string out;
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) out += '\t';
    out += cols[i];
  }
  return out;
}

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

void bring_lo_up() {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  check(fd >= 0, "socket for ioctl");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
  if (ok) {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    ok = ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
  }
  int saved = errno;
  close(fd);
  errno = saved;
  check(ok, "bring lo up");
}

// The child's protocol on `out`: "SKIP\t<reason>", or rows, "ERROR\t<what>"
// lines, and a final "END".
void child_main(int out) {
  if (unshare(CLONE_NEWNET) != 0) {
    write_all(out, std::string("SKIP\tunshare(CLONE_NEWNET) failed: ") + std::strerror(errno) + "\n");
    return;
  }
  try {
    bring_lo_up();
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(listener >= 0, "socket");
    if (int err = do_bind(listener, "127.0.0.1", kPeerPort))
      throw Failure{"bind listener: " + errno_name(err)};
    check(listen(listener, 64) == 0, "listen");
    uint16_t port = kFirstPort;
    for (bool other_uid : {false, true})
      for (BindState state : kStates)
        for (const AddrCase& ac : kAddrCases)
          for (int ef = 0; ef < 4; ++ef)
            for (int nf = 0; nf < 4; ++nf) {
              std::string line;
              try {
                line = join(run_case(listener, port, other_uid, ef & 1, ef & 2, state, ac, nf & 1, nf & 2));
              } catch (const Failure& f) {
                line = "ERROR\tport " + std::to_string(port) + ": " + f.what;
              }
              write_all(out, line + "\n");
              ++port;
            }
  } catch (const Failure& f) {
    write_all(out, "ERROR\t" + f.what + "\n");
  }
  write_all(out, "END\n");
}

struct KernelRun {
  std::string skip;
  std::vector<std::string> errors;
  std::vector<std::vector<std::string>> rows;
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> cols;
  std::string col;
  std::istringstream in(line);
  while (std::getline(in, col, '\t')) cols.push_back(col);
  return cols;
}

KernelRun run_in_netns() {
  KernelRun r;
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    r.errors.push_back(std::string("pipe: ") + std::strerror(errno));
    return r;
  }
  pid_t pid = fork();
  if (pid < 0) {
    r.errors.push_back(std::string("fork: ") + std::strerror(errno));
    close(p[0]);
    close(p[1]);
    return r;
  }
  if (pid == 0) {
    close(p[0]);
    child_main(p[1]);
    _exit(0);
  }
  close(p[1]);
  std::string data;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  bool timed_out = false;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd pf{p[0], POLLIN, 0};
    int pr = poll(&pf, 1, static_cast<int>(left.count()));
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) {
      timed_out = pr == 0;
      break;
    }
    char buf[4096];
    ssize_t n = read(p[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  close(p[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (timed_out) r.errors.push_back("the namespace child did not finish in time; killed");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) r.errors.push_back("the namespace child failed");

  std::istringstream in(data);
  std::string line;
  bool ended = false;
  while (std::getline(in, line)) {
    auto cols = split_tabs(line);
    if (cols.empty()) continue;
    if (cols[0] == "SKIP")
      r.skip = cols.size() > 1 ? cols[1] : "unshare failed";
    else if (cols[0] == "ERROR")
      r.errors.push_back(cols.size() > 1 ? cols[1] : line);
    else if (cols[0] == "END")
      ended = true;
    else
      r.rows.push_back(std::move(cols));
  }
  if (!ended && r.skip.empty()) r.errors.push_back("the namespace child's output is incomplete");
  return r;
}

// --- comparing ----------------------------------------------------------

uint32_t ip_of(const std::string& s) {
  in_addr a{};
  inet_pton(AF_INET, s.c_str(), &a);
  return ntohl(a.s_addr);
}

BindState state_of(const std::string& s) {
  for (BindState st : kStates)
    if (s == sim::to_string(st)) return st;
  ADD_FAILURE() << "unknown state " << s;
  return BindState::Bound;
}

// What sim::bind_allowed() / listen_allowed() say for a row: its three answer columns.
std::vector<std::string> predict(const std::vector<std::string>& c) {
  const uint16_t port = 20000;
  sim::BoundSocket e{ip_of(c[5]), port, c[1] == "1", c[2] == "1", 0, state_of(c[3])};
  sim::BoundSocket n{ip_of(c[8]),     port, c[6] == "1", c[7] == "1", c[0] == "other" ? kOtherUid : 0,
                     BindState::Bound};
  const sim::BindRequest req{n.ip, n.port, n.reuseaddr, n.reuseport, n.owner_uid};
  std::vector<std::string> out = {sim::to_string(sim::bind_allowed(req, {e})), "-", "-"};
  if (out[0] != "OK") return out;
  const BindVerdict l = sim::listen_allowed(n, {e});
  out[1] = sim::to_string(l);
  if (e.state == BindState::Bound) {
    n.state = l == BindVerdict::Ok ? BindState::Listen : BindState::Bound;
    out[2] = sim::to_string(sim::listen_allowed(e, {n}));
  }
  return out;
}

std::string inputs_of(const std::vector<std::string>& c) {
  return join(std::vector<std::string>(c.begin(), c.begin() + kNumInputs));
}

void write_tsv(const std::string& path, const KernelRun& r) {
  utsname u{};
  uname(&u);
  std::ofstream f(path);
  f << "# bind()/listen() EADDRINUSE matrix, Linux " << u.release
    << ", IPv4 TCP, real sockets in a private network namespace.\n"
       "# Generated by tests/sim/kernel_bind_matrix_test.cc; regenerate as root with\n"
       "#   TCPSIM_WRITE_BIND_MATRIX=1 build/tcpsim_sim_tests --gtest_filter='KernelBind*'\n"
       "# Checked against sim::bind_allowed()/listen_allowed() by tests/sim/bind_rules_test.cc.\n"
       "#\n"
       "# Each row: an existing socket E with SO_REUSEADDR/SO_REUSEPORT as given, bound to\n"
       "# exist_bind:P (a fresh port P per row) and brought into exist_state:\n"
       "#   bound        bind() only\n"
       "#   listen       listen()\n"
       "#   established  connect() to a listener on 127.0.0.1:10000, accepted\n"
       "#   time-wait    as established, then E close()s first and the peer closes: E is TIME-WAIT\n"
       "# exist_local is E's local address in that state (getsockname; for time-wait, before close).\n"
       "# Then a new socket N with the new_ flags, created by the same user as E (uid=same, root)\n"
       "# or by uid 65534 (uid=other), calls bind(new_addr:P):\n"
       "#   bind          its result\n"
       "#   listen        if bind succeeded, the result of listen() on N, else -\n"
       "#   exist_listen  if bind succeeded and E is only bound, the result of listen() on E\n"
       "#                 afterwards (N listening if its listen() succeeded), else -\n";
  for (size_t i = 0; i < kNumColumns; ++i) f << (i ? "\t" : "") << kColumns[i];
  f << "\n";
  for (const auto& row : r.rows) f << join(row) << "\n";
}

TEST(KernelBindMatrix, RealKernelAgreesWithTableAndRules) {
  if (geteuid() != 0)
    GTEST_SKIP() << "needs root to unshare(CLONE_NEWNET) (running as uid " << geteuid() << ")";
  const KernelRun r = run_in_netns();
  if (!r.skip.empty()) GTEST_SKIP() << r.skip;
  for (const auto& e : r.errors) ADD_FAILURE() << e;
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.rows.size(), 2u * 4 * 5 * 4 * 4);

  if (const char* w = std::getenv("TCPSIM_WRITE_BIND_MATRIX"); w && *w) {
    const std::string path = std::string(w) == "1" ? kTsvPath : w;
    write_tsv(path, r);
    std::printf("wrote %zu rows to %s\n", r.rows.size(), path.c_str());
  }

  // The checked-in table.
  std::ifstream f(kTsvPath);
  ASSERT_TRUE(f) << "cannot read " << kTsvPath;
  std::map<std::string, std::vector<std::string>> table;
  std::string line;
  bool header = true;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto cols = split_tabs(line);
    if (header) {
      header = false;
      continue;
    }
    ASSERT_EQ(cols.size(), kNumColumns) << line;
    table[inputs_of(cols)] = cols;
  }
  EXPECT_EQ(table.size(), r.rows.size());

  int ok = 0, in_use = 0;
  for (const auto& row : r.rows) {
    ASSERT_EQ(row.size(), kNumColumns);
    (row[9] == "OK" ? ok : in_use)++;
    auto it = table.find(inputs_of(row));
    if (it == table.end()) {
      ADD_FAILURE() << "kernel row not in the table: " << join(row);
      continue;
    }
    EXPECT_EQ(join(it->second), join(row)) << "the kernel now answers differently from the table";
    const auto want = predict(row);
    EXPECT_EQ(join(want), join(std::vector<std::string>(row.begin() + kNumInputs, row.end())))
        << "rules disagree with the kernel for: " << inputs_of(row);
  }
  std::printf("kernel: %d bind OK, %d bind EADDRINUSE\n", ok, in_use);
}

}  // namespace
}  // namespace tcpsim::test
