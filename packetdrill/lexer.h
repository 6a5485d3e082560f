// The packetdrill script language's tokens. Like packetdrill's flex lexer,
// whitespace (newlines included) only separates tokens; unlike it, every
// token keeps its position, sizes are bounded, and NPLab's #ifdef lines are
// tokens of their own (recognised only at the start of a line).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "packetdrill/ast.h"

namespace tcpsim::packetdrill {

enum class TokenKind : std::uint8_t {
  End,
  Integer,    // 123 (value in `number`, `overflow` if above 2^64-1)
  Hex,        // 0x1f
  Float,      // 1.5, .01 (times)
  Word,       // names, flags (S, F), hex cookies (abcd1234)
  String,     // "..." (text: between the quotes, escapes as written)
  Backquote,  // `...` (text: between the backquotes)
  Code,       // %{ ... }% (text: between the delimiters)
  Option,     // --name[=value] (text: name; value in `value`, has_value)
  Directive,  // #ifdef X (text: after the '#', trimmed)
  Ellipsis,   // ...
  Punct,      // any other single printable character
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string text;
  Location where;
  std::size_t begin = 0, end = 0;  // byte offsets in the source
  std::uint64_t number = 0;
  bool overflow = false;
  std::string value;  // Option
  bool has_value = false;
  Location inner;  // Backquote, Code: the first character inside the delimiters
};

// The limits that keep any input's cost proportional to its size.
constexpr std::size_t kMaxSourceBytes = 16 << 20;
constexpr std::size_t kMaxBlockBytes = 64 << 10;  // a string, shell or Python block
constexpr std::size_t kMaxWordBytes = 256;        // a name or number

struct LexError {
  Location where;
  std::string message;
};

// Tokens ending with one End token, or the first error.
bool lex(std::string_view src, std::vector<Token>& out, LexError& err);

// Line and column of a byte offset (for errors inside blocks).
Location advance(Location from, std::string_view text);

}  // namespace tcpsim::packetdrill
