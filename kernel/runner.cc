#include "kernel/runner.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <thread>

#include "kernel/capture.h"
#include "kernel/delayline.h"
#include "kernel/diff.h"
#include "kernel/hosts.h"
#include "kernel/limits.h"
#include "kernel/nft.h"
#include "kernel/programs.h"
#include "kernel/sockdiag.h"
#include "kernel/tools.h"

namespace tcpsim::kernel {

namespace {

std::atomic<pid_t> g_child{0};

std::string ip_text(std::uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

// Runs ip or nft (kernel/tools.h: by absolute path, in a clean
// environment); its complaint, or "" on success.
std::string tool(const std::vector<std::string>& argv, const std::string& input = "") {
  return run_tool(argv, input).error;
}

std::int64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void sleep_ns(Duration d) {
  if (d <= 0) return;
  timespec ts{static_cast<time_t>(d / kSecond), static_cast<long>(d % kSecond)};
  while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {
  }
}

std::string setup(const Plan& plan) {
  // lo with a wire's MTU, and one segment per packet (no GSO super-packets):
  // the capture then sees the segments a wire would carry.
  if (auto e = tool({"ip", "link", "set", "lo", "mtu", std::to_string(kLoMtu), "gso_max_segs", "1", "up"});
      !e.empty())
    return e;
  for (std::uint32_t a : plan.host_ips) {
    if ((a >> 24) == 127) continue;
    if (auto e = tool({"ip", "addr", "add", ip_text(a) + "/32", "dev", "lo"}); !e.empty()) return e;
  }
  if (auto e = write_sysctls(plan); !e.empty()) return e;
  const std::string rules = nft_ruleset(plan.rules, plan.windows);
  if (!rules.empty()) {
    if (auto e = tool({"nft", "-f", "-"}, rules); !e.empty()) return e;
  }
  return "";
}

// How many segments nft dropped: the input chain's counter.
long nft_drop_count() {
  const ToolRun r = run_tool({"nft", "list", "chain", "ip", kNftTable, "input"});
  if (!r.ok) return -1;
  const auto at = r.output.find("counter packets ");
  if (at == std::string::npos) return -1;
  return std::strtol(r.output.c_str() + at + 16, nullptr, 10);
}

// What the child's threads share. Never freed: program threads still blocked
// at the cap use it until the child's _exit ends them.
struct ChildState {
  Recording rec;
  RunContext ctx;
  SockDiag diag;
  std::mutex diag_mu;  // one dump at a time, so snapshots are in time order
  Capture cap;
  Hosts hosts;                      // with a delay line: a namespace per host
  std::unique_ptr<DelayLine> line;  // ... joined by it, which is then the capture point
  std::vector<ProgramSpec> specs;
  std::unique_ptr<std::atomic<bool>[]> done;
  std::unique_ptr<std::atomic<bool>[]> settled;
  // Each segment wakes the sampler (the capture thread itself must keep
  // reading, or the ring overflows on a burst).
  std::mutex wake_mu;
  std::condition_variable wake;
  bool segment_seen = false;
  std::atomic<bool> quit{false};
};

// Every socket of the run: one namespace's, or every host's.
std::optional<std::vector<SocketSample>> dump_all(ChildState& state) {
  return state.hosts.empty() ? state.diag.dump() : state.hosts.dump();
}

// The namespace(s), the socket diagnostics and the capture; "" or why not.
std::string prepare(ChildState& state, const Plan& plan) {
  if (auto e = plan.links.empty() ? setup(plan) : setup_hosts(plan, state.hosts); !e.empty()) return e;
  if (!state.diag.ok()) return "socket diagnostics (NETLINK_SOCK_DIAG) are not available";
  if (!state.hosts.empty()) {
    state.line = std::make_unique<DelayLine>(state.hosts.wires, plan, plan.seed);
    return "";
  }
  return state.cap.open();
}

// The sampler's snapshot: every socket, kept when something changed.
void install_snapshot(ChildState& state) {
  RunContext& ctx = state.ctx;
  ctx.snapshot = [&state]() -> std::vector<SocketSample> {
    RunContext& ctx = state.ctx;
    std::lock_guard<std::mutex> dl(state.diag_mu);
    auto socks = dump_all(state);
    if (!socks) return {};
    const Time t = ctx.now();
    std::lock_guard<std::mutex> lock(ctx.mu);
    if (ctx.stopped) return *socks;
    // Only changes are worth keeping.
    auto same = [](const std::vector<SocketSample>& a, const std::vector<SocketSample>& b) {
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].state != b[i].state || a[i].local != b[i].local || a[i].peer != b[i].peer ||
            a[i].recv_q != b[i].recv_q || a[i].send_q != b[i].send_q)
          return false;
      }
      return true;
    };
    Recording& rec = state.rec;
    if (rec.snapshots.empty() || !same(rec.snapshots.back().sockets, *socks))
      rec.snapshots.push_back(Snapshot{t, *socks});
    return *socks;
  };
}

// Windows: a rule in their chain while they are open (the delay line applies
// windows itself, by each segment's time).
void run_windows(ChildState& state, const Plan& plan) {
  struct Edge {
    Time t;
    std::size_t i;
    bool open;
  };
  std::vector<Edge> edges;
  for (std::size_t i = 0; i < (state.line ? 0 : plan.windows.size()); ++i) {
    edges.push_back({plan.windows[i].span.start, i, true});
    edges.push_back({plan.windows[i].span.end, i, false});
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return a.t < b.t; });
  const RunContext& ctx = state.ctx;
  for (const auto& e : edges) {
    while (!state.quit && ctx.now() < e.t) sleep_ns(std::min<Duration>(e.t - ctx.now(), 10 * kMillisecond));
    if (state.quit) break;
    if (e.open)
      tool({"nft", "add", "rule", "ip", kNftTable, window_chain(e.i), "meta", "mark", "set", "1"});
    else
      tool({"nft", "flush", "chain", "ip", kNftTable, window_chain(e.i)});
  }
}

// One thread per program, each on its host.
std::vector<std::thread> start_programs(ChildState& state, const scenario::Scenario& sc, const Plan& plan) {
  RunContext& ctx = state.ctx;
  std::vector<ProgramSpec>& specs = state.specs;
  specs.resize(sc.programs.size());
  std::vector<std::thread> threads;
  std::vector<std::size_t> prog_host(sc.programs.size(), 0);
  state.done.reset(new std::atomic<bool>[sc.programs.size()]);
  std::atomic<bool>* done = state.done.get();
  for (std::size_t i = 0; i < sc.programs.size(); ++i) {
    std::size_t h = 0;
    for (std::size_t k = 0; k < sc.hosts.size(); ++k) {
      if (sc.hosts[k].name == sc.programs[i].host) h = k;
    }
    prog_host[i] = h;
    specs[i] =
        ProgramSpec{&sc.programs[i], static_cast<std::uint32_t>(i), plan.host_ips[h], plan.host_options[h]};
    done[i] = false;
  }
  state.settled.reset(new std::atomic<bool>[sc.programs.size()]);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    state.settled[i] = false;
    specs[i].settled = &state.settled[i];
  }
  // Programs start in order of their start time (declaration order among
  // equals), each once its start time has come and every program started
  // before it has reached its first wait: the simulator runs a program until
  // it waits before time moves on, and scenarios count on that ("at 1ms" is
  // after the first program's listen()). A loaded machine only delays them.
  std::vector<std::size_t> order(specs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return sc.programs[a].start < sc.programs[b].start; });
  threads.resize(specs.size());
  ctx.t0 = realtime_ns();
  for (std::size_t n = 0; n < order.size(); ++n) {
    const std::size_t i = order[n];
    sleep_ns(sc.programs[i].start - ctx.now());
    for (std::size_t m = 0; m < n; ++m) {
      const Time limit = ctx.now() + 1 * kSecond;
      while (!state.settled[order[m]] && ctx.now() < limit) sleep_ns(20 * kMicrosecond);
    }
    const int ns = state.hosts.empty() ? -1 : state.hosts.ns[prog_host[i]];
    threads[i] = std::thread([&ctx, &specs, done, i, ns] {
      // The program's sockets are its host's (setns: this thread only).
      if (ns >= 0 && setns(ns, CLONE_NEWNET) != 0) {
        const int e = errno;
        std::lock_guard<std::mutex> lock(ctx.mu);
        ctx.rec->error = std::string("setns into a host's namespace: ") + std::strerror(e);
        ctx.fault = true;
      } else {
        run_program(ctx, specs[i]);
      }
      done[i] = true;
    });
  }
  return threads;
}

// Until every program has ended and no socket is left, or the cap; the
// run's end time is then set.
void wait_for_end(ChildState& state, const scenario::Scenario& sc, const NamespaceRunOptions& opt) {
  RunContext& ctx = state.ctx;
  Recording& rec = state.rec;
  const Time cap = std::min(opt.cap, sc.until.value_or(opt.cap));
  while (true) {
    sleep_ns(2 * kMillisecond);
    const Time now = ctx.now();
    bool all = true;
    for (std::size_t i = 0; i < state.specs.size(); ++i) all = all && state.done[i];
    if (all) {
      std::lock_guard<std::mutex> dl(state.diag_mu);
      auto socks = dump_all(state);
      if (socks && socks->empty()) break;
    }
    if (now >= cap) {
      rec.capped = true;
      break;
    }
    if (ctx.fault) break;  // a runaway loop: the run ends there, as the simulator's
  }
  ctx.snapshot();
  const Time end = ctx.now();
  std::lock_guard<std::mutex> lock(ctx.mu);
  ctx.stopped = true;
  rec.end_time = rec.capped ? cap : end;
}

// The captured segments up to the end, checked against nftables' count; the
// program threads joined, or left blocked at the cap.
void collect(ChildState& state, const Plan& plan, std::vector<std::thread>& threads) {
  Recording& rec = state.rec;
  rec.segments = state.line ? state.line->stop() : state.cap.stop();
  const unsigned lost = state.line ? state.line->dropped() : state.cap.dropped();
  if (lost > 0) rec.error = fmt::format("the capture lost {} segments: the run is incomplete", lost);
  // Whatever came after the end (the drain) is not part of the run.
  while (!rec.segments.empty() && rec.segments.back().t > rec.end_time) rec.segments.pop_back();
  if (!state.line && (!plan.rules.empty() || !plan.windows.empty())) {
    const long nft = nft_drop_count();
    const auto marked = replay_drops(rec.segments, plan.rules, plan.windows);
    const long replayed = std::count(marked.begin(), marked.end(), true);
    if (nft >= 0 && nft != replayed && !rec.capped) {
      rec.error =
          fmt::format("nftables dropped {} segments, the capture accounts for {}: the run is not trustworthy",
                      nft, replayed);
    }
  }
  std::lock_guard<std::mutex> lock(state.ctx.mu);
  for (std::size_t i = 0; i < threads.size(); ++i) {
    if (state.done[i]) {
      threads[i].join();
    } else {
      threads[i].detach();  // blocked at the cap: it dies with the process
      if (rec.programs[i].blocked_in.empty()) rec.programs[i].blocked_in = "running";
    }
  }
}

// Everything below runs in the child, inside the new namespace; returns the
// serialized recording.
std::string run_child(const scenario::Scenario& sc, const Plan& plan, const NamespaceRunOptions& opt) {
  auto& state = *new ChildState;
  Recording& rec = state.rec;
  rec.programs.resize(sc.programs.size());
  if (auto e = prepare(state, plan); !e.empty()) {
    rec.error = e;
    return serialize(rec);
  }
  RunContext& ctx = state.ctx;
  ctx.sc = &sc;
  ctx.rec = &rec;
  install_snapshot(state);
  ctx.t0 = realtime_ns();
  auto on_segment = [&state] {
    {
      std::lock_guard<std::mutex> l(state.wake_mu);
      state.segment_seen = true;
    }
    state.wake.notify_one();
  };
  if (state.line) {
    state.line->start(&ctx.t0, on_segment);
  } else {
    state.cap.start(&ctx.t0, on_segment);
  }
  ctx.snapshot();
  std::thread sampler([&] {
    while (!state.quit) {
      ctx.snapshot();
      std::unique_lock<std::mutex> l(state.wake_mu);
      state.wake.wait_for(l, std::chrono::nanoseconds(opt.sample_interval),
                          [&] { return state.segment_seen || state.quit.load(); });
      state.segment_seen = false;
    }
  });
  std::thread windows([&] { run_windows(state, plan); });
  std::vector<std::thread> threads = start_programs(state, sc, plan);
  wait_for_end(state, sc, opt);
  {
    std::lock_guard<std::mutex> l(state.wake_mu);
    state.quit = true;
  }
  state.wake.notify_one();
  sampler.join();
  windows.join();
  collect(state, plan, threads);
  return serialize(rec);
}

}  // namespace

void kill_runner() {
  const pid_t p = g_child.load();
  if (p > 0) kill(p, SIGKILL);
}

std::variant<Recording, std::string> run_in_namespace(const scenario::Scenario& sc, const Plan& plan,
                                                      const NamespaceRunOptions& opt) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return std::string("fork: ") + std::strerror(errno);
  }
  if (pid == 0) {
    close(fds[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Ctrl-C reaches the whole process group: the child just dies (with its
    // namespace); tcpsim itself says so.
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    // Bounds on memory and on real-time CPU (kernel/limits.h), before anything runs.
    std::string text;
    if (auto e = limit_child(); !e.empty()) {
      Recording rec;
      rec.error = e;
      text = serialize(rec);
      ssize_t w = write(fds[1], text.data(), text.size());
      (void)w;
      _exit(0);
    }
    // Real-time scheduling (the lowest priority) for the runner and its
    // threads: on a busy machine ordinary threads wait tens of milliseconds
    // for a CPU, which would show as timing differences. They sleep nearly
    // all the time, so they cannot starve anything; a program that loops
    // without waiting is stopped by its step count, and any thread by
    // RLIMIT_RTTIME. Best effort.
    sched_param sp{};
    sp.sched_priority = 1;
    sched_setscheduler(0, SCHED_FIFO, &sp);
    // A first namespace only to say how big the next one's TCP hash table
    // is: otherwise it shares the host's (262144 buckets here), and every
    // socket-table dump walks all of it, 2 ms instead of 20 us.
    if (unshare(CLONE_NEWNET) == 0) {
      std::ofstream("/proc/sys/net/ipv4/tcp_child_ehash_entries") << 128;
    }
    if (unshare(CLONE_NEWNET) != 0) {
      Recording rec;
      rec.error = errno == EPERM ? "needs root (CAP_NET_ADMIN) to create a network namespace"
                                 : std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
      text = serialize(rec);
    } else {
      text = run_child(sc, plan, opt);
    }
    std::size_t off = 0;
    while (off < text.size()) {
      const ssize_t n = write(fds[1], text.data() + off, text.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    _exit(0);  // also ends program threads still blocked at the cap
  }
  g_child = pid;
  close(fds[1]);
  std::string text;
  char buf[65536];
  // The child's own cap, plus setup and a margin; past that it is hung.
  const Time limit = std::min(opt.cap, sc.until.value_or(opt.cap)) + 30 * kSecond;
  const std::int64_t start = realtime_ns();
  bool timed_out = false;
  while (true) {
    pollfd p{fds[0], POLLIN, 0};
    const int r = poll(&p, 1, 200);
    if (r < 0 && errno == EINTR) continue;
    if (r > 0) {
      const ssize_t n = read(fds[0], buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
    if (realtime_ns() - start > limit) {
      timed_out = true;
      break;
    }
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  g_child = 0;
  if (timed_out) return std::string("the kernel run did not end in time; it was killed");
  auto rec = deserialize(text);
  if (!rec) return child_death(status);
  if (!rec->error.empty() && rec->segments.empty() && rec->calls.empty()) return rec->error;
  return std::move(*rec);
}

}  // namespace tcpsim::kernel
