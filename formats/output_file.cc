#include "formats/output_file.h"

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

// Where `path` is, or is to be: the directory with every link resolved, and
// the name in it. 0, or -1 with errno, or 1 for a link to nothing.
int resolve(const std::string& path, std::string& dir, std::string& base) {
  std::string r;
  if (char* real = realpath(path.c_str(), nullptr)) {
    r = real;
    std::free(real);
  } else {
    if (errno != ENOENT) return -1;
    struct stat l {};
    if (::lstat(path.c_str(), &l) == 0 && S_ISLNK(l.st_mode)) return 1;
    r = path;  // not there yet: its directory is resolved when it is opened
  }
  const auto slash = r.rfind('/');
  dir = slash == std::string::npos ? "." : slash == 0 ? "/" : r.substr(0, slash);
  base = slash == std::string::npos ? r : r.substr(slash + 1);
  return 0;
}

// 1 or 2 when `path` names the file standard output or error is open on
// (whatever the spelling: /dev//stdout, /proc/self/fd/../fd/1), else -1.
int standard_fd_of(const std::string& path) {
  struct stat p {};
  // A device is opened afresh (it is the same device): a closed standard
  // output is /dev/null opened read-only (reserve_standard_fds).
  if (::stat(path.c_str(), &p) != 0 || S_ISCHR(p.st_mode)) return -1;
  for (int fd : {STDOUT_FILENO, STDERR_FILENO}) {
    struct stat s {};
    if (fstat(fd, &s) == 0 && s.st_dev == p.st_dev && s.st_ino == p.st_ino) return fd;
  }
  return -1;
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
      hooks_(o.hooks_),
      existed_(o.existed_),
      dev_(o.dev_),
      ino_(o.ino_) {
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
  auto refused = [&](const char* why) -> std::optional<OutputFile> {
    f.error_ = "cannot write " + path + ": " + why;
    error = f.error_;
    return std::nullopt;
  };
  if (path.empty()) {
    std::fflush(stdout);  // what stdio holds comes first
    f.fd_ = STDOUT_FILENO;
    return f;
  }
  // /dev/stdout and the like, and the file standard output or error is
  // open on however spelled (/dev//stdout): that descriptor, in place.
  int alias = descriptor_alias(path);
  if (alias < 0) alias = standard_fd_of(path);
  if (alias >= 0) {
    if (alias == STDOUT_FILENO) std::fflush(stdout);
    if (alias == STDERR_FILENO) std::fflush(stderr);
    f.fd_ = fcntl(alias, F_DUPFD_CLOEXEC, 3);
    if (f.fd_ < 0) return failed(errno);
    f.own_fd_ = true;
    return f;
  }
  // The target is looked at once: its links resolved, its directory opened,
  // and what is there now examined without following anything again, so
  // that the owner, the mode and the kind all come from the file written.
  std::string dir, base;
  if (const int r = resolve(path, dir, base); r < 0)
    return failed(errno);
  else if (r > 0)
    return refused("a symbolic link to a file that does not exist");
  if (base.empty() || base == "." || base == "..") return failed(EISDIR);
  f.dir_fd_ = open_retrying(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (f.dir_fd_ < 0) return failed(errno);
  f.target_ = base;
  struct stat st {};
  const bool exists = fstatat(f.dir_fd_, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!exists && errno != ENOENT) return failed(errno);
  if (hooks.after_look) hooks.after_look();
  if (exists && S_ISLNK(st.st_mode)) return refused("it changed while being opened (not written)");
  if (exists && S_ISDIR(st.st_mode)) return failed(EISDIR);
  if (exists && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
    // No O_NONBLOCK: a FIFO with no reader waits for one, as a shell's > does.
    f.fd_ = openat(f.dir_fd_, base.c_str(), O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
    while (f.fd_ < 0 && errno == EINTR)
      f.fd_ = openat(f.dir_fd_, base.c_str(), O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
    if (f.fd_ < 0 && errno == ELOOP) return refused("it changed while being opened (not written)");
    if (f.fd_ < 0) return failed(errno);
    f.own_fd_ = true;
    // What was opened must be what was looked at: a regular file put there
    // since is never written in place (it would be neither truncated nor whole).
    struct stat now {};
    if (fstat(f.fd_, &now) != 0) return failed(errno);
    if (now.st_dev != st.st_dev || now.st_ino != st.st_ino ||
        !(S_ISCHR(now.st_mode) || S_ISFIFO(now.st_mode)))
      return refused("it changed while being opened (not written)");
    return f;
  }
  if (exists && !S_ISREG(st.st_mode)) return refused("not a regular file, character device or FIFO");
  // A file its owner made read-only is not replaced (a shell's > would refuse it too).
  if (exists && faccessat(f.dir_fd_, base.c_str(), W_OK, AT_EACCESS) != 0) return failed(errno);
  f.replace_ = true;
  f.existed_ = exists;
  f.dev_ = st.st_dev;
  f.ino_ = st.st_ino;
  if (!f.make_temporary()) {
    if (errno != EACCES && errno != EPERM) return failed(errno);
    f.error_ = "cannot write " + path + ": " + std::strerror(errno) +
               " (the directory: a temporary file is created beside the target)";
    error = f.error_;
    return std::nullopt;
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

bool OutputFile::make_temporary() {
  // An unnamed file first; linking it later needs /proc/self/fd.
  if (!hooks_.no_tmpfile && access("/proc/self/fd", X_OK) == 0) {
    fd_ = openat(dir_fd_, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd_ >= 0) {
      tmpfile_ = true;
      return true;
    }
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) return false;
  }
  for (int attempt = 0;; ++attempt) {
    const std::string name = random_name();
    SignalsBlocked b;
    fd_ = openat(dir_fd_, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd_ >= 0) {
      temp_ = name;
      add_pending(dir_fd_, name);
      return true;
    }
    if (errno != EEXIST || attempt == 100) return false;
  }
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

// Over the file looked at; where there was none, never over one that appeared since.
int OutputFile::rename_temporary() const {
  if (!existed_) {
    const int r = renameat2(dir_fd_, temp_.c_str(), dir_fd_, target_.c_str(), RENAME_NOREPLACE);
    if (r == 0 || errno != EINVAL) return r;  // EINVAL: a file system without RENAME_NOREPLACE
  }
  return renameat(dir_fd_, temp_.c_str(), dir_fd_, target_.c_str());
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
    // The name must still be the file looked at in open() (or still absent):
    // what someone put there since is neither replaced nor given its owner.
    struct stat now {};
    const bool there = fstatat(dir_fd_, target_.c_str(), &now, AT_SYMLINK_NOFOLLOW) == 0;
    if (there != existed_ || (there && (now.st_dev != dev_ || now.st_ino != ino_))) {
      error_ = "cannot write " + name_ + ": it changed while being written (not replaced)";
      unlinkat(dir_fd_, temp_.c_str(), 0);
    } else if (rename_temporary() != 0) {
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

bool same_file(const std::string& a, const std::string& b) {
  const std::string pa = a.empty() ? "/dev/stdout" : a, pb = b.empty() ? "/dev/stdout" : b;
  struct stat sa {
  }, sb{};
  if (::stat(pa.c_str(), &sa) == 0 && ::stat(pb.c_str(), &sb) == 0)
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino && !S_ISCHR(sa.st_mode);
  // One is not there yet: where each would be created.
  auto where = [](std::string p) {
    std::string dir, base;
    // A link to nothing yet names the file the other output may create.
    for (int hops = 0; hops < 40 && resolve(p, dir, base) == 1; ++hops) {
      char to[PATH_MAX];
      const ssize_t n = readlink(p.c_str(), to, sizeof to - 1);
      if (n <= 0) return p;
      const std::string t(to, static_cast<std::size_t>(n));
      const auto slash = p.rfind('/');
      p = t[0] == '/' || slash == std::string::npos ? t : p.substr(0, slash + 1) + t;
    }
    if (resolve(p, dir, base) != 0) return p;
    char* real = realpath(dir.c_str(), nullptr);
    if (!real) return p;
    const std::string r = std::string(real) + "/" + base;
    std::free(real);
    return r;
  };
  return where(pa) == where(pb);
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
