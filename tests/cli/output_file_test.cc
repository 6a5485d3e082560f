// cli/output_file: a file is replaced whole or not at all, created as any
// program creates one (0666 & ~umask), and no temporary survives success,
// failure, or SIGTERM/SIGINT while one has a name; both ways of making the
// temporary (O_TMPFILE, and the O_EXCL fallback) are exercised.
#include "formats/output_file.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace tcpsim::output {
namespace {

namespace fs = std::filesystem;

class OutputFileTest : public ::testing::TestWithParam<bool> {  // param: the O_EXCL fallback
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tcpsim-output-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  Hooks hooks() const { return Hooks{GetParam(), nullptr}; }
  std::string at(const std::string& name) const { return (dir_ / name).string(); }
  static std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
  }
  static void put(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  // Every name in the scratch directory, sorted: a temporary left behind shows here.
  std::vector<std::string> names() const {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(dir_)) v.push_back(e.path().filename().string());
    std::sort(v.begin(), v.end());
    return v;
  }
  fs::path dir_;
};

TEST_P(OutputFileTest, ReplacesARegularFileWholeAndLeavesNoTemporary) {
  put(at("out.txt"), "old contents, longer than the new ones\n");
  EXPECT_EQ(write_file(at("out.txt"), "new\n", hooks()), std::nullopt);
  EXPECT_EQ(slurp(at("out.txt")), "new\n");
  EXPECT_EQ(names(), std::vector<std::string>{"out.txt"});
}

// Readers of the old name keep the old bytes: a new file took the name
// (rename), the old one was never truncated in place.
TEST_P(OutputFileTest, ReplacementIsANewFileNotATruncation) {
  put(at("out.txt"), "old\n");
  std::ifstream reader(at("out.txt"));
  EXPECT_EQ(write_file(at("out.txt"), "new\n", hooks()), std::nullopt);
  std::string line;
  std::getline(reader, line);
  EXPECT_EQ(line, "old");
  EXPECT_EQ(slurp(at("out.txt")), "new\n");
}

TEST_P(OutputFileTest, AFailedOutputLeavesTheOldFileAndNoTemporary) {
  put(at("out.txt"), "old\n");
  {
    std::string error;
    auto f = OutputFile::open(at("out.txt"), error, hooks());
    ASSERT_TRUE(f) << error;
    ASSERT_TRUE(f->write("half of the new"));
    f->fail(ENOSPC);  // as a FILE* on fd() reports it
    EXPECT_FALSE(f->commit());
    EXPECT_EQ(f->error(), "cannot write " + at("out.txt") + ": No space left on device");
  }
  EXPECT_EQ(slurp(at("out.txt")), "old\n");
  EXPECT_EQ(names(), std::vector<std::string>{"out.txt"});
}

TEST_P(OutputFileTest, AnOutputNeverCommittedLeavesTheOldFileAndNoTemporary) {
  put(at("out.txt"), "old\n");
  {
    std::string error;
    auto f = OutputFile::open(at("out.txt"), error, hooks());
    ASSERT_TRUE(f) << error;
    ASSERT_TRUE(f->write("new"));
  }  // an exception, an early return: no commit
  EXPECT_EQ(slurp(at("out.txt")), "old\n");
  EXPECT_EQ(names(), std::vector<std::string>{"out.txt"});
}

// A real write failure in the middle of the output: the file size limit
// (EFBIG, "File too large", with SIGXFSZ ignored), in a child process.
TEST_P(OutputFileTest, AWriteThatFailsHalfwayLeavesTheOldFile) {
  put(at("out.txt"), "old\n");
  const pid_t pid = fork();
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    rlimit lim{1000, 1000};
    setrlimit(RLIMIT_FSIZE, &lim);
    const auto e = write_file(at("out.txt"), std::string(5000, 'x'), hooks());
    _exit(e && e->find(": File too large") != std::string::npos ? 0 : 1);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0) << "the error should name the reason, EFBIG";
  EXPECT_EQ(slurp(at("out.txt")), "old\n");
  EXPECT_EQ(names(), std::vector<std::string>{"out.txt"});
}

// As open(2) with O_CREAT and 0666 creates it: a shell's > gives the same mode.
TEST_P(OutputFileTest, ANewFileGets0666LessTheUmask) {
  const mode_t old = umask(027);
  const auto e = write_file(at("new.txt"), "x", hooks());
  umask(old);
  ASSERT_EQ(e, std::nullopt);
  struct stat st {};
  ASSERT_EQ(stat(at("new.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST_P(OutputFileTest, AReplacedFileKeepsItsPermissionBits) {
  put(at("private.txt"), "old");
  ASSERT_EQ(chmod(at("private.txt").c_str(), 0600), 0);
  ASSERT_EQ(write_file(at("private.txt"), "new", hooks()), std::nullopt);
  struct stat st {};
  ASSERT_EQ(stat(at("private.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

// The chosen rule for links: followed deliberately, the file they point to
// replaced through a temporary in its own directory; the link stays.
TEST_P(OutputFileTest, ASymbolicLinkIsFollowedAndStaysALink) {
  fs::create_directory(dir_ / "real");
  put(at("real/target.txt"), "old");
  fs::create_symlink(dir_ / "real/target.txt", dir_ / "link.txt");
  ASSERT_EQ(write_file(at("link.txt"), "new", hooks()), std::nullopt);
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.txt"));
  EXPECT_EQ(slurp(at("real/target.txt")), "new");
  EXPECT_EQ(names(), (std::vector<std::string>{"link.txt", "real"}));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "real"), fs::directory_iterator{}), 1);
}

TEST_P(OutputFileTest, ADanglingLinkIsRefusedAndNothingIsCreated) {
  fs::create_symlink(dir_ / "missing.txt", dir_ / "link.txt");
  const auto e = write_file(at("link.txt"), "new", hooks());
  ASSERT_TRUE(e);
  EXPECT_NE(e->find("link.txt"), std::string::npos) << *e;
  EXPECT_EQ(names(), std::vector<std::string>{"link.txt"});
}

TEST_P(OutputFileTest, ADirectoryIsNotReplaced) {
  fs::create_directory(dir_ / "d");
  EXPECT_EQ(write_file(at("d"), "x", hooks()), "cannot write " + at("d") + ": Is a directory");
  EXPECT_TRUE(fs::is_directory(dir_ / "d"));
}

// A signal while the temporary has a name (the fallback's whole life; the
// O_TMPFILE's moment between link and rename): the handler removes it and
// the process dies of the signal; the old file stays.
TEST_P(OutputFileTest, SigtermWhileTheTemporaryHasANameLeavesNoTemporary) {
  for (int sig : {SIGTERM, SIGINT}) {
    put(at("out.txt"), "old\n");
    const pid_t pid = fork();
    if (pid == 0) {
      Hooks h = hooks();
      h.before_rename = [] { raise(SIGTERM); };
      if (sig == SIGINT) h.before_rename = [] { raise(SIGINT); };
      write_file(at("out.txt"), std::string(100000, 'x'), h);
      _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    ASSERT_TRUE(WIFSIGNALED(st)) << "the signal should still end the process";
    EXPECT_EQ(WTERMSIG(st), sig);
    EXPECT_EQ(slurp(at("out.txt")), "old\n");
    EXPECT_EQ(names(), std::vector<std::string>{"out.txt"});
  }
}

// The fallback's temporary has a name from the start: a signal in the middle
// of writing removes it too.
TEST(OutputFileFallback, SigtermWhileWritingLeavesNoTemporary) {
  char tmpl[] = "/tmp/tcpsim-output-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const fs::path dir = tmpl;
  const pid_t pid = fork();
  if (pid == 0) {
    std::string error;
    auto f = OutputFile::open((dir / "out.txt").string(), error, Hooks{true, nullptr});
    if (!f || !f->write("the first half")) _exit(1);
    raise(SIGTERM);
    _exit(2);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFSIGNALED(st));
  EXPECT_EQ(WTERMSIG(st), SIGTERM);
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

// The link the user named is switched while the file is being opened (the
// hook runs just after the target has been looked at). The reviewer's
// reproducer: out -> mine (nobody's, 0666), switched to -> victim (root's,
// 0600). The replacement must land where the owner and mode were taken
// from: `mine` replaced, the victim untouched (once it became nobody's 0666).
std::string g_link, g_switch_to;
void switch_link() {
  const std::string tmp = g_link + ".new";
  fs::create_symlink(g_switch_to, tmp);
  fs::rename(tmp, g_link);  // atomic, as the attacker's loop does it
}

TEST_P(OutputFileTest, ALinkSwitchedWhileOpeningDoesNotGiveTheVictimAnotherOwner) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root: chown to nobody";
  put(at("victim"), "the victim's bytes\n");
  ASSERT_EQ(chmod(at("victim").c_str(), 0600), 0);
  put(at("mine"), "mine\n");
  ASSERT_EQ(chown(at("mine").c_str(), 65534, 65534), 0);
  ASSERT_EQ(chmod(at("mine").c_str(), 0666), 0);
  fs::create_symlink(dir_ / "mine", dir_ / "out");
  g_link = at("out");
  g_switch_to = at("victim");
  Hooks h = hooks();
  h.after_look = switch_link;
  write_file(at("out"), "new\n", h);  // either outcome is an answer; where the bytes went is the test
  struct stat st {};
  ASSERT_EQ(lstat(at("victim").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(slurp(at("victim")), "the victim's bytes\n");
}

// The link is switched from a device (written in place) to a regular file:
// that file must never be written in place (once: half new bytes, half old, exit 0).
TEST_P(OutputFileTest, ALinkSwitchedFromADeviceToAFileDoesNotWriteTheFileInPlace) {
  put(at("file"), "old contents, longer than the new ones\n");
  fs::create_symlink("/dev/null", dir_ / "out");
  g_link = at("out");
  g_switch_to = at("file");
  Hooks h = hooks();
  h.after_look = switch_link;
  const auto e = write_file(at("out"), "new\n", h);
  const std::string now = slurp(at("file"));
  EXPECT_TRUE(now == "old contents, longer than the new ones\n" || (now == "new\n" && !e))
      << "neither the old file nor a whole new one: " << now;
}

// The resolved name itself is replaced between the look and the rename:
// refused, and what now has the name is left alone.
void replace_target() {
  // Made before the old one goes, so that it cannot reuse the old inode number.
  std::ofstream(g_link + ".x") << "someone else's\n";
  fs::rename(g_link + ".x", g_link);
}
TEST_P(OutputFileTest, ATargetReplacedBeforeTheRenameIsRefusedAndLeftAlone) {
  for (bool existed : {true, false}) {
    if (existed) put(at("out.txt"), "old\n");
    g_link = at("out.txt");
    Hooks h = hooks();
    h.before_rename = replace_target;
    const auto e = write_file(at("out.txt"), "new\n", h);
    ASSERT_TRUE(e);
    EXPECT_NE(e->find("changed while"), std::string::npos) << *e;
    EXPECT_EQ(slurp(at("out.txt")), "someone else's\n");
    EXPECT_EQ(names(), std::vector<std::string>{"out.txt"});
    fs::remove(at("out.txt"));
  }
}

// A device node at the resolved name becomes a regular file between the look
// and the open: the descriptor's own fstat sees it, and it is not written in place.
void device_to_file() { replace_target(); }
TEST_P(OutputFileTest, ADeviceReplacedByAFileBeforeTheOpenIsNotWrittenInPlace) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root: mknod";
  ASSERT_EQ(mknod(at("null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  g_link = at("null");
  Hooks h = hooks();
  h.after_look = device_to_file;
  const auto e = write_file(at("null"), "new\n", h);
  EXPECT_TRUE(e);
  EXPECT_EQ(slurp(at("null")), "someone else's\n");
}

// A directory the user cannot write: refused (a temporary is made there),
// and the message says that it is the directory.
TEST_P(OutputFileTest, AFileInADirectoryTheUserCannotWriteIsRefusedSayingWhy) {
  ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);  // nobody may reach rodir
  fs::create_directory(dir_ / "rodir");
  put(at("rodir/f"), "old\n");
  ASSERT_EQ(chmod(at("rodir/f").c_str(), 0666), 0);
  ASSERT_EQ(chmod(at("rodir").c_str(), 0555), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    if (geteuid() == 0 && setuid(65534) != 0) _exit(3);
    const auto e = write_file(at("rodir/f"), "new\n", hooks());
    _exit(e && *e == "cannot write " + at("rodir/f") +
                          ": Permission denied (the directory: a temporary file is created beside the target)"
              ? 0
              : 1);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
  EXPECT_EQ(slurp(at("rodir/f")), "old\n");
  chmod(at("rodir").c_str(), 0755);
}

INSTANTIATE_TEST_SUITE_P(BothTemporaries, OutputFileTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "OExclFallback" : "OTmpfile"; });

// /dev/fd/N is that descriptor, written in place (here a pipe's end), as a shell does.
TEST(OutputFileAliases, DevFdNIsThatDescriptorInPlace) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  EXPECT_EQ(write_file("/dev/fd/" + std::to_string(p[1]), "through the pipe"), std::nullopt);
  close(p[1]);
  char buf[64] = {};
  EXPECT_EQ(read(p[0], buf, sizeof buf), 16);
  EXPECT_STREQ(buf, "through the pipe");
  close(p[0]);
}

}  // namespace
}  // namespace tcpsim::output
