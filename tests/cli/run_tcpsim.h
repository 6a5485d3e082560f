// Runs the real tcpsim binary (TCPSIM_BINARY, from CMake) as a child with a
// chosen standard output, for the tests that are about exit statuses and
// what reaches standard output and standard error.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

namespace tcpsim::testing {

struct Ran {
  int status = -1;  // exit status, or -1 when killed by a signal
  std::string err;  // what it wrote on standard error
};

// stdout_fd: the descriptor the child gets as standard output; -1: closed.
inline Ran run_tcpsim(const std::vector<std::string>& args, int stdout_fd) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], 2);
    if (stdout_fd < 0) {
      close(1);
    } else if (stdout_fd != 1) {
      dup2(stdout_fd, 1);
    }
    std::vector<char*> argv{const_cast<char*>(TCPSIM_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(TCPSIM_BINARY, argv.data());
    _exit(127);
  }
  close(pipefd[1]);
  Ran r;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(pipefd[0], buf, sizeof buf);
    if (n > 0) r.err.append(buf, static_cast<std::size_t>(n));
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  close(pipefd[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace tcpsim::testing
