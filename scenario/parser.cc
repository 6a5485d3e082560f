#include "scenario/parser.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <climits>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <sstream>
#include <tuple>

#include "sim/network.h"
#include "sim/profile.h"
#include "sim/units.h"

namespace tcpsim::scenario {

namespace {

// ------------------------------------------------------------------ lexer

enum class Tok : std::uint8_t { Ident, Number, String, Address, Punct, Newline, End };

struct Token {
  Tok kind = Tok::End;
  std::string text;
  Loc loc;
};

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  // Fills `out`; on failure returns the error position and message.
  bool run(std::vector<Token>& out, Loc& err_loc, std::string& err) {
    while (i_ < src_.size()) {
      const char c = src_[i_];
      if (c == '#' || (c == '/' && peek(1) == '/')) {
        while (i_ < src_.size() && src_[i_] != '\n') advance();
        continue;
      }
      if (c == '\n') {
        out.push_back({Tok::Newline, "\n", here()});
        advance();
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        advance();
        continue;
      }
      const Loc at = here();
      if (c == '"') {
        std::string s;
        advance();
        bool closed = false;
        while (i_ < src_.size() && src_[i_] != '\n') {
          char d = src_[i_];
          if (d == '"') {
            closed = true;
            advance();
            break;
          }
          if (d == '\\' && i_ + 1 < src_.size()) {
            advance();
            const char e = src_[i_];
            d = e == 'n' ? '\n' : e == 't' ? '\t' : e == '0' ? '\0' : e;
          }
          s += d;
          advance();
        }
        if (!closed) {
          err_loc = at;
          err = "unterminated string: expected a closing '\"' on the same line";
          return false;
        }
        out.push_back({Tok::String, s, at});
        continue;
      }
      if (c == '-' && peek(1) == '>') {
        out.push_back({Tok::Punct, "->", at});
        advance(2);
        continue;
      }
      if (c == '<' && peek(1) == '-' && peek(2) == '>') {
        out.push_back({Tok::Punct, "<->", at});
        advance(3);
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(c)) ||
          (c == '-' && std::isdigit(static_cast<unsigned char>(peek(1)))) || (c == '*' && peek(1) == ':')) {
        std::string s(1, c);
        advance();
        while (i_ < src_.size()) {
          const char d = src_[i_];
          if (std::isalnum(static_cast<unsigned char>(d)) || d == '.' || d == ':' || d == '%' || d == '/') {
            s += d;
            advance();
          } else {
            break;
          }
        }
        const bool address = s.find(':') != std::string::npos || std::count(s.begin(), s.end(), '.') == 3;
        out.push_back({address ? Tok::Address : Tok::Number, s, at});
        continue;
      }
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        std::string s;
        while (i_ < src_.size()) {
          const char d = src_[i_];
          const bool inner_dash = d == '-' && std::isalnum(static_cast<unsigned char>(peek(1)));
          if (std::isalnum(static_cast<unsigned char>(d)) || d == '_' || d == '.' || inner_dash) {
            s += d;
            advance();
          } else {
            break;
          }
        }
        out.push_back({Tok::Ident, s, at});
        continue;
      }
      if (std::string_view("(){}[],=|:").find(c) != std::string_view::npos) {
        out.push_back({Tok::Punct, std::string(1, c), at});
        advance();
        continue;
      }
      err_loc = at;
      err = std::isprint(static_cast<unsigned char>(c))
                ? fmt::format("unexpected character '{}'", c)
                : fmt::format("unexpected byte 0x{:02x}", static_cast<unsigned char>(c));
      return false;
    }
    out.push_back({Tok::Newline, "\n", here()});
    out.push_back({Tok::End, "", here()});
    return true;
  }

 private:
  char peek(std::size_t k) const { return i_ + k < src_.size() ? src_[i_ + k] : '\0'; }
  void advance(std::size_t n = 1) {
    for (std::size_t k = 0; k < n && i_ < src_.size(); ++k) {
      if (src_[i_] == '\n') {
        ++line_;
        col_ = 1;
      } else {
        ++col_;
      }
      ++i_;
    }
  }
  Loc here() const { return Loc{line_, col_}; }

  std::string_view src_;
  std::size_t i_ = 0;
  int line_ = 1, col_ = 1;
};

// ------------------------------------------------------------------ calls

// "a, b or c"
std::string listed(const std::vector<std::string_view>& words, std::string_view last_sep) {
  std::string s;
  for (std::size_t k = 0; k < words.size(); ++k) {
    if (k > 0) s += k + 1 == words.size() ? last_sep : std::string_view(", ");
    s += words[k];
  }
  return s;
}

// ------------------------------------------------------------------ parser

// `repeat` blocks nest at most this deep (the parser recurses per level).
constexpr int kMaxNesting = 64;
// The fastest link a scenario may declare: 1000Gbit.
constexpr std::uint64_t kMaxBandwidth = 1'000'000'000'000;

struct Fail {
  Loc loc;
  std::string message;
};

// The words a drop rule counts with besides 1st, 2nd, ...: which packet it
// drops (nth), or the last one, or every one.
struct OrdinalWord {
  std::string_view word;
  std::uint64_t nth = 1;
  bool last = false, all = false;
};
constexpr OrdinalWord kOrdinalWords[] = {
    {"first", 1},      {"second", 2},           {"third", 3},
    {"last", 1, true}, {"all", 1, false, true}, {"every", 1, false, true}};

// "2nd" -> 2, "1000th" -> 1000 (ULONG_MAX when too many digits: out of
// range, said by the caller); nullopt when it is not a numbered ordinal.
std::optional<unsigned long> numbered_ordinal(const std::string& ord) {
  const std::string suffix = ord.size() > 2 ? ord.substr(ord.size() - 2) : std::string();
  if (suffix != "st" && suffix != "nd" && suffix != "rd" && suffix != "th") return std::nullopt;
  unsigned long n = 0;
  const char* end = ord.data() + ord.size() - 2;
  const auto [ptr, ec] = std::from_chars(ord.data(), end, n);
  if (ptr != end || (ec != std::errc() && ec != std::errc::result_out_of_range)) return std::nullopt;
  return ec == std::errc::result_out_of_range ? ULONG_MAX : n;
}

// Every segment kind drop rules and assertions name, in the order messages
// list them, with what it matches.
const std::vector<std::pair<std::string_view, sim::PacketMatch>>& segment_kinds() {
  using namespace model;
  using Payload = sim::PacketMatch::Payload;
  static const std::vector<std::pair<std::string_view, sim::PacketMatch>> k = {
      {"SYN", {kSyn, kAck, Payload::kAny}},
      {"SYN,ACK", {kSyn | kAck, 0, Payload::kAny}},
      // A pure ACK: what the notes mean by "the last ACK".
      {"ACK", {kAck, kSyn | kFin | kRst, Payload::kWithout}},
      {"FIN", {kFin, 0, Payload::kAny}},
      {"FIN,ACK", {kFin | kAck, 0, Payload::kAny}},
      {"RST", {kRst, 0, Payload::kAny}},
      {"RST,ACK", {kRst | kAck, 0, Payload::kAny}},
      {"data", {0, 0, Payload::kWith}},
      {"packet", {0, 0, Payload::kAny}},
  };
  return k;
}

// "64KiB": the digits' value and the multiplier of the unit after them, one
// of `units` ("" for none, where that is allowed); nullopt without digits or
// with another unit. Too many digits for 64 bits is said, for the caller's
// out-of-range message.
struct WithUnit {
  std::uint64_t value = 0;
  std::uint64_t unit = 1;
  std::string unit_text;
  bool too_many_digits = false;
};
std::optional<WithUnit> with_unit(const std::string& s,
                                  std::initializer_list<std::pair<std::string_view, std::uint64_t>> units) {
  std::size_t k = 0;
  while (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) ++k;
  if (k == 0) return std::nullopt;
  WithUnit w;
  w.too_many_digits = std::from_chars(s.data(), s.data() + k, w.value).ec == std::errc::result_out_of_range;
  w.unit_text = s.substr(k);
  for (const auto& [text, mul] : units) {
    if (text != w.unit_text) continue;
    w.unit = mul;
    return w;
  }
  return std::nullopt;
}

class Parser;
// The statements, each keyword once with what parses the rest of its
// statement, in the order the messages list them (Parser::top_level_table,
// Parser::program_table): the one list of keywords.
struct TopLevelStatement {
  std::string_view keyword;
  void (Parser::*parse)(const Loc& at);
};
struct ProgramStatement {
  std::string_view keyword;
  void (Parser::*parse)(Stmt& s);
};
// One setting of a statement (`delay 10ms` in a link): its name and what
// reads its value.
struct Setting {
  std::string_view name;
  std::function<void(const Loc& at)> read;
};

class Parser {
 public:
  Parser(std::vector<Token> toks, Scenario& sc) : t_(std::move(toks)), sc_(sc) {}

  static const std::vector<TopLevelStatement>& top_level_table();
  static const std::vector<ProgramStatement>& program_table();

  void file() {
    skip_newlines();
    while (cur().kind != Tok::End) {
      top();
      end_of_statement();
      skip_newlines();
    }
  }

 private:
  // --- token helpers
  const Token& cur() const { return t_[p_]; }
  const Token& next_tok() const { return t_[std::min(p_ + 1, t_.size() - 1)]; }
  void bump() {
    if (p_ + 1 < t_.size()) ++p_;
  }
  [[noreturn]] void fail(const Loc& at, std::string msg) { throw Fail{at, std::move(msg)}; }
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Tok::Newline: return "end of line";
      case Tok::End: return "end of file";
      case Tok::String: return fmt::format("\"{}\"", sim::echo(t.text));
      default: return fmt::format("'{}'", sim::echo(t.text));
    }
  }
  [[noreturn]] void expected(std::string what) {
    fail(cur().loc, fmt::format("expected {}, found {}", what, describe(cur())));
  }
  bool is(std::string_view text) const { return cur().kind != Tok::String && cur().text == text; }
  bool accept(std::string_view text) {
    if (!is(text)) return false;
    bump();
    return true;
  }
  void need(std::string_view text) {
    if (!accept(text)) expected(fmt::format("'{}'", text));
  }
  void skip_newlines() {
    while (cur().kind == Tok::Newline) bump();
  }
  void end_of_statement() {
    if (cur().kind == Tok::Newline || cur().kind == Tok::End) return;
    if (is("}")) return;
    expected("end of line");
  }
  std::string ident(std::string_view what) {
    if (cur().kind != Tok::Ident) expected(std::string(what));
    std::string s = cur().text;
    bump();
    return s;
  }
  long integer(std::string_view what, long lo, long hi) {
    if (cur().kind != Tok::Number) expected(std::string(what));
    long v = 0;
    const std::string& s = cur().text;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ptr != s.data() + s.size() || (ec != std::errc() && ec != std::errc::result_out_of_range))
      expected(std::string(what));
    // Too many digits for a long is out of range too, never a wrapped value.
    if (ec == std::errc::result_out_of_range || v < lo || v > hi)
      fail(cur().loc, fmt::format("{} must be from {} to {}", what, lo, hi));
    bump();
    return v;
  }
  Duration duration(std::string_view what) {
    if (cur().kind != Tok::Number) expected(fmt::format("{} (a duration such as 200ms or 1.5s)", what));
    // sim::parse_duration bounds every duration by kMaxDuration.
    auto d = sim::parse_duration(cur().text);
    if (!d) fail(cur().loc, sim::duration_error(cur().text));
    bump();
    return *d;
  }
  sim::Probability probability(std::string_view what) {
    if (cur().kind != Tok::Number) expected(fmt::format("{} (a probability such as 5% or 0.05)", what));
    auto p = sim::Probability::parse(cur().text);
    if (!p)
      fail(cur().loc,
           fmt::format("'{}' is not a probability: write 5%, 0.05 or 1/20", sim::echo(cur().text)));
    bump();
    return *p;
  }
  sim::Addr address(std::string_view what, bool port_required) {
    if (cur().kind != Tok::Address && cur().kind != Tok::Number) expected(std::string(what));
    std::string s = cur().text;
    const Loc at = cur().loc;
    sim::Addr a;
    std::string ip_part = s, port_part;
    if (auto colon = s.rfind(':'); colon != std::string::npos) {
      ip_part = s.substr(0, colon);
      port_part = s.substr(colon + 1);
    }
    if (ip_part == "*") {
      a.ip = 0;
    } else {
      unsigned b[4];
      char tail;
      if (std::sscanf(ip_part.c_str(), "%u.%u.%u.%u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4 ||
          b[0] > 255 || b[1] > 255 || b[2] > 255 || b[3] > 255) {
        fail(at, fmt::format("'{}' is not an IPv4 address", sim::echo(ip_part)));
      }
      a.ip = sim::ipv4(static_cast<std::uint8_t>(b[0]), static_cast<std::uint8_t>(b[1]),
                       static_cast<std::uint8_t>(b[2]), static_cast<std::uint8_t>(b[3]));
    }
    if (port_required && port_part.empty())
      fail(at, fmt::format("'{}' needs a port: write {}:PORT", sim::echo(s), sim::echo(ip_part)));
    if (!port_part.empty()) {
      unsigned port = 0;
      auto [ptr, ec] = std::from_chars(port_part.data(), port_part.data() + port_part.size(), port);
      if (ec != std::errc() || ptr != port_part.data() + port_part.size() || port > 65535) {
        fail(at, fmt::format("'{}' is not a port (0 to 65535)", sim::echo(port_part)));
      }
      a.port = static_cast<std::uint16_t>(port);
    }
    bump();
    return a;
  }
  const HostDecl* host_named(const std::string& name, const Loc& at) {
    for (const auto& h : sc_.hosts) {
      if (h.name == name) return &h;
    }
    fail(at, fmt::format("no host named '{}' (declare it first: host {} 10.0.0.1)", sim::echo(name),
                         sim::echo(name)));
  }

  // --- top level
  void top() {
    const Loc at = cur().loc;
    if (cur().kind != Tok::Ident)
      expected(fmt::format("a statement ({})", listed(top_level_statements(), ", ")));
    const std::string kw = cur().text;
    bump();
    for (const auto& st : top_level_table()) {
      if (st.keyword == kw) return (this->*st.parse)(at);
    }
    fail(at, fmt::format("unknown statement '{}': expected {}", sim::echo(kw),
                         listed(top_level_statements(), " or ")));
  }

  void profile_statement(const Loc&) {
    sc_.profile = ident(fmt::format("a profile name ({})", fmt::join(sim::profile_names(), ", ")));
  }
  void seed_statement(const Loc&) { sc_.seed = static_cast<std::uint64_t>(integer("a seed", 0, LONG_MAX)); }
  void until_statement(const Loc&) { sc_.until = duration("a time limit"); }
  void set_statement(const Loc& at) {
    SetDecl s;
    s.loc = at;
    const std::string first = ident("a setting name");
    if (cur().kind == Tok::Ident && next_tok().kind != Tok::Newline && next_tok().kind != Tok::End) {
      host_named(first, at);
      s.host = first;
      s.key = ident("a setting name");
    } else {
      s.key = first;
    }
    s.value = setting_value();
    sc_.sets.push_back(s);
  }
  void sample_statement(const Loc& at) {
    need("every");
    sc_.sample_every = duration("the sampling interval");
    if (sc_.sample_every <= 0) fail(at, "the sampling interval must be positive");
  }
  void expect_statement(const Loc& at) { expect_top(at, std::nullopt, false); }
  void at_statement(const Loc& at) {
    bool end = false;
    Time t = 0;
    if (accept("end")) {
      end = true;
    } else {
      t = duration("a time");
    }
    need("expect");
    expect_top(at, t, end);
  }

  // The settings of a statement until the end of its line; an unknown one
  // fails where it is written, listing them.
  void settings(std::string_view statement, const std::vector<Setting>& known) {
    while (cur().kind == Tok::Ident) {
      const Loc setting_at = cur().loc;
      const std::string name = cur().text;
      bump();
      const auto it =
          std::find_if(known.begin(), known.end(), [&](const Setting& k) { return k.name == name; });
      if (it == known.end()) {
        std::vector<std::string_view> names;
        for (const auto& k : known) names.push_back(k.name);
        fail(setting_at, fmt::format("unknown {} setting '{}': expected {}", statement, sim::echo(name),
                                     listed(names, " or ")));
      }
      it->read(setting_at);
    }
  }

  // `A -> B`, or also `A <-> B` where `both` may be set: two declared hosts.
  std::pair<std::string, std::string> host_pair(const Loc& at, std::string_view from, std::string_view to,
                                                bool* both = nullptr) {
    std::pair<std::string, std::string> hosts;
    hosts.first = ident(from);
    host_named(hosts.first, at);
    if (both && accept("<->")) {
      *both = true;
    } else {
      need("->");
    }
    hosts.second = ident(to);
    host_named(hosts.second, at);
    return hosts;
  }

  void host(const Loc& at) {
    // The simulator numbers hosts with one byte.
    if (sc_.hosts.size() >= sim::Network::kMaxHosts)
      fail(at, fmt::format("too many hosts: a scenario has at most {}", sim::Network::kMaxHosts));
    HostDecl h;
    h.loc = at;
    h.name = ident("a host name");
    for (const auto& o : sc_.hosts) {
      if (o.name == h.name) fail(at, fmt::format("host '{}' is declared twice", sim::echo(h.name)));
    }
    const Loc ip_at = cur().loc;
    const std::string ip_text = cur().text;
    h.ip = address("an IPv4 address", false).ip;
    // Segments are delivered by address: a second host there would never get any.
    for (const auto& o : sc_.hosts) {
      if (o.ip == h.ip)
        fail(ip_at, fmt::format("address {} is already host {}'s (line {})", sim::echo(ip_text), o.name,
                                o.loc.line));
    }
    if (accept("profile")) h.profile = ident("a profile name");
    sc_.hosts.push_back(h);
  }

  // A setting's value: the tokens written together, so `40000-40010` (two
  // numbers to the lexer) is one value, the same text `--set` would give.
  std::string setting_value() {
    if (cur().kind == Tok::Newline || cur().kind == Tok::End) expected("a value");
    const Loc at = cur().loc;
    std::string v = cur().text;
    Loc end{at.line, at.col + static_cast<int>(cur().text.size())};
    bump();
    while (cur().kind != Tok::Newline && cur().kind != Tok::End && cur().kind != Tok::String &&
           cur().loc.line == end.line && cur().loc.col == end.col) {
      v += cur().text;
      end.col += static_cast<int>(cur().text.size());
      bump();
    }
    if (auto e = setting_value_error(v)) fail(at, *e);
    return v;
  }

  // "20000/s": a count per second.
  std::uint64_t per_second(std::string_view what) {
    const std::string s = cur().kind == Tok::Number ? cur().text : std::string();
    const auto slash = s.find("/s");
    std::uint64_t v = 0;
    const bool ok = slash != std::string::npos && slash + 2 == s.size() && slash > 0 &&
                    std::from_chars(s.data(), s.data() + slash, v).ptr == s.data() + slash;
    if (!ok) expected(fmt::format("{} (a rate such as 20000/s)", what));
    if (v == 0 || v > 1'000'000'000)
      fail(cur().loc, fmt::format("{} must be from 1/s to 1000000000/s", what));
    bump();
    return v;
  }

  void load(const Loc& at) {
    LoadDecl l;
    l.loc = at;
    std::tie(l.client, l.server) = host_pair(at, "the clients' host name", "the server's host name");
    bool rate = false, length = false;
    auto size = [&](std::uint32_t& to, const char* what) {
      to = static_cast<std::uint32_t>(integer(what, 0, 1 << 24));
    };
    settings("load",
             {{"port", [&](const Loc&) { l.port = static_cast<std::uint16_t>(integer("a port", 1, 65535)); }},
              {"rate",
               [&](const Loc&) {
                 l.rate = per_second("the connection rate");
                 rate = true;
               }},
              {"for",
               [&](const Loc& oat) {
                 l.length = duration("how long the clients keep connecting");
                 if (l.length <= 0) fail(oat, "the load must last a positive time");
                 length = true;
               }},
              {"start", [&](const Loc&) { l.start = duration("when the load starts"); }},
              {"request", [&](const Loc&) { size(l.request, "the request size in bytes"); }},
              {"response", [&](const Loc&) { size(l.response, "the response size in bytes"); }},
              {"closer",
               [&](const Loc& oat) {
                 const std::string who = ident("who closes first: client or server");
                 if (who != "client" && who != "server")
                   fail(oat, fmt::format("closer '{}': expected client or server", sim::echo(who)));
                 l.server_closes = who == "server";
               }},
              {"backlog",
               [&](const Loc&) { l.backlog = static_cast<int>(integer("the listen backlog", 0, 1 << 20)); }},
              {"accept", [&](const Loc&) { l.accept_rate = per_second("the server's accept rate"); }},
              {"addresses", [&](const Loc&) {
                 l.addresses =
                     static_cast<std::uint32_t>(integer("the number of client addresses", 1, 65536));
               }}});
    if (!rate) fail(at, "a load needs its rate, e.g. rate 20000/s");
    if (!length) fail(at, "a load needs its length, e.g. for 120s");
    sc_.loads.push_back(l);
  }

  void link(const Loc& at) {
    LinkDecl l;
    l.loc = at;
    std::tie(l.from, l.to) = host_pair(at, "a host name", "a host name", &l.both);
    std::optional<Loc> queue_at;
    settings(
        "link",
        {{"delay", [&](const Loc&) { l.cfg.delay = duration("a delay"); }},
         {"jitter", [&](const Loc&) { l.cfg.jitter = duration("a jitter"); }},
         {"loss", [&](const Loc&) { l.cfg.loss = probability("a loss probability"); }},
         {"duplicate", [&](const Loc&) { l.cfg.duplicate = probability("a duplication probability"); }},
         {"reorder",
          [&](const Loc&) {
            l.cfg.reorder = probability("a reordering probability");
            if (accept("by")) l.cfg.reorder_delay = duration("the reordering delay");
          }},
         {"mtu",
          [&](const Loc&) { l.cfg.mtu = static_cast<std::uint32_t>(integer("an MTU in bytes", 68, 65535)); }},
         {"bandwidth",
          [&](const Loc&) {
            if (cur().kind != Tok::Number) expected("a bandwidth such as 10Mbit");
            l.cfg.bandwidth_bps = bandwidth(cur().text, cur().loc);
            bump();
          }},
         {"queue",
          [&](const Loc&) {
            queue_at = cur().loc;
            l.cfg.queue = queue_limit();
          }},
         {"burst", [&](const Loc&) {
            l.cfg.burst.p_good_to_bad = probability("p(good->bad)");
            l.cfg.burst.p_bad_to_good = probability("p(bad->good)");
            l.cfg.burst.loss_good = probability("the loss in the good state");
            l.cfg.burst.loss_bad = probability("the loss in the bad state");
          }}});
    // Each link statement sets the whole configuration, so the check is here.
    if (queue_at && l.cfg.bandwidth_bps == 0)
      fail(*queue_at,
           "a queue needs a bandwidth: without one no packet waits (e.g. bandwidth 10Mbit queue 100)");
    sc_.links.push_back(l);
  }

  // `queue 100` (packets waiting), `queue 64KB` / `64KiB` / `1500B` (bytes
  // waiting), `queue unlimited`: the drop-tail queue before a link's transmitter.
  sim::QueueLimit queue_limit() {
    const Loc at = cur().loc;
    if (cur().kind == Tok::Ident && cur().text == "unlimited") {
      bump();
      return sim::QueueLimit::unlimited();
    }
    if (cur().kind != Tok::Number) expected("a queue limit such as 100 (packets), 64KB or unlimited");
    const std::string s = cur().text;
    bump();
    constexpr std::uint64_t kMaxQueue = 1ull << 32;  // packets or bytes: far above any real qdisc
    const auto q =
        with_unit(s, {{"", 1}, {"B", 1}, {"KB", 1000}, {"KiB", 1024}, {"MB", 1000000}, {"MiB", 1 << 20}});
    if (!q)
      fail(at, fmt::format("'{}' is not a queue limit: write e.g. 100 (packets), 64KB, 64KiB or unlimited",
                           sim::echo(s)));
    if (q->too_many_digits || q->value > kMaxQueue / q->unit)
      fail(at, fmt::format("'{}' is larger than the largest queue, {} packets or bytes", sim::echo(s),
                           kMaxQueue));
    return q->unit_text.empty() ? sim::QueueLimit::packets(q->value)
                                : sim::QueueLimit::bytes(q->value * q->unit);
  }

  std::uint64_t bandwidth(const std::string& s, const Loc& at) {
    const auto b =
        with_unit(s, {{"bit", 1}, {"bps", 1}, {"kbit", 1000}, {"Mbit", 1000000}, {"Gbit", 1000000000}});
    if (!b || (b->value == 0 && !b->too_many_digits))
      fail(at, fmt::format("'{}' is not a bandwidth: write e.g. 10Mbit, 512kbit, 1Gbit", sim::echo(s)));
    // value * unit neither overflows nor comes near: the value is checked first.
    if (b->too_many_digits || b->value > kMaxBandwidth / b->unit)
      fail(at, fmt::format("'{}' is faster than the maximum bandwidth, 1000Gbit", sim::echo(s)));
    return b->value * b->unit;
  }

  // A segment kind (segment_kinds()), as drop rules and assertions name it.
  sim::PacketMatch segment_spec(std::string* text) {
    const Loc at = cur().loc;
    std::vector<std::string_view> names;
    for (const auto& k : segment_kinds()) names.emplace_back(k.first);
    std::string s = ident(fmt::format("a segment kind ({})", listed(names, ", ")));
    while (accept(",")) s += "," + ident("a flag after ','");
    if (text) *text = s;
    for (const auto& [name, match] : segment_kinds()) {
      if (name == s) return match;
    }
    fail(at, fmt::format("unknown segment kind '{}': expected {}", sim::echo(s), listed(names, " or ")));
  }

  // An ordinal: first, second, third, last, all/every, 1st, 2nd, 3rd, 4th ...
  struct Ordinal {
    std::string text;
    std::uint64_t nth = 1;
    bool last = false, all = false;
  };
  Ordinal ordinal() {
    Ordinal o;
    const Loc ord_at = cur().loc;
    std::vector<std::string_view> words;
    for (const auto& w : kOrdinalWords) words.push_back(w.word);
    const std::string choices = fmt::format("{}, or 1st, 2nd, 3rd, 4th ...", listed(words, ", "));
    // "2nd", "4th" start with a digit, so the lexer makes them numbers.
    if (cur().kind != Tok::Ident && cur().kind != Tok::Number) expected("which one: " + choices);
    o.text = cur().text;
    bump();
    const auto word = std::find_if(std::begin(kOrdinalWords), std::end(kOrdinalWords),
                                   [&](const OrdinalWord& w) { return w.word == o.text; });
    if (word != std::end(kOrdinalWords)) {
      o.nth = word->nth;
      o.last = word->last;
      o.all = word->all;
    } else if (auto n = numbered_ordinal(o.text)) {
      if (*n == 0) fail(ord_at, "counting starts at 1st");
      if (*n > 1'000'000'000) fail(ord_at, fmt::format("'{}': at most the 1000000000th", sim::echo(o.text)));
      o.nth = *n;
    } else {
      fail(ord_at, fmt::format("'{}' is not an ordinal: expected {}", sim::echo(o.text), choices));
    }
    return o;
  }

  void drop(const Loc& at) {
    DropDecl d;
    d.loc = at;
    std::tie(d.from, d.to) = host_pair(at, "a host name", "a host name");
    if (accept("from")) {
      d.window = true;
      d.span.start = duration("the start of the outage");
      need("to");
      d.span.end = duration("the end of the outage");
      if (d.span.end <= d.span.start) fail(at, "the outage must end after it starts");
      d.text = fmt::format("everything from {} to {} from {}", sim::format_duration(d.span.start),
                           sim::format_duration(d.span.end), d.from);
      sc_.drops.push_back(d);
      return;
    }
    const Loc ord_at = cur().loc;
    const Ordinal o = ordinal();
    if (accept("retransmission")) {
      // "first retransmission of 5th data": the resend of one segment.
      if (o.last || o.all) fail(ord_at, "which retransmission: first, second, third, 4th ...");
      need("of");
      const Loc of_at = cur().loc;
      const Ordinal of = ordinal();
      if (of.last || of.all) fail(of_at, "of which segment: first, second, third, 4th ... (not last or all)");
      std::string spec;
      d.rule.match = segment_spec(&spec);
      d.rule.retransmission = o.nth;
      d.rule.nth = of.nth;
      d.text = fmt::format("{} retransmission of {} {} from {}", o.text, of.text, spec, d.from);
      sc_.drops.push_back(d);
      return;
    }
    d.rule.nth = o.nth;
    d.last = o.last;
    if (o.all) d.rule.count = sim::DropRule::kAll;
    const std::string& ord = o.text;
    std::string spec;
    d.rule.match = segment_spec(&spec);
    if (accept("including")) {
      need("retransmissions");
      d.rule.include_retransmissions = true;
    } else if (accept("excluding")) {
      need("retransmissions");
      d.rule.include_retransmissions = false;
    }
    d.text = fmt::format("{} {} from {}", ord, spec, d.from);
    sc_.drops.push_back(d);
  }

  void program(const Loc& at) {
    ProgramDecl p;
    p.loc = at;
    p.name = ident("a program name");
    for (const auto& o : sc_.programs) {
      if (o.name == p.name) fail(at, fmt::format("program '{}' is declared twice", sim::echo(p.name)));
    }
    need("on");
    p.host = ident("a host name");
    host_named(p.host, at);
    if (accept("at")) p.start = duration("a start time");
    p.body = block();
    sc_.programs.push_back(std::move(p));
  }

  std::vector<Stmt> block() {
    need("{");
    std::vector<Stmt> body;
    skip_newlines();
    while (!is("}")) {
      if (cur().kind == Tok::End) fail(cur().loc, "expected '}' to close the block, found end of file");
      body.push_back(stmt());
      // `at 300ms close(k)`: the statement after the time, on its line.
      if (body.back().kind == Stmt::Until && cur().kind != Tok::Newline && cur().kind != Tok::End)
        body.push_back(stmt());
      end_of_statement();
      skip_newlines();
    }
    bump();
    return body;
  }

  Stmt stmt() {
    Stmt s;
    s.loc = cur().loc;
    if (cur().kind != Tok::Ident) expected(fmt::format("a call, {}", listed(program_statements(), " or ")));
    for (const auto& st : program_table()) {
      if (!accept(st.keyword)) continue;
      (this->*st.parse)(s);
      return s;
    }
    call_statement(s);
    return s;
  }

  void sleep_statement(Stmt& s) {
    s.kind = Stmt::Sleep;
    const bool paren = accept("(");
    if (cur().kind != Tok::Number) expected("a time to sleep (5 is seconds, as in C; or 200ms)");
    const std::string txt = cur().text;
    const bool bare = std::all_of(txt.begin(), txt.end(),
                                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (bare) {
      s.sleep = integer("seconds", 0, 1000000) * kSecond;
    } else {
      s.sleep = duration("a time to sleep");
    }
    if (paren) need(")");
  }
  // `at 300ms`: wait until that time of the run (not before it); the
  // statement after it on the line (block()) runs then.
  void at_statement(Stmt& s) {
    s.kind = Stmt::Until;
    s.sleep = duration("a time of the run (at 300ms close(k): not before 300 ms)");
  }
  void usleep_statement(Stmt& s) {
    s.kind = Stmt::Sleep;
    need("(");
    const Loc us_at = cur().loc;
    const long us = integer("microseconds", 0, LONG_MAX);
    if (us > kMaxDuration / kMicrosecond)
      fail(us_at, fmt::format("usleep({}) is longer than the maximum duration, {} ({} us)", us,
                              sim::format_duration(kMaxDuration), kMaxDuration / kMicrosecond));
    s.sleep = us * kMicrosecond;
    need(")");
  }
  void repeat_statement(Stmt& s) {
    s.kind = Stmt::Repeat;
    s.count = integer("how many times", 0, 1000000);
    if (depth_ >= kMaxNesting)
      fail(cur().loc,
           fmt::format("blocks nest too deep: at most {} repeat blocks inside each other", kMaxNesting));
    ++depth_;
    s.body = block();
    --depth_;
  }
  void ss_statement(Stmt& s) { s.kind = Stmt::Ss; }
  void exit_statement(Stmt& s) {
    s.kind = Stmt::Exit;
    if (accept("(")) {
      // Nothing would read a status: refused rather than dropped.
      if (!is(")")) fail(cur().loc, "exit takes no status: a program's exit status is not simulated");
      bump();
    }
  }

  void call_statement(Stmt& s) {
    s.kind = Stmt::Call;
    std::string name = ident("a call");
    if (accept("=")) {
      s.assign = name;
      name = ident("a call after '='");
    }
    const CallSpec* spec = find_call(name);
    if (!spec) {
      std::vector<std::string_view> words;
      for (const auto& c : sim::socket_calls()) words.push_back(c.name);
      words.insert(words.end(), program_statements().begin(), program_statements().end());
      fail(s.loc, fmt::format("unknown call '{}': expected one of {}", sim::echo(name), listed(words, ", ")));
    }
    if (!s.assign.empty() && !spec->returns_fd) {
      fail(s.loc, fmt::format("{}() returns no descriptor to keep in '{}'", name, sim::echo(s.assign)));
    }
    s.fn = name;
    need("(");
    if (!is(")")) {
      s.args.push_back(arg());
      while (accept(",")) s.args.push_back(arg());
    }
    const Loc close_at = cur().loc;
    need(")");
    const int n = static_cast<int>(s.args.size());
    if (n < spec->min_args || n > spec->max_args) {
      fail(close_at, spec->min_args == spec->max_args
                         ? fmt::format("{}() takes {} argument{}, found {}", name, spec->min_args,
                                       spec->min_args == 1 ? "" : "s", n)
                         : fmt::format("{}() takes {} to {} arguments, found {}", name, spec->min_args,
                                       spec->max_args, n));
    }
    auto decoded = sim::decode_call(*spec, s.args, s.loc);
    if (auto* e = std::get_if<sim::CallError>(&decoded)) fail(e->loc, e->message);
    s.call = std::move(std::get<sim::DecodedCall>(decoded));
    if (accept("=")) s.expect = expect_value(s.call);
    if (auto e = sim::check_expectation(s.call, s.expect)) fail(e->loc, e->message);
  }

  Arg arg() {
    Arg a;
    a.loc = cur().loc;
    switch (cur().kind) {
      case Tok::String:
        a.kind = Arg::String;
        a.text = cur().text;
        bump();
        return a;
      case Tok::Address:
        a.kind = Arg::Address;
        a.addr = address("an address", true);
        return a;
      case Tok::Number: {
        const std::string& s = cur().text;
        const bool plain = s.find_first_not_of("-0123456789") == std::string::npos;
        if (plain) {
          a.kind = Arg::Number;
          a.number = integer("a number", LONG_MIN, LONG_MAX);
        } else {
          a.kind = Arg::Duration;
          a.duration = duration("a number or a duration");
        }
        return a;
      }
      case Tok::Ident: {
        a.kind = Arg::Ident;
        a.text = cur().text;
        bump();
        if (is("|")) {
          a.kind = Arg::Flags;
          a.flags.push_back(a.text);
          while (accept("|")) a.flags.push_back(ident("a flag after '|'"));
        }
        return a;
      }
      default: expected("an argument");
    }
  }

  Expect expect_value(const sim::DecodedCall& call) {
    Expect e;
    e.present = true;
    e.loc = cur().loc;
    if (cur().kind == Tok::Ident) {
      // `= EPIPE`: an errno as the value (getsockopt(s, SO_ERROR)), `=
      // FIN-WAIT-2` (tcp_state): the number Linux returns for it.
      const auto v = sim::named_value(call, cur().text);
      if (const auto* why = std::get_if<std::string>(&v)) fail(e.loc, *why);
      e.value_name = cur().text;
      e.value = std::get<long>(v);
      bump();
    } else {
      e.value = integer("a result: a number, or -1 and an errno name", LONG_MIN, LONG_MAX);
    }
    if (e.value == -1) {
      if (cur().kind != Tok::Ident) expected("an errno name after -1 (EADDRINUSE, ECONNRESET, EAGAIN ...)");
      e.err = cur().text;
      bump();
    }
    if (cur().kind == Tok::String) {
      e.has_data = true;
      e.data = cur().text;
      bump();
    }
    if (accept("[")) {
      while (!is("]")) {
        const std::string fd = ident("a descriptor variable");
        need(":");
        std::vector<std::string> bits{ident("an epoll event")};
        while (accept("|")) bits.push_back(ident("an epoll event"));
        e.events.emplace_back(fd, bits);
        if (!accept(",")) break;
      }
      need("]");
    }
    return e;
  }

  void expect_top(const Loc& at, std::optional<Time> when, bool at_end) {
    Assertion a;
    a.loc = at;
    a.at = when.value_or(0);
    a.at_end = at_end;
    a.timed = when.has_value() && !at_end;
    if (accept("finished")) {
      a.kind = Assertion::Finished;
      sc_.assertions.push_back(a);
      return;
    }
    if (accept("ss")) {
      if (!when && !at_end) fail(at, "an ss expectation needs a time: at 20s expect ss A { ... }");
      a.kind = Assertion::SsAt;
      a.host = ident("a host name");
      host_named(a.host, at);
      // The lines come raw: the block's tokens are re-read as text lines.
      need("{");
      if (cur().kind != Tok::Newline) expected("a new line after '{'");
      raw_block_lines(a);
      sc_.assertions.push_back(a);
      return;
    }
    const bool negated = accept("not");
    if (accept("sent")) {
      a.kind = negated ? Assertion::NotSent : Assertion::Sent;
      a.from = ident("a host name");
      host_named(a.from, at);
      need("->");
      a.to = ident("a host name");
      host_named(a.to, at);
      a.match = segment_spec(&a.spec);
      a.fields = segment_fields();
      sent_count(a);
      sc_.assertions.push_back(a);
      return;
    }
    if (negated) expected("'sent' after 'not'");
    if (cur().kind == Tok::Ident && next_tok().text == "->") {
      segment_assertion(a);
      return;
    }
    if (!when && !at_end) fail(at, "a state expectation needs a time: at 20s expect client.k FIN-WAIT-2");
    a.kind = Assertion::StateAt;
    const Loc who_at = cur().loc;
    const std::string who = ident("program.variable (e.g. client.k)");
    const auto dot = who.find('.');
    if (dot == std::string::npos)
      fail(who_at, fmt::format("expected program.variable, found '{}'", sim::echo(who)));
    a.program = who.substr(0, dot);
    a.var = who.substr(dot + 1);
    bool found = false;
    for (const auto& p : sc_.programs) found |= p.name == a.program;
    if (!found)
      fail(who_at, fmt::format("no program named '{}' (assertions come after the programs they name)",
                               sim::echo(a.program)));
    // A name no statement of the program assigns would read as CLOSED and
    // let the assertion pass on nothing (issue 17).
    bool assigned = false;
    for (const auto& p : sc_.programs) assigned |= p.name == a.program && assigns(p.body, a.var);
    if (!assigned)
      fail(Loc{who_at.line, who_at.col + static_cast<int>(dot) + 1},
           fmt::format(
               "program '{}' has no variable '{}' (a variable is set by `{} = socket()`, `accept` ...)",
               sim::echo(a.program), sim::echo(a.var), sim::echo(a.var)));
    const Loc st_at = cur().loc;
    const std::string st = ident("a TCP state (ESTABLISHED, FIN-WAIT-2, TIME-WAIT, CLOSED ...)");
    bool ok = false;
    for (int k = 0; k < model::kStateCount; ++k) {
      const auto s = static_cast<model::State>(k);
      if (model::state_name(s) == st || (st == "ESTAB" && s == model::State::Established)) {
        a.state = s;
        ok = true;
      }
    }
    if (!ok)
      fail(st_at, fmt::format("'{}' is not a TCP state: use RFC 9293's names (FIN-WAIT-1, TIME-WAIT ...)",
                              sim::echo(st)));
    sc_.assertions.push_back(a);
  }

  // `once`, `never`, `N times` after a sent spec; after `not sent` only a
  // number of times (`once` too): any count but that one.
  void sent_count(Assertion& a) {
    const Loc at = cur().loc;
    if (accept("once")) {
      a.times = 1;
    } else if (accept("never")) {
      if (a.kind == Assertion::NotSent)
        fail(at, "`not sent ... never` says sent at least once: write `expect sent ...`");
      a.times = 0;
    } else if (cur().kind == Tok::Number) {
      a.times = integer("how many times", 0, 1000000);
      need("times");
    }
  }

  // `expect A -> B segment N FLAGS [fields]`: one segment, by its place
  // among those A put on the link to B.
  void segment_assertion(Assertion& a) {
    const Loc at = a.loc;
    a.kind = Assertion::Segment;
    a.from = ident("a host name");
    host_named(a.from, at);
    need("->");
    a.to = ident("a host name");
    host_named(a.to, at);
    need("segment");
    a.nth = integer("which segment (1 is the first A sent to B)", 1, 1000000000);
    const Loc flags_at = cur().loc;
    std::string s = ident("the segment's flags (SYN, SYN,ACK, ACK, FIN,ACK, RST, PSH,ACK ...)");
    while (accept(",")) s += "," + ident("a flag after ','");
    a.spec = s;
    std::size_t pos = 0;
    while (pos <= s.size()) {
      const auto comma = std::min(s.find(',', pos), s.size());
      const std::string f = s.substr(pos, comma - pos);
      const std::uint8_t bit = f == "SYN"   ? model::kSyn
                               : f == "FIN" ? model::kFin
                               : f == "RST" ? model::kRst
                               : f == "PSH" ? model::kPsh
                               : f == "ACK" ? model::kAck
                               : f == "URG" ? model::kUrg
                                            : 0;
      if (bit == 0)
        fail(flags_at, fmt::format("'{}' is not a TCP flag: expected SYN, FIN, RST, PSH, ACK or URG, "
                                   "joined by ','",
                                   sim::echo(f)));
      if ((a.flags & bit) != 0) fail(flags_at, fmt::format("flag {} is written twice", f));
      a.flags |= bit;
      a.psh |= bit == model::kPsh;
      pos = comma + 1;
    }
    a.fields = segment_fields();
    sc_.assertions.push_back(a);
  }

  // The option names `opts=` takes, in the order a SYN carries them.
  static constexpr std::array<std::string_view, 5> kOptionNames{"mss", "sackOK", "TS", "wscale", "sack"};

  // seq=, ack=, len=, win=, mss=, wscale=, opts=, `at T [within D]`, each at most once.
  SegmentFields segment_fields() {
    SegmentFields f;
    auto once = [this](const Loc& at, bool seen, const std::string& name) {
      if (seen) fail(at, fmt::format("{} is written twice", name));
    };
    auto add = [&f](const std::string& part) { f.text += (f.text.empty() ? "" : " ") + part; };
    while (cur().kind == Tok::Ident) {
      const Loc at = cur().loc;
      const std::string name = cur().text;
      if (name == "at") {
        once(at, f.at.has_value(), "at");
        bump();
        f.at = duration("when it was sent");
        std::string part = "at " + sim::format_duration(*f.at);
        if (accept("within")) {
          f.within = duration("how far from that time");
          part += " within " + sim::format_duration(f.within);
        }
        add(part);
        continue;
      }
      std::optional<std::uint32_t>* num = name == "seq"      ? &f.seq
                                          : name == "ack"    ? &f.ack
                                          : name == "len"    ? &f.len
                                          : name == "win"    ? &f.win
                                          : name == "mss"    ? &f.mss
                                          : name == "wscale" ? &f.wscale
                                                             : nullptr;
      if (num) {
        once(at, num->has_value(), name);
        bump();
        need("=");
        const long hi = name == "win" || name == "mss" ? 65535 : name == "wscale" ? 14 : 4294967295L;
        *num = static_cast<std::uint32_t>(integer(name, 0, hi));
        add(fmt::format("{}={}", name, **num));
        continue;
      }
      if (name != "opts") break;
      once(at, f.opts.has_value(), name);
      bump();
      need("=");
      f.opts = option_names();
      std::string list;
      for (const auto& o : *f.opts) list += (list.empty() ? "" : ",") + o;
      add("opts=" + (list.empty() ? std::string("none") : list));
    }
    return f;
  }

  // `none`, or option names joined by ',' (kOptionNames), sorted into their order.
  std::vector<std::string> option_names() {
    const Loc at = cur().loc;
    std::vector<std::string> names{
        ident("option names (none, or mss, sackOK, TS, wscale, sack joined by ',')")};
    while (accept(",")) names.push_back(ident("an option name after ','"));
    if (names.size() == 1 && names[0] == "none") return {};
    std::vector<std::string> sorted;
    for (const auto& k : kOptionNames) {
      const auto n = std::count(names.begin(), names.end(), k);
      if (n > 1) fail(at, fmt::format("option {} is written twice", k));
      if (n == 1) sorted.emplace_back(k);
    }
    if (sorted.size() != names.size()) {
      for (const auto& n : names) {
        if (std::find(kOptionNames.begin(), kOptionNames.end(), n) == kOptionNames.end())
          fail(at, fmt::format("'{}' is not an option: expected none, or mss, sackOK, TS, wscale, sack "
                               "joined by ','",
                               sim::echo(n)));
      }
    }
    return sorted;
  }

  // Whether a statement of `body` (repeat blocks included) assigns `var`.
  static bool assigns(const std::vector<Stmt>& body, const std::string& var) {
    for (const Stmt& st : body) {
      if (st.assign == var || (st.kind == Stmt::Repeat && assigns(st.body, var))) return true;
    }
    return false;
  }

  // The lines between `{` and `}` of an ss expectation, as written.
  void raw_block_lines(Assertion& a);

 public:
  std::string_view source;

 private:
  std::vector<Token> t_;
  std::size_t p_ = 0;
  int depth_ = 0;  // repeat blocks open
  Scenario& sc_;
};

void Parser::raw_block_lines(Assertion& a) {
  // Skip to the line after '{' and take source lines until one that is "}".
  const int first_line = cur().loc.line + 1;
  int line = 1;
  std::size_t pos = 0;
  while (line < first_line && pos < source.size()) {
    if (source[pos] == '\n') ++line;
    ++pos;
  }
  int closing = -1;
  while (pos < source.size()) {
    std::size_t end = source.find('\n', pos);
    if (end == std::string_view::npos) end = source.size();
    std::string_view l = source.substr(pos, end - pos);
    std::string_view trimmed = l;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) trimmed.remove_prefix(1);
    if (trimmed == "}") {
      closing = line;
      break;
    }
    a.lines.emplace_back(l);
    pos = end + 1;
    ++line;
  }
  if (closing < 0) fail(a.loc, "expected a line with only '}' to end the ss block");
  // Strip the block's common indentation.
  std::size_t indent = std::string::npos;
  for (const auto& l : a.lines) {
    if (l.find_first_not_of(" \t") == std::string::npos) continue;
    indent = std::min(indent, l.find_first_not_of(" \t"));
  }
  for (auto& l : a.lines)
    l = l.size() >= indent && indent != std::string::npos ? l.substr(indent) : std::string();
  while (!a.lines.empty() && a.lines.back().empty()) a.lines.pop_back();
  // Move the token cursor past the closing line.
  while (cur().kind != Tok::End && !(cur().loc.line == closing && is("}"))) bump();
  need("}");
}

const std::vector<TopLevelStatement>& Parser::top_level_table() {
  static const std::vector<TopLevelStatement> t = {
      {"host", &Parser::host},
      {"link", &Parser::link},
      {"drop", &Parser::drop},
      {"program", &Parser::program},
      {"load", &Parser::load},
      {"sample", &Parser::sample_statement},
      {"expect", &Parser::expect_statement},
      {"at", &Parser::at_statement},
      {"profile", &Parser::profile_statement},
      {"seed", &Parser::seed_statement},
      {"set", &Parser::set_statement},
      {"until", &Parser::until_statement},
  };
  return t;
}

const std::vector<ProgramStatement>& Parser::program_table() {
  static const std::vector<ProgramStatement> t = {
      {"sleep", &Parser::sleep_statement}, {"usleep", &Parser::usleep_statement},
      {"at", &Parser::at_statement},       {"repeat", &Parser::repeat_statement},
      {"ss", &Parser::ss_statement},       {"exit", &Parser::exit_statement},
  };
  return t;
}

}  // namespace

namespace {
// The keywords of a statement table, in its order.
template <class Table>
std::vector<std::string_view> keywords_of(const Table& table) {
  std::vector<std::string_view> words;
  for (const auto& st : table) words.push_back(st.keyword);
  return words;
}
}  // namespace

const std::vector<std::string_view>& top_level_statements() {
  static const std::vector<std::string_view> k = keywords_of(Parser::top_level_table());
  return k;
}

const std::vector<std::string_view>& program_statements() {
  static const std::vector<std::string_view> k = keywords_of(Parser::program_table());
  return k;
}

std::optional<std::string> setting_value_error(std::string_view value) {
  if (sim::duration_too_long(value)) return sim::duration_error(value);
  return std::nullopt;
}

std::variant<std::pair<std::string, std::string>, std::string> parse_set_option(std::string_view kv) {
  const auto eq = kv.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return fmt::format("--set {}: expected key=value, e.g. time_wait=30s", sim::echo(kv));
  const std::string_view value = kv.substr(eq + 1);
  if (auto e = setting_value_error(value)) return fmt::format("--set {}: {}", sim::echo(kv), *e);
  return std::make_pair(std::string(kv.substr(0, eq)), std::string(value));
}

std::variant<Duration, std::string> parse_until_option(std::string_view text) {
  auto d = sim::parse_duration(text);
  if (d) return *d;
  if (sim::duration_too_long(text)) return fmt::format("--until: {}", sim::duration_error(text));
  return fmt::format("--until {}: expected a time such as 90s or 500ms", sim::echo(text));
}

namespace {

// Lines may end in CRLF or a lone CR (old Mac files) as well as LF, and a
// UTF-8 byte order mark may open the file: the parser sees LF only and no
// mark, so line and column numbers are those an editor shows.
std::string normalized(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      out += text[i];
    } else {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    }
  }
  return out;
}

}  // namespace

std::variant<Scenario, ParseError> parse(std::string_view raw, const std::string& file) {
  Scenario sc;
  sc.file = file;
  const std::string normal = normalized(raw);
  const std::string_view text = normal;
  // The title: the first comment line, if the file starts with one.
  if (text.substr(0, 1) == "#") {
    auto end = text.find('\n');
    std::string_view t = text.substr(1, end == std::string_view::npos ? text.size() - 1 : end - 1);
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    sc.title = std::string(t);
  }
  // The lines of an `expect ss HOST {` block are text to compare, not
  // tokens: the lexer sees them blanked (line numbers kept).
  std::string lexed(text);
  {
    std::size_t pos = 0;
    bool in_block = false;
    while (pos < lexed.size()) {
      std::size_t end = lexed.find('\n', pos);
      if (end == std::string::npos) end = lexed.size();
      std::string_view line(lexed.data() + pos, end - pos);
      const auto first = line.find_first_not_of(" \t");
      const std::string_view trimmed =
          first == std::string_view::npos ? std::string_view{} : line.substr(first);
      if (in_block) {
        if (trimmed.rfind("}", 0) == 0 && trimmed.find_first_not_of(" \t\r", 1) == std::string_view::npos) {
          in_block = false;
        } else {
          for (std::size_t k = pos; k < end; ++k) lexed[k] = ' ';
        }
      } else if (line.find("expect ss ") != std::string_view::npos && !trimmed.empty() &&
                 line.find_last_not_of(" \t\r") != std::string_view::npos &&
                 line[line.find_last_not_of(" \t\r")] == '{') {
        in_block = true;
      }
      pos = end + 1;
    }
  }
  std::vector<Token> toks;
  Loc err_loc;
  std::string err;
  if (!Lexer(lexed).run(toks, err_loc, err)) {
    return ParseError{fmt::format("{}:{}:{}: {}", file, err_loc.line, err_loc.col, err)};
  }
  try {
    Parser p(std::move(toks), sc);
    p.source = text;
    p.file();
  } catch (const Fail& f) {
    return ParseError{fmt::format("{}:{}:{}: {}", file, f.loc.line, f.loc.col, f.message)};
  }
  if (sc.hosts.empty())
    return ParseError{fmt::format("{}:1:1: a scenario needs at least one host (host A 10.0.0.1)", file)};
  return sc;
}

std::variant<Scenario, ParseError> parse_file(const std::string& path) {
  // A scenario is a regular file of at most kMaxScenarioBytes: /dev/zero or a
  // FIFO that never ends would otherwise be read until memory runs out.
  std::ifstream in(path, std::ios::binary);
  if (!in) return ParseError{fmt::format("{}: cannot read the file", sim::echo(path))};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return ParseError{
        fmt::format("{}: not a regular file (a scenario is read from a file)", sim::echo(path))};
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxScenarioBytes)
      return ParseError{fmt::format("{}: larger than a scenario can be ({} MiB at most)", sim::echo(path),
                                    kMaxScenarioBytes >> 20)};
  }
  if (in.bad()) return ParseError{fmt::format("{}: cannot read the file", sim::echo(path))};
  return parse(text, path);
}

}  // namespace tcpsim::scenario
