#include "kernel/known.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace tcpsim::kernel {

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

std::string stem(const std::string& path) {
  std::string s = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const auto dot = s.rfind(".tcpsim");
  return dot == std::string::npos ? s : s.substr(0, dot);
}

}  // namespace

std::variant<KnownDifferences, std::string> parse_known(const std::string& text, const std::string& file) {
  KnownDifferences out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    std::vector<std::string> f;
    std::size_t pos = 0;
    for (int i = 0; i < 3; ++i) {
      const auto bar = t.find('|', pos);
      if (bar == std::string::npos) break;
      f.push_back(trim(t.substr(pos, bar - pos)));
      pos = bar + 1;
    }
    f.push_back(trim(t.substr(pos)));
    if (f.size() != 4 || f[0].empty() || f[2].empty() || f[3].empty())
      return fmt::format("{}:{}: expected: scenario | kind | text the difference contains | why", file, n);
    if (f[1] != "segment" && f[1] != "timing" && f[1] != "state" && f[1] != "call" && f[1] != "assertion")
      return fmt::format("{}:{}: kind '{}': expected segment, timing, state, call or assertion", file, n,
                         f[1]);
    out.push_back(KnownDifference{f[0], f[1], f[2], f[3], n});
  }
  return out;
}

std::variant<KnownDifferences, std::string> load_known(const std::string& path) {
  std::ifstream f(path);
  if (!f) return fmt::format("cannot read {}", path);
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_known(ss.str(), path);
}

Judgement judge(const std::vector<Difference>& diffs, const KnownDifferences& known,
                const std::string& scenario_file) {
  Judgement j;
  const std::string name = stem(scenario_file);
  for (const auto& d : diffs) {
    const KnownDifference* why = nullptr;
    for (const auto& k : known) {
      if (k.scenario == name && k.kind == d.kind && d.text.find(k.contains) != std::string::npos) {
        why = &k;
        break;
      }
    }
    if (why) {
      ++j.explained;
      j.text += fmt::format("known {}: {} ({})\n", d.kind, d.text, why->why);
    } else {
      ++j.unexplained;
      j.text += fmt::format("differs {}: {}\n", d.kind, d.text);
    }
  }
  if (j.unexplained == 0) {
    j.text += j.explained == 0
                  ? "the kernel and the model agree\n"
                  : fmt::format("the kernel and the model agree, but for {} known difference{}\n",
                                j.explained, j.explained == 1 ? "" : "s");
  } else {
    j.text += fmt::format("the kernel and the model disagree: {} difference{}{}\n", j.unexplained,
                          j.unexplained == 1 ? "" : "s",
                          j.explained ? fmt::format(" (and {} known)", j.explained) : "");
  }
  return j;
}

}  // namespace tcpsim::kernel
