// The picture formats (SVG, TikZ, Mermaid) and the state diagram (DOT),
// each checked by the tool that consumes it when that tool is installed:
// rsvg-convert and xmllint (scripts/install-deps.sh installs both), pdflatex
// (not installed by the script: too big for CI; the test skips), the Mermaid
// parser from npm (install-deps.sh puts it in /opt/tcpsim-mermaid when npm
// is there; a checker of the subset tcpsim writes runs always), Graphviz's
// dot. And determinism: the same run gives the same bytes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "formats/mermaid.h"
#include "formats/state_diagram.h"
#include "formats/svg.h"
#include "formats/tikz.h"
#include "model/transition_table.h"
#include "scenario/interpreter.h"
#include "scenario/parser.h"

namespace tcpsim::formats {
namespace {

namespace fs = std::filesystem;

const std::string kTraces = std::string(TCPSIM_SOURCE_DIR) + "/traces/";
const char* kS1 = "s01-close-fin-wait-2-time-wait.tcpsim";
const char* kSimClose = "simultaneous-close.tcpsim";
const char* kLostFin = "lost-fin.tcpsim";
const char* kS9 = "s09-epoll-rdhup-close-wait.tcpsim";

// Runs a scenario of traces/ in-process, as `tcpsim run` does.
std::optional<scenario::RunResult> run_file(const std::string& path, std::string* error = nullptr) {
  auto parsed = scenario::parse_file(path);
  if (auto* e = std::get_if<scenario::ParseError>(&parsed)) {
    if (error) *error = e->message;
    return std::nullopt;
  }
  auto sc = std::make_shared<const scenario::Scenario>(std::move(std::get<scenario::Scenario>(parsed)));
  auto ran = scenario::run(sc, scenario::RunOptions{});
  if (auto* e = std::get_if<scenario::ParseError>(&ran)) {
    if (error) *error = e->message;
    return std::nullopt;
  }
  return std::move(std::get<scenario::RunResult>(ran));
}

scenario::RunResult run_trace(const std::string& name) {
  std::string err;
  auto r = run_file(kTraces + name, &err);
  if (!r) throw std::runtime_error(name + ": " + err);
  return std::move(*r);
}

std::vector<std::string> all_traces() {
  std::vector<std::string> v;
  for (const auto& e : fs::directory_iterator(kTraces)) {
    if (e.path().extension() == ".tcpsim") v.push_back(e.path().filename().string());
  }
  std::sort(v.begin(), v.end());
  return v;
}

bool have(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

fs::path scratch(const std::string& name) {
  fs::path d = fs::path(testing::TempDir()) / ("tcpsim-formats-" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Runs a shell command; its exit status, and what it printed in *out.
int sh(const std::string& cmd, std::string* out = nullptr) {
  const fs::path log = fs::path(testing::TempDir()) / "tcpsim-formats-sh.log";
  const int rc = std::system((cmd + " >" + log.string() + " 2>&1").c_str());
  if (out) *out = slurp(log);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// A small XML well-formedness check: one root, tags nested and closed,
// attributes quoted and not repeated, only the five predefined entities and
// character references, no '<' or bare '&' in text or attribute values.
std::string xml_error(const std::string& s) {
  std::vector<std::string> open;
  bool root_seen = false;
  std::size_t i = 0;
  auto name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.';
  };
  auto check_entities = [](const std::string& t) -> std::string {
    static const std::regex ent("&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);");
    for (std::size_t k = 0; k < t.size(); ++k) {
      if (t[k] == '<') return "'<' in text";
      if (t[k] != '&') continue;
      std::smatch m;
      const std::string rest = t.substr(k, 12);
      if (!std::regex_search(rest, m, ent) || m.position(0) != 0) return "bad entity at " + rest;
    }
    return "";
  };
  if (s.compare(0, 5, "<?xml") == 0) i = s.find("?>") + 2;
  while (i < s.size()) {
    const std::size_t lt = s.find('<', i);
    const std::string text = s.substr(i, lt == std::string::npos ? std::string::npos : lt - i);
    if (auto e = check_entities(text); !e.empty()) return e;
    if (open.empty() && text.find_first_not_of(" \t\r\n") != std::string::npos)
      return "text outside the root";
    if (lt == std::string::npos) break;
    if (s.compare(lt, 9, "<!DOCTYPE") == 0 && s.find('[', lt) > s.find('>', lt)) {  // no internal subset
      if (!open.empty() || root_seen) return "DOCTYPE after the root";
      i = s.find('>', lt) + 1;
      continue;
    }
    if (s.compare(lt, 4, "<!--") == 0) {
      const auto end = s.find("-->", lt);
      if (end == std::string::npos) return "unclosed comment";
      i = end + 3;
      continue;
    }
    const std::size_t gt = s.find('>', lt);
    if (gt == std::string::npos) return "unclosed tag";
    std::string tag = s.substr(lt + 1, gt - lt - 1);
    i = gt + 1;
    if (!tag.empty() && tag[0] == '/') {
      const std::string nm = tag.substr(1);
      if (open.empty() || open.back() != nm) return "mismatched </" + nm + ">";
      open.pop_back();
      continue;
    }
    const bool empty = !tag.empty() && tag.back() == '/';
    if (empty) tag.pop_back();
    std::size_t k = 0;
    while (k < tag.size() && name_char(tag[k])) ++k;
    const std::string nm = tag.substr(0, k);
    if (nm.empty()) return "tag without a name";
    std::set<std::string> attrs;
    while (true) {
      while (k < tag.size() && std::isspace(static_cast<unsigned char>(tag[k]))) ++k;
      if (k >= tag.size()) break;
      std::size_t a = k;
      while (k < tag.size() && name_char(tag[k])) ++k;
      const std::string an = tag.substr(a, k - a);
      if (an.empty() || k >= tag.size() || tag[k] != '=') return "bad attribute in <" + nm + ">";
      if (!attrs.insert(an).second) return "repeated attribute " + an;
      ++k;
      if (k >= tag.size() || (tag[k] != '"' && tag[k] != '\'')) return "unquoted attribute " + an;
      const char q = tag[k];
      const std::size_t end = tag.find(q, k + 1);
      if (end == std::string::npos) return "unterminated attribute " + an;
      if (auto e = check_entities(tag.substr(k + 1, end - k - 1)); !e.empty()) return e;
      k = end + 1;
    }
    if (open.empty()) {
      if (root_seen) return "a second root element";
      root_seen = true;
    }
    if (!empty) open.push_back(nm);
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return root_seen ? "" : "no root element";
}

TEST(XmlChecker, CatchesMistakes) {
  EXPECT_EQ(xml_error("<a><b x=\"1\"/>t &amp; u</a>"), "");
  EXPECT_NE(xml_error("<a><b></a>"), "");
  EXPECT_NE(xml_error("<a x=1></a>"), "");
  EXPECT_NE(xml_error("<a>&nbsp;</a>"), "");
  EXPECT_NE(xml_error("<a>x & y</a>"), "");
  EXPECT_NE(xml_error("<a></a><b></b>"), "");
  EXPECT_EQ(xml_error("<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x.dtd\">\n<!-- c --><svg/>"), "");
}

// --- SVG

TEST(Svg, EveryTraceIsWellFormedXml) {
  const bool xmllint = have("xmllint");
  const fs::path dir = scratch("xml");
  std::size_t checked = 0;
  for (const auto& name : all_traces()) {
    std::string err;
    auto run = run_file(kTraces + name, &err);
    if (!run) continue;  // a scenario that does not run is the check tests' business
    const std::string svg_text = svg(*run, PictureOptions{});
    EXPECT_EQ(xml_error(svg_text), "") << name;
    const std::string verbose = svg(*run, PictureOptions{true});
    EXPECT_EQ(xml_error(verbose), "") << name << " (verbose)";
    if (xmllint) {
      const fs::path f = dir / (name + ".svg");
      write(f, svg_text);
      std::string out;
      EXPECT_EQ(sh("xmllint --noout " + f.string(), &out), 0) << name << ": " << out;
    }
    ++checked;
  }
  EXPECT_GE(checked, 4u);
  if (!xmllint)
    std::cout << "[ NOTE     ] xmllint not installed (Debian libxml2-utils): only the built-in checker ran\n";
}

TEST(Svg, RendersToPngWithRsvg) {
  if (!have("rsvg-convert"))
    GTEST_SKIP() << "rsvg-convert not installed (Debian librsvg2-bin; scripts/install-deps.sh)";
  const fs::path dir = scratch("rsvg");
  for (const char* name : {kS1, kSimClose, kLostFin, kS9}) {
    const auto run = run_trace(name);
    const fs::path svg_file = dir / (std::string(name) + ".svg"), png = dir / (std::string(name) + ".png");
    write(svg_file, svg(run, PictureOptions{}));
    std::string out;
    ASSERT_EQ(sh("rsvg-convert -o " + png.string() + " " + svg_file.string(), &out), 0)
        << name << ": " << out;
    const std::string bytes = slurp(png);
    ASSERT_GT(bytes.size(), 1000u) << name;
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << name;
  }
}

TEST(Svg, SimultaneousCloseFinsCross) {
  const auto run = run_trace(kSimClose);
  const LadderPicture p = ladder_picture(run, PictureOptions{});
  const LadderPicture::Arrow *right = nullptr, *left = nullptr;
  for (const auto& a : p.arrows) {
    if (a.label.rfind("FIN", 0) != 0) continue;
    (a.rightwards ? right : left) = &a;
  }
  ASSERT_TRUE(right && left);
  // Sent at the same instant (as consecutive sub-steps of it, in trace
  // order: the client's close first), each arriving one delay later: the
  // lines cross.
  EXPECT_LT(right->y0, left->y0);
  EXPECT_LE(left->y0 - right->y0, 16);
  EXPECT_LT(right->y0, left->y1);
  EXPECT_LT(left->y0, right->y1);
  // One delay is the scale's unit, give or take the sub-steps at either end (8 px each).
  EXPECT_NEAR(right->y1 - right->y0, p.scale_px, 16);
  EXPECT_NEAR(left->y1 - left->y0, p.scale_px, 16);
}

TEST(Svg, LostFinEndsInAnXAndIsRetransmittedDashed) {
  const auto run = run_trace(kLostFin);
  const LadderPicture p = ladder_picture(run, PictureOptions{});
  int lost = 0, again = 0;
  for (const auto& a : p.arrows) {
    if (a.lost) {
      ++lost;
      EXPECT_NEAR(a.x1, (p.left_x + p.right_x) / 2, 60);  // half-way across
      EXPECT_GT(a.y1, a.y0);
    }
    again += a.retransmission;
  }
  EXPECT_EQ(lost, 1);
  EXPECT_EQ(again, 1);
  EXPECT_TRUE(p.any_lost);
  // Under linux the lone lost FIN is sent again by a tail-loss probe, which
  // runs on the retransmission timer (docs/linux-observations.md §3): the
  // picture calls it TLP, not RTO.
  bool tlp = false, msl = false;
  for (const auto& t : p.timers) {
    tlp = tlp || t.label.rfind("TLP", 0) == 0;
    msl = msl || t.label.rfind("2MSL", 0) == 0;
  }
  EXPECT_TRUE(tlp);
  EXPECT_TRUE(msl);
  const std::string text = svg(run, PictureOptions{});
  EXPECT_NE(text.find("stroke-dasharray=\"6,4\""), std::string::npos);
  EXPECT_NE(text.find("TLP timer expired"), std::string::npos);
}

TEST(Svg, TimeWaitIsCutOutAndStatesAreBands) {
  const auto run = run_trace(kS1);
  const LadderPicture p = ladder_picture(run, PictureOptions{});
  bool sixty = false;
  for (const auto& b : p.breaks) sixty = sixty || b.label.find("60 s") != std::string::npos;
  EXPECT_TRUE(sixty);
  EXPECT_LT(p.height, 1200);  // 65 s of run, compressed
  std::vector<std::string> left, right;
  for (const auto& b : p.bands) (b.side == 0 ? left : right).push_back(b.state);
  EXPECT_EQ(left,
            (std::vector<std::string>{"SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT"}));
  EXPECT_EQ(right,
            (std::vector<std::string>{"LISTEN", "SYN-RECEIVED", "ESTABLISHED", "CLOSE-WAIT", "LAST-ACK"}));
  EXPECT_EQ(p.closed.size(), 2u);
  // Calls are on their program's side.
  bool close_k_left = false, close_c_right = false;
  for (const auto& n : p.notes) {
    close_k_left = close_k_left || (n.text == "close(k) = 0" && n.side == 0);
    close_c_right = close_c_right || (n.text == "close(c) = 0" && n.side == 1);
  }
  EXPECT_TRUE(close_k_left);
  EXPECT_TRUE(close_c_right);
}

TEST(Formats, SameRunSameBytes) {
  for (const char* name : {kS1, kSimClose, kLostFin, kS9}) {
    const auto a = run_trace(name), b = run_trace(name);
    EXPECT_EQ(svg(a, PictureOptions{}), svg(b, PictureOptions{})) << name;
    EXPECT_EQ(svg(a, PictureOptions{true}), svg(b, PictureOptions{true})) << name;
    EXPECT_EQ(tikz(a, PictureOptions{}), tikz(b, PictureOptions{})) << name;
    EXPECT_EQ(mermaid(a, PictureOptions{}), mermaid(b, PictureOptions{})) << name;
    EXPECT_EQ(run_state_diagram_dot(a), run_state_diagram_dot(b)) << name;
  }
}

// --- TikZ

TEST(Tikz, CompilesWithPdflatex) {
  if (!have("pdflatex"))
    GTEST_SKIP() << "pdflatex not installed (TeX Live is not part of scripts/install-deps.sh)";
  const fs::path dir = scratch("tikz");
  for (const char* name : {kS1, kSimClose, kLostFin}) {
    const auto run = run_trace(name);
    const std::string stem = fs::path(name).stem().string();
    write(dir / (stem + ".tex"), tikz(run, PictureOptions{}));
    std::string out;
    const int rc = sh("cd " + dir.string() +
                          " && timeout 120 pdflatex -interaction=nonstopmode -halt-on-error " + stem + ".tex",
                      &out);
    EXPECT_EQ(rc, 0) << name << ":\n" << out.substr(out.size() > 3000 ? out.size() - 3000 : 0);
    EXPECT_TRUE(fs::exists(dir / (stem + ".pdf"))) << name;
  }
}

TEST(Tikz, UsesOnlyPlainTikz) {
  const std::string t = tikz(run_trace(kLostFin), PictureOptions{});
  EXPECT_EQ(t.find("\\usetikzlibrary"), std::string::npos);
  std::regex pkg(R"(\\usepackage(\[[^\]]*\])?\{([^}]*)\})");
  std::set<std::string> used;
  for (std::sregex_iterator it(t.begin(), t.end(), pkg), end; it != end; ++it) used.insert((*it)[2]);
  EXPECT_EQ(used, (std::set<std::string>{"fix-cm", "tikz"}));
  EXPECT_NE(t.find("\\begin{tikzpicture}"), std::string::npos);
}

// --- Mermaid

// The statements tcpsim writes, checked line by line: a sequenceDiagram,
// two participants, messages (->>, -->>, -x, --x) between them, notes
// over/left of/right of them, no raw ';', '#' outside entity codes, '<'/'>'
// outside <br/>.
std::string mermaid_subset_error(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  bool header = false;
  std::set<std::string> participants;
  static const std::regex participant(R"(  participant ([A-Za-z]+) as [^;#<>]+)");
  static const std::regex message(R"(  ([A-Za-z]+)(->>|-->>|-x|--x)([A-Za-z]+): (.+))");
  static const std::regex note(R"(  Note (over|left of|right of) ([A-Za-z]+)(,([A-Za-z]+))?: (.+))");
  static const std::regex entity(R"(#([0-9]+);)");
  std::size_t n = 0;
  auto text_ok = [](std::string t) {
    t = std::regex_replace(t, std::regex("<br/>"), "");
    t = std::regex_replace(t, entity, "");
    return t.find_first_of(";#<>") == std::string::npos && !t.empty();
  };
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("%%", 0) == 0) continue;
    if (!header) {
      if (line != "sequenceDiagram") return fmt::format("line {}: expected sequenceDiagram", n);
      header = true;
      continue;
    }
    std::smatch m;
    if (std::regex_match(line, m, participant)) {
      participants.insert(m[1]);
    } else if (std::regex_match(line, m, message)) {
      if (!participants.count(m[1]) || !participants.count(m[3]))
        return fmt::format("line {}: unknown participant", n);
      if (!text_ok(m[4])) return fmt::format("line {}: unescaped text", n);
    } else if (std::regex_match(line, m, note)) {
      if (!participants.count(m[2]) || (m[4].matched && !participants.count(m[4])))
        return fmt::format("line {}: unknown participant", n);
      if (!text_ok(m[5])) return fmt::format("line {}: unescaped text", n);
    } else {
      return fmt::format("line {}: not a statement tcpsim writes: {}", n, line);
    }
  }
  return header ? "" : "empty";
}

TEST(Mermaid, EveryTraceIsInTheSubsetTcpsimWrites) {
  for (const auto& name : all_traces()) {
    auto run = run_file(kTraces + name);
    if (!run) continue;
    EXPECT_EQ(mermaid_subset_error(mermaid(*run, PictureOptions{})), "") << name;
    EXPECT_EQ(mermaid_subset_error(mermaid(*run, PictureOptions{true})), "") << name << " (verbose)";
  }
}

TEST(Mermaid, LostSegmentsAndStates) {
  const std::string m = mermaid(run_trace(kLostFin), PictureOptions{});
  EXPECT_NE(m.find("  L-xR: FIN,ACK (lost)\n"), std::string::npos) << m;
  EXPECT_NE(m.find("  L-->>R: FIN,ACK (again)\n"), std::string::npos) << m;
  EXPECT_NE(m.find("  Note over L: TIME-WAIT\n"), std::string::npos) << m;
  EXPECT_NE(m.find("  Note over R: CLOSE-WAIT\n"), std::string::npos) << m;
  EXPECT_NE(m.find("  Note left of L: close(k) = 0\n"), std::string::npos) << m;
  EXPECT_NE(m.find("  Note over L,R: \u2026 60 s \u2026\n"), std::string::npos) << m;
}

// The real parser: mermaid (and jsdom, for the DOM it wants even to parse)
// from npm, installed by scripts/install-deps.sh at pinned versions.
TEST(Mermaid, ParsesWithMermaidFromNpm) {
  const char* env = std::getenv("TCPSIM_MERMAID_DIR");
  const fs::path mdir = env ? env : "/opt/tcpsim-mermaid";
  const fs::path core = mdir / "node_modules/mermaid/dist/mermaid.core.mjs";
  const fs::path jsdom = mdir / "node_modules/jsdom";
  if (!have("node") || !fs::exists(core) || !fs::exists(jsdom)) {
    GTEST_SKIP() << "node or the mermaid npm package not installed in " << mdir
                 << " (scripts/install-deps.sh installs it when npm is there; or set TCPSIM_MERMAID_DIR)";
  }
  const fs::path dir = scratch("mermaid");
  write(dir / "check.mjs",
        "import { createRequire } from 'module';\n"
        "import { readFileSync } from 'fs';\n"
        "import { pathToFileURL } from 'url';\n"
        "const [dir, ...files] = process.argv.slice(2);\n"
        "const require = createRequire(dir + '/package.json');\n"
        "const { JSDOM } = require('jsdom');\n"
        "const dom = new JSDOM('<!DOCTYPE html><body></body>');\n"
        "globalThis.window = dom.window;\n"
        "globalThis.document = dom.window.document;\n"
        "const { default: mermaid } = await import(pathToFileURL(dir + "
        "'/node_modules/mermaid/dist/mermaid.core.mjs').href);\n"
        "let bad = 0;\n"
        "for (const f of files) {\n"
        "  try {\n"
        "    const r = await mermaid.parse(readFileSync(f, 'utf8'));\n"
        "    if (r.diagramType !== 'sequence') throw new Error('not a sequence diagram: ' + r.diagramType);\n"
        "  } catch (e) { bad++; console.log(f + ': ' + e.message); }\n"
        "}\n"
        "console.log(`${files.length - bad} of ${files.length} parsed`);\n"
        "process.exit(bad ? 1 : 0);\n");
  std::string files;
  for (const auto& name : all_traces()) {
    auto run = run_file(kTraces + name);
    if (!run) continue;
    const fs::path f = dir / (fs::path(name).stem().string() + ".mmd");
    write(f, mermaid(*run, PictureOptions{}));
    files += " " + f.string();
    const fs::path v = dir / (fs::path(name).stem().string() + ".verbose.mmd");
    write(v, mermaid(*run, PictureOptions{true}));
    files += " " + v.string();
  }
  // And one it must reject, so that a parser that accepts anything fails.
  write(dir / "bad.mmd", "sequenceDiagram\n  L->>>R: x\n");
  std::string out;
  EXPECT_NE(
      sh("node " + (dir / "check.mjs").string() + " " + mdir.string() + " " + (dir / "bad.mmd").string(),
         &out),
      0)
      << out;
  EXPECT_EQ(sh("node " + (dir / "check.mjs").string() + " " + mdir.string() + files, &out), 0) << out;
}

// --- The state diagram

TEST(StateDiagram, RunStepsAreNumberedInOrder) {
  const auto run = run_trace(kS1);
  const auto steps = first_connection_steps(run);
  ASSERT_GE(steps.size(), 8u);
  EXPECT_EQ(model::rule_name(steps.front().rule), "closed_open_active");
  EXPECT_EQ(steps.front().side, 0);
  EXPECT_EQ(model::rule_name(steps.back().rule), "timewait_2msl");
  EXPECT_EQ(steps.back().side, 0);
  const std::string d = run_state_diagram_dot(run);
  EXPECT_NE(d.find("label=\"A1: "), std::string::npos) << d;
  EXPECT_NE(d.find(fmt::format("A{}: ", steps.size())), std::string::npos);
}

TEST(StateDiagram, RendersWithDot) {
  if (!have("dot")) GTEST_SKIP() << "Graphviz dot not installed (Debian graphviz; scripts/install-deps.sh)";
  const fs::path dir = scratch("dot");
  Coverage cov;
  for (const char* name : {kS1, kSimClose, kLostFin}) {
    const auto run = run_trace(name);
    add_coverage(cov, name, run);
    write(dir / (std::string(name) + ".dot"), run_state_diagram_dot(run));
  }
  write(dir / "coverage.dot", coverage_dot(cov));
  write(dir / "plain.dot", state_diagram_dot({}));
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".dot") continue;
    std::string out;
    EXPECT_EQ(sh("dot -Tsvg -o " + e.path().string() + ".svg " + e.path().string(), &out), 0)
        << e.path() << ": " << out;
    EXPECT_EQ(xml_error(slurp(e.path().string() + ".svg")), "") << e.path();
  }
}

TEST(StateDiagram, CoverageCountsRowsOverRuns) {
  Coverage cov;
  add_coverage(cov, kS1, run_trace(kS1));
  add_coverage(cov, kSimClose, run_trace(kSimClose));
  const std::string t = coverage_text(cov);
  EXPECT_NE(t.find("in 2 scenarios"), std::string::npos) << t;
  // S1 is the first to fire FIN-WAIT-2's FIN; only the simultaneous close goes through CLOSING.
  EXPECT_NE(t.find(std::string("fw2_rcv_fin")), std::string::npos);
  std::regex closing_row(R"(\n\s+[0-9]+\s+CLOSING\s.*simultaneous-close)");
  EXPECT_TRUE(std::regex_search(t, closing_row)) << t;
  EXPECT_NE(t.find("not fired by any scenario:"), std::string::npos);
  const std::string d = coverage_dot(cov);
  EXPECT_NE(d.find("Coverage: "), std::string::npos);
}

}  // namespace
}  // namespace tcpsim::formats
