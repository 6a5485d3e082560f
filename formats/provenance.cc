#include "formats/provenance.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "version.h"

namespace tcpsim::formats {

namespace {

// The length of the UTF-8 sequence starting at s[i], 0 when it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const std::size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  }
  return n;
}

std::string escaped(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      out += "\\\\";
      ++i;
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
    } else if (const std::size_t n = c >= 0x80 ? utf8_length(s, i) : 0; n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    }
  }
  return out;
}

std::string current_directory() {
  std::error_code ec;
  const auto p = std::filesystem::current_path(ec);
  return ec ? std::string() : p.string();
}

}  // namespace

std::string figure_path(std::string_view path, std::string_view cwd) {
  namespace fs = std::filesystem;
  fs::path p{std::string(path)};
  if (p.is_absolute()) {
    fs::path rel = cwd.empty() ? fs::path() : p.lexically_relative(fs::path(std::string(cwd)));
    // No way from here (another root): the file's name alone, never the absolute path.
    p = rel.empty() ? p.filename() : rel;
  }
  return escaped(p.string());
}

Provenance provenance_of(const scenario::RunResult& run) {
  Provenance p;
  const auto& sc = *run.scenario;
  p.scenario = figure_path(sc.file, current_directory());
  for (std::size_t i = 0; i < run.net->host_count(); ++i) {
    const std::string& name = run.net->host(i).profile().name;
    bool seen = false;
    for (std::size_t k = 0; k < i; ++k) seen = seen || run.net->host(k).profile().name == name;
    if (!seen) p.profile += (p.profile.empty() ? "" : ", ") + name;
  }
  p.profile_given = run.given.profile.has_value();
  p.seed = run.net->seed();
  p.seed_given = run.given.seed.has_value();
  for (const auto& s : sc.sets) p.settings.push_back({s.host, s.key, s.value, false});
  for (const auto& [k, v] : run.given.sets) p.settings.push_back({"", k, v, true});
  if (run.given.loss) p.loss = run.given.loss->to_string();
  p.version = kVersion;
  return p;
}

std::string provenance_line(const Provenance& p) {
  std::string out = fmt::format("{}: {}profile {}, {}seed {}", p.scenario, p.profile_given ? "--" : "",
                                escaped(p.profile), p.seed_given ? "--" : "", p.seed);
  for (const auto& s : p.settings) {
    if (s.given) {
      out += fmt::format(", --set {}={}", escaped(s.key), escaped(s.value));
    } else {
      out += fmt::format(", set {}{}{} {}", escaped(s.host), s.host.empty() ? "" : " ", escaped(s.key),
                         escaped(s.value));
    }
  }
  if (p.loss) out += fmt::format(", --loss {}", *p.loss);
  return out + fmt::format(", tcpsim {}", p.version);
}

}  // namespace tcpsim::formats
