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
#include <utility>

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

  // The network of this process's run: its trace is the run's work so far.
  void attach(sim::Network& net) { net_ = &net; }
  std::uint64_t records() const { return net_ ? net_->trace().records().size() : 0; }

  sim::Fate decide(const sim::Transmission& t) {
    ++asked_;
    last_records_ = records();
    for (const sim::Fate alt : kDepartures) {
      if (!left_.allows(alt)) continue;
      if (alt == sim::Fate::kOvertake && !t.can_overtake) continue;
      // The work counted: the runs that ended (none of them this run's
      // ancestors, which are waiting) and this run up to here, which holds
      // its ancestors' prefixes. explore_by_replay counts the same.
      if (!shared_.claim_pattern(opt_.max_patterns, shared_.work() + last_records_, opt_.max_work))
        return sim::Fate::kDeliver;
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
  std::uint64_t last_records() const { return last_records_; }

 private:
  SharedResults& shared_;
  sim::Network* net_ = nullptr;
  std::uint64_t last_records_ = 0;
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

// A run's work for the budget: its trace records, counted whole. A run that
// stopped with an error after it began stopped at the trace limit (the only
// error a started run gives) or threw: its last known size.
std::uint64_t run_work(const std::variant<scenario::RunResult, scenario::ParseError>* ran,
                       const scenario::RunOptions& opt, std::uint64_t last_seen) {
  if (ran == nullptr) return last_seen;
  if (auto* r = std::get_if<scenario::RunResult>(ran)) return r->net->trace().records().size();
  return std::max<std::uint64_t>(last_seen, opt.trace_limit);
}

// Runs one scenario, classified, into r; returns its work.
std::uint64_t run_classified(const std::shared_ptr<const scenario::Scenario>& sc,
                             const scenario::RunOptions& ropt, PatternResult& r, std::string& failed,
                             const std::function<std::uint64_t()>& last_seen) {
  try {
    auto ran = scenario::run(sc, ropt);
    if (auto* e = std::get_if<scenario::ParseError>(&ran)) {
      failed = e->message;
    } else {
      const scenario::Outcome o = scenario::classify(std::get<scenario::RunResult>(ran));
      r.kind = o.kind;
      r.label = o.label();
      r.unread_bytes = o.unread_bytes;
    }
    return run_work(&ran, ropt, last_seen());
  } catch (const std::exception& e) {
    failed = fmt::format("the run stopped with an error: {}", e.what());
  }
  return run_work(nullptr, ropt, last_seen());
}

// A pattern still to run: where its parent's trace stood at its branch, and
// the work of its ancestors' runs.
struct Todo {
  Pattern pattern;
  std::uint64_t prefix = 0;
  std::uint64_t ancestors = 0;
};

// The same search without fork(): each pattern is run from the start with
// its choices forced, and offers the transmissions after its last choice as
// branch points for the patterns that extend it. Patterns are claimed in the
// order the fork search claims them (depth first, a pattern's extensions in
// transmission order, each with its own before the next), with the same
// work counted at each claim, so both stop at the same pattern: the work of
// the runs ended that are not its ancestors, and its parent's trace up to
// its branch.
ExploreResult explore_by_replay(const std::shared_ptr<const scenario::Scenario>& sc,
                                const ExploreOptions& opt) {
  ExploreResult res;
  std::vector<Todo> todo{Todo{}};
  std::uint64_t claimed = 1;  // the base run
  bool dropped = false;       // patterns left out that could never be claimed
  while (!todo.empty()) {
    Todo item = std::move(todo.back());
    todo.pop_back();
    const Pattern& p = item.pattern;
    if (!p.empty()) {
      res.stopped =
          refuse_claim(claimed, opt.max_patterns, res.work - item.ancestors + item.prefix, opt.max_work);
      if (res.stopped != Stop::None) break;
      ++claimed;
    }
    Budget left = opt.budget;
    for (const Choice& c : p) left.spend(c.fate);
    const std::uint64_t after = p.empty() ? 0 : std::uint64_t{p.back().index} + 1;
    std::map<std::uint64_t, sim::Fate> forced;
    for (const Choice& c : p) forced[c.index] = c.fate;
    // At most as many extensions as can still be claimed are kept.
    const std::uint64_t room = opt.max_patterns > claimed ? opt.max_patterns - claimed : 0;
    std::vector<Todo> found;
    std::uint64_t asked = 0, last_seen = 0;
    sim::Network* net_of_run = nullptr;
    scenario::RunOptions ropt = opt.run;
    ropt.trace = true;
    ropt.on_network = [&](sim::Network& net) {
      net_of_run = &net;
      net.set_fate_hook([&](const sim::Transmission& t) {
        ++asked;
        last_seen = net_of_run->trace().records().size();
        auto it = forced.find(t.packet.id);
        if (it != forced.end()) return it->second;
        if (t.packet.id < after) return sim::Fate::kDeliver;
        for (const sim::Fate alt : kDepartures) {
          if (!left.allows(alt) || (alt == sim::Fate::kOvertake && !t.can_overtake)) continue;
          if (found.size() >= room) {
            dropped = true;
            break;
          }
          Todo q{p, last_seen, 0};
          q.pattern.push_back(Choice{static_cast<std::uint32_t>(t.packet.id), alt});
          found.push_back(std::move(q));
        }
        return sim::Fate::kDeliver;
      });
    };
    PatternResult r;
    r.pattern = p;
    const std::uint64_t work = run_classified(sc, ropt, r, r.error, [&] { return last_seen; });
    res.work += work;
    if (opt.at_end) opt.at_end(p);
    if (p.empty()) res.base_transmissions = asked;
    res.patterns.push_back(std::move(r));
    for (auto it = found.rbegin(); it != found.rend(); ++it) {
      it->ancestors = item.ancestors + work;
      todo.push_back(std::move(*it));
    }
    // The bottom of the stack is claimed last: past the room left, never.
    const std::uint64_t keep = opt.max_patterns > claimed ? opt.max_patterns - claimed : 0;
    if (todo.size() > keep) {
      todo.erase(todo.begin(), todo.end() - static_cast<std::ptrdiff_t>(keep));
      dropped = true;
    }
  }
  // What was left out would have been refused at max_patterns (the work
  // stops nothing before the pattern count does there: see refuse_claim).
  if (dropped && res.stopped == Stop::None) res.stopped = Stop::Patterns;
  res.truncated = res.stopped != Stop::None;
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

// One whole run without branching, as every pattern of Replay costs. A run
// past kTimedRecords trace records is stopped there: it is long next to any
// fork (tens of milliseconds at least), so fork wins without timing it
// whole, and the choice costs no more than that.
constexpr std::size_t kTimedRecords = 100'000;
double run_cost_us(const std::shared_ptr<const scenario::Scenario>& sc, const scenario::RunOptions& opt) {
  scenario::RunOptions ropt = opt;
  ropt.trace = true;
  ropt.trace_limit = std::min(ropt.trace_limit, kTimedRecords);
  double best = 1e30;
  for (int i = 0; i < 2; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto ran = scenario::run(sc, ropt);
    if (auto* r = std::get_if<scenario::RunResult>(&ran)) {
      scenario::classify(*r);
    } else if (ropt.trace_limit == kTimedRecords) {
      return 1e30;  // cut at kTimedRecords (or an error, which the search reports)
    }
    best = std::min(best, micros_since(t0));
  }
  return best;
}

}  // namespace

namespace {
constexpr std::pair<const char*, Strategy> kStrategies[] = {
    {"auto", Strategy::Auto}, {"fork", Strategy::Fork}, {"replay", Strategy::Replay}};
}  // namespace

const char* strategy_name(Strategy s) {
  for (const auto& [name, strategy] : kStrategies) {
    if (strategy == s) return name;
  }
  return "?";
}

std::optional<Strategy> strategy_named(std::string_view name) {
  for (const auto& [n, strategy] : kStrategies) {
    if (n == name) return strategy;
  }
  return std::nullopt;
}

std::vector<std::string> strategy_names() {
  std::vector<std::string> names;
  for (const auto& entry : kStrategies) names.emplace_back(entry.first);
  return names;
}

std::variant<ExploreResult, std::string> explore(std::shared_ptr<const scenario::Scenario> sc,
                                                 const ExploreOptions& given) {
  // No one run may make more trace records than the whole search: one that
  // would stops at the trace limit (an error for its pattern), so that the
  // work stays within a few budgets (the run being timed, the runs under way
  // when the budget is reached, the ladders' replays).
  ExploreOptions opt = given;
  opt.run.trace_limit =
      static_cast<std::size_t>(std::min<std::uint64_t>(given.run.trace_limit, given.max_work));
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
    brancher.attach(net);
    net.set_fate_hook([&brancher](const sim::Transmission& t) { return brancher.decide(t); });
  };

  // From here on, this code runs in every process of the search: each one
  // returns from scenario::run() with its own run finished.
  PatternResult mine;
  std::string failed;
  const std::uint64_t work =
      run_classified(sc, ropt, mine, failed, [&brancher] { return brancher.last_records(); });
  shared.add_work(work);
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
  res.stopped = shared.stopped();
  res.truncated = res.stopped != Stop::None;
  res.work = shared.work();
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
