// restore() (Endpoint::force_state_for_test, and the explorer's copies)
// sets MSM's active state through the back-end's public serialize(), not by
// writing its private array through const_cast. That restore() works is
// checked by the jump fixtures (fixtures_test.cc: the same outputs for the
// next event as the real path); this checks the how, on the sources.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tcpsim::test {
namespace {

TEST(MsmPrivateState, NoModelSourceCastsAwayConst) {
  namespace fs = std::filesystem;
  std::string found;
  for (const auto& e : fs::directory_iterator(fs::path(TCPSIM_SOURCE_DIR) / "model")) {
    const std::string ext = e.path().extension().string();
    if (ext != ".cc" && ext != ".h") continue;
    std::ifstream f(e.path());
    std::stringstream text;
    text << f.rdbuf();
    std::istringstream lines(text.str());
    std::string line;
    for (int n = 1; std::getline(lines, line); ++n) {
      const auto code = line.substr(0, line.find("//"));
      if (code.find("const_cast") != std::string::npos)
        found += "\n  model/" + e.path().filename().string() + ":" + std::to_string(n) + ": " + line;
    }
  }
  EXPECT_TRUE(found.empty()) << "const_cast in the model:" << found;
}

}  // namespace
}  // namespace tcpsim::test
