// The normalized form of a parsed script (for tests, -v output and diffs):
// one event per line; times in seconds with no trailing zeros; single
// spaces; options, flags and expressions written the one way the parser
// reads back to the same AST.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "packetdrill/parser.h"

namespace tcpsim::packetdrill {
namespace {

std::string seconds(Duration d) {
  std::int64_t whole = d / kSecond, ns = d % kSecond;
  if (ns == 0) return std::to_string(whole);
  std::string frac = fmt::format("{:09d}", ns);
  while (frac.back() == '0') frac.pop_back();
  return fmt::format("{}.{}", whole, frac);
}

std::string time(const EventTime& t) {
  using K = EventTime::Kind;
  switch (t.kind) {
    case K::Absolute: return seconds(t.start);
    case K::Relative: return "+" + seconds(t.start);
    case K::Any: return "*";
    case K::AbsoluteRange: return seconds(t.start) + "~" + seconds(t.end);
    case K::RelativeRange: return "+" + seconds(t.start) + "~+" + seconds(t.end);
  }
  return "?";
}

std::string join(const std::vector<Expr>& items) {
  std::string out;
  for (const Expr& e : items) out += (out.empty() ? "" : ", ") + dump(e);
  return out;
}

std::string option(const TcpOption& o) {
  using K = TcpOption::Kind;
  switch (o.kind) {
    case K::Nop: return "nop";
    case K::Eol: return "eol";
    case K::Mss: return fmt::format("mss {}", o.value);
    case K::WindowScale: return fmt::format("wscale {}", o.value);
    case K::SackPermitted: return "sackOK";
    case K::Sack: {
      std::string s = "sack";
      for (auto [l, r] : o.sack_blocks) s += fmt::format(" {}:{}", l, r);
      return s;
    }
    case K::Timestamp: return fmt::format("TS val {} ecr {}", o.ts_val, o.ts_ecr);
    case K::FastOpen: return o.blob.empty() ? "FO" : "FO " + o.blob;
    case K::FastOpenExp: return o.blob.empty() ? "FOEXP" : "FOEXP " + o.blob;
    case K::Md5: return "md5 " + o.blob;
  }
  return "?";
}

std::string packet(const Packet& p) {
  std::string s = p.direction == Packet::Direction::Inbound ? "<" : ">";
  std::vector<std::string> ip;
  if (p.ecn) ip.push_back(*p.ecn);
  if (p.tos) ip.push_back(fmt::format("tos 0x{:02x}", *p.tos));
  if (p.flow_label) ip.push_back(fmt::format("flowlabel 0x{:x}", *p.flow_label));
  if (p.ttl) ip.push_back(fmt::format("ttl {}", *p.ttl));
  if (!ip.empty()) s += fmt::format("[{}]", fmt::join(ip, ","));
  s += " " + (p.flags.empty() ? std::string("-") : p.flags) + " ";
  s += p.any_seq ? fmt::format("...({})", p.len) : fmt::format("{}:{}({})", p.seq, p.end_seq, p.len);
  if (p.ack) s += fmt::format(" ack {}", *p.ack);
  if (p.window) s += fmt::format(" win {}", *p.window);
  if (p.urg_ptr) s += fmt::format(" urg {}", *p.urg_ptr);
  if (p.options_unchecked) {
    s += " <...>";
  } else if (!p.options.empty()) {
    std::vector<std::string> o;
    for (const TcpOption& t : p.options) o.push_back(option(t));
    s += fmt::format(" <{}>", fmt::join(o, ","));
  }
  return s;
}

std::string syscall(const Syscall& c) {
  std::string s = fmt::format("{}({}) = {}", c.name, join(c.args), dump(c.result));
  if (c.errno_name) s += " " + *c.errno_name;
  if (c.note) s += " (" + *c.note + ")";
  return s;
}

std::string python(const PythonBlock& b) {
  std::vector<std::string> st;
  for (const PythonStatement& p : b.statements) st.push_back(p.text);
  return st.empty() ? "%{ }%" : fmt::format("%{{ {} }}%", fmt::join(st, "; "));
}

std::string action(const Event& e) {
  struct Visitor {
    std::string operator()(const Packet& p) const { return packet(p); }
    std::string operator()(const Syscall& c) const { return syscall(c); }
    std::string operator()(const ShellCommand& c) const { return "`" + c.text + "`"; }
    std::string operator()(const PythonBlock& b) const { return python(b); }
    std::string operator()(const Unsupported& u) const { return u.text; }
  };
  return std::visit(Visitor{}, e.action);
}

bool same(const Guard& a, const Guard& b) { return a.name == b.name && a.defined == b.defined; }

}  // namespace

std::string dump(const Expr& e) {
  using K = Expr::Kind;
  switch (e.kind) {
    case K::Ellipsis: return "...";
    case K::Integer: return e.hex ? fmt::format("0x{:x}", e.integer) : std::to_string(e.integer);
    case K::Word: return e.text;
    case K::String: return "\"" + e.text + "\"" + (e.string_ellipsis ? "..." : "");
    case K::Binary: return e.items.size() == 2 ? dump(e.items[0]) + e.text + dump(e.items[1]) : "?";
    case K::List: return "[" + join(e.items) + "]";
    case K::Struct: return "{" + join(e.items) + "}";
    case K::Call: return e.text + "(" + join(e.items) + ")";
  }
  return "?";
}

std::string dump(const Script& s) {
  std::string out;
  for (const Option& o : s.flags.all) {
    out += "--" + o.name;
    if (o.value) {
      bool quote = o.value->find_first_of(" \t\n") != std::string::npos;
      out += quote ? "=\"" + *o.value + "\"" : "=" + *o.value;
    }
    out += "\n";
  }
  if (s.init_command) out += "`" + s.init_command->text + "`\n";
  std::vector<Guard> open;
  for (const Event& e : s.events) {
    std::size_t k = 0;
    while (k < open.size() && k < e.guards.size() && same(open[k], e.guards[k])) ++k;
    for (; open.size() > k; open.pop_back()) out += "#endif\n";
    for (; k < e.guards.size(); ++k) {
      out += fmt::format("#{} {}\n", e.guards[k].defined ? "ifdef" : "ifndef", e.guards[k].name);
      open.push_back(e.guards[k]);
    }
    std::string t = time(e.time);
    if (const auto* c = std::get_if<Syscall>(&e.action); c && c->end) t += "..." + seconds(*c->end);
    out += t + " " + action(e) + "\n";
  }
  for (; !open.empty(); open.pop_back()) out += "#endif\n";
  if (s.cleanup_command) out += "`" + s.cleanup_command->text + "`\n";
  return out;
}

}  // namespace tcpsim::packetdrill
