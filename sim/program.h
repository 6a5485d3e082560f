// Programs running on simulated hosts: a program is a list of steps (socket
// calls, sleeps, jumps for loops) executed in virtual time. A program that
// ends is a process that exits: its descriptors are closed. A step that
// would block is tried again, with `resume` set, whenever something happens
// on its host; a sleep resumes when its time comes. Scenario files compile
// to these steps (scenario/), and C++ tests write them as lambdas.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/network.h"
#include "sim/sockets.h"

namespace tcpsim::sim {

class Program;

struct StepResult {
  enum Kind : std::uint8_t { Next, Jump, Block, Sleep, Exit } kind = Next;
  std::size_t target = 0;  // Jump
  Duration sleep = 0;      // Sleep
  static StepResult next() { return {}; }
  static StepResult jump(std::size_t to) { return {Jump, to, 0}; }
  static StepResult block() { return {Block, 0, 0}; }
  static StepResult sleep_for(Duration d) { return {Sleep, 0, d}; }
  static StepResult exit() { return {Exit, 0, 0}; }
};

struct StepContext {
  Program& program;
  Sockets& sockets;
  ProcessId pid;
  Network& net;
  bool resume;  // this step blocked before and is being tried again
};

using Step = std::function<StepResult(StepContext&)>;

class Program {
 public:
  enum class Status : std::uint8_t { NotStarted, Running, Blocked, Sleeping, Done };

  const std::string& name() const { return name_; }
  Status status() const { return status_; }
  std::size_t pc() const { return pc_; }
  Sockets& sockets() { return *sockets_; }
  ProcessId pid() const { return pid_; }
  // What the program is blocked in, for "never ended" messages ("read(4)").
  std::string blocked_in;
  // Scratch state a blocking step keeps between tries (deadline, progress).
  Time deadline = 0;
  std::size_t progress = 0;
  std::string buffer;
  // A step that blocks may ask to be tried again at this time even if
  // nothing happens (a timeout); -1: only when something happens.
  Time wake_at = -1;

 private:
  friend class ProgramRunner;
  std::string name_;
  Sockets* sockets_ = nullptr;
  ProcessId pid_ = 0;
  std::vector<Step> steps_;
  std::size_t pc_ = 0;
  Status status_ = Status::NotStarted;
  EventId wake_;
  std::uint64_t block_seq_ = 0;
};

class ProgramRunner {
 public:
  explicit ProgramRunner(Network& net) : net_(net) {}
  ProgramRunner(const ProgramRunner&) = delete;
  ProgramRunner& operator=(const ProgramRunner&) = delete;

  // The socket layer of a host, made on first use.
  Sockets& sockets(Host& h);
  Program& add(Host& h, std::string name, std::vector<Step> steps, Time start = 0);

  const std::vector<std::unique_ptr<Program>>& programs() const { return programs_; }
  bool all_done() const;
  // Steps one program may take without time passing before it is stopped as
  // a runaway loop.
  static constexpr std::uint64_t kMaxStepsWithoutTime = 1'000'000;
  // What a run stopped for that says (the kernel runner says it too).
  static std::string runaway_fault(const std::string& program);
  // Set when a program was stopped for looping; the run should end.
  std::string fault;

 private:
  void run(Program& p, bool resume);
  void exit(Program& p);
  void wake_blocked(Sockets& s);

  Network& net_;
  std::vector<std::unique_ptr<Sockets>> sockets_;  // by host index
  std::vector<std::unique_ptr<Program>> programs_;
  std::vector<bool> wake_pending_;  // by host index
};

// Blocking calls as programs make them, for steps to call (they keep their
// progress in the Program between tries):
// write() that returns when all of `data` is queued, or on an error (then
// with the part written so far, if any, as Linux does).
// flags: Linux's MSG_ bits (MSG_DONTWAIT returns after one try).
CallResult write_all(StepContext& c, int fd, std::string_view data, int flags = 0);
CallResult write_all(StepContext& c, int fd, const model::WriteSource& data, int flags = 0);
// read() with MSG_WAITALL: returns when n bytes were read, or at end of
// stream, an error (with what was read, if anything) or, non-blocking, at once.
CallResult read_all(StepContext& c, int fd, std::size_t n, std::string* into, int flags);
// read_to_end(): reads until end of stream, counting the bytes (none is
// kept); an error after some bytes returns the count and stays pending for
// the next call, as MSG_WAITALL does; non-blocking, it returns at EAGAIN.
CallResult read_to_end(StepContext& c, int fd);
// epoll_wait() with a timeout (< 0: for ever, 0: poll), returning 0 events
// when it expires.
CallResult epoll_wait_for(StepContext& c, int epfd, int maxevents, Duration timeout,
                          std::vector<EpollEvent>* out);
// poll() on one descriptor with a timeout (< 0: for ever, 0: at once):
// 1 with its revents in `out` when an event asked for (or ERR, HUP) is
// there, 0 when the timeout expires.
CallResult poll_for(StepContext& c, int fd, std::uint32_t events, Duration timeout,
                    std::vector<EpollEvent>* out);

}  // namespace tcpsim::sim
