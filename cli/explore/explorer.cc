#include "cli/explore/explorer.h"

#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>

#include "scenario/outcome.h"
#include "sim/units.h"

namespace tcpsim::explore {

namespace {

constexpr sim::Fate kDepartures[] = {sim::Fate::kDrop, sim::Fate::kDuplicate, sim::Fate::kOvertake};

std::string link_name(const scenario::LinkDecl& l) {
  return fmt::format("link {} {} {}", l.from, l.both ? "<->" : "->", l.to);
}

std::string wait_status_text(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return fmt::format("killed by signal {} ({})", sig, strsignal(sig));
  }
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  return fmt::format("ended with wait status {}", status);
}

// The state of the search in one process: what this process's run has
// chosen so far and may still choose. fork() copies it with everything else.
class Brancher {
 public:
  Brancher(SharedResults& shared, const ExploreOptions& opt)
      : shared_(shared), opt_(opt), left_(opt.budget) {}

  sim::Fate decide(const sim::Transmission& t) {
    ++asked_;
    for (const sim::Fate alt : kDepartures) {
      if (!left_.allows(alt)) continue;
      if (alt == sim::Fate::kOvertake && !t.can_overtake) continue;
      if (!shared_.claim_pattern(opt_.max_patterns)) return sim::Fate::kDeliver;
      Pattern taken = pattern_;
      taken.push_back(Choice{static_cast<std::uint32_t>(t.packet.id), alt});
      // Whatever sits in stdio buffers would be written once per process.
      std::fflush(nullptr);
      const pid_t parent = getpid();
      const pid_t pid = fork();
      if (pid < 0) {
        report_error(taken, fmt::format("fork failed: {}", std::strerror(errno)));
        continue;
      }
      if (pid == 0) {
        // If the root is killed, its descendants must not run on unseen.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(3);
        child_ = true;
        pattern_ = std::move(taken);
        left_.spend(alt);
        return alt;
      }
      int status = 0;
      pid_t got;
      do {
        got = waitpid(pid, &status, 0);
      } while (got < 0 && errno == EINTR);
      if (got < 0) {
        report_error(taken, fmt::format("waitpid failed: {}", std::strerror(errno)));
      } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        report_error(taken, fmt::format("the process exploring it {}", wait_status_text(status)));
      }
    }
    return sim::Fate::kDeliver;
  }

  void report_error(const Pattern& p, std::string what) {
    PatternResult r;
    r.pattern = p;
    r.error = std::move(what);
    shared_.append(r);
  }

  bool child() const { return child_; }
  const Pattern& pattern() const { return pattern_; }
  std::uint64_t asked() const { return asked_; }

 private:
  SharedResults& shared_;
  const ExploreOptions& opt_;
  Budget left_;
  Pattern pattern_;
  bool child_ = false;
  std::uint64_t asked_ = 0;  // transmissions this process's run offered to the search
};

void remove_expectations(std::vector<scenario::Stmt>& body) {
  for (scenario::Stmt& st : body) {
    st.expect = scenario::Expect{};
    remove_expectations(st.body);
  }
}

}  // namespace

void remove_assertions(scenario::Scenario& sc) {
  sc.assertions.clear();
  for (scenario::ProgramDecl& p : sc.programs) remove_expectations(p.body);
}

std::optional<std::string> refuse(const scenario::Scenario& sc, const scenario::RunOptions& opt) {
  if (opt.loss && !opt.loss->is_zero())
    return std::string("explore chooses which packets are lost: random loss (--loss) cannot be used with it");
  for (const scenario::LinkDecl& l : sc.links) {
    const sim::LinkConfig& c = l.cfg;
    std::string what;
    if (!c.loss.is_zero()) what = "random loss";
    if (c.burst.enabled() || !c.burst.loss_bad.is_zero()) what = "burst loss";
    if (!c.duplicate.is_zero()) what = "random duplication";
    if (!c.reorder.is_zero()) what = "random reordering";
    if (what.empty()) continue;
    return fmt::format(
        "{}:{}:{}: {} has {}: explore decides each transmission's fate itself, and its results must not "
        "depend on the seed; remove it (targeted `drop` rules are fine: they are part of the scenario)",
        sc.file, l.loc.line, l.loc.col, link_name(l), what);
  }
  return std::nullopt;
}

namespace {

void sort_results(std::vector<PatternResult>& v) {
  std::sort(v.begin(), v.end(), [](const PatternResult& a, const PatternResult& b) {
    if (a.pattern != b.pattern) return shorter(a.pattern, b.pattern);
    return a.error < b.error;  // a pattern's result before the report of its crash
  });
}

// The same search without fork(): each pattern is run from the start with
// its choices forced, and offers the transmissions after its last choice as
// branch points for the patterns that extend it.
ExploreResult explore_by_replay(const std::shared_ptr<const scenario::Scenario>& sc,
                                const ExploreOptions& opt) {
  ExploreResult res;
  std::vector<Pattern> todo{Pattern{}};
  std::uint64_t claimed = 1;
  while (!todo.empty()) {
    const Pattern p = std::move(todo.back());
    todo.pop_back();
    Budget left = opt.budget;
    for (const Choice& c : p) left.spend(c.fate);
    const std::uint64_t after = p.empty() ? 0 : std::uint64_t{p.back().index} + 1;
    std::map<std::uint64_t, sim::Fate> forced;
    for (const Choice& c : p) forced[c.index] = c.fate;
    std::vector<Pattern> found;
    std::uint64_t asked = 0;
    scenario::RunOptions ropt = opt.run;
    ropt.trace = true;
    ropt.on_network = [&](sim::Network& net) {
      net.set_fate_hook([&](const sim::Transmission& t) {
        ++asked;
        auto it = forced.find(t.packet.id);
        if (it != forced.end()) return it->second;
        if (t.packet.id < after) return sim::Fate::kDeliver;
        for (const sim::Fate alt : kDepartures) {
          if (!left.allows(alt) || (alt == sim::Fate::kOvertake && !t.can_overtake)) continue;
          if (claimed >= opt.max_patterns) {
            res.truncated = true;
            break;
          }
          ++claimed;
          Pattern q = p;
          q.push_back(Choice{static_cast<std::uint32_t>(t.packet.id), alt});
          found.push_back(std::move(q));
        }
        return sim::Fate::kDeliver;
      });
    };
    PatternResult r;
    r.pattern = p;
    try {
      auto ran = scenario::run(sc, ropt);
      if (auto* e = std::get_if<scenario::ParseError>(&ran)) {
        r.error = e->message;
      } else {
        const scenario::Outcome o = scenario::classify(std::get<scenario::RunResult>(ran));
        r.kind = o.kind;
        r.label = o.label();
        r.unread_bytes = o.unread_bytes;
      }
    } catch (const std::exception& e) {
      r.error = fmt::format("the run stopped with an error: {}", e.what());
    }
    if (opt.at_end) opt.at_end(p);
    if (p.empty()) res.base_transmissions = asked;
    res.patterns.push_back(std::move(r));
    for (auto it = found.rbegin(); it != found.rend(); ++it) todo.push_back(std::move(*it));
  }
  return res;
}

double micros_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
}

// The cheapest of three forks whose child exits at once, waited for: what
// each forked pattern pays on top of its own run. Infinite if fork fails.
double fork_cost_us() {
  double best = 1e30;
  for (int i = 0; i < 3; ++i) {
    std::fflush(nullptr);
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid < 0) return best;
    if (pid == 0) _exit(0);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    best = std::min(best, micros_since(t0));
  }
  return best;
}

// One whole run without branching, as every pattern of Replay costs.
double run_cost_us(const std::shared_ptr<const scenario::Scenario>& sc, const scenario::RunOptions& opt) {
  scenario::RunOptions ropt = opt;
  ropt.trace = true;
  double best = 1e30;
  for (int i = 0; i < 2; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto ran = scenario::run(sc, ropt);
    if (auto* r = std::get_if<scenario::RunResult>(&ran)) scenario::classify(*r);
    best = std::min(best, micros_since(t0));
  }
  return best;
}

}  // namespace

const char* strategy_name(Strategy s) {
  switch (s) {
    case Strategy::Auto: return "auto";
    case Strategy::Fork: return "fork";
    case Strategy::Replay: return "replay";
  }
  return "?";
}

std::variant<ExploreResult, std::string> explore(std::shared_ptr<const scenario::Scenario> sc,
                                                 const ExploreOptions& opt) {
  if (auto why = refuse(*sc, opt.run)) return *why;
  Strategy strategy = opt.strategy;
  double run_us = 0, fork_us = 0;
  if (strategy == Strategy::Auto) {
    run_us = run_cost_us(sc, opt.run);
    fork_us = fork_cost_us();
    strategy = run_us / 2 > fork_us ? Strategy::Fork : Strategy::Replay;
  }
  auto done = [&](ExploreResult& res) {
    res.strategy = strategy;
    res.run_us = run_us;
    res.fork_us = fork_us;
  };
  if (strategy == Strategy::Replay) {
    ExploreResult res = explore_by_replay(sc, opt);
    done(res);
    if (res.patterns.size() == 1 && !res.patterns[0].error.empty() && res.base_transmissions == 0)
      return res.patterns[0].error;
    sort_results(res.patterns);
    return res;
  }
  SharedResults shared(opt.max_patterns);
  shared.claim_pattern(opt.max_patterns);  // the base run
  Brancher brancher(shared, opt);
  scenario::RunOptions ropt = opt.run;
  ropt.trace = true;  // classify() reads the trace
  ropt.on_network = [&brancher](sim::Network& net) {
    net.set_fate_hook([&brancher](const sim::Transmission& t) { return brancher.decide(t); });
  };

  // From here on, this code runs in every process of the search: each one
  // returns from scenario::run() with its own run finished.
  PatternResult mine;
  std::string failed;
  try {
    auto ran = scenario::run(sc, ropt);
    if (auto* e = std::get_if<scenario::ParseError>(&ran)) {
      failed = e->message;
    } else {
      const scenario::Outcome o = scenario::classify(std::get<scenario::RunResult>(ran));
      mine.kind = o.kind;
      mine.label = o.label();
      mine.unread_bytes = o.unread_bytes;
    }
  } catch (const std::exception& e) {
    failed = fmt::format("the run stopped with an error: {}", e.what());
  }
  mine.pattern = brancher.pattern();
  if (opt.at_end) opt.at_end(mine.pattern);
  if (brancher.child()) {
    if (!failed.empty()) mine.error = failed;
    shared.append(mine);
    // Nothing of the root's must run here: no destructors, no atexit, no
    // stdio flush (the buffers were flushed before the fork).
    _exit(0);
  }
  // A scenario error shows in the base run, before anything was sent.
  if (!failed.empty() && brancher.asked() == 0) return failed;
  if (!failed.empty()) mine.error = failed;
  shared.append(mine);

  ExploreResult res;
  res.patterns = shared.read_all();
  sort_results(res.patterns);
  res.truncated = shared.truncated();
  res.base_transmissions = brancher.asked();
  done(res);
  return res;
}

std::variant<scenario::RunResult, std::string> replay(std::shared_ptr<const scenario::Scenario> sc,
                                                      const scenario::RunOptions& opt, const Pattern& p,
                                                      bool* mismatch) {
  if (mismatch) *mismatch = false;
  std::map<std::uint64_t, sim::Fate> forced;
  for (const Choice& c : p) forced[c.index] = c.fate;
  auto used = std::make_shared<std::size_t>(0);
  auto bad = std::make_shared<bool>(false);
  scenario::RunOptions ropt = opt;
  ropt.trace = true;
  ropt.on_network = [forced, used, bad](sim::Network& net) {
    net.set_fate_hook([forced, used, bad](const sim::Transmission& t) {
      auto it = forced.find(t.packet.id);
      if (it == forced.end()) return sim::Fate::kDeliver;
      ++*used;
      if (it->second == sim::Fate::kOvertake && !t.can_overtake) *bad = true;
      return it->second;
    });
  };
  auto ran = scenario::run(sc, ropt);
  if (auto* e = std::get_if<scenario::ParseError>(&ran)) return e->message;
  if (mismatch) *mismatch = *bad || *used != forced.size();
  return std::move(std::get<scenario::RunResult>(ran));
}

}  // namespace tcpsim::explore
