// %{ }% blocks are Python run by packetdrill after the preceding event, with
// the socket's TCP_INFO fields (tcpi_*) in scope. The corpora use one form:
//   assert tcpi_state == TCP_SYN_RECV, tcpi_state
//   assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0, tcpi_options
//   assert tcpi_snd_cwnd == 10, 'cwnd=%d' % tcpi_snd_cwnd   # comment
// several per block, separated by newlines or ';'. That form is parsed into
// field / mask / operator / constant; every other statement is kept with the
// reason it is not understood (the runner reports it as unsupported).
#include <fmt/format.h>

#include <cctype>

#include "packetdrill/lexer.h"
#include "packetdrill/parser.h"

namespace tcpsim::packetdrill {
namespace {

struct RawStatement {
  std::string text;
  Location where;
  bool unbalanced = false;
};

// Splits at newlines and ';' outside strings and brackets, drops comments,
// joins backslash continuations.
std::vector<RawStatement> split(std::string_view code, Location where) {
  std::vector<RawStatement> out;
  RawStatement cur;
  Location pos = where;
  char quote = 0;
  int depth = 0;
  auto flush = [&] {
    std::string& s = cur.text;
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    if (!s.empty()) {
      cur.unbalanced = cur.unbalanced || depth != 0 || quote != 0;
      out.push_back(cur);
    }
    cur = RawStatement{};
    depth = 0;
    quote = 0;
  };
  for (std::size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    Location here = pos;
    pos = advance(pos, code.substr(i, 1));
    if (quote) {
      cur.text += c;
      if (c == '\\' && i + 1 < code.size()) {
        cur.text += code[++i];
        pos = advance(pos, code.substr(i, 1));
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '#') {
      while (i + 1 < code.size() && code[i + 1] != '\n') pos = advance(pos, code.substr(++i, 1));
      continue;
    }
    if (c == '\\' && i + 1 < code.size() && code[i + 1] == '\n') {
      pos = advance(pos, code.substr(++i, 1));
      if (!cur.text.empty()) cur.text += ' ';
      continue;
    }
    if ((c == '\n' && depth == 0) || c == ';') {
      flush();
      continue;
    }
    if (cur.text.empty() && std::isspace(static_cast<unsigned char>(c))) continue;
    if (cur.text.empty()) cur.where = here;
    if (c == '\'' || c == '"') quote = c;
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && --depth < 0) cur.unbalanced = true;
    cur.text += std::isspace(static_cast<unsigned char>(c)) ? ' ' : c;
  }
  flush();
  return out;
}

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// A cursor over one statement.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  void space() {
    while (i < s.size() && s[i] == ' ') ++i;
  }
  bool eat(std::string_view tok) {
    space();
    if (s.substr(i, tok.size()) != tok) return false;
    i += tok.size();
    return true;
  }
  std::string ident() {
    space();
    std::size_t b = i;
    if (i < s.size() && is_ident_start(s[i])) {
      while (i < s.size() && is_ident(s[i])) ++i;
    }
    return std::string(s.substr(b, i - b));
  }
  // A constant: a decimal or hex integer, or a TCP_* / TCPI_* name.
  std::optional<Expr> constant() {
    space();
    Expr e;
    std::size_t b = i;
    if (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      bool hex = s.substr(i, 2) == "0x" || s.substr(i, 2) == "0X";
      if (hex) i += 2;
      std::uint64_t v = 0;
      std::size_t digits = 0;
      while (i < s.size() && (hex ? std::isxdigit(static_cast<unsigned char>(s[i]))
                                  : std::isdigit(static_cast<unsigned char>(s[i])))) {
        int d = std::isdigit(static_cast<unsigned char>(s[i])) ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10;
        if (v > (static_cast<std::uint64_t>(INT64_MAX) - d) / (hex ? 16 : 10)) return std::nullopt;
        v = v * (hex ? 16 : 10) + d;
        ++i, ++digits;
      }
      if (digits == 0 || (i < s.size() && is_ident(s[i]))) return std::nullopt;
      e.kind = Expr::Kind::Integer;
      e.integer = static_cast<std::int64_t>(v);
      e.hex = hex;
      return e;
    }
    std::string name = ident();
    if (!starts_with(name, "TCP_") && !starts_with(name, "TCPI_")) {
      i = b;
      return std::nullopt;
    }
    e.kind = Expr::Kind::Word;
    e.text = name;
    return e;
  }
};

void assertion(PythonStatement& st) {
  Cursor c{st.text};
  auto unsupported = [&](std::string why) { st.unsupported_reason = std::move(why); };
  if (c.ident() != "assert") return unsupported("not an assert statement");
  bool paren = c.eat("(");
  st.field = c.ident();
  if (!starts_with(st.field, "tcpi_"))
    return unsupported("the assert is not about a tcpi_ field of TCP_INFO");
  if (paren) {
    if (!c.eat("&")) return unsupported("only (tcpi_field & MASK) is understood inside parentheses");
    st.mask = c.constant();
    if (!st.mask) return unsupported("the mask is not a number or a TCP_/TCPI_ name");
    if (!c.eat(")")) return unsupported("expected ')' after the mask");
  }
  for (const char* op : {"==", "!=", "<=", ">=", "<", ">"}) {
    if (c.eat(op)) {
      st.op = op;
      break;
    }
  }
  if (st.op.empty()) return unsupported("expected a comparison (== != < <= > >=) after the field");
  auto value = c.constant();
  if (!value)
    return unsupported("the field is compared with something other than a number or a TCP_/TCPI_ name");
  st.value = *value;
  c.space();
  if (c.i < c.s.size()) {
    if (!c.eat(",")) return unsupported(fmt::format("unexpected '{}' after the comparison", c.s.substr(c.i)));
    c.space();
    if (c.i >= c.s.size()) return unsupported("',' without a message");
    st.message = std::string(c.s.substr(c.i));
  }
  st.supported = true;
}

}  // namespace

std::vector<PythonStatement> parse_python(std::string_view code, Location where) {
  std::vector<PythonStatement> out;
  for (RawStatement& r : split(code, where)) {
    PythonStatement st;
    st.where = r.where;
    st.text = std::move(r.text);
    if (r.unbalanced) {
      st.unsupported_reason = "unbalanced brackets or quotes";
    } else {
      assertion(st);
      if (!st.supported) {
        st.field.clear();
        st.mask.reset();
        st.op.clear();
        st.message.reset();
      }
    }
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace tcpsim::packetdrill
