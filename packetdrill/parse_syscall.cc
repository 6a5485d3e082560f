// System-call events: `name(args) = result [ERRNO] [(note)]`, with
// packetdrill's expressions: `...`, numbers, names, strings, `a|b`,
// `name=value`, arrays `[..]`, structs `{..}` and calls such as htons(80)
// or msg_iov(1)=[{..., 40}].
#include <fmt/format.h>

#include "packetdrill/parser_impl.h"

namespace tcpsim::packetdrill {

Syscall Parser::syscall() {
  Syscall s;
  s.name = next().text;
  expect_punct('(', "after the system call's name");
  s.args = expr_list(')', 0);
  expect_punct('=', fmt::format("after {}(...): a system call needs its expected result", s.name).c_str());
  s.result = expr();
  if (peek().kind == TokenKind::Word) s.errno_name = next().text;
  if (at_punct('(')) s.note = note();
  return s;
}

// (Connection reset by peer), (flags O_RDWR): free text up to ')', its
// tokens as written joined by single spaces (comments inside are dropped).
std::string Parser::note() {
  const Token& open = next();
  std::string text;
  std::size_t last = open.end;
  while (!at_punct(')')) {
    if (peek().kind == TokenKind::End) fail(open, "unterminated note: '(' without ')'");
    if (at_punct('(')) fail(peek(), "'(' inside a note");
    const Token& t = next();
    if (!text.empty() && t.begin > last) text += ' ';
    text += src_.substr(t.begin, t.end - t.begin);
    last = t.end;
    if (text.size() > kMaxBlockBytes) fail(open, "note too long");
  }
  next();
  return text;
}

std::vector<Expr> Parser::expr_list(char close, int depth) {
  std::vector<Expr> items;
  if (at_punct(close)) {
    next();
    return items;
  }
  while (true) {
    items.push_back(expr(depth + 1));
    if (at_punct(',')) {
      next();
      continue;
    }
    expect_punct(close, close == ')' ? "or ',' in the argument list" : "or ',' in the list");
    return items;
  }
}

Expr Parser::expr(int depth) {
  if (depth > kMaxExprDepth) fail(peek(), fmt::format("expression nested deeper than {}", kMaxExprDepth));
  Expr lhs = primary(depth);
  if (at_punct('=') && (lhs.kind == Expr::Kind::Word || lhs.kind == Expr::Kind::Call)) {
    Expr b;
    b.kind = Expr::Kind::Binary;
    b.where = lhs.where;
    b.text = next().text;
    b.items.push_back(std::move(lhs));
    b.items.push_back(expr(depth + 1));
    return b;
  }
  while (at_punct('|')) {
    Expr b;
    b.kind = Expr::Kind::Binary;
    b.where = lhs.where;
    b.text = next().text;
    b.items.push_back(std::move(lhs));
    b.items.push_back(primary(depth + 1));
    lhs = std::move(b);
  }
  return lhs;
}

Expr Parser::primary(int depth) {
  if (depth > kMaxExprDepth) fail(peek(), fmt::format("expression nested deeper than {}", kMaxExprDepth));
  const Token& t = peek();
  Expr e;
  e.where = t.where;
  if (t.kind == TokenKind::Ellipsis) {
    next();
    e.kind = Expr::Kind::Ellipsis;
  } else if (t.kind == TokenKind::Integer || t.kind == TokenKind::Hex || at_punct('-')) {
    bool negative = at_punct('-');
    if (negative) next();
    const Token& n = peek();
    if (n.kind != TokenKind::Integer && n.kind != TokenKind::Hex) {
      fail(n, fmt::format("expected a number after '-', not {}", describe(n)));
    }
    constexpr std::uint64_t kMax = static_cast<std::uint64_t>(INT64_MAX);
    if (n.overflow || n.number > kMax) fail(n, fmt::format("number {} is too large", n.text));
    e.kind = Expr::Kind::Integer;
    e.integer = negative ? -static_cast<std::int64_t>(n.number) : static_cast<std::int64_t>(n.number);
    e.hex = n.kind == TokenKind::Hex && !negative;
    next();
  } else if (t.kind == TokenKind::Word) {
    e.text = next().text;
    e.kind = Expr::Kind::Word;
    if (at_punct('(')) {
      next();
      e.kind = Expr::Kind::Call;
      e.items = expr_list(')', depth);
    }
  } else if (t.kind == TokenKind::String) {
    e.kind = Expr::Kind::String;
    while (peek().kind == TokenKind::String) {
      e.text += next().text;
      if (e.text.size() > kMaxBlockBytes) fail(t, "string too long");
    }
    if (peek().kind == TokenKind::Ellipsis) {
      next();
      e.string_ellipsis = true;
    }
  } else if (at_punct('[') || at_punct('{')) {
    e.kind = at_punct('[') ? Expr::Kind::List : Expr::Kind::Struct;
    next();
    e.items = expr_list(e.kind == Expr::Kind::List ? ']' : '}', depth);
  } else {
    fail(t, fmt::format("expected an expression (a number, a name, \"string\", ..., [..] or {{..}}), not {}",
                        describe(t)));
  }
  return e;
}

}  // namespace tcpsim::packetdrill
