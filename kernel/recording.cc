#include "kernel/recording.h"

#include <fmt/format.h>

#include <charconv>

namespace tcpsim::kernel {

namespace {

// Fields are tab-separated; strings escape backslash, tab and newline.
std::string esc(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string unesc(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
      out += s[i] == 't' ? '\t' : s[i] == 'n' ? '\n' : s[i];
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string hex(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out += fmt::format("{:02x}", c);
  return out.empty() ? "-" : out;
}

std::string unhex(std::string_view s) {
  std::string out;
  if (s == "-") return out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
    unsigned v = 0;
    std::from_chars(s.data() + i, s.data() + i + 2, v, 16);
    out += static_cast<char>(v);
  }
  return out;
}

std::string addr(const sim::Addr& a) { return fmt::format("{}\t{}", a.ip, a.port); }

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> f;
  std::size_t pos = 0;
  while (true) {
    const auto tab = line.find('\t', pos);
    f.push_back(line.substr(pos, tab == std::string_view::npos ? std::string_view::npos : tab - pos));
    if (tab == std::string_view::npos) break;
    pos = tab + 1;
  }
  return f;
}

// Reads numbers off the fields in order; `ok` turns false on a malformed one.
struct Fields {
  std::vector<std::string_view> f;
  std::size_t i = 1;
  bool ok = true;
  template <typename T>
  T num() {
    T v{};
    if (i >= f.size()) {
      ok = false;
      return v;
    }
    const auto s = f[i++];
    if (std::from_chars(s.data(), s.data() + s.size(), v).ec != std::errc()) ok = false;
    return v;
  }
  std::string str() {
    if (i >= f.size()) {
      ok = false;
      return {};
    }
    return unesc(f[i++]);
  }
  sim::Addr address() {
    sim::Addr a;
    a.ip = num<std::uint32_t>();
    a.port = num<std::uint16_t>();
    return a;
  }
};

}  // namespace

std::string serialize(const Recording& r) {
  std::string out;
  for (const auto& s : r.segments) {
    out += fmt::format("G\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", s.t, addr(s.src), addr(s.dst), s.flags,
                       s.seq, s.ack, s.window, hex(s.payload), s.lost ? 1 : 0, s.transit);
  }
  for (const auto& n : r.snapshots) {
    out += fmt::format("N\t{}\t{}\n", n.t, n.sockets.size());
    for (const auto& k : n.sockets) {
      out += fmt::format("K\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", static_cast<int>(k.state),
                         addr(k.local), addr(k.peer), k.recv_q, k.send_q, k.inode, k.timer, k.expires_ms,
                         k.retrans, k.timewait_sock ? 1 : 0);
    }
  }
  for (const auto& c : r.calls) {
    out += fmt::format("C\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", c.program, c.start, c.end, c.has_socket ? 1 : 0,
                       addr(c.local), addr(c.peer), esc(c.text), esc(c.var));
    // The call as data, on a line of its own after it (D: name, assigned
    // variable, result, errno name and number, then the arguments).
    out += fmt::format("D\t{}\t{}\t{}\t{}\t{}", esc(c.fn), esc(c.assign), c.value, esc(c.err), c.err_number);
    for (const auto& a : c.args) out += "\t" + esc(a);
    out += '\n';
  }
  for (const auto& o : r.outputs) out += fmt::format("O\t{}\t{}\t{}\n", o.program, o.t, esc(o.text));
  for (const auto& a : r.results) {
    out += fmt::format("A\t{}\t{}\t{}\t{}\t{}\n", a.loc.line, a.loc.col, a.pass ? 1 : 0, esc(a.what),
                       esc(a.detail));
  }
  for (const auto& p : r.programs) out += fmt::format("P\t{}\t{}\n", p.finished ? 1 : 0, esc(p.blocked_in));
  out += fmt::format("Z\t{}\t{}\t{}\t{}\n", r.end_time, r.capped ? 1 : 0, esc(r.error), esc(r.fault));
  return out;
}

std::optional<Recording> deserialize(std::string_view text) {
  Recording r;
  bool complete = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return std::nullopt;  // a cut-off last line
    Fields f{split(text.substr(pos, nl - pos))};
    pos = nl + 1;
    const std::string_view kind = f.f[0];
    if (kind == "G") {
      CapturedSegment s;
      s.t = f.num<Time>();
      s.src = f.address();
      s.dst = f.address();
      s.flags = f.num<std::uint8_t>();
      s.seq = f.num<std::uint32_t>();
      s.ack = f.num<std::uint32_t>();
      s.window = f.num<std::uint16_t>();
      s.payload = unhex(f.i < f.f.size() ? f.f[f.i++] : "-");
      s.lost = f.i < f.f.size() && f.num<int>() == 1;
      s.transit = f.i < f.f.size() ? f.num<Duration>() : 0;
      r.segments.push_back(std::move(s));
    } else if (kind == "N") {
      Snapshot n;
      n.t = f.num<Time>();
      r.snapshots.push_back(n);
    } else if (kind == "K") {
      if (r.snapshots.empty()) return std::nullopt;
      SocketSample k;
      k.state = static_cast<model::State>(f.num<int>());
      k.local = f.address();
      k.peer = f.address();
      k.recv_q = f.num<std::uint32_t>();
      k.send_q = f.num<std::uint32_t>();
      k.inode = f.num<std::uint64_t>();
      k.timer = f.num<std::uint8_t>();
      k.expires_ms = f.num<std::uint32_t>();
      k.retrans = f.num<std::uint8_t>();
      k.timewait_sock = f.num<int>() != 0;
      if (static_cast<int>(k.state) >= model::kStateCount) return std::nullopt;
      r.snapshots.back().sockets.push_back(k);
    } else if (kind == "C") {
      CallRecord c;
      c.program = f.num<std::uint32_t>();
      c.start = f.num<Time>();
      c.end = f.num<Time>();
      c.has_socket = f.num<int>() != 0;
      c.local = f.address();
      c.peer = f.address();
      c.text = f.str();
      c.var = f.str();
      r.calls.push_back(std::move(c));
    } else if (kind == "D") {
      if (r.calls.empty()) return std::nullopt;
      CallRecord& c = r.calls.back();
      c.fn = f.str();
      c.assign = f.str();
      c.value = f.num<long>();
      c.err = f.str();
      c.err_number = f.num<int>();
      while (f.ok && f.i < f.f.size()) c.args.push_back(f.str());
    } else if (kind == "O") {
      OutputRecord o;
      o.program = f.num<std::uint32_t>();
      o.t = f.num<Time>();
      o.text = f.str();
      r.outputs.push_back(std::move(o));
    } else if (kind == "A") {
      scenario::AssertionResult a;
      a.loc.line = f.num<int>();
      a.loc.col = f.num<int>();
      a.pass = f.num<int>() != 0;
      a.what = f.str();
      a.detail = f.str();
      r.results.push_back(std::move(a));
    } else if (kind == "P") {
      ProgramEnd p;
      p.finished = f.num<int>() != 0;
      p.blocked_in = f.str();
      r.programs.push_back(std::move(p));
    } else if (kind == "Z") {
      r.end_time = f.num<Time>();
      r.capped = f.num<int>() != 0;
      r.error = f.str();
      r.fault = f.str();
      complete = true;
    } else {
      return std::nullopt;
    }
    if (!f.ok) return std::nullopt;
  }
  if (!complete) return std::nullopt;
  return r;
}

}  // namespace tcpsim::kernel
