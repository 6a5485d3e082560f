#include "kernel/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "formats/trace_view.h"
#include "sim/trace_text.h"
#include "sim/units.h"

namespace tcpsim::kernel {

using model::State;
using sim::TraceKind;

std::vector<std::pair<std::size_t, std::size_t>> align(const std::vector<std::string>& a,
                                                       const std::vector<std::string>& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::uint32_t>> l(n + 1, std::vector<std::uint32_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;)
      l[i][j] = a[i] == b[j] ? l[i + 1][j + 1] + 1 : std::max(l[i + 1][j], l[i][j + 1]);
  }
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t i = 0, j = 0;
  while (i < n && j < m) {
    if (a[i] == b[j]) {
      out.emplace_back(i++, j++);
    } else if (l[i + 1][j] >= l[i][j + 1]) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

std::string compare_states(const std::vector<std::string>& kernel, const std::vector<TimedState>& model) {
  std::size_t j = 0;
  for (const auto& k : kernel) {
    std::size_t x = j;
    while (x < model.size() && model[x].state != k) ++x;
    if (x == model.size())
      return fmt::format("the kernel showed {} where the model has no such state (in this order)", k);
    for (std::size_t y = j; y < x; ++y) {
      if (!model[y].optional)
        return fmt::format("the kernel never showed {}, which the model held", model[y].state);
    }
    j = x + 1;
  }
  for (; j < model.size(); ++j) {
    if (!model[j].optional)
      return fmt::format("the kernel never showed {}, which the model held", model[j].state);
  }
  return "";
}

namespace {

struct Seg {
  Time t = 0;
  std::string key;        // flags, relative seq/ack, length, lost
  bool pure_ack = false;  // ACK alone, no data, delivered
  bool data = false;      // carries payload
  bool again = false;     // a retransmission
  std::uint32_t rel_seq = 0;
};
struct Call {
  Time t = 0;
  std::string call, result;
};
struct EndStates {
  std::vector<std::pair<Time, State>> states;
};
struct Conn {
  std::string name;  // "A -> B:8080"
  std::string left_name, right_name;
  std::vector<Seg> right, left;  // segments going rightwards / leftwards
  EndStates left_states, right_states;
  bool has_right = false;
};
struct Extract {
  std::vector<Conn> conns;
  std::vector<std::vector<Call>> calls;  // per program
};

Extract extract(const scenario::RunResult& run, Time until) {
  const formats::TraceView view(run);
  const sim::Trace& tr = run.net->trace();
  Extract x;
  const auto& ends = view.ends();
  const auto host_name = [&](std::uint8_t h) { return run.net->host(h).name(); };
  for (const auto& c : view.connections()) {
    Conn k;
    const auto& l = ends[static_cast<std::size_t>(c.left)];
    k.left_name = host_name(l.host);
    k.right_name = c.right >= 0 ? host_name(ends[static_cast<std::size_t>(c.right)].host) : "closed port";
    k.name = fmt::format("{} -> {}:{}", k.left_name, k.right_name, l.remote.port);
    k.has_right = c.right >= 0;
    x.conns.push_back(k);
  }
  const auto& recs = tr.records();
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    if (r.t > until) break;
    if (r.kind == TraceKind::Sent) {
      const int c = view.connection_of_packet(r.ref);
      if (c < 0) continue;
      const auto& cc = view.connections()[static_cast<std::size_t>(c)];
      const bool rightwards = view.packet_goes_right(r.ref);
      const auto& p = tr.packet(r.ref).packet;
      const int sender = rightwards ? cc.left : cc.right;
      const int receiver = rightwards ? cc.right : cc.left;
      std::uint32_t seq = p.seg.seq, ack = p.seg.ack;
      std::string seq_text = "seq=?";
      if (sender >= 0 && ends[static_cast<std::size_t>(sender)].has_isn)
        seq_text = fmt::format("seq={}", seq - ends[static_cast<std::size_t>(sender)].isn);
      else if (seq == 0)
        seq_text = "seq=0";
      std::string ack_text;
      if (p.seg.has(model::kAck)) {
        ack_text = receiver >= 0 && ends[static_cast<std::size_t>(receiver)].has_isn
                       ? fmt::format(" ack={}", ack - ends[static_cast<std::size_t>(receiver)].isn)
                       : " ack=?";
      }
      const bool lost =
          i + 1 < recs.size() && recs[i + 1].kind == TraceKind::Dropped && recs[i + 1].ref == r.ref;
      Seg s;
      s.t = r.t;
      model::Segment shown = p.seg;
      shown.flags &= static_cast<std::uint8_t>(~model::kPsh);
      s.key =
          fmt::format("{} {}{}{}", sim::segment_label(shown), seq_text, ack_text, lost ? " (dropped)" : "");
      s.data = !p.seg.payload.empty();
      s.again = p.retransmission;
      if (sender >= 0) s.rel_seq = seq - ends[static_cast<std::size_t>(sender)].isn;
      s.pure_ack = !s.data && !lost && p.seg.flags == model::kAck;
      auto& k = x.conns[static_cast<std::size_t>(c)];
      (rightwards ? k.right : k.left).push_back(s);
    } else if (r.kind == TraceKind::State) {
      const int e = view.end_of(i);
      if (e < 0) continue;
      const int c = ends[static_cast<std::size_t>(e)].connection;
      if (c < 0) continue;
      auto& k = x.conns[static_cast<std::size_t>(c)];
      auto& st = view.is_right(e) ? k.right_states : k.left_states;
      if (r.to == State::Listen) continue;  // a listener's child, before its SYN: tcpsim's bookkeeping
      if (st.states.empty() || st.states.back().second != r.to) st.states.emplace_back(r.t, r.to);
    } else if (r.kind == TraceKind::Call) {
      if (r.program >= run.programs.size()) continue;
      if (x.calls.size() < run.programs.size()) x.calls.resize(run.programs.size());
      const std::string& text = tr.text(r.ref);
      const auto close = text.find(") = ");
      Call call;
      call.t = r.t;
      call.call = close == std::string::npos ? text : text.substr(0, close + 1);
      call.result = close == std::string::npos ? "" : text.substr(close + 4);
      x.calls[r.program].push_back(call);
    }
  }
  x.calls.resize(run.programs.size());
  return x;
}

std::string seconds(Duration d) { return sim::format_seconds(d); }

}  // namespace

std::string aligned_segments(const scenario::RunResult& kernel, const scenario::RunResult& model,
                             const DiffOptions& opt) {
  const Extract k = extract(kernel, opt.until);
  const Extract m = extract(model, opt.until);
  struct Row {
    Time order;
    std::string text;
  };
  std::vector<Row> rows;
  std::vector<bool> used(m.conns.size(), false);
  const auto line = [](const std::string& what, const std::string& tk, const std::string& tm) {
    return fmt::format("  {:<44} {:>10} | {:<10}", what, tk, tm);
  };
  for (std::size_t i = 0; i < k.conns.size(); ++i) {
    const Conn& kc = k.conns[i];
    const Conn* mc = nullptr;
    for (std::size_t j = 0; j < m.conns.size() && !mc; ++j) {
      if (!used[j] && m.conns[j].name == kc.name) {
        used[j] = true;
        mc = &m.conns[j];
      }
    }
    for (int dir = 0; dir < 2; ++dir) {
      const auto& ks = dir == 0 ? kc.right : kc.left;
      static const std::vector<Seg> none;
      const auto& ms = mc ? (dir == 0 ? mc->right : mc->left) : none;
      const std::string arrow = fmt::format("#{} {} -> {} ", i + 1, dir == 0 ? kc.left_name : kc.right_name,
                                            dir == 0 ? kc.right_name : kc.left_name);
      std::vector<std::string> ka, ma;
      for (const auto& x : ks) ka.push_back(x.key);
      for (const auto& x : ms) ma.push_back(x.key);
      std::size_t a = 0, b = 0;
      for (const auto& [pa, pb] : align(ka, ma)) {
        for (; a < pa; ++a) rows.push_back({ks[a].t, line(arrow + ks[a].key, seconds(ks[a].t), "-")});
        for (; b < pb; ++b) rows.push_back({ms[b].t, line(arrow + ms[b].key, "-", seconds(ms[b].t))});
        rows.push_back({ks[pa].t, line(arrow + ks[pa].key, seconds(ks[pa].t), seconds(ms[pb].t))});
        a = pa + 1;
        b = pb + 1;
      }
      for (; a < ks.size(); ++a) rows.push_back({ks[a].t, line(arrow + ks[a].key, seconds(ks[a].t), "-")});
      for (; b < ms.size(); ++b) rows.push_back({ms[b].t, line(arrow + ms[b].key, "-", seconds(ms[b].t))});
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) { return x.order < y.order; });
  rows.insert(rows.begin(), Row{0, line("segment", "kernel", "model")});
  std::string out;
  for (const auto& r : rows) {
    std::string t = r.text;
    while (!t.empty() && t.back() == ' ') t.pop_back();
    out += t + "\n";
  }
  return out;
}

namespace {

// Events close to the end may have fallen on either side of it.
bool near_the_end(const DiffOptions& opt, Time t) {
  const Time margin = opt.tolerance + opt.until / 50;
  return t + margin > opt.until;
}

// How far apart two intervals may be: the tolerance and a part of the model's.
Duration allowed_gap(const DiffOptions& opt, Duration model_gap) {
  return opt.tolerance + static_cast<Duration>(opt.relative * static_cast<double>(std::llabs(model_gap)));
}

// Calls per program: aligned by name, then results and the time since the
// previous call compared; calls only one run made, unless near the end.
void diff_calls(const scenario::RunResult& kernel, const Extract& k, const Extract& m, const DiffOptions& opt,
                std::vector<Difference>& out) {
  const auto near_end = [&](Time t) { return near_the_end(opt, t); };
  const auto allowed = [&](Duration model_gap) { return allowed_gap(opt, model_gap); };
  for (std::size_t p = 0; p < k.calls.size() && p < m.calls.size(); ++p) {
    const std::string who = p < kernel.programs.size() ? kernel.programs[p].name : "?";
    const auto& kc = k.calls[p];
    const auto& mc = m.calls[p];
    std::vector<std::string> ka, ma;
    for (const auto& c : kc) ka.push_back(c.call);
    for (const auto& c : mc) ma.push_back(c.call);
    const auto pairs = align(ka, ma);
    std::vector<bool> km(kc.size(), false), mm(mc.size(), false);
    bool first = true;
    Time prev_k = 0, prev_m = 0;
    for (const auto& [a, b] : pairs) {
      km[a] = mm[b] = true;
      if (kc[a].result != mc[b].result) {
        out.push_back({"call", fmt::format("{}: {} returned {} on the kernel, {} in the model", who,
                                           kc[a].call, kc[a].result, mc[b].result)});
      }
      const Duration dk = kc[a].t - prev_k, dm = mc[b].t - prev_m;
      if (!first && std::llabs(dk - dm) > allowed(dm)) {
        out.push_back(
            {"timing",
             fmt::format("{}: {} returned {} after the previous call on the kernel, {} in the model", who,
                         kc[a].call, seconds(dk), seconds(dm))});
      }
      prev_k = kc[a].t;
      prev_m = mc[b].t;
      first = false;
    }
    for (std::size_t a = 0; a < kc.size(); ++a) {
      if (!km[a] && !near_end(kc[a].t))
        out.push_back({"call", fmt::format("{}: {} = {} only on the kernel", who, kc[a].call, kc[a].result)});
    }
    for (std::size_t b = 0; b < mc.size(); ++b) {
      if (!mm[b] && !near_end(mc[b].t))
        out.push_back({"call", fmt::format("{}: {} = {} only in the model", who, mc[b].call, mc[b].result)});
    }
  }
}

// Two runs' events paired: when each happened on the kernel and in the model.
struct Matched {
  Time tk, tm;
  std::string what;
};

// One connection's segments, both ways: aligned, the unmatched ones as
// differences, the matched ones on the timeline (or, for a bulk transfer's
// data, timed against their previous copy).
void diff_segments(const Conn& kc, const Conn& mc, const std::string& tag, const DiffOptions& opt,
                   std::vector<Matched>& timeline, std::vector<Difference>& out) {
  const auto near_end = [&](Time t) { return near_the_end(opt, t); };
  const auto allowed = [&](Duration model_gap) { return allowed_gap(opt, model_gap); };
  // A bulk transfer (at least an initial window, 10 data segments, one
  // way): its pure ACKs are not compared one by one (how many a receiver
  // sends depends on ACK coalescing, TSQ and when the reader runs: issue
  // 15's "what agrees" leaves them out); the data, the retransmissions,
  // the lost segments (a lost pure ACK too) and the flags are. Shorter
  // exchanges keep every ACK compared: there the ACK policy is the story.
  const auto carries_data = [](const Conn& c) {
    const auto bulk = [](const std::vector<Seg>& v) {
      return std::count_if(v.begin(), v.end(), [](const Seg& s) { return s.data; }) >= 10;
    };
    return bulk(c.right) || bulk(c.left);
  };
  const bool data = carries_data(kc) || carries_data(mc);
  // Its data segments are aligned in sequence order (which copy went
  // before which new segment depends on TSQ and ACK batching), and timed
  // by retransmission: each copy against the previous copy of the same
  // sequence number on the same side.
  const auto compared = [data](const std::vector<Seg>& v) {
    std::vector<Seg> out;
    for (const Seg& s : v) {
      if (!data || !s.pure_ack) out.push_back(s);
    }
    if (data) {
      // The others first, as sent; then the data by sequence number.
      const auto mid = std::stable_partition(out.begin(), out.end(), [](const Seg& s) { return !s.data; });
      std::stable_sort(mid, out.end(), [](const Seg& a, const Seg& b) { return a.rel_seq < b.rel_seq; });
    }
    return out;
  };
  for (int dir = 0; dir < 2; ++dir) {
    const auto ks = compared(dir == 0 ? kc.right : kc.left);
    const auto ms = compared(dir == 0 ? mc.right : mc.left);
    const std::string arrow = dir == 0 ? fmt::format("{} -> {}", kc.left_name, kc.right_name)
                                       : fmt::format("{} -> {}", kc.right_name, kc.left_name);
    std::vector<std::string> ka, ma;
    for (const auto& s : ks) ka.push_back(s.key);
    for (const auto& s : ms) ma.push_back(s.key);
    const auto pairs = align(ka, ma);
    std::vector<bool> km(ks.size(), false), mm(ms.size(), false);
    for (const auto& [a, b] : pairs) {
      km[a] = mm[b] = true;
      if (!data || !ks[a].data) {
        timeline.push_back({ks[a].t, ms[b].t, fmt::format("{}{} {}", tag, arrow, ks[a].key)});
      } else if (ks[a].again && a > 0 && b > 0 && ks[a - 1].rel_seq == ks[a].rel_seq &&
                 ms[b - 1].rel_seq == ms[b].rel_seq) {
        const Duration dk = ks[a].t - ks[a - 1].t, dm = ms[b].t - ms[b - 1].t;
        if (std::llabs(dk - dm) > allowed(dm))
          out.push_back({"timing", fmt::format("{}{} {}: resent {} after the previous copy on the kernel, {} "
                                               "in the model",
                                               tag, arrow, ks[a].key, seconds(dk), seconds(dm))});
      }
    }
    for (std::size_t a = 0; a < ks.size(); ++a) {
      if (!km[a] && !near_end(ks[a].t))
        out.push_back({"segment", fmt::format("{}{} {} at {}: sent on the kernel, not in the model", tag,
                                              arrow, ks[a].key, seconds(ks[a].t))});
    }
    for (std::size_t b = 0; b < ms.size(); ++b) {
      if (!mm[b] && !near_end(ms[b].t))
        out.push_back({"segment", fmt::format("{}{} {} at {}: sent in the model, not on the kernel", tag,
                                              arrow, ms[b].key, seconds(ms[b].t))});
    }
  }
}

}  // namespace

std::vector<Difference> diff_runs(const scenario::RunResult& kernel, const scenario::RunResult& model,
                                  const DiffOptions& opt) {
  std::vector<Difference> out;
  const Extract k = extract(kernel, opt.until);
  const Extract m = extract(model, opt.until);
  const auto near_end = [&](Time t) { return near_the_end(opt, t); };
  const auto allowed = [&](Duration model_gap) { return allowed_gap(opt, model_gap); };

  // Connections in order of appearance, matched by their hosts and port.
  std::vector<bool> used(m.conns.size(), false);
  std::vector<Matched> timeline;
  for (std::size_t i = 0; i < k.conns.size(); ++i) {
    const Conn& kc = k.conns[i];
    int found = -1;
    for (std::size_t j = 0; j < m.conns.size() && found < 0; ++j) {
      if (!used[j] && m.conns[j].name == kc.name) found = static_cast<int>(j);
    }
    if (found < 0) {
      const Time t = !kc.right.empty() ? kc.right.front().t : 0;
      if (!near_end(t)) out.push_back({"segment", fmt::format("connection {}: only on the kernel", kc.name)});
      continue;
    }
    used[static_cast<std::size_t>(found)] = true;
    const Conn& mc = m.conns[static_cast<std::size_t>(found)];
    const std::string tag = fmt::format("#{} ", i + 1);
    diff_segments(kc, mc, tag, opt, timeline, out);
    // States per side.
    for (int side = 0; side < 2; ++side) {
      const auto& ke = side == 0 ? kc.left_states : kc.right_states;
      const auto& me = side == 0 ? mc.left_states : mc.right_states;
      std::vector<std::string> ks;
      std::vector<TimedState> ms;
      std::string kt, mt;
      for (const auto& [t, s] : ke.states) {
        ks.emplace_back(model::state_name(s));
        kt += (kt.empty() ? "" : " ") + std::string(model::state_name(s));
      }
      for (std::size_t q = 0; q < me.states.size(); ++q) {
        const Time next = q + 1 < me.states.size() ? me.states[q + 1].first : opt.until;
        const bool brief = next - me.states[q].first < opt.tolerance;
        ms.push_back(TimedState{std::string(model::state_name(me.states[q].second)), brief});
        mt += (mt.empty() ? "" : " ") + std::string(model::state_name(me.states[q].second));
      }
      const std::string why = compare_states(ks, ms);
      if (!why.empty()) {
        out.push_back(
            {"state", fmt::format("{}{} side ({}): {}; kernel: {}; model: {}", tag,
                                  side == 0 ? "left" : "right", side == 0 ? kc.left_name : kc.right_name, why,
                                  kt.empty() ? "-" : kt, mt.empty() ? "-" : mt)});
      }
    }
  }
  for (std::size_t j = 0; j < m.conns.size(); ++j) {
    const Time t = !m.conns[j].right.empty() ? m.conns[j].right.front().t : 0;
    if (!used[j] && !near_end(t))
      out.push_back({"segment", fmt::format("connection {}: only in the model", m.conns[j].name)});
  }

  diff_calls(kernel, k, m, opt, out);

  // Segment timing: each interval between consecutive aligned segments.
  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const Matched& a, const Matched& b) { return a.tk < b.tk; });
  // The first has nothing before it: the real run's start-up (threads, the
  // first calls) is not the model's business.
  Time prev_k = 0, prev_m = 0;
  bool first = true;
  for (const auto& e : timeline) {
    const Duration dk = e.tk - prev_k, dm = e.tm - prev_m;
    if (!first && std::llabs(dk - dm) > allowed(dm)) {
      out.push_back({"timing", fmt::format("{}: {} after the previous segment on the kernel, {} in the model",
                                           e.what, seconds(dk), seconds(dm))});
    }
    prev_k = e.tk;
    prev_m = e.tm;
    first = false;
  }
  for (auto& d : assertion_differences(kernel, model)) out.push_back(std::move(d));
  return out;
}

std::vector<Difference> assertion_differences(const scenario::RunResult& kernel,
                                              const scenario::RunResult& model) {
  std::vector<Difference> out;
  const auto add = [&out](const char* side, const scenario::RunResult& run) {
    for (const auto& r : run.results) {
      if (r.pass) continue;
      std::string detail = r.detail;  // one line per difference
      std::replace(detail.begin(), detail.end(), '\n', ' ');
      out.push_back({"assertion", fmt::format("line {}:{}: {} fails on the {}: {}", r.loc.line, r.loc.col,
                                              r.what, side, detail)});
    }
  };
  add("kernel", kernel);
  add("model", model);
  return out;
}

}  // namespace tcpsim::kernel
