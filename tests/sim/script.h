// A builder for simulated programs in C++ tests: socket calls by name with
// descriptors kept in named variables, blocking as the runner does it, and a
// log of every call's result with its time, for the assertions.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/program.h"

namespace tcpsim::test {

using sim::Addr;
using sim::CallResult;
using sim::Errno;

struct LogEntry {
  Time t;
  std::string who;
  std::string call;  // "read(fd)", "epoll_wait"
  long value;
  Errno err;
  std::string data;      // read: the bytes
  std::uint32_t events;  // epoll_wait: union of the events reported
};

struct Log {
  std::vector<LogEntry> entries;
  // The n-th (0-based) entry of `who` whose call starts with `call`.
  const LogEntry* find(const std::string& who, const std::string& call, int n = 0) const;
  std::string dump() const;
};

class Script {
 public:
  Script(std::shared_ptr<Log> log, std::string who) : log_(std::move(log)), who_(std::move(who)) {}

  Script& socket(const std::string& v);
  Script& setsockopt(const std::string& v, sim::SockOpt o, int value, int value2 = 0);
  // Logs the option's value (for SO_ERROR: Linux's errno number).
  Script& getsockopt(const std::string& v, sim::SockOpt o);
  Script& bind(const std::string& v, Addr a);
  Script& listen(const std::string& v, int backlog);
  Script& accept(const std::string& lv, const std::string& nv);
  Script& connect(const std::string& v, Addr to);
  Script& write(const std::string& v, std::string data);
  Script& read(const std::string& v, std::size_t n);
  Script& shutdown(const std::string& v, sim::Shut how);
  Script& close(const std::string& v);
  Script& dup(const std::string& v, const std::string& nv);
  Script& nonblocking(const std::string& v);
  Script& epoll_create(const std::string& v);
  Script& epoll_ctl(const std::string& ep, sim::EpollOp op, const std::string& v, std::uint32_t events);
  Script& epoll_wait(const std::string& ep, Duration timeout);  // timeout < 0: for ever
  Script& sleep(Duration d);
  // Runs f at this point of the program (to look at the host then).
  Script& at(std::function<void(sim::StepContext&)> f);

  std::vector<sim::Step> steps() { return std::move(steps_); }
  int fd(const std::string& v) const { return vars_->at(v); }
  std::shared_ptr<std::map<std::string, int>> vars() const { return vars_; }

 private:
  Script& add_call(std::string name, std::function<CallResult(sim::StepContext&)> call,
                   std::function<void(const CallResult&, sim::StepContext&, LogEntry&)> after = {});
  std::shared_ptr<Log> log_;
  std::string who_;
  std::shared_ptr<std::map<std::string, int>> vars_ = std::make_shared<std::map<std::string, int>>();
  std::vector<sim::Step> steps_;
};

// Two hosts, A (10.0.0.1) and B (10.0.0.2), 1 ms apart, or one host (A) for
// programs talking over loopback, as the notes' experiments do.
struct World {
  explicit World(const std::string& profile = "linux", Duration delay = 1 * kMillisecond,
                 bool two_hosts = true);
  sim::Network net;
  sim::Host* a;
  sim::Host* b;
  sim::ProgramRunner runner{net};
  std::shared_ptr<Log> log = std::make_shared<Log>();
  Script script(const std::string& who) { return Script(log, who); }
  // These tests are about sockets, not process exit: a test program stays
  // alive after its last step (as if it slept for ever), so its descriptors
  // stay open. Scenarios (cli/) close them when a program ends.
  sim::Program& run_on(sim::Host& h, Script& s, Time start = 0) {
    auto steps = s.steps();
    steps.push_back([](sim::StepContext&) { return sim::StepResult::sleep_for(1'000'000'000 * kSecond); });
    return runner.add(h, "", std::move(steps), start);
  }
  void run_until(Time t) { net.run_until(t); }
  // The state of the connection whose local address is `local` (and remote
  // `remote` when given) on host h, or CLOSED if there is none.
  model::State state(sim::Host& h, Addr local, Addr remote = Addr{}) const;
};

}  // namespace tcpsim::test
