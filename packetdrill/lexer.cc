#include "packetdrill/lexer.h"

#include <fmt/format.h>

namespace tcpsim::packetdrill {
namespace {

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

class Lexer {
 public:
  Lexer(std::string_view src, std::vector<Token>& out, LexError& err) : src_(src), out_(out), err_(err) {}

  bool run() {
    while (true) {
      skip_space_and_comments();
      if (failed_) return false;
      if (pos_ >= src_.size()) break;
      if (!token()) return false;
    }
    Token end;
    end.kind = TokenKind::End;
    end.where = here();
    end.begin = end.end = pos_;
    out_.push_back(end);
    return true;
  }

 private:
  Location here() const { return {line_, col_}; }
  char peek(std::size_t k = 0) const { return pos_ + k < src_.size() ? src_[pos_ + k] : '\0'; }
  void bump() {
    if (src_[pos_] == '\n') {
      ++line_;
      col_ = 1;
      line_start_ = true;
    } else {
      ++col_;
    }
    ++pos_;
  }
  bool fail(Location where, std::string msg) {
    err_ = {where, std::move(msg)};
    failed_ = true;
    return false;
  }

  void skip_space_and_comments() {
    while (pos_ < src_.size()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
        bump();
      } else if (c == '/' && peek(1) == '/') {
        while (pos_ < src_.size() && peek() != '\n') bump();
      } else if (c == '/' && peek(1) == '*') {
        Location at = here();
        bump();
        bump();
        while (pos_ < src_.size() && !(peek() == '*' && peek(1) == '/')) bump();
        if (pos_ >= src_.size()) {
          fail(at, "unterminated /* comment");
          return;
        }
        bump();
        bump();
      } else {
        return;
      }
    }
  }

  // Text up to the closing delimiter; false (with an error) if it never comes.
  bool delimited(Token& t, std::string_view close, const char* what) {
    t.inner = here();
    std::size_t start = pos_;
    while (pos_ < src_.size() && src_.compare(pos_, close.size(), close) != 0) {
      if (peek() == '\\' && close.size() == 1 && pos_ + 1 < src_.size()) bump();
      bump();
      if (pos_ - start > kMaxBlockBytes) {
        return fail(t.where, fmt::format("{} longer than {} bytes", what, kMaxBlockBytes));
      }
    }
    if (pos_ >= src_.size()) return fail(t.where, fmt::format("unterminated {}", what));
    t.text = std::string(src_.substr(start, pos_ - start));
    for (std::size_t i = 0; i < close.size(); ++i) bump();
    return true;
  }

  bool word_or_number(Token& t) {
    std::size_t start = pos_;
    while (is_word_char(peek())) bump();
    std::string_view run = src_.substr(start, pos_ - start);
    bool digits = !run.empty();
    for (char c : run) digits = digits && is_digit(c);
    if (digits && peek() == '.' && is_digit(peek(1))) {
      bump();
      while (is_digit(peek())) bump();
      t.kind = TokenKind::Float;
    } else if (digits) {
      t.kind = TokenKind::Integer;
    } else if (run.size() > 2 && run[0] == '0' && (run[1] == 'x' || run[1] == 'X')) {
      bool hex = true;
      for (char c : run.substr(2)) hex = hex && is_hex(c);
      t.kind = hex ? TokenKind::Hex : TokenKind::Word;
    } else {
      t.kind = TokenKind::Word;
    }
    t.text = std::string(src_.substr(start, pos_ - start));
    if (t.text.size() > kMaxWordBytes) {
      return fail(t.where, fmt::format("name or number longer than {} bytes", kMaxWordBytes));
    }
    if (t.kind == TokenKind::Integer || t.kind == TokenKind::Hex) {
      int base = t.kind == TokenKind::Hex ? 16 : 10;
      for (char c : t.kind == TokenKind::Hex ? run.substr(2) : run) {
        std::uint64_t d = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
        if (t.number > (UINT64_MAX - d) / base) t.overflow = true;
        t.number = t.number * base + d;
      }
    }
    return true;
  }

  bool option(Token& t) {
    bump();
    bump();
    std::size_t start = pos_;
    while (is_word_char(peek())) bump();
    t.text = std::string(src_.substr(start, pos_ - start));
    if (t.text.size() > kMaxWordBytes) return fail(t.where, "option name too long");
    if (peek() != '=') return true;
    bump();
    t.has_value = true;
    if (peek() == '"') {
      Token s;
      s.where = here();
      bump();
      if (!delimited(s, "\"", "quoted option value")) return false;
      t.value = s.text;
      return true;
    }
    start = pos_;
    while (pos_ < src_.size() && peek() != ' ' && peek() != '\t' && peek() != '\n' && peek() != '\r') bump();
    t.value = std::string(src_.substr(start, pos_ - start));
    if (t.value.size() > kMaxBlockBytes) return fail(t.where, "option value too long");
    return true;
  }

  bool directive(Token& t) {
    bump();
    std::size_t start = pos_;
    while (pos_ < src_.size() && peek() != '\n' && !(peek() == '/' && (peek(1) == '/' || peek(1) == '*'))) {
      bump();
      if (pos_ - start > kMaxWordBytes) return fail(t.where, "directive line too long");
    }
    std::string_view d = src_.substr(start, pos_ - start);
    while (!d.empty() && (d.back() == ' ' || d.back() == '\t' || d.back() == '\r')) d.remove_suffix(1);
    while (!d.empty() && (d.front() == ' ' || d.front() == '\t')) d.remove_prefix(1);
    t.text = std::string(d);
    return true;
  }

  bool token() {
    Token t;
    t.where = here();
    t.begin = pos_;
    bool at_line_start = line_start_;
    line_start_ = false;
    char c = peek();
    bool ok = true;
    if (c == '#' && at_line_start) {
      t.kind = TokenKind::Directive;
      ok = directive(t);
    } else if (c == '-' && peek(1) == '-' && is_word_char(peek(2))) {
      t.kind = TokenKind::Option;
      ok = option(t);
    } else if (c == '.' && peek(1) == '.' && peek(2) == '.') {
      t.kind = TokenKind::Ellipsis;
      t.text = "...";
      bump(), bump(), bump();
    } else if (c == '.' && is_digit(peek(1))) {
      t.kind = TokenKind::Float;
      bump();
      while (is_digit(peek())) bump();
      t.text = std::string(src_.substr(t.begin, pos_ - t.begin));
      if (t.text.size() > kMaxWordBytes) ok = fail(t.where, "number too long");
    } else if (is_word_char(c)) {
      ok = word_or_number(t);
    } else if (c == '"') {
      t.kind = TokenKind::String;
      bump();
      ok = delimited(t, "\"", "string");
    } else if (c == '`') {
      t.kind = TokenKind::Backquote;
      bump();
      ok = delimited(t, "`", "`shell command`");
    } else if (c == '%' && peek(1) == '{') {
      t.kind = TokenKind::Code;
      bump(), bump();
      ok = delimited(t, "}%", "%{ python block }%");
    } else if (static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f) {
      t.kind = TokenKind::Punct;
      t.text = std::string(1, c);
      bump();
    } else {
      return fail(t.where, fmt::format("unexpected byte 0x{:02x}", static_cast<unsigned char>(c)));
    }
    if (!ok) return false;
    t.end = pos_;
    out_.push_back(std::move(t));
    return true;
  }

  std::string_view src_;
  std::vector<Token>& out_;
  LexError& err_;
  std::size_t pos_ = 0;
  int line_ = 1, col_ = 1;
  bool line_start_ = true;
  bool failed_ = false;
};

}  // namespace

bool lex(std::string_view src, std::vector<Token>& out, LexError& err) {
  out.clear();
  if (src.size() > kMaxSourceBytes) {
    err = {{1, 1}, fmt::format("script larger than {} bytes", kMaxSourceBytes)};
    return false;
  }
  return Lexer(src, out, err).run();
}

Location advance(Location from, std::string_view text) {
  for (char c : text) {
    if (c == '\n') {
      ++from.line;
      from.column = 1;
    } else {
      ++from.column;
    }
  }
  return from;
}

}  // namespace tcpsim::packetdrill
