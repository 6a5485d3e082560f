#include "tests/fuzz/subprocess.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

extern char** environ;

namespace tcpsim::fuzz {
namespace {

void limit(int resource, rlim_t soft, rlim_t hard) {
  rlimit r{soft, hard};
  setrlimit(resource, &r);
}

std::string read_head(const std::string& path, std::size_t max) {
  std::ifstream in(path, std::ios::binary);
  std::string s(max, '\0');
  in.read(s.data(), static_cast<std::streamsize>(max));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return s;
}

std::string first_line(const std::string& s) {
  std::string l = s.substr(0, s.find('\n'));
  if (l.size() > 160) l = l.substr(0, 160) + "...";
  return l;
}

// A line of `text` starting with `name:` then digits (`:digits` again
// when `column` is asked for) and `: `.
bool located(const std::string& text, const std::string& name, bool column) {
  const std::string esc = std::regex_replace(name, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
  const std::regex re("(^|\n)" + esc + (column ? R"(:\d+:\d+: )" : R"(:(\d+:)? ?)"));
  return std::regex_search(text, re);
}

}  // namespace

Outcome run_process(const std::vector<std::string>& argv, const std::string& dir, const Limits& limits) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::string err_path = dir + "/stderr";
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    setpgid(0, 0);
    if (chdir(dir.c_str()) != 0) _exit(125);
    limit(RLIMIT_CPU, static_cast<rlim_t>(limits.cpu_seconds), static_cast<rlim_t>(limits.cpu_seconds + 1));
    limit(RLIMIT_CORE, 0, 0);
    limit(RLIMIT_FSIZE, limits.file_size, limits.file_size);
    if (limits.address_space) limit(RLIMIT_AS, limits.address_space, limits.address_space);
    const int null = open("/dev/null", O_RDWR);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (null < 0 || err < 0) _exit(125);
    dup2(null, 0);
    dup2(null, 1);
    dup2(err, 2);
    execve(args[0], args.data(), environ);
    _exit(127);
  }
  Outcome o;
  if (pid < 0) {
    o.status = 125;
    o.stderr_text = std::string("cli_fuzz: fork: ") + std::strerror(errno);
    return o;
  }
  setpgid(pid, pid);  // either side may win the race; both ask for the same
  int st = 0;
  rusage ru{};
  auto pause = std::chrono::microseconds(500);
  while (true) {
    const pid_t r = wait4(pid, &st, WNOHANG, &ru);
    if (r == pid) break;
    if (std::chrono::steady_clock::now() - start > std::chrono::seconds(limits.wall_seconds)) {
      o.timed_out = true;
      kill(-pid, SIGKILL);
      wait4(pid, &st, 0, &ru);
      break;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20000));
  }
  kill(-pid, SIGKILL);  // what it forked and left behind (explore's workers)
  if (WIFSIGNALED(st)) o.signal = WTERMSIG(st);
  if (WIFEXITED(st)) o.status = WEXITSTATUS(st);
  o.max_rss_kb = ru.ru_maxrss;
  o.stderr_text = read_head(err_path, 64 * 1024);
  return o;
}

Verdict judge(const Outcome& o, const JudgeRules& rules) {
  const std::string said = first_line(o.stderr_text);
  if (o.timed_out || o.signal == SIGXCPU) return {"hang", o.timed_out ? "10 s wall clock" : "CPU limit"};
  if (o.signal == SIGXFSZ) return {"output-size", "an output file over the size limit"};
  if (o.signal != 0)
    return {"crash", std::string(sigabbrev_np(o.signal) ? sigabbrev_np(o.signal) : "?") + " " + said};
  if (o.status > 2)
    return {o.status == 134 || o.status == 139 ? "crash" : "exit-status",
            std::to_string(o.status) + " " + said};
  if (rules.rss_limit_kb > 0 && o.max_rss_kb > rules.rss_limit_kb)
    return {"memory", std::to_string(o.max_rss_kb / 1024) + " MB peak RSS"};
  if (o.status != 2) return {};
  for (const auto& f : rules.scenario_files)
    if (located(o.stderr_text, f, true)) return {};
  for (const auto& f : rules.other_files)
    if (located(o.stderr_text, f, false)) return {};
  // merge's errors about the set of shards given rather than about one.
  static const std::regex about_the_set(
      R"(^tcpsim merge: (shard \d+/\d+ is missing|point \d+ has \d+ runs))");
  if (!rules.other_files.empty() && std::regex_search(o.stderr_text, about_the_set)) return {};
  // Usage errors name the option: first (an option that does not fit the
  // scenario: `--format mermaid: a load scenario is drawn as ...`), or
  // anywhere when the case gave an option an edge value (CLI11's messages).
  if (o.stderr_text.rfind("--", 0) == 0) return {};
  // explore's documented stops: at the cap the case gave it, or at the
  // default bound on its work (docs/explore.md, "Bounds on a search").
  if (o.stderr_text.find("tcpsim explore: stopped at --max-patterns") != std::string::npos) return {};
  if (o.stderr_text.find("tcpsim explore: stopped at --max-work") != std::string::npos) return {};
  // The trace's documented bound (docs/limits.md): a run, not a line, reached
  // it, so the message names the file and the virtual time instead.
  static const std::regex trace_limit(R"(: trace limit of \d+ records reached at )");
  if (std::regex_search(o.stderr_text, trace_limit)) return {};
  if (rules.cli_values_mutated && o.stderr_text.find("--") != std::string::npos) return {};
  return {"unlocated-error", said};
}

}  // namespace tcpsim::fuzz
