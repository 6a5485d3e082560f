// The script level: flags, the init and cleanup commands, #ifdef blocks,
// events and their times. The grammar follows google/packetdrill's parser.y
// (opt_options opt_init_command events opt_cleanup_command), with NPLab's
// #ifdef lines and `...(len)` sequence form.
#include "packetdrill/parser.h"

#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "packetdrill/parser_impl.h"

namespace tcpsim::packetdrill {

std::string ParseError::message() const {
  return fmt::format("{}:{}:{}: {}", file, where.line, where.column, what);
}

void Parser::fail(const Token& at, std::string what) const { throw Failure{at.where, std::move(what)}; }

std::string Parser::describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::End: return "the end of the script";
    case TokenKind::String: return "a string";
    case TokenKind::Backquote: return "a `shell command`";
    case TokenKind::Code: return "a %{ python }% block";
    case TokenKind::Option: return fmt::format("option --{}", t.text);
    case TokenKind::Directive: return fmt::format("#{}", t.text);
    default: return fmt::format("'{}'", t.text);
  }
}

void Parser::expect_punct(char c, const char* context) {
  if (!at_punct(c)) fail(peek(), fmt::format("expected '{}' {}, not {}", c, context, describe(peek())));
  next();
}

std::uint64_t Parser::unsigned_integer(const char* what, std::uint64_t max) {
  const Token& t = peek();
  if (t.kind != TokenKind::Integer && t.kind != TokenKind::Hex) {
    fail(t, fmt::format("expected {} (a number), not {}", what, describe(t)));
  }
  if (t.overflow || t.number > max)
    fail(t, fmt::format("{} {} out of range (at most {})", what, t.text, max));
  next();
  return t.number;
}

// A time in seconds, `1`, `0.011`, `.1`, converted exactly to nanoseconds
// (packetdrill goes through a double; an integer count keeps runs
// byte-identical).
Duration Parser::seconds(const char* what) {
  const Token& t = peek();
  if (at_punct('-')) fail(t, fmt::format("{} cannot be negative", what));
  if (t.kind != TokenKind::Integer && t.kind != TokenKind::Float) {
    fail(t, fmt::format("expected {} (seconds), not {}", what, describe(t)));
  }
  std::string_view s = t.text;
  std::size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot), frac = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (frac.size() > 9) fail(t, fmt::format("{} {} is finer than a nanosecond", what, t.text));
  constexpr std::int64_t kMaxSeconds = kMaxDuration / kSecond;
  std::int64_t secs = 0;
  for (char c : whole) {
    secs = secs * 10 + (c - '0');
    if (secs > kMaxSeconds)
      fail(t, fmt::format("{} {} is too large (at most {} s)", what, t.text, kMaxSeconds));
  }
  std::int64_t ns = 0, scale = kSecond;
  for (char c : frac) {
    scale /= 10;
    ns += (c - '0') * scale;
  }
  next();
  return secs * kSecond + ns;
}

EventTime Parser::event_time() {
  EventTime t;
  if (at_punct('*')) {
    next();
    t.kind = EventTime::Kind::Any;
    return t;
  }
  bool relative = at_punct('+');
  if (relative) next();
  t.kind = relative ? EventTime::Kind::Relative : EventTime::Kind::Absolute;
  t.start = seconds("event time");
  if (!at_punct('~')) return t;
  const Token& tilde = next();
  if (relative != at_punct('+')) {
    fail(tilde, relative ? "a relative time range needs '+' on both ends (+0.1~+0.2)"
                         : "an absolute time range has no '+' (0.1~0.2)");
  }
  if (relative) next();
  t.kind = relative ? EventTime::Kind::RelativeRange : EventTime::Kind::AbsoluteRange;
  t.end = seconds("end of the time range");
  if (t.end < t.start) fail(tilde, "time range is backwards");
  return t;
}

Event Parser::event() {
  Event e;
  e.where = peek().where;
  e.time = event_time();
  std::optional<Duration> end;
  if (peek().kind == TokenKind::Ellipsis) {
    next();
    end = seconds("end time of the blocking call");
    if (peek().kind != TokenKind::Word || !at_punct('(', 1)) {
      fail(peek(), "only a system call can block (start...end name(...))");
    }
  }
  const Token& t = peek();
  if (at_punct('<') || at_punct('>')) {
    auto p = packet();
    if (auto* u = std::get_if<Unsupported>(&p)) {
      e.action = std::move(*u);
    } else {
      e.action = std::move(std::get<Packet>(p));
    }
  } else if (t.kind == TokenKind::Backquote) {
    e.action = ShellCommand{t.text, t.inner};
    next();
  } else if (t.kind == TokenKind::Code) {
    PythonBlock b{t.text, t.inner, parse_python(t.text, t.inner)};
    e.action = std::move(b);
    next();
  } else if (t.kind == TokenKind::Word && at_punct('(', 1)) {
    Syscall s = syscall();
    s.end = end;
    if (end && *end < e.time.start) {
      fail(e.where, "the blocking call ends before it starts");
    }
    e.action = std::move(s);
  } else {
    fail(t, fmt::format("expected a packet (< or >), a system call, a `shell command` or a %{{ }}% block "
                        "after the time, not {}",
                        describe(t)));
  }
  bool outbound = std::holds_alternative<Packet>(e.action) &&
                  std::get<Packet>(e.action).direction == Packet::Direction::Outbound;
  if (e.time.kind == EventTime::Kind::Any && !outbound) {
    fail(e.where, "event time * can only be used with outbound packets");
  }
  if ((e.time.kind == EventTime::Kind::AbsoluteRange || e.time.kind == EventTime::Kind::RelativeRange) &&
      !outbound) {
    fail(e.where, "an event time range can only be used with outbound packets");
  }
  for (const auto& g : guards_) e.guards.push_back(g.guard);
  return e;
}

// #ifdef NAME, #ifndef NAME, #else, #endif (NPLab's lexer has the first
// and the last; the others cost nothing and make the FreeBSD variants
// writable as one block).
void Parser::directive(const Token& d) {
  std::istringstream words(d.text);
  std::string verb, name, extra;
  words >> verb >> name >> extra;
  if (verb == "ifdef" || verb == "ifndef") {
    if (name.empty()) fail(d, fmt::format("#{} needs a name", verb));
    for (char c : name) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
        fail(d, fmt::format("#{} {}: not a name", verb, name));
      }
    }
    if (!extra.empty()) fail(d, fmt::format("unexpected '{}' after #{} {}", extra, verb, name));
    if (static_cast<int>(guards_.size()) >= kMaxIfdefDepth) {
      fail(d, fmt::format("#ifdef nested deeper than {}", kMaxIfdefDepth));
    }
    guards_.push_back({Guard{name, verb == "ifdef"}, d.where});
  } else if (verb == "else" || verb == "endif") {
    if (!name.empty()) fail(d, fmt::format("unexpected '{}' after #{}", name, verb));
    if (guards_.empty()) fail(d, fmt::format("#{} without #ifdef", verb));
    if (verb == "endif") {
      guards_.pop_back();
    } else {
      if (guards_.back().else_seen) fail(d, "second #else for the same #ifdef");
      guards_.back().else_seen = true;
      guards_.back().guard.defined = !guards_.back().guard.defined;
    }
  } else {
    fail(d, fmt::format("unknown directive '#{}' (expected #ifdef, #ifndef, #else or #endif)", verb));
  }
}

Script Parser::script(const std::string& file) {
  Script s;
  s.file = file;
  while (peek().kind != TokenKind::End) {
    const Token& t = peek();
    if (t.kind == TokenKind::Directive) {
      directive(next());
    } else if (t.kind == TokenKind::Option) {
      if (!s.events.empty() || s.init_command) fail(t, "--options must come before the first event");
      if (!guards_.empty()) fail(t, "--options inside #ifdef are not supported");
      option(next(), s.flags);
    } else if (t.kind == TokenKind::Backquote) {
      // An untimed command: the init command before the events, the cleanup
      // command after them; nowhere else.
      if (!guards_.empty()) fail(t, "an untimed `shell command` inside #ifdef");
      if (s.events.empty() && !s.init_command) {
        s.init_command = ShellCommand{t.text, t.inner};
      } else if (!s.events.empty() && peek(1).kind == TokenKind::End) {
        s.cleanup_command = ShellCommand{t.text, t.inner};
      } else {
        fail(t, "a `shell command` between events needs a time");
      }
      next();
    } else {
      s.events.push_back(event());
    }
  }
  if (!guards_.empty()) {
    fail(guards_.back().where, fmt::format("#ifdef {} is not closed by #endif", guards_.back().guard.name));
  }
  if (s.events.empty()) fail(peek(), "the script has no events");
  return s;
}

std::variant<Script, ParseError> parse(std::string_view text, const std::string& file) {
  std::vector<Token> tokens;
  LexError lerr;
  if (!lex(text, tokens, lerr)) return ParseError{file, lerr.where, lerr.message};
  Parser p(text, std::move(tokens));
  try {
    return p.script(file);
  } catch (const Failure& f) {
    return ParseError{file, f.where, f.what};
  }
}

std::variant<Script, ParseError> parse_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ParseError{path, {1, 1}, "cannot open the file"};
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxSourceBytes) {
      return ParseError{path, {1, 1}, fmt::format("script larger than {} bytes", kMaxSourceBytes)};
    }
  }
  return parse(text, path);
}

}  // namespace tcpsim::packetdrill
