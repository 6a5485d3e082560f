#include "kernel/limits.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>

namespace tcpsim::kernel {

namespace {

// tcpsim (the parent) says why, from the exit status.
void out_of_memory() { _exit(kOutOfMemoryStatus); }

// What the process already holds of RLIMIT_DATA's kind of memory (VmData),
// in bytes: the child inherits tcpsim's (the model's run is in it).
std::uint64_t data_in_use() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmData:", 0) == 0) return std::strtoull(line.c_str() + 7, nullptr, 10) * 1024;
  }
  return 0;
}

std::string set(int resource, const char* name, rlim_t value) {
  const rlimit r{value, value};
  if (setrlimit(resource, &r) != 0) return fmt::format("setrlimit({}): {}", name, std::strerror(errno));
  return "";
}

}  // namespace

std::string limit_child() {
  if (auto e = set(RLIMIT_DATA, "RLIMIT_DATA", data_in_use() + kChildMemory); !e.empty()) return e;
  if (auto e = set(RLIMIT_RTTIME, "RLIMIT_RTTIME", static_cast<rlim_t>(kMaxRealtimeBurst / kMicrosecond));
      !e.empty())
    return e;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kThreadStack);
  const int rc = pthread_setattr_default_np(&attr);
  pthread_attr_destroy(&attr);
  if (rc != 0) return fmt::format("pthread_setattr_default_np: {}", std::strerror(rc));
  // A recording that outgrows the bound ends the run with a reason rather
  // than a std::bad_alloc somewhere in a thread.
  std::set_new_handler(out_of_memory);
  return "";
}

std::string child_death(int status) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == kOutOfMemoryStatus)
    return fmt::format(
        "the kernel run reached its memory bound ({} MB of data more than it started with, "
        "RLIMIT_DATA): stopped",
        kChildMemory >> 20);
  if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL))
    return fmt::format(
        "the kernel run was killed by {}: a thread ran {} s at real-time priority without "
        "waiting (RLIMIT_RTTIME), or it was killed from outside",
        sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "a signal",
        kMaxRealtimeBurst / kSecond);
  if (WIFSIGNALED(status))
    return fmt::format("the kernel run ended without a whole recording (killed by SIG{})",
                       sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
  return "the kernel run ended without a whole recording (it was killed or crashed)";
}

}  // namespace tcpsim::kernel
