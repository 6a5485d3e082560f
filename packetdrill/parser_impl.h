// The recursive-descent parser behind parse(), split over parser.cc (script,
// events, times, flags, #ifdef), parse_packet.cc and parse_syscall.cc.
// Internal: include parser.h instead.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "packetdrill/ast.h"
#include "packetdrill/lexer.h"

namespace tcpsim::packetdrill {

// Thrown inside the parser only; parse() turns it into a ParseError.
struct Failure {
  Location where;
  std::string what;
};

constexpr int kMaxExprDepth = 32;
constexpr int kMaxIfdefDepth = 16;

class Parser {
 public:
  Parser(std::string_view src, std::vector<Token> tokens) : src_(src), t_(std::move(tokens)) {}
  Script script(const std::string& file);

  // Tokens.
  const Token& peek(std::size_t k = 0) const { return i_ + k < t_.size() ? t_[i_ + k] : t_.back(); }
  const Token& next() { return i_ + 1 < t_.size() ? t_[i_++] : t_.back(); }
  bool at_punct(char c, std::size_t k = 0) const {
    return peek(k).kind == TokenKind::Punct && peek(k).text[0] == c;
  }
  bool at_word(const char* w) const { return peek().kind == TokenKind::Word && peek().text == w; }
  void expect_punct(char c, const char* context);
  [[noreturn]] void fail(const Token& at, std::string what) const;
  [[noreturn]] void fail(Location at, std::string what) const { throw Failure{at, std::move(what)}; }
  static std::string describe(const Token& t);

  // Numbers.
  std::uint64_t unsigned_integer(const char* what, std::uint64_t max);
  Duration seconds(const char* what);

  // Events.
  Event event();
  EventTime event_time();
  void directive(const Token& d);
  void option(const Token& o, Flags& flags);

  // parse_packet.cc
  std::variant<Packet, Unsupported> packet();
  void ip_info(Packet& p, char close);
  void tcp_flags(Packet& p);
  void sequence(Packet& p);
  void tcp_options(Packet& p);
  TcpOption tcp_option();

  // parse_syscall.cc
  Syscall syscall();
  Expr expr(int depth = 0);
  Expr primary(int depth);
  std::vector<Expr> expr_list(char close, int depth);
  std::string note();

 private:
  std::string_view src_;
  std::vector<Token> t_;
  std::size_t i_ = 0;
  struct OpenGuard {
    Guard guard;
    Location where;
    bool else_seen = false;
  };
  std::vector<OpenGuard> guards_;
};

}  // namespace tcpsim::packetdrill
