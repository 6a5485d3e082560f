#include "packetdrill/ast.h"

#include "packetdrill/lexer.h"

namespace tcpsim::packetdrill {

const Expr* Expr::field(const std::string& name) const {
  if (kind != Kind::Struct) return nullptr;
  for (const Expr& f : items) {
    if (f.kind != Kind::Binary || f.text != "=" || f.items.size() != 2) continue;
    const Expr& lhs = f.items[0];
    if ((lhs.kind == Kind::Word || lhs.kind == Kind::Call) && lhs.text == name) return &f.items[1];
  }
  return nullptr;
}

bool PythonBlock::supported() const {
  for (const PythonStatement& s : statements) {
    if (!s.supported) return false;
  }
  return true;
}

std::vector<ShellLine> shell_lines(const ShellCommand& c) {
  std::vector<ShellLine> out;
  ShellLine cur;
  bool started = false;
  Location pos = c.where;
  auto flush = [&] {
    std::string& s = cur.text;
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
    if (!s.empty()) out.push_back(cur);
    cur = ShellLine{};
    started = false;
  };
  const std::string& t = c.text;
  for (std::size_t i = 0; i < t.size(); ++i) {
    Location here = pos;
    pos = advance(pos, std::string_view(t).substr(i, 1));
    if (t[i] == '\\' && i + 1 < t.size() && t[i + 1] == '\n') {
      pos = advance(pos, "\n");
      ++i;
      cur.text += ' ';
      continue;
    }
    if (t[i] == '\n') {
      flush();
      continue;
    }
    if (!started && (t[i] == ' ' || t[i] == '\t')) continue;
    if (!started) {
      cur.where = here;
      started = true;
    }
    cur.text += t[i];
  }
  flush();
  return out;
}

std::vector<const Event*> active_events(const Script& s, const std::set<std::string>& defines) {
  std::vector<const Event*> out;
  for (const Event& e : s.events) {
    bool active = true;
    for (const Guard& g : e.guards) active = active && (defines.count(g.name) > 0) == g.defined;
    if (active) out.push_back(&e);
  }
  return out;
}

}  // namespace tcpsim::packetdrill
