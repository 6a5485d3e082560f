#include "tests/fuzz/mutator.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>

#include "scenario/parser.h"
#include "sim/profile.h"
#include "tests/fuzz/values.h"

namespace tcpsim::fuzz {
namespace {

using Lines = std::vector<std::string>;

Lines split(const std::string& text) {
  Lines out;
  std::size_t pos = 0;
  while (true) {
    const auto end = text.find('\n', pos);
    if (end == std::string::npos) {
      out.push_back(text.substr(pos));
      return out;
    }
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
}

std::string join(const Lines& lines) {
  std::string s;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (k > 0) s += '\n';
    s += lines[k];
  }
  return s;
}

std::string first_word(const std::string& line) {
  std::size_t a = line.find_first_not_of(" \t");
  if (a == std::string::npos) return {};
  std::size_t b = a;
  while (b < line.size() && (std::isalnum(static_cast<unsigned char>(line[b])) || line[b] == '_')) ++b;
  return line.substr(a, b - a);
}

// Braces opened minus closed, outside comments and strings.
int brace_delta(const std::string& line) {
  int d = 0;
  bool in_string = false;
  for (std::size_t k = 0; k < line.size(); ++k) {
    const char c = line[k];
    if (c == '"') in_string = !in_string;
    if (in_string) continue;
    if (c == '#' || (c == '/' && k + 1 < line.size() && line[k + 1] == '/')) break;
    if (c == '{') ++d;
    if (c == '}') --d;
  }
  return d;
}

// The nesting depth before each line (and one more entry after the last).
std::vector<int> depths(const Lines& lines) {
  std::vector<int> d{0};
  for (const auto& l : lines) d.push_back(std::max(0, d.back() + brace_delta(l)));
  return d;
}

bool is_statement(const std::string& line, bool top_level) {
  const std::string w = first_word(line);
  if (w.empty()) return false;
  const auto has = [&w](const std::vector<std::string_view>& v) {
    return std::find(v.begin(), v.end(), w) != v.end();
  };
  if (top_level) return has(scenario::top_level_statements());
  if (has(scenario::program_statements()) || scenario::find_call(w)) return true;
  const auto eq = line.find('=');
  return eq != std::string::npos && scenario::find_call(first_word(line.substr(eq + 1)));
}

// The statement starting at line i: that line, and the block it opens.
std::pair<std::size_t, std::size_t> extent(const Lines& lines, const std::vector<int>& d, std::size_t i) {
  std::size_t j = i + 1;
  while (j < lines.size() && d[j] > d[i]) ++j;
  return {i, j};
}

std::vector<std::string> host_names(const Lines& lines) {
  std::vector<std::string> h;
  static const std::regex host(R"(^\s*host\s+(\w+))");
  std::smatch m;
  for (const auto& l : lines)
    if (std::regex_search(l, m, host)) h.push_back(m[1]);
  if (h.empty()) h.push_back("A");
  return h;
}

// Templates for every statement keyword. {N} number, {D} duration, {P}
// probability, {R} rate, {T} port; {H}, {H2} hosts of the scenario; {K} a
// profile setting and a value; {F} a profile name; {n} a fresh number.
const std::map<std::string, std::vector<std::string>, std::less<>>& templates() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> t = {
      {"host", {"host H{n} 10.9.{N}.{N}", "host Z{n} 127.0.0.1 profile {F}", "host H{n} 10.0.0.{N}"}},
      {"link",
       {"link {H} <-> {H2} delay {D} jitter {D} loss {P}", "link {H} -> {H2} bandwidth {N}Mbit mtu {N}",
        "link {H} -> {H2} duplicate {P} reorder {P} by {D}", "link {H} <-> {H2} burst {P} {P} {P} {P}"}},
      {"drop",
       {"drop {H} -> {H2} first FIN", "drop {H} -> {H2} {N}th data",
        "drop {H2} -> {H} all SYN,ACK excluding retransmissions", "drop {H} -> {H2} from {D} to {D}",
        "drop {H} -> {H2} last ACK"}},
      {"program",
       {"program f{n} on {H} at {D} {\n  k = socket()\n  connect(k, 127.0.0.1:{T})\n  write(k, {N})\n  "
        "sleep({D})\n  close(k)\n}",
        "program g{n} on {H2} {\n  s = socket()\n  bind(s, *:{T})\n  listen(s, {N})\n  c = accept(s)\n  "
        "read(c, {N})\n}"}},
      {"load",
       {"load {H} -> {H2} port {T} rate {R} for {D} request {N} response {N} closer server addresses {N}",
        "load {H} -> {H2} port {T} rate {R} for {D} request {N} response {N} closer client"}},
      {"sample", {"sample every {D}"}},
      {"expect",
       {"expect sent {H} -> {H2} FIN {N} times", "expect not sent {H} -> {H2} RST", "expect finished",
        "expect ss {H} {\n  LISTEN     0      {N}          0.0.0.0:{T}       0.0.0.0:*\n}"}},
      {"at",
       {"at {D} expect client.k CLOSED", "at end expect server.c TIME-WAIT", "at {D} expect ss {H} {\n}"}},
      {"profile", {"profile {F}"}},
      {"seed", {"seed {N}"}},
      {"set", {"set {K}", "set {H} {K}"}},
      {"until", {"until {D}"}},
      {"sleep", {"sleep({D})", "sleep({N})", "sleep {D}"}},
      {"usleep", {"usleep({N})"}},
      {"repeat", {"repeat {N} {\n  write(k, {N})\n}", "repeat {N} {\n  x{n} = socket()\n}"}},
      {"ss", {"ss"}},
      {"exit", {"exit", "exit({N})"}},
  };
  return t;
}

std::string expand(const std::string& tpl, const Lines& lines, sim::Rng& rng) {
  const auto hosts = host_names(lines);
  std::string out;
  for (std::size_t k = 0; k < tpl.size(); ++k) {
    if (tpl[k] != '{' || k + 2 >= tpl.size() || tpl[k + 2] != '}') {
      // A `{` that opens a block, or `{H2}`.
      if (tpl.compare(k, 4, "{H2}") == 0) {
        out += hosts[rng.uniform(hosts.size())];
        k += 3;
      } else {
        out += tpl[k];
      }
      continue;
    }
    switch (tpl[k + 1]) {
      case 'N': out += edge_value(Slot::Number, rng); break;
      case 'D': out += edge_value(Slot::Duration, rng); break;
      case 'P': out += edge_value(Slot::Probability, rng); break;
      case 'R': out += edge_value(Slot::Rate, rng); break;
      case 'T': out += edge_value(Slot::Port, rng); break;
      case 'H': out += hosts[rng.uniform(hosts.size())]; break;
      case 'K': out += profile_setting(" ", rng); break;
      case 'F': out += sim::profile_names()[rng.uniform(sim::profile_names().size())]; break;
      case 'n': out += std::to_string(rng.uniform(100000)); break;
      default: out += tpl.substr(k, 3);
    }
    k += 2;
  }
  return out;
}

std::string call_argument(sim::Rng& rng) {
  static const char* const kWords[] = {"s",
                                       "k",
                                       "c",
                                       "ep",
                                       "x",
                                       "SO_REUSEADDR",
                                       "SO_LINGER",
                                       "SO_RCVBUF",
                                       "SO_ERROR",
                                       "TCP_NODELAY",
                                       "SHUT_WR",
                                       "SHUT_RDWR",
                                       "F_SETFL",
                                       "O_NONBLOCK",
                                       "EPOLL_CTL_ADD",
                                       "EPOLLIN|EPOLLRDHUP|EPOLLET",
                                       "\"hello\"",
                                       "*:0"};
  switch (rng.uniform(4)) {
    case 0: return edge_value(Slot::Number, rng);
    case 1: return "127.0.0.1:" + edge_value(Slot::Port, rng);
    default: return kWords[rng.uniform(sizeof kWords / sizeof *kWords)];
  }
}

// A call from the parser's list with its number of arguments (or one more or less).
std::string generated_call(sim::Rng& rng) {
  const auto& calls = scenario::calls();
  const auto& c = calls[rng.uniform(calls.size())];
  int n = c.min_args + static_cast<int>(rng.uniform(static_cast<std::uint64_t>(c.max_args - c.min_args) + 1));
  if (rng.uniform(10) == 0) n = std::max(0, n + (rng.uniform(2) ? 1 : -1));
  std::string s = c.returns_fd ? "x = " : "";
  s += std::string(c.name) + "(";
  for (int k = 0; k < n; ++k) s += (k ? ", " : "") + call_argument(rng);
  s += ")";
  if (rng.uniform(4) == 0) s += " = " + edge_value(Slot::Number, rng);
  return s;
}

std::string generated_statement(bool top_level, const Lines& lines, sim::Rng& rng) {
  const auto& words = top_level ? scenario::top_level_statements() : scenario::program_statements();
  if (!top_level && rng.uniform(2) == 0) return generated_call(rng);
  const auto& tpls = templates().find(words[rng.uniform(words.size())])->second;
  return expand(tpls[rng.uniform(tpls.size())], lines, rng);
}

// Puts value classes into one numeric token of the line.
std::string revalue(const std::string& line, sim::Rng& rng) {
  static const std::regex token(R"((^|[^A-Za-z0-9_.])(-?\d[A-Za-z0-9_.%/]*))");
  std::vector<std::pair<std::size_t, std::string>> found;
  for (auto it = std::sregex_iterator(line.begin(), line.end(), token); it != std::sregex_iterator(); ++it)
    found.emplace_back(static_cast<std::size_t>(it->position(2)), it->str(2));
  if (found.empty()) return line;
  const auto& [at, tok] = found[rng.uniform(found.size())];
  std::string value;
  if (std::count(tok.begin(), tok.end(), '.') == 3) {
    value = tok;  // an IPv4 address: one octet out of range
    value.replace(value.rfind('.') + 1, std::string::npos, rng.uniform(2) ? "256" : "4294967296");
  } else if (const Slot s = slot_of(tok); s != Slot::Number) {
    value = edge_value(s, rng);
  } else {
    std::size_t digits = tok[0] == '-' ? 1 : 0;
    while (digits < tok.size() &&
           (std::isdigit(static_cast<unsigned char>(tok[digits])) || tok[digits] == '.'))
      ++digits;
    value = edge_value(Slot::Number, rng) + tok.substr(digits);  // keeps "th", "Mbit"
  }
  return line.substr(0, at) + value + line.substr(at + tok.size());
}

// Deep nesting, more than 256 hosts, many sockets, huge counts.
Lines structure(const Lines& lines, sim::Rng& rng) {
  const std::string h = host_names(lines).front();
  Lines add;
  switch (rng.uniform(4)) {
    case 0: {
      static const int kDepth[] = {300, 5000, 100000};
      const int depth = kDepth[rng.uniform(3)];
      add.push_back("program deep on " + h + " {");
      for (int k = 0; k < depth; ++k) add.push_back("repeat 1 {");
      add.push_back("sleep(1)");
      if (rng.uniform(5) != 0)
        for (int k = 0; k < depth; ++k) add.push_back("}");
      add.push_back("}");
      break;
    }
    case 1: {
      static const int kHosts[] = {257, 300, 1025, 5000};
      const int n = kHosts[rng.uniform(4)];
      for (int k = 0; k < n; ++k)
        add.push_back("host M" + std::to_string(k) + " 10." + std::to_string(100 + (k >> 16)) + "." +
                      std::to_string((k >> 8) & 255) + "." + std::to_string(k & 255));
      add.push_back("link M0 <-> M" + std::to_string(n - 1) + " delay 1ms");
      add.push_back("program far on M" + std::to_string(n - 1) +
                    " {\n  k = socket()\n  connect(k, 10.100.0.0:80)\n}");
      break;
    }
    case 2: {
      static const char* const kCount[] = {"1025", "65536", "1000000"};
      add.push_back("program many on " + h + " {");
      add.push_back(std::string("  repeat ") + kCount[rng.uniform(3)] + " {");
      add.push_back(rng.uniform(2) ? "    x = socket()" : "    x = socket()\n    connect(x, 127.0.0.1:80)");
      add.push_back("  }");
      add.push_back("  sleep(1)");
      add.push_back("}");
      break;
    }
    default: {
      add.push_back("program huge on " + h + " {");
      add.push_back(
          "  s = socket()\n  bind(s, *:7)\n  listen(s, 2147483647)\n  k = socket()\n  connect(k, "
          "127.0.0.1:7)");
      add.push_back("  repeat 1000000 {\n    write(k, " + edge_value(Slot::Number, rng) + ")\n  }");
      add.push_back("}");
    }
  }
  Lines out = lines;
  out.insert(out.end(), add.begin(), add.end());
  return out;
}

}  // namespace

Mutator::Mutator(const std::vector<std::string>& sources) {
  for (const auto& text : sources) {
    const Lines lines = split(text);
    const auto d = depths(lines);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (!is_statement(lines[i], d[i] == 0)) continue;
      const auto [a, b] = extent(lines, d, i);
      pool_.push_back(Unit{Lines(lines.begin() + a, lines.begin() + b), d[i] == 0});
    }
  }
}

std::vector<std::string> Mutator::keywords_without_template() const {
  std::vector<std::string> missing;
  for (const auto* list : {&scenario::top_level_statements(), &scenario::program_statements()})
    for (auto w : *list)
      if (templates().find(w) == templates().end()) missing.emplace_back(w);
  return missing;
}

std::string Mutator::mutate(const std::string& text, int edits, sim::Rng& rng) const {
  Lines lines = split(text);
  for (int e = 0; e < edits; ++e) {
    const auto d = depths(lines);
    const std::size_t at = rng.uniform(lines.size() + 1);
    const bool top = d[at] == 0;
    std::vector<std::size_t> starts;  // statements at the same level as `at`
    for (std::size_t i = 0; i < lines.size(); ++i)
      if ((d[i] == 0) == top && is_statement(lines[i], top)) starts.push_back(i);
    switch (rng.uniform(12)) {
      case 0:
      case 1:
      case 2: {  // a statement of another scenario
        std::vector<const Unit*> fit;
        for (const auto& u : pool_)
          if (u.top_level == top) fit.push_back(&u);
        if (fit.empty()) break;
        const auto& u = fit[rng.uniform(fit.size())]->lines;
        lines.insert(lines.begin() + static_cast<long>(at), u.begin(), u.end());
        break;
      }
      case 3:
      case 4:
        lines.insert(lines.begin() + static_cast<long>(at), generated_statement(top, lines, rng));
        break;
      case 5:
      case 6: {  // delete or duplicate a whole statement
        if (starts.empty()) break;
        const auto [a, b] = extent(lines, d, starts[rng.uniform(starts.size())]);
        const Lines unit(lines.begin() + static_cast<long>(a), lines.begin() + static_cast<long>(b));
        if (rng.uniform(2)) {
          lines.erase(lines.begin() + static_cast<long>(a), lines.begin() + static_cast<long>(b));
        } else {
          lines.insert(lines.begin() + static_cast<long>(b), unit.begin(), unit.end());
        }
        break;
      }
      case 7:
      case 8:
      case 9:
      case 10: {
        auto& l = lines[rng.uniform(lines.size())];
        l = revalue(l, rng);
        break;
      }
      default: lines = structure(lines, rng);
    }
  }
  return join(lines);
}

std::string Mutator::mutate_lines(const std::string& text, int edits, sim::Rng& rng) {
  Lines lines = split(text);
  for (int e = 0; e < edits && !lines.empty(); ++e) {
    const std::size_t at = rng.uniform(lines.size());
    switch (rng.uniform(5)) {
      case 0: lines.erase(lines.begin() + static_cast<long>(at)); break;
      case 1: {
        const std::string copy = lines[at];
        lines.insert(lines.begin() + static_cast<long>(at), copy);
        break;
      }
      case 2: lines.resize(at + 1); break;  // cut short
      default: lines[at] = revalue(lines[at], rng);
    }
  }
  return join(lines);
}

std::string Mutator::change_line_endings(const std::string& text, sim::Rng& rng) {
  std::string out;
  const auto kind = rng.uniform(5);
  if (kind == 2 || kind == 3) out = "\xEF\xBB\xBF";  // a UTF-8 byte-order mark
  for (const char c : text) {
    if (c != '\n') {
      out += c;
    } else if (kind == 0 || kind == 3) {
      out += "\r\n";
    } else if (kind == 1) {
      out += '\r';
    } else if (kind == 4) {
      out += rng.uniform(2) ? "\r\n" : "\n";
    } else {
      out += c;
    }
  }
  if (kind == 2) {  // and no final newline
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  }
  return out;
}

}  // namespace tcpsim::fuzz
