// Every script of ../shared/conformance run by `tcpsim packetdrill`'s
// runner, each outcome compared with tests/packetdrill/expected.txt (a
// change in any outcome fails, totals asserted so that a reclassification
// shows in review); and for each passing script, one expected field edited
// must make it fail (a pass means the fields were really checked).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "../shared_dir.h"
#include "packetdrill/parser.h"
#include "packetdrill/runner.h"

namespace tcpsim::packetdrill {
namespace {

namespace fs = std::filesystem;

// The totals of expected.txt, said twice on purpose: a reclassification
// must change both.
constexpr int kPass = 364, kFail = 23, kUnsupported = 372;

const fs::path kExpected = fs::path(TCPSIM_SOURCE_DIR) / "tests" / "packetdrill" / "expected.txt";

// The profile a corpus runs under (the FreeBSD suite under bsd).
std::string profile_for(const std::string& rel) {
  return rel.rfind("freebsd-tcp-testsuite/", 0) == 0 ? "bsd" : "linux";
}

struct Result {
  std::string outcome;  // pass, fail, unsupported
  std::string message;  // with the path relative to conformance/
};

std::vector<std::string> corpus_files(const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& f : fs::recursive_directory_iterator(root)) {
    if (f.path().extension() == ".pkt") out.push_back(fs::relative(f.path(), root).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string relative_message(std::string m, const std::string& abs, const std::string& rel) {
  for (std::size_t at; (at = m.find(abs)) != std::string::npos;) m.replace(at, abs.size(), rel);
  return m;
}

Result run_one(const fs::path& root, const std::string& rel, const Script* mutated = nullptr) {
  const std::string abs = (root / rel).string();
  RunOptions o;
  o.profile = profile_for(rel);
  if (mutated) {
    const Outcome out = run_script(*mutated, o);
    return {outcome_name(out.kind), relative_message(out.message, abs, rel)};
  }
  auto parsed = parse_file(abs);
  if (auto* e = std::get_if<ParseError>(&parsed)) return {"parse-error", e->message()};
  const Outcome out = run_script(std::get<Script>(parsed), o);
  return {outcome_name(out.kind), relative_message(out.message, abs, rel)};
}

// "path<TAB>outcome<TAB>message" lines; '#' comments.
std::map<std::string, Result> read_expected() {
  std::map<std::string, Result> out;
  std::ifstream in(kExpected);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    std::string path, outcome, message;
    std::getline(s, path, '\t');
    std::getline(s, outcome, '\t');
    std::getline(s, message);
    out[path] = {outcome, message};
  }
  return out;
}

std::optional<fs::path> corpus_root() { return test::shared_path("conformance"); }

TEST(PacketdrillRunnerCorpus, EveryScriptHasTheOutcomeListedInExpectedTxt) {
  const auto root = corpus_root();
  if (!root)
    GTEST_SKIP() << "../shared/conformance is absent (set TCPSIM_SHARED_DIR to the folder holding it)";
  const auto expected = read_expected();
  const auto files = corpus_files(*root);
  std::map<std::string, int> totals;
  std::string rewritten;
  for (const auto& rel : files) {
    const Result got = run_one(*root, rel);
    ++totals[got.outcome];
    rewritten += rel + "\t" + got.outcome + "\t" + got.message + "\n";
    auto it = expected.find(rel);
    if (it == expected.end()) {
      ADD_FAILURE() << rel << ": not listed in expected.txt (now " << got.outcome << ": " << got.message
                    << ")";
      continue;
    }
    EXPECT_EQ(it->second.outcome + " " + it->second.message, got.outcome + " " + got.message) << rel;
  }
  EXPECT_EQ(expected.size(), files.size()) << "expected.txt lists scripts the corpora no longer have";
  // The totals, said here as well so that a reclassification shows in review.
  EXPECT_EQ(files.size(), 759u);
  EXPECT_EQ(totals["pass"], kPass);
  EXPECT_EQ(totals["fail"], kFail);
  EXPECT_EQ(totals["unsupported"], kUnsupported);
  EXPECT_EQ(totals["parse-error"], 0);
  if (const char* w = std::getenv("TCPSIM_PACKETDRILL_WRITE_ACTUAL")) {
    std::ofstream(w) << rewritten;  // for review by hand, never read back by the test
  }
}

// One field of the first outbound packet the script expects (its ack, else
// its seq), or failing that the first checked call result, changed by one.
bool mutate(Script& s, const std::set<std::string>& defines) {
  for (const Event* e : active_events(s, defines)) {
    auto& ev = const_cast<Event&>(*e);
    if (auto* p = std::get_if<Packet>(&ev.action); p && p->direction == Packet::Direction::Outbound) {
      if (p->ack) {
        *p->ack += 1;
      } else {
        p->seq += 1;
      }
      return true;
    }
  }
  for (const Event* e : active_events(s, defines)) {
    auto& ev = const_cast<Event&>(*e);
    // socket() and accept() name a descriptor (packetdrill maps the
    // script's number to the live one): their results are not checked.
    if (auto* c = std::get_if<Syscall>(&ev.action);
        c && c->result.kind == Expr::Kind::Integer && c->name != "socket" && c->name != "accept") {
      c->result.integer += 1;
      return true;
    }
  }
  return false;
}

TEST(PacketdrillRunnerCorpus, EveryPassingScriptFailsWhenOneExpectedFieldIsEdited) {
  const auto root = corpus_root();
  if (!root)
    GTEST_SKIP() << "../shared/conformance is absent (set TCPSIM_SHARED_DIR to the folder holding it)";
  int mutated = 0;
  for (const auto& [rel, want] : read_expected()) {
    if (want.outcome != "pass") continue;
    auto parsed = parse_file((*root / rel).string());
    ASSERT_TRUE(std::holds_alternative<Script>(parsed)) << rel;
    Script s = std::get<Script>(std::move(parsed));
    std::set<std::string> defines = profile_defines(profile_for(rel));
    for (const auto& [name, value] : s.flags.defines) defines.insert(name);
    ASSERT_TRUE(mutate(s, defines)) << rel << ": nothing to edit";
    const Result got = run_one(*root, rel, &s);
    EXPECT_EQ(got.outcome, "fail") << rel << " still " << got.outcome << " with one expected field edited";
    ++mutated;
  }
  EXPECT_EQ(mutated, kPass);
}

}  // namespace
}  // namespace tcpsim::packetdrill
