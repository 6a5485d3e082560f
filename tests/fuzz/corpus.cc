#include "tests/fuzz/corpus.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>

namespace tcpsim::fuzz {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    const auto end = text.find('\n', pos);
    out.push_back(text.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (end == std::string::npos) return out;
    pos = end + 1;
  }
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (std::size_t k = 0; k < lines.size(); ++k) s += (k ? "\n" : "") + lines[k];
  return s;
}

std::string fmt_number(int n) {
  char b[16];
  std::snprintf(b, sizeof b, "%03d", n);
  return b;
}

std::string first_word(const std::string& s) { return s.substr(0, s.find(' ')); }

bool same_failure(const Verdict& a, const Verdict& b) {
  return a.kind == b.kind && (a.kind != "crash" || first_word(a.detail) == first_word(b.detail));
}

// Digits and the case's file names do not tell failures apart.
std::string normalized(const std::string& s) {
  static const std::regex digits(R"(\d+)");
  return std::regex_replace(s, digits, "#");
}

std::string option_value(const std::vector<std::string>& args, const std::string& option) {
  const auto it = std::find(args.begin(), args.end(), option);
  return it != args.end() && it + 1 != args.end() ? *(it + 1) : std::string();
}

std::string class_of(const Result& r) {
  return r.args[0] + " " + option_value(r.args, "--format") + " " + r.verdict.kind + " " +
         normalized(r.verdict.detail);
}

std::string file_name(int number, const Result& r) {
  std::string name = fmt_number(number);
  name += "-" + r.args[0];
  if (const auto f = option_value(r.args, "--format"); !f.empty()) name += "-" + f;
  name += "-" + r.verdict.kind;
  if (r.verdict.kind == "crash" || r.verdict.kind == "exit-status") {
    std::string w = first_word(r.verdict.detail);
    w.erase(std::remove_if(w.begin(), w.end(),
                           [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }),
            w.end());
    if (!w.empty()) name += "-" + w;
  }
  return name + (r.input_is_shard ? ".shard" : ".tcpsim");
}

}  // namespace

std::string trailer(const Result& r) {
  std::string t = std::string(kCommandTag) + command_line(r.args) + "\n" + kFailureTag + r.verdict.kind +
                  ": " + r.verdict.detail + "\n";
  if (r.cli_values_mutated) t += std::string(kUsageTag) + "\n";
  return t;
}

std::optional<Case> load_corpus_case(const std::string& path, std::string& error) {
  Case c;
  c.input = read_file(path);
  c.input_is_shard = path.size() > 6 && path.compare(path.size() - 6, 6, ".shard") == 0;
  const std::string meta = c.input_is_shard ? read_file(path + ".cmd") : c.input;
  for (const auto& line : split(meta)) {
    if (line.rfind(kCommandTag, 0) == 0) {
      std::istringstream words(line.substr(std::string(kCommandTag).size()));
      std::string w;
      while (words >> w)
        if (!(c.args.empty() && w == "tcpsim")) c.args.push_back(w);
    }
    if (line.rfind(kUsageTag, 0) == 0) c.cli_values_mutated = true;
  }
  if (c.args.empty()) {
    error = path + ": no '" + kCommandTag + "' line naming the command";
    return std::nullopt;
  }
  return c;
}

std::vector<std::string> corpus_files(const std::string& dir) {
  std::vector<std::string> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const auto ext = e.path().extension();
    if (ext == ".tcpsim" || ext == ".shard") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string minimize(const Result& failed, const Env& env, int budget) {
  Env e = env;
  if (failed.verdict.kind == "hang") {
    // Each try that still hangs costs the wall limit: a shorter one here,
    // the full one when the saved file is checked.
    e.limits.wall_seconds = std::min(e.limits.wall_seconds, 3);
    e.limits.cpu_seconds = std::min(e.limits.cpu_seconds, 3);
  }
  std::vector<std::string> lines = split(failed.input);
  for (std::size_t chunk = std::max<std::size_t>(1, lines.size() / 2); budget > 0; chunk /= 2) {
    for (std::size_t i = 0; i < lines.size() && budget > 0;) {
      std::vector<std::string> candidate = lines;
      candidate.erase(candidate.begin() + static_cast<long>(i),
                      candidate.begin() + static_cast<long>(std::min(lines.size(), i + chunk)));
      Case c;
      c.input = join(candidate);
      c.input_is_shard = failed.input_is_shard;
      c.args = failed.args;
      c.cli_values_mutated = failed.cli_values_mutated;
      --budget;
      if (same_failure(run_case(c, e).verdict, failed.verdict)) {
        lines = std::move(candidate);
      } else {
        i += chunk;
      }
    }
    if (chunk == 1) break;
  }
  return join(lines);
}

void save_failures(const std::vector<Result>& failures, const Env& env, const std::string& dir, int jobs,
                   int per_class) {
  fs::create_directories(dir);
  int number = 0;
  for (const auto& f : corpus_files(dir))
    number = std::max(number, std::atoi(fs::path(f).filename().c_str()));
  // At most per_class of each class are minimized; the minimized ones are
  // then told apart by their text (digits aside).
  std::map<std::string, int> seen;
  std::vector<Result> chosen;
  for (Result r : failures) {
    // The corpus holds one input per case: a merge is replayed on the mutated shard alone.
    if (r.args[0] == "merge")
      r.args.erase(std::remove(r.args.begin(), r.args.end(), "s1.shard"), r.args.end());
    if (++seen[class_of(r)] <= per_class) chosen.push_back(r);
  }
  std::vector<std::string> texts(chosen.size());
  parallel_for(static_cast<int>(chosen.size()), jobs, [&](int k) {
    texts[static_cast<std::size_t>(k)] =
        minimize(chosen[static_cast<std::size_t>(k)], env,
                 chosen[static_cast<std::size_t>(k)].verdict.kind == "hang" ? 8 : 120);
  });
  std::map<std::string, bool> kept;
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    Result r = chosen[k];
    if (kept[class_of(r) + "\n" + normalized(texts[k])]) continue;
    kept[class_of(r) + "\n" + normalized(texts[k])] = true;
    const std::string path = dir + "/" + file_name(++number, r);
    for (const std::string& text : {texts[k], r.input}) {
      if (r.input_is_shard) {
        std::ofstream(path, std::ios::binary) << text;
        std::ofstream(path + ".cmd", std::ios::binary) << trailer(r);
      } else {
        std::ofstream(path, std::ios::binary) << text << "\n" << trailer(r);
      }
      std::string error;
      const auto c = load_corpus_case(path, error);
      const Verdict v = run_case(*c, env).verdict;
      if (same_failure(v, r.verdict)) {
        std::printf("saved %s: %s: %s\n", path.c_str(), command_line(r.args).c_str(), r.verdict.kind.c_str());
        break;
      }
      fs::remove(path);
      fs::remove(path + ".cmd");
      std::printf("%s does not fail the same way as saved (%s, not %s)%s\n", path.c_str(), v.kind.c_str(),
                  r.verdict.kind.c_str(), text == r.input ? ": not saved" : ": trying the unminimized input");
    }
    if (!fs::exists(path)) --number;
  }
}

}  // namespace tcpsim::fuzz
