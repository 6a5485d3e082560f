// Issue 13's security items, on the real binary, mostly as root (where they
// matter: root writes anywhere; skipped, saying why, otherwise): a link planted at the name the temporary
// file once had (FILE.tcpsim-tmp, fixed and followed) no longer lets -o or
// --pcap write through it, and a character device given to -o stays that
// device (as root, -o /dev/null once replaced the device node with a
// regular file). The devices are made with mknod in a scratch folder, never
// the system's.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "tests/cli/run_tcpsim.h"

namespace tcpsim::testing {
namespace {

namespace fs = std::filesystem;

const std::string kTrace = std::string(TCPSIM_SOURCE_DIR) + "/traces/lost-fin.tcpsim";

class OutputSpecialTargetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tcpsim-outspecial-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    null_ = open("/dev/null", O_WRONLY);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
    if (null_ >= 0) close(null_);
  }
  std::string at(const std::string& n) const { return (dir_ / n).string(); }
  static std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
  }
  fs::path dir_;
  int null_ = -1;
};

#define NEEDS_ROOT(why) \
  if (geteuid() != 0) GTEST_SKIP() << "needs root: " why

// Not root's alone (anyone may plant a link in a shared folder), so it runs for everyone.

TEST_F(OutputSpecialTargetsTest, ALinkPlantedAtTheOldTemporaryNameDoesNotReachItsVictim) {
  fs::create_directory(dir_ / "elsewhere");
  const std::string victim = at("elsewhere/victim");
  std::ofstream(victim) << "the victim's bytes\n";
  fs::create_symlink(victim, dir_ / "out.svg.tcpsim-tmp");
  fs::create_symlink(victim, dir_ / "out.pcap.tcpsim-tmp");
  const Ran r =
      run_tcpsim({"run", kTrace, "-f", "svg", "-o", at("out.svg"), "--pcap", at("out.pcap")}, null_);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(slurp(victim), "the victim's bytes\n");
  EXPECT_TRUE(fs::is_symlink(dir_ / "out.svg.tcpsim-tmp"));
  // The outputs themselves are where they were asked for, as regular files.
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir_ / "out.svg")));
  const int fd = open(at("stdout.svg").c_str(), O_WRONLY | O_CREAT, 0600);
  ASSERT_EQ(run_tcpsim({"run", kTrace, "-f", "svg"}, fd).status, 0);
  close(fd);
  EXPECT_EQ(slurp(at("out.svg")), slurp(at("stdout.svg")));
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir_ / "out.pcap")));
  EXPECT_GT(fs::file_size(dir_ / "out.pcap"), 24u);  // more than the pcap file header
}

// tcpsim kernel (root: a network namespace): its --pcap goes through the
// same module (not through the planted link), and its standard output on a
// full device is exit 2 with the reason.
TEST_F(OutputSpecialTargetsTest, KernelPcapAvoidsThePlantedLinkAndAFullStdoutIsExit2) {
  NEEDS_ROOT("tcpsim kernel makes a network namespace, and mknod");
  const std::string victim = at("victim");
  std::ofstream(victim) << "the victim's bytes\n";
  fs::create_symlink(victim, dir_ / "k.pcap.tcpsim-tmp");
  const std::string full = at("full");
  ASSERT_EQ(mknod(full.c_str(), S_IFCHR | 0666, makedev(1, 7)), 0);
  const int fd = open(full.c_str(), O_WRONLY);
  const Ran r = run_tcpsim({"kernel", "--max-time", "1s", "--pcap", at("k.pcap"), kTrace}, fd);
  close(fd);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("tcpsim: cannot write standard output: No space left on device"), std::string::npos)
      << r.err;
  EXPECT_EQ(slurp(victim), "the victim's bytes\n");
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir_ / "k.pcap")));
  EXPECT_GT(fs::file_size(dir_ / "k.pcap"), 24u);
}

TEST_F(OutputSpecialTargetsTest, ACharacterDeviceTargetStaysThatDevice) {
  NEEDS_ROOT("mknod (and root is who could replace a device node)");
  const std::string null = at("null");
  ASSERT_EQ(mknod(null.c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  for (const auto& args : std::vector<std::vector<std::string>>{{"run", kTrace, "-f", "svg", "-o", null},
                                                                {"run", kTrace, "--pcap", null},
                                                                {"states", "-o", null}}) {
    const Ran r = run_tcpsim(args, null_);
    EXPECT_EQ(r.status, 0) << r.err;
    struct stat st {};
    ASSERT_EQ(lstat(null.c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(st.st_rdev, makedev(1, 3));
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 1) << "no temporary left";
}

// Written in place, so the device's own error is the command's: ENOSPC.
TEST_F(OutputSpecialTargetsTest, AFullDeviceTargetIsExit2WithNoSpaceLeftAndStaysADevice) {
  NEEDS_ROOT("mknod (and root is who could replace a device node)");
  const std::string full = at("full");
  ASSERT_EQ(mknod(full.c_str(), S_IFCHR | 0666, makedev(1, 7)), 0);
  for (const auto& args : std::vector<std::vector<std::string>>{{"run", kTrace, "-f", "json", "-o", full},
                                                                {"run", kTrace, "--pcap", full}}) {
    const Ran r = run_tcpsim(args, null_);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("cannot write " + full + ": No space left on device"), std::string::npos) << r.err;
    struct stat st {};
    ASSERT_EQ(lstat(full.c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(st.st_rdev, makedev(1, 7));
  }
}

// A pcap larger than stdio's buffer: the write that fails is an fwrite
// inside pcap_dump, not the final flush, and its reason (ENOSPC) is the one
// reported (the flush's errno once made it "Input/output error").
TEST_F(OutputSpecialTargetsTest, APcapOnAFullDeviceFailingBeforeTheFlushSaysNoSpaceLeft) {
  NEEDS_ROOT("mknod");
  const std::string full = at("full");
  ASSERT_EQ(mknod(full.c_str(), S_IFCHR | 0666, makedev(1, 7)), 0);
  // 20000 bytes from B: some 15 full segments, a pcap of about 22 kB.
  const std::string scenario = at("big.tcpsim");
  std::ofstream(scenario) << "host A 10.0.0.1\nhost B 10.0.0.2\n"
                             "program server on B {\n  s = socket()\n  bind(s, 10.0.0.2:8080) = 0\n"
                             "  listen(s, 5) = 0\n  c = accept(s)\n  write(c, 20000)\n  close(c) = 0\n}\n"
                             "program client on A {\n  k = socket()\n  connect(k, 10.0.0.2:8080) = 0\n"
                             "  sleep(1)\n  read(k, 50000)\n  close(k) = 0\n}\n";
  const Ran ok = run_tcpsim({"run", scenario, "--pcap", at("big.pcap")}, null_);
  ASSERT_EQ(ok.status, 0) << ok.err;
  ASSERT_GT(fs::file_size(dir_ / "big.pcap"), 3 * 4096u) << "not larger than a stdio buffer";
  const Ran r = run_tcpsim({"run", scenario, "--pcap", full}, null_);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cannot write " + full + ": No space left on device"), std::string::npos) << r.err;
}

// Standard output spelled other than a shell spells it is still standard
// output, written in place: `-o /dev//stdout >> log` keeps log's old lines
// (it once replaced the file standard output was open on).
TEST_F(OutputSpecialTargetsTest, StandardOutputSpelledDifferentlyIsWrittenInPlace) {
  for (const std::string spelling : {"/dev//stdout", "/dev/./stdout", "/proc/self/fd/../fd/1"}) {
    const std::string log = at("log");
    std::ofstream(log) << "old\n";
    const int fd = open(log.c_str(), O_WRONLY | O_APPEND);
    const Ran r = run_tcpsim({"run", kTrace, "-o", spelling}, fd);
    close(fd);
    EXPECT_EQ(r.status, 0) << r.err;
    const std::string now = slurp(log);
    EXPECT_EQ(now.substr(0, 4), "old\n") << spelling;
    EXPECT_GT(now.size(), 4u) << spelling;
  }
}

// -o and --pcap naming one file: one would silently replace the other.
TEST_F(OutputSpecialTargetsTest, OutputAndPcapNamingOneFileIsExit2) {
  fs::create_directory(dir_ / "d");
  fs::create_symlink(dir_ / "d/same.out", dir_ / "link");
  for (const auto& [o, p] :
       std::vector<std::pair<std::string, std::string>>{{at("same.out"), at("same.out")},
                                                        {at("same.out"), at("d/../same.out")},
                                                        {at("link"), at("d/same.out")}}) {
    const Ran r = run_tcpsim({"run", kTrace, "-o", o, "--pcap", p}, null_);
    EXPECT_EQ(r.status, 2) << o << " " << p;
    EXPECT_NE(r.err.find("the same file"), std::string::npos) << r.err;
  }
  std::ofstream(at("d/same.out")) << "old\n";  // existing: the same dev/ino
  const Ran r = run_tcpsim({"run", kTrace, "-o", at("link"), "--pcap", at("d/same.out")}, null_);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(slurp(at("d/same.out")), "old\n");
  // Two device nodes may be the same: /dev/null twice is fine.
  EXPECT_EQ(run_tcpsim({"run", kTrace, "-o", "/dev/null", "--pcap", "/dev/null"}, null_).status, 0);
}

}  // namespace
}  // namespace tcpsim::testing
