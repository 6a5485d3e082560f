#include "cli/output_file.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace tcpsim::output {

namespace {

// ---- The temporaries that have a name, for the signal handler ----------
// A fixed table (a handler may not allocate); names are ".tcpsim-" and 16
// hex digits, so they fit. Filled and emptied with the signals blocked, so
// the handler sees a slot whole or not at all, and never removes a name
// this process did not create.
struct PendingSlot {
  volatile sig_atomic_t used = 0;
  int dir = -1;
  char name[32] = {};
};
PendingSlot g_pending[4];
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction g_previous[3];
bool g_installed = false;

extern "C" void remove_pending_and_die(int sig) {
  for (auto& s : g_pending)
    if (s.used) unlinkat(s.dir, s.name, 0);
  // Then die of the signal as if it had not been caught (exit status 128+n).
  signal(sig, SIG_DFL);
  raise(sig);
}

// Blocks the signals above for its lifetime.
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : kSignals) sigaddset(&set, s);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

// Called with the signals blocked. A signal someone chose to ignore stays ignored.
void install_handler() {
  if (g_installed) return;
  for (int i = 0; i < 3; ++i) {
    struct sigaction now {};
    sigaction(kSignals[i], nullptr, &g_previous[i]);
    if (g_previous[i].sa_handler == SIG_IGN) continue;
    now.sa_handler = remove_pending_and_die;
    sigemptyset(&now.sa_mask);
    sigaction(kSignals[i], &now, nullptr);
  }
  g_installed = true;
}
void restore_handler_if_idle() {
  for (const auto& s : g_pending)
    if (s.used) return;
  if (!g_installed) return;
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
  g_installed = false;
}

// Called with the signals blocked.
void add_pending(int dir, const std::string& name) {
  for (auto& s : g_pending) {
    if (s.used) continue;
    s.dir = dir;
    std::snprintf(s.name, sizeof s.name, "%s", name.c_str());
    s.used = 1;
    install_handler();
    return;
  }
}
void drop_pending(int dir, const std::string& name) {
  for (auto& s : g_pending)
    if (s.used && s.dir == dir && name == s.name) s.used = 0;
  restore_handler_if_idle();
}

std::string random_name() {
  unsigned char b[8] = {};
  if (getrandom(b, sizeof b, 0) != static_cast<ssize_t>(sizeof b)) {
    // No entropy source: time and pid still make a collision unlikely, and O_EXCL makes it harmless.
    const auto v = static_cast<unsigned long long>(getpid()) ^ static_cast<unsigned long long>(clock());
    std::memcpy(b, &v, sizeof b);
  }
  char out[32];
  std::snprintf(out, sizeof out, ".tcpsim-%02x%02x%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
                b[5], b[6], b[7]);
  return out;
}

// /dev/stdout, /dev/fd/N and the like: the descriptor they name, or -1.
int descriptor_alias(const std::string& path) {
  if (path == "/dev/stdin") return 0;
  if (path == "/dev/stdout") return 1;
  if (path == "/dev/stderr") return 2;
  for (const char* prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    const std::size_t n = std::strlen(prefix);
    if (path.compare(0, n, prefix) != 0 || path.size() == n || path.size() > n + 6) continue;
    int fd = 0;
    for (std::size_t i = n; i < path.size(); ++i) {
      if (path[i] < '0' || path[i] > '9') return -1;
      fd = fd * 10 + (path[i] - '0');
    }
    return fd;
  }
  return -1;
}

int open_retrying(const char* path, int flags) {
  for (;;) {
    const int fd = ::open(path, flags);
    if (fd >= 0 || errno != EINTR) return fd;
  }
}

}  // namespace

OutputFile::OutputFile(OutputFile&& o) noexcept
    : name_(std::move(o.name_)),
      fd_(o.fd_),
      own_fd_(o.own_fd_),
      replace_(o.replace_),
      tmpfile_(o.tmpfile_),
      dir_fd_(o.dir_fd_),
      target_(std::move(o.target_)),
      temp_(std::move(o.temp_)),
      error_(std::move(o.error_)),
      hooks_(o.hooks_) {
  o.fd_ = -1;
  o.own_fd_ = false;
  o.dir_fd_ = -1;
  o.temp_.clear();
}

OutputFile::~OutputFile() { abandon(); }

bool OutputFile::set_error(int err) {
  if (error_.empty()) error_ = "cannot write " + name_ + ": " + std::strerror(err);
  return false;
}

void OutputFile::fail(int err) { set_error(err); }

void OutputFile::abandon() {
  if (own_fd_ && fd_ >= 0) ::close(fd_);
  fd_ = -1;
  own_fd_ = false;
  if (!temp_.empty()) {
    SignalsBlocked b;
    unlinkat(dir_fd_, temp_.c_str(), 0);
    drop_pending(dir_fd_, temp_);
    temp_.clear();
  }
  if (dir_fd_ >= 0) ::close(dir_fd_);
  dir_fd_ = -1;
}

std::optional<OutputFile> OutputFile::open(const std::string& path, std::string& error, Hooks hooks) {
  OutputFile f;
  f.hooks_ = hooks;
  f.name_ = path.empty() ? "standard output" : path;
  auto failed = [&](int err) -> std::optional<OutputFile> {
    f.set_error(err);
    error = f.error_;
    return std::nullopt;
  };
  if (path.empty()) {
    std::fflush(stdout);  // what stdio holds comes first
    f.fd_ = STDOUT_FILENO;
    return f;
  }
  if (const int alias = descriptor_alias(path); alias >= 0) {
    if (alias == STDOUT_FILENO) std::fflush(stdout);
    if (alias == STDERR_FILENO) std::fflush(stderr);
    f.fd_ = fcntl(alias, F_DUPFD_CLOEXEC, 3);
    if (f.fd_ < 0) return failed(errno);
    f.own_fd_ = true;
    return f;
  }
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;  // follows links: what they point to counts
  if (!exists && errno != ENOENT) return failed(errno);
  if (hooks.after_look) hooks.after_look();
  if (exists && S_ISDIR(st.st_mode)) return failed(EISDIR);
  if (exists && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
    f.fd_ = open_retrying(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (f.fd_ < 0) return failed(errno);
    f.own_fd_ = true;
    return f;
  }
  if (exists && !S_ISREG(st.st_mode)) {
    f.error_ = "cannot write " + path + ": not a regular file, character device or FIFO";
    error = f.error_;
    return std::nullopt;
  }
  // A file its owner made read-only is not replaced (a shell's > would refuse it too).
  if (exists && faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) != 0) return failed(errno);
  // The directory the file is (to be) in, links resolved, and its name there.
  std::string dir, base;
  if (exists) {
    char* real = realpath(path.c_str(), nullptr);
    if (!real) return failed(errno);
    const std::string r = real;
    std::free(real);
    const auto slash = r.rfind('/');
    dir = slash == 0 ? "/" : r.substr(0, slash);
    base = r.substr(slash + 1);
  } else {
    struct stat l {};
    if (::lstat(path.c_str(), &l) == 0) {
      f.error_ = "cannot write " + path + ": a symbolic link to a file that does not exist";
      error = f.error_;
      return std::nullopt;
    }
    const auto slash = path.rfind('/');
    dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    base = slash == std::string::npos ? path : path.substr(slash + 1);
    if (base.empty() || base == "." || base == "..") return failed(EISDIR);
  }
  f.dir_fd_ = open_retrying(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (f.dir_fd_ < 0) return failed(errno);
  f.target_ = base;
  f.replace_ = true;
  // An unnamed file first; linking it later needs /proc/self/fd.
  if (!hooks.no_tmpfile && access("/proc/self/fd", X_OK) == 0) {
    f.fd_ = openat(f.dir_fd_, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (f.fd_ >= 0) {
      f.tmpfile_ = true;
    } else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
      return failed(errno);
    }
  }
  for (int attempt = 0; f.fd_ < 0; ++attempt) {
    const std::string name = random_name();
    SignalsBlocked b;
    f.fd_ = openat(f.dir_fd_, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (f.fd_ >= 0) {
      f.temp_ = name;
      add_pending(f.dir_fd_, name);
    } else if (errno != EEXIST || attempt == 100) {
      return failed(errno);
    }
  }
  f.own_fd_ = true;
  if (exists) {
    // The replacement is the same file to its readers: its mode, and its
    // owner where this process may give it (root, or the same owner).
    if (fchmod(f.fd_, st.st_mode & 07777) != 0) return failed(errno);
    if (st.st_uid != geteuid() || st.st_gid != getegid()) (void)!fchown(f.fd_, st.st_uid, st.st_gid);
  }
  return f;
}

bool OutputFile::write(std::string_view bytes) {
  if (!error_.empty()) return false;
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n > 0) {
      p += n;
      left -= static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd pfd{fd_, POLLOUT, 0};  // a non-blocking descriptor we were given: wait, do not drop
      poll(&pfd, 1, -1);
    } else {
      return set_error(n < 0 ? errno : EIO);
    }
  }
  return true;
}

bool OutputFile::commit() {
  if (!error_.empty()) {
    abandon();
    return false;
  }
  if (!replace_) {
    const int fd = fd_;
    fd_ = -1;
    if (own_fd_ && ::close(fd) != 0 && errno != EINTR) return set_error(errno);
    own_fd_ = false;
    return true;
  }
  // The bytes on the disk before the name moves to them (a crash then shows
  // the old file or the new one, never an empty one), and errors a file
  // system reports only now (NFS, quotas) seen.
  if (fsync(fd_) != 0) {
    set_error(errno);
    abandon();
    return false;
  }
  if (tmpfile_) {
    const std::string proc = "/proc/self/fd/" + std::to_string(fd_);
    for (int attempt = 0; temp_.empty(); ++attempt) {
      const std::string name = random_name();
      SignalsBlocked b;
      if (linkat(AT_FDCWD, proc.c_str(), dir_fd_, name.c_str(), AT_SYMLINK_FOLLOW) == 0) {
        temp_ = name;
        add_pending(dir_fd_, name);
      } else if (errno != EEXIST || attempt == 100) {
        set_error(errno);
        abandon();
        return false;
      }
    }
  }
  const int fd = fd_;
  fd_ = -1;
  own_fd_ = false;
  if (::close(fd) != 0 && errno != EINTR) {
    set_error(errno);
    abandon();
    return false;
  }
  if (hooks_.before_rename) hooks_.before_rename();
  {
    SignalsBlocked b;
    if (renameat(dir_fd_, temp_.c_str(), dir_fd_, target_.c_str()) != 0) {
      set_error(errno);
      unlinkat(dir_fd_, temp_.c_str(), 0);
    }
    drop_pending(dir_fd_, temp_);
    temp_.clear();
  }
  ::close(dir_fd_);
  dir_fd_ = -1;
  return error_.empty();
}

std::optional<std::string> write_file(const std::string& path, std::string_view text, Hooks hooks) {
  std::string error;
  auto f = OutputFile::open(path, error, hooks);
  if (!f) return error;
  if (!f->write(text) || !f->commit()) return f->error();
  return std::nullopt;
}

bool write_output(const std::string& path, std::string_view text) {
  if (auto e = write_file(path, text)) {
    std::fprintf(stderr, "tcpsim: %s\n", e->c_str());
    return false;
  }
  return true;
}

void reserve_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int n = open_retrying("/dev/null", O_RDONLY);
    if (n >= 0 && n != fd) {
      dup2(n, fd);
      ::close(n);
    }
  }
}

int finish_stdout(int status) {
  int err = 0;
  const char* reason = nullptr;
  if (std::fflush(stdout) != 0) {
    err = errno;
  } else if (std::ferror(stdout)) {
    reason = "a write failed";  // earlier, when stdio flushed on its own; errno is gone
  }
  if (std::fclose(stdout) != 0 && !err && !reason) err = errno;
  if (!err && !reason) return status;
  if (status != 2)
    std::fprintf(stderr, "tcpsim: cannot write standard output: %s\n", reason ? reason : std::strerror(err));
  return 2;
}

}  // namespace tcpsim::output
