#include "script.h"

#include <fmt/format.h>

namespace tcpsim::test {

using sim::StepContext;
using sim::StepResult;

const LogEntry* Log::find(const std::string& who, const std::string& call, int n) const {
  for (const auto& e : entries) {
    if (e.who == who && e.call.rfind(call, 0) == 0 && n-- == 0) return &e;
  }
  return nullptr;
}

std::string Log::dump() const {
  std::string out;
  for (const auto& e : entries) {
    out += fmt::format("{:>12} {} {} = {}{}{}\n", e.t, e.who, e.call, e.value,
                       e.err == Errno::Ok ? "" : std::string(" ") + std::string(sim::errno_name(e.err)),
                       e.events ? " " + sim::epoll_events_name(e.events) : "");
  }
  return out;
}

Script& Script::add_call(std::string name, std::function<CallResult(StepContext&)> call,
                         std::function<void(const CallResult&, StepContext&, LogEntry&)> after) {
  auto log = log_;
  auto who = who_;
  steps_.push_back([log, who, name, call, after](StepContext& c) {
    const CallResult r = call(c);
    if (r.blocked) {
      c.program.blocked_in = name;
      return StepResult::block();
    }
    LogEntry e{c.net.now(), who, name, r.value, r.err, {}, 0};
    if (after) after(r, c, e);
    log->entries.push_back(e);
    return StepResult::next();
  });
  return *this;
}

Script& Script::socket(const std::string& v) {
  auto vars = vars_;
  return add_call(
      "socket", [](StepContext& c) { return c.sockets.socket(c.pid); },
      [vars, v](const CallResult& r, StepContext&, LogEntry&) { (*vars)[v] = static_cast<int>(r.value); });
}

Script& Script::setsockopt(const std::string& v, sim::SockOpt o, int value, int value2) {
  auto vars = vars_;
  return add_call(std::string("setsockopt(") + std::string(sim::sockopt_name(o)) + ")",
                  [vars, v, o, value, value2](StepContext& c) {
                    return c.sockets.setsockopt(c.pid, vars->at(v), o, value, value2);
                  });
}

Script& Script::getsockopt(const std::string& v, sim::SockOpt o) {
  auto vars = vars_;
  return add_call(std::string("getsockopt(") + std::string(sim::sockopt_name(o)) + ")",
                  [vars, v, o](StepContext& c) { return c.sockets.getsockopt(c.pid, vars->at(v), o); });
}

Script& Script::bind(const std::string& v, Addr a) {
  auto vars = vars_;
  return add_call("bind", [vars, v, a](StepContext& c) { return c.sockets.bind(c.pid, vars->at(v), a); });
}

Script& Script::listen(const std::string& v, int backlog) {
  auto vars = vars_;
  return add_call(
      "listen", [vars, v, backlog](StepContext& c) { return c.sockets.listen(c.pid, vars->at(v), backlog); });
}

Script& Script::accept(const std::string& lv, const std::string& nv) {
  auto vars = vars_;
  return add_call(
      "accept", [vars, lv](StepContext& c) { return c.sockets.accept(c.pid, vars->at(lv)); },
      [vars, nv](const CallResult& r, StepContext&, LogEntry&) { (*vars)[nv] = static_cast<int>(r.value); });
}

Script& Script::connect(const std::string& v, Addr to) {
  auto vars = vars_;
  return add_call("connect", [vars, v, to](StepContext& c) {
    return c.sockets.connect(c.pid, vars->at(v), to, c.resume);
  });
}

Script& Script::write(const std::string& v, std::string data) {
  auto vars = vars_;
  return add_call("write", [vars, v, data](StepContext& c) { return sim::write_all(c, vars->at(v), data); });
}

Script& Script::read(const std::string& v, std::size_t n) {
  auto vars = vars_;
  auto buf = std::make_shared<std::string>();
  return add_call(
      "read",
      [vars, v, n, buf](StepContext& c) {
        buf->clear();
        return c.sockets.read(c.pid, vars->at(v), n, buf.get());
      },
      [buf](const CallResult&, StepContext&, LogEntry& e) { e.data = *buf; });
}

Script& Script::shutdown(const std::string& v, sim::Shut how) {
  auto vars = vars_;
  const char* name = how == sim::Shut::Rd   ? "shutdown(SHUT_RD)"
                     : how == sim::Shut::Wr ? "shutdown(SHUT_WR)"
                                            : "shutdown(SHUT_RDWR)";
  return add_call(name,
                  [vars, v, how](StepContext& c) { return c.sockets.shutdown(c.pid, vars->at(v), how); });
}

Script& Script::close(const std::string& v) {
  auto vars = vars_;
  return add_call("close", [vars, v](StepContext& c) { return c.sockets.close(c.pid, vars->at(v)); });
}

Script& Script::dup(const std::string& v, const std::string& nv) {
  auto vars = vars_;
  return add_call(
      "dup", [vars, v](StepContext& c) { return c.sockets.dup(c.pid, vars->at(v)); },
      [vars, nv](const CallResult& r, StepContext&, LogEntry&) { (*vars)[nv] = static_cast<int>(r.value); });
}

Script& Script::nonblocking(const std::string& v) {
  auto vars = vars_;
  return add_call("fcntl(O_NONBLOCK)",
                  [vars, v](StepContext& c) { return c.sockets.set_nonblocking(c.pid, vars->at(v), true); });
}

Script& Script::epoll_create(const std::string& v) {
  auto vars = vars_;
  return add_call(
      "epoll_create1", [](StepContext& c) { return c.sockets.epoll_create1(c.pid); },
      [vars, v](const CallResult& r, StepContext&, LogEntry&) { (*vars)[v] = static_cast<int>(r.value); });
}

Script& Script::epoll_ctl(const std::string& ep, sim::EpollOp op, const std::string& v,
                          std::uint32_t events) {
  auto vars = vars_;
  return add_call("epoll_ctl", [vars, ep, op, v, events](StepContext& c) {
    return c.sockets.epoll_ctl(c.pid, vars->at(ep), op, vars->at(v), events);
  });
}

Script& Script::epoll_wait(const std::string& ep, Duration timeout) {
  auto vars = vars_;
  auto got = std::make_shared<std::vector<sim::EpollEvent>>();
  return add_call(
      "epoll_wait",
      [vars, ep, timeout, got](StepContext& c) {
        return sim::epoll_wait_for(c, vars->at(ep), 16, timeout, got.get());
      },
      [got](const CallResult&, StepContext&, LogEntry& e) {
        for (const auto& ev : *got) e.events |= ev.events;
      });
}

Script& Script::sleep(Duration d) {
  steps_.push_back([d](StepContext&) { return StepResult::sleep_for(d); });
  return *this;
}

Script& Script::at(std::function<void(StepContext&)> f) {
  steps_.push_back([f](StepContext& c) {
    f(c);
    return StepResult::next();
  });
  return *this;
}

World::World(const std::string& profile, Duration delay, bool two_hosts) : net(1) {
  const sim::Profile p = *sim::profile_named(profile);
  sim::LinkConfig lc;
  lc.delay = delay;
  net.default_link = lc;
  a = &net.add_host("A", sim::ipv4(10, 0, 0, 1), p);
  b = two_hosts ? &net.add_host("B", sim::ipv4(10, 0, 0, 2), p) : a;
}

model::State World::state(sim::Host& h, Addr local, Addr remote) const {
  model::State st = model::State::Closed;
  h.for_each_conn([&](const sim::Conn& c) {
    if (c.local == local && (remote.port == 0 || c.remote == remote) && !c.listening) st = c.state();
  });
  return st;
}

}  // namespace tcpsim::test
