#include "sim/program.h"

#include <limits>

#include "sim/socket_calls.h"

namespace tcpsim::sim {

Sockets& ProgramRunner::sockets(Host& h) {
  if (sockets_.size() <= h.index()) {
    sockets_.resize(h.index() + 1);
    wake_pending_.resize(h.index() + 1, false);
  }
  auto& s = sockets_[h.index()];
  if (!s) {
    s = std::make_unique<Sockets>(h);
    Sockets* raw = s.get();
    s->on_change = [this, raw] { wake_blocked(*raw); };
  }
  return *s;
}

Program& ProgramRunner::add(Host& h, std::string name, std::vector<Step> steps, Time start) {
  Sockets& s = sockets(h);
  auto p = std::make_unique<Program>();
  p->name_ = std::move(name);
  p->sockets_ = &s;
  p->pid_ = s.add_process(p->name_);
  p->steps_ = std::move(steps);
  Program* raw = p.get();
  programs_.push_back(std::move(p));
  raw->wake_ = net_.scheduler().schedule_at(std::max(start, net_.now()), [this, raw] { run(*raw, false); });
  return *raw;
}

bool ProgramRunner::all_done() const {
  for (const auto& p : programs_) {
    if (p->status_ != Program::Status::Done) return false;
  }
  return true;
}

void ProgramRunner::wake_blocked(Sockets& s) {
  // One retry pass per host per instant, after the event that caused it has
  // been fully processed; blocked programs retry in the order they were added.
  const std::size_t h = s.host().index();
  if (wake_pending_[h]) return;
  wake_pending_[h] = true;
  net_.scheduler().schedule_after(0, [this, h, &s] {
    wake_pending_[h] = false;
    for (const auto& p : programs_) {
      if (p->status_ == Program::Status::Blocked && p->sockets_ == &s) run(*p, true);
    }
  });
}

void ProgramRunner::exit(Program& p) {
  // A process that ends has its descriptors closed by the kernel, in order.
  p.status_ = Program::Status::Done;
  std::vector<int> fds;
  p.sockets_->process(p.pid_).fds.for_each([&fds](int fd, SocketId) { fds.push_back(fd); });
  if (!fds.empty())
    net_.note(p.sockets_->host(), kNoConn, "a program exits: the kernel closes its descriptors");
  for (int fd : fds) p.sockets_->close(p.pid_, fd);
}

std::string ProgramRunner::runaway_fault(const std::string& program) {
  return "program '" + program + "' ran " + std::to_string(kMaxStepsWithoutTime) +
         " steps without time passing: stopped";
}

void ProgramRunner::run(Program& p, bool resume) {
  if (p.status_ == Program::Status::Done) return;
  p.status_ = Program::Status::Running;
  for (std::uint64_t n = 0;; ++n) {
    if (p.pc_ >= p.steps_.size()) {
      exit(p);
      return;
    }
    if (n == kMaxStepsWithoutTime) {
      fault = runaway_fault(p.name_);
      exit(p);
      net_.scheduler().stop();
      return;
    }
    StepContext ctx{p, *p.sockets_, p.pid_, net_, resume};
    const StepResult r = p.steps_[p.pc_](ctx);
    resume = false;
    switch (r.kind) {
      case StepResult::Next:
        ++p.pc_;
        p.blocked_in.clear();
        p.progress = 0;
        p.buffer.clear();
        break;
      case StepResult::Jump: p.pc_ = r.target; break;
      case StepResult::Block:
        p.status_ = Program::Status::Blocked;
        if (p.wake_at >= 0) {
          const std::uint64_t seq = ++p.block_seq_;
          net_.scheduler().schedule_at(std::max(p.wake_at, net_.now()), [this, &p, seq] {
            if (p.status_ == Program::Status::Blocked && p.block_seq_ == seq) run(p, true);
          });
          p.wake_at = -1;
        } else {
          ++p.block_seq_;
        }
        return;
      case StepResult::Sleep:
        ++p.pc_;
        p.status_ = Program::Status::Sleeping;
        p.wake_ = net_.scheduler().schedule_after(r.sleep, [this, &p] { run(p, false); });
        return;
      case StepResult::Exit: exit(p); return;
    }
  }
}

CallResult write_all(StepContext& c, int fd, std::string_view data, int flags) {
  return write_all(c, fd, model::WriteSource(data), flags);
}

CallResult write_all(StepContext& c, int fd, const model::WriteSource& data, int flags) {
  const CallResult r = c.sockets.write(c.pid, fd, data.tail(c.program.progress), flags);
  if (r.blocked) return r;
  if (r.err != Errno::Ok)
    return c.program.progress ? CallResult::ok(static_cast<long>(c.program.progress)) : r;
  c.program.progress += static_cast<std::size_t>(r.value);
  const Socket* s = c.sockets.socket_of(c.pid, fd);
  const bool nonblocking = (s && s->nonblocking) || (flags & kMsgDontWait);
  if (c.program.progress < data.size() && s && !nonblocking) return CallResult::wait();
  return CallResult::ok(static_cast<long>(c.program.progress));
}

CallResult read_all(StepContext& c, int fd, std::size_t n, std::string* into, int flags) {
  // tcp_recvmsg with MSG_WAITALL: copy until n bytes are there; end of
  // stream, an error or a non-blocking call returns what was copied, and an
  // error met after copying stays pending for the next call.
  std::string& got = c.program.buffer;
  while (got.size() < n) {
    const Socket* s = c.sockets.socket_of(c.pid, fd);
    if (!got.empty() && s && s->error != Errno::Ok && c.sockets.unread(c.pid, fd) == 0) break;
    const CallResult r = c.sockets.read(c.pid, fd, n - got.size(), &got, flags);
    if (r.blocked) return r;                          // blocking: wait for more, keeping what came
    if (r.err != Errno::Ok && got.empty()) return r;  // nothing copied: the error
    if (r.err != Errno::Ok || r.value == 0) break;    // EAGAIN after copying, or end of stream
  }
  const long len = static_cast<long>(got.size());
  if (into) *into += got;
  got.clear();
  return CallResult::ok(len);
}

CallResult read_to_end(StepContext& c, int fd) {
  // The count so far is kept in `progress` between tries (a step reads or
  // writes, never both); each try takes what is queued, up to the receive
  // buffer's worth, and lets it go.
  std::size_t& got = c.program.progress;
  for (;;) {
    const Socket* s = c.sockets.socket_of(c.pid, fd);
    if (got != 0 && s && s->error != Errno::Ok && c.sockets.unread(c.pid, fd) == 0) break;
    const CallResult r = c.sockets.read(c.pid, fd, std::numeric_limits<std::size_t>::max(), nullptr, 0);
    if (r.blocked) return r;
    if (r.err != Errno::Ok && got == 0) return r;
    if (r.err != Errno::Ok || r.value == 0) break;
    got += static_cast<std::size_t>(r.value);
  }
  return CallResult::ok(static_cast<long>(got));
}

CallResult epoll_wait_for(StepContext& c, int epfd, int maxevents, Duration timeout,
                          std::vector<EpollEvent>* out) {
  if (!c.resume) c.program.deadline = timeout < 0 ? kTimeMax : sat_add(c.net.now(), timeout);
  if (out) out->clear();
  const CallResult r = c.sockets.epoll_wait(c.pid, epfd, maxevents, out);
  if (r.blocked && (timeout == 0 || c.net.now() >= c.program.deadline)) return CallResult::ok(0);
  // Wake at the deadline even if nothing happens on the host.
  if (r.blocked && timeout > 0) c.program.wake_at = c.program.deadline;
  return r;
}

CallResult poll_for(StepContext& c, int fd, std::uint32_t events, Duration timeout,
                    std::vector<EpollEvent>* out) {
  if (!c.resume) c.program.deadline = timeout < 0 ? kTimeMax : sat_add(c.net.now(), timeout);
  if (out) out->clear();
  if (const std::uint32_t revents = c.sockets.poll_revents(c.pid, fd, events)) {
    if (out) out->push_back(EpollEvent{fd, revents});
    return CallResult::ok(1);
  }
  if (timeout == 0 || c.net.now() >= c.program.deadline) return CallResult::ok(0);
  // Wake at the deadline even if nothing happens on the host.
  if (timeout > 0) c.program.wake_at = c.program.deadline;
  return CallResult::wait();
}

}  // namespace tcpsim::sim
