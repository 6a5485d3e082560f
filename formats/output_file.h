// Every output tcpsim writes, files and standard output, goes through here,
// so that no output is lost in silence and none overwrites what it must not
// (issue 13). The path is resolved once (realpath: every link followed), its
// directory opened (O_PATH), and what is at the name there looked at without
// following anything (fstatat AT_SYMLINK_NOFOLLOW); everything after works
// from that directory and that look, so that a link switched meanwhile
// cannot send the bytes, the owner or the mode elsewhere. What is there decides:
//  - a regular file, or nothing yet: replaced whole or not at all, through a
//    temporary file in that directory, renamed over the name once every byte
//    is written and synced, and only if the name is still that file (same
//    st_dev/st_ino) or still nothing (RENAME_NOREPLACE); else refused. The
//    temporary is an unnamed O_TMPFILE, linked under a random name only for
//    the rename, so that even SIGKILL leaves nothing behind; where the file
//    system has no O_TMPFILE, a randomly named file created with O_EXCL
//    (SIGKILL may then leave it; SIGINT, SIGTERM and SIGHUP remove it). The
//    replacement is a new file: it takes the old one's permission bits, and
//    its owner where this process may give it; hard links keep the old one.
//    A new file gets 0666 & ~umask. A file without write permission, or in
//    a directory the user cannot write (the temporary goes there), is refused.
//  - a symbolic link, given or met on the way: followed on purpose (the
//    link stays a link); a link to nothing is refused.
//  - a character device or a FIFO (/dev/null, a terminal, a pipe): opened at
//    that name without following links, checked (fstat) to be the one looked
//    at, and written in place: never created, truncated or renamed over.
//  - /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N, and any path to
//    the file standard output or error is open on (/dev//stdout): that
//    descriptor, in place (as a shell does), whatever it is open on.
// Every write is checked (short writes continued, EINTR retried), and so are
// the flush, the sync and the close: a failure is a one-line message naming
// the file and the reason (strerror), never a partial file left as if whole.
// No CLI11 here: the formats library is to use it too.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace tcpsim::output {

// The words --help uses for -o and --pcap, from the rules above.
inline std::string option_help(const std::string& what) {
  return what +
         " (written whole or not at all; a symbolic link is followed and the file it points to replaced; a "
         "device or FIFO is written in place)";
}
inline const std::string kOutputOptionHelp = option_help("Write to this file instead of standard output");

// What tests change: the path taken and a moment to interrupt.
struct Hooks {
  bool no_tmpfile = false;            // take the O_EXCL fallback even where O_TMPFILE works
  void (*before_rename)() = nullptr;  // called while the temporary has its name
  void (*after_look)() = nullptr;     // called once the target has been looked at, before it is opened
};

// One output being written. Open, write, then commit; destroyed without a
// successful commit, it leaves the target as it was (and no temporary).
class OutputFile {
 public:
  // "" is standard output. On failure, nullopt and `error` says why.
  static std::optional<OutputFile> open(const std::string& path, std::string& error, Hooks hooks = {});
  OutputFile(OutputFile&& o) noexcept;
  OutputFile& operator=(OutputFile&&) = delete;
  OutputFile(const OutputFile&) = delete;
  ~OutputFile();

  // Every byte, or false with error() set.
  bool write(std::string_view bytes);
  // The file descriptor being written (for libraries that take a FILE*:
  // fdopen a dup of it, flush and check it before commit()).
  int fd() const { return fd_; }
  // Syncs, closes and renames the temporary over the target. False with error() set.
  bool commit();
  // Records a failure seen outside (e.g. a FILE* on fd()); commit() then fails with it.
  void fail(int err);
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }

 private:
  OutputFile() = default;
  bool set_error(int err);
  void abandon();
  bool make_temporary();  // fd_ (and temp_ if named) in dir_fd_, or false with errno
  int rename_temporary() const;

  std::string name_;  // as the user gave it, for messages ("standard output" for "")
  int fd_ = -1;
  bool own_fd_ = false;   // close fd_ when done (not fd 1 itself)
  bool replace_ = false;  // a temporary to rename over target_
  bool tmpfile_ = false;  // the temporary is an unnamed O_TMPFILE
  int dir_fd_ = -1;       // the target's real directory
  std::string target_;    // the target's name in dir_fd_
  std::string temp_;      // the temporary's name in dir_fd_ once it has one
  std::string error_;
  Hooks hooks_;
  bool existed_ = false;  // the target was there when looked at: this file
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

// Writes `text` to `path` ("": standard output) by the rules above. The
// error message ("cannot write PATH: reason"), or nullopt.
std::optional<std::string> write_file(const std::string& path, std::string_view text, Hooks hooks = {});
// The same, printing the message on standard error ("tcpsim: ..."); false on failure.
bool write_output(const std::string& path, std::string_view text);

// Whether two outputs ("": standard output) would be written to one file
// (the same path once links are resolved, or the same file), so that one
// would replace or garble the other. Character devices (/dev/null) may be shared.
bool same_file(const std::string& a, const std::string& b);

// At the start of main: a closed descriptor 0, 1 or 2 is taken by /dev/null
// opened read-only, so that no file opened later becomes "standard output"
// by accident and a write to a closed standard output fails (EBADF).
void reserve_standard_fds();
// At the end of main: flushes and closes standard output (what stdio still
// holds, e.g. --help); exit status 2, with a message, when that fails and
// `status` was not already 2.
int finish_stdout(int status);

}  // namespace tcpsim::output
