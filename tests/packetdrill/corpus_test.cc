// Every packetdrill script of ../shared/conformance (google/packetdrill,
// the Linux selftests, the FreeBSD tcp-testsuite) parses, or is listed in
// tests/packetdrill/parse-exceptions.txt with the reason; and its dump
// parses back to the same dump. Counts per corpus are checked against the
// corpora's SOURCE.md files (52, 27, 680 scripts).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "packetdrill/parser.h"

namespace tcpsim::packetdrill {
namespace {

namespace fs = std::filesystem;

fs::path shared_dir() {
  const char* env = std::getenv("TCPSIM_SHARED_DIR");
  return env && *env ? fs::path(env) : fs::path(TCPSIM_SOURCE_DIR) / ".." / "shared";
}

// path (relative to conformance/) -> reason, from the exceptions file.
std::map<std::string, std::string> exceptions() {
  std::map<std::string, std::string> out;
  std::ifstream in(fs::path(TCPSIM_SOURCE_DIR) / "tests" / "packetdrill" / "parse-exceptions.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto colon = line.find(':');
    out[line.substr(0, colon)] = colon == std::string::npos ? "" : line.substr(colon + 1);
  }
  return out;
}

struct Corpus {
  const char* dir;
  std::size_t scripts;  // from its SOURCE.md
};
constexpr Corpus kCorpora[] = {{"packetdrill", 52}, {"linux-selftests", 27}, {"freebsd-tcp-testsuite", 680}};

TEST(PacketdrillCorpus, EveryScriptParsesAndItsDumpReadsBackTheSame) {
  const fs::path root = shared_dir() / "conformance";
  if (!fs::exists(root)) {
    GTEST_SKIP() << root << " is absent (set TCPSIM_SHARED_DIR to the folder holding conformance/)";
  }
  const auto known = exceptions();
  std::set<std::string> seen_exceptions;
  std::size_t total = 0;
  for (const Corpus& c : kCorpora) {
    std::vector<fs::path> files;
    for (const auto& f : fs::recursive_directory_iterator(root / c.dir)) {
      if (f.path().extension() == ".pkt") files.push_back(f.path());
    }
    std::sort(files.begin(), files.end());
    std::size_t parsed = 0;
    for (const fs::path& f : files) {
      std::string rel = fs::relative(f, root).generic_string();
      auto r = parse_file(f.string());
      if (auto* e = std::get_if<ParseError>(&r)) {
        if (known.count(rel)) {
          seen_exceptions.insert(rel);
        } else {
          ADD_FAILURE() << e->message();
        }
        continue;
      }
      ++parsed;
      const std::string once = dump(std::get<Script>(r));
      auto again = parse(once, rel + " (dump)");
      if (auto* e = std::get_if<ParseError>(&again)) {
        ADD_FAILURE() << e->message() << "\n" << once;
        continue;
      }
      EXPECT_EQ(dump(std::get<Script>(again)), once) << rel;
    }
    EXPECT_EQ(files.size(), c.scripts) << c.dir;
    std::cout << c.dir << ": " << parsed << " of " << files.size() << " scripts parse\n";
    total += parsed;
  }
  for (const auto& [rel, why] : known) {
    EXPECT_TRUE(seen_exceptions.count(rel)) << rel << " is listed in parse-exceptions.txt but parses";
  }
  std::cout << "total: " << total << " scripts parse\n";
}

}  // namespace
}  // namespace tcpsim::packetdrill
