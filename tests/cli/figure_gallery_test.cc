// The ten figures of a teardown chapter (issue 18), in docs/gallery/: each
// regenerated here and compared with its committed copy as text (SVG, TikZ,
// Mermaid; not the PNGs, whose bytes vary with rsvg's version), tcpsim's
// version masked. Regenerate after checking the pictures by eye:
//   scripts/gallery.sh
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "formats/mermaid.h"
#include "formats/svg.h"
#include "formats/tikz.h"
#include "trace_files.h"

namespace tcpsim::formats {
namespace {

using testing::run_trace;

// The ten, by the scenario that draws each (docs/gallery/ten-figures.txt).
std::vector<std::string> ten_figures(const std::string& dir) {
  std::ifstream f(dir + "ten-figures.txt");
  std::vector<std::string> names;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    names.push_back(line.substr(0, line.find(' ')));
  }
  return names;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string masked(const std::string& text) {
  static const std::regex version(R"(, tcpsim [0-9]+\.[0-9]+(\.[0-9]+)?)");
  return std::regex_replace(text, version, ", tcpsim VERSION");
}

TEST(FigureGallery, TheTenFiguresAreWhatTcpsimDrawsNow) {
  const std::string dir = std::string(TCPSIM_SOURCE_DIR) + "/docs/gallery/";
  const auto names = ten_figures(dir);
  ASSERT_EQ(names.size(), 10u);
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    const auto run = run_trace(std::string(name) + ".tcpsim");
    PictureOptions opt;
    opt.number = true;  // the figures a text cites
    EXPECT_EQ(masked(svg(run, opt)), masked(slurp(dir + name + ".svg"))) << "regenerate: scripts/gallery.sh";
    EXPECT_EQ(masked(tikz(run, opt)), masked(slurp(dir + name + ".tex")));
    EXPECT_EQ(masked(mermaid(run, opt)), masked(slurp(dir + name + ".mmd")));
  }
}

}  // namespace
}  // namespace tcpsim::formats
