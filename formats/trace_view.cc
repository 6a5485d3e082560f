#include "formats/trace_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <vector>

#include "formats/provenance.h"

namespace tcpsim::formats {

using model::State;
using sim::TraceKind;

TraceView::TraceView(const scenario::RunResult& run, const IsnOrigin& origin) : run_(run), origin_(origin) {
  const sim::Trace& tr = run.net->trace();
  const auto& recs = tr.records();
  rec_end_.assign(recs.size(), -1);
  pkt_end_.assign(tr.packets().size(), -1);
  pkt_conn_.assign(tr.packets().size(), -1);
  pkt_right_.assign(tr.packets().size(), true);

  find_ends(tr);
  pair_ends_and_place_packets(tr);
  place_programs(run);
}

// Each record's end: a new one whenever a (host, id) leaves CLOSED.
void TraceView::find_ends(const sim::Trace& tr) {
  const auto& recs = tr.records();
  // Connection ids are reused once a TCB is gone: each CLOSED -> X starts a
  // new end for that (host, id).
  std::map<std::pair<std::uint8_t, sim::ConnId>, int> current;
  auto end_for = [&](std::uint8_t host, sim::ConnId id) -> int {
    if (id == sim::kNone32) return -1;
    auto it = current.find({host, id});
    return it == current.end() ? -1 : it->second;
  };
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const sim::TraceRecord& r = recs[i];
    if (r.kind == TraceKind::State) {
      if (r.from == State::Closed || !current.count({r.host, r.conn})) {
        End e;
        e.host = r.host;
        e.id = r.conn;
        e.listener = r.to == State::Listen;
        ends_.push_back(e);
        current[{r.host, r.conn}] = static_cast<int>(ends_.size() - 1);
      }
      const int e = current[{r.host, r.conn}];
      if (r.to != State::Listen && r.to != State::Closed) ends_[static_cast<std::size_t>(e)].listener = false;
      rec_end_[i] = e;
      continue;
    }
    if (r.kind == TraceKind::Sent) {
      const int e = end_for(r.host, r.conn);
      rec_end_[i] = e;
      pkt_end_[r.ref] = e;
      const auto& p = tr.packet(r.ref).packet;
      if (e >= 0) {
        End& x = ends_[static_cast<std::size_t>(e)];
        if (!x.addressed) {
          x.local = p.src;
          x.remote = p.dst;
          x.addressed = true;
        }
        if (p.seg.has(model::kSyn) && !x.has_isn) {
          x.has_isn = true;
          x.isn = p.seg.seq;
        }
        if (p.seg.has(model::kSyn) && !p.seg.has(model::kAck)) x.active = true;
      }
      continue;
    }
    rec_end_[i] = end_for(r.host, r.conn);
  }

  // A call is recorded before the state changes it caused: one that made a
  // new TCB for a reused id (listen(), connect()) belongs to the new end.
  for (std::size_t i = 0; i < recs.size(); ++i) {
    if (recs[i].kind != TraceKind::Call || recs[i].conn == sim::kNone32) continue;
    for (std::size_t j = i + 1; j < recs.size() && recs[j].t == recs[i].t; ++j) {
      const auto& r = recs[j];
      if (r.kind == TraceKind::Call && r.program == recs[i].program) break;  // the program's next call
      if (r.kind == TraceKind::State && r.host == recs[i].host && r.conn == recs[i].conn) {
        if (r.from == State::Closed) rec_end_[i] = rec_end_[j];
        break;
      }
    }
  }
  for (std::size_t i = 0; i < recs.size(); ++i) {
    if (recs[i].kind != TraceKind::Call || rec_end_[i] < 0) continue;
    End& x = ends_[static_cast<std::size_t>(rec_end_[i])];
    if (x.program < 0) x.program = static_cast<int>(recs[i].program);
  }
}

// Ends paired into connections, then each packet placed on one (by the
// same index of addresses).
void TraceView::pair_ends_and_place_packets(const sim::Trace& tr) {
  // Pair ends whose addresses mirror each other, in order of appearance: the
  // first unpaired later end whose (local, remote) is a's (remote, local).
  // Indexed by address pair, so that a socket reconnected thousands of times
  // at one instant costs what it holds, not the square of it.
  auto key = [](const sim::Addr& a, const sim::Addr& b) {
    return std::make_pair((std::uint64_t{a.ip} << 16) | a.port, (std::uint64_t{b.ip} << 16) | b.port);
  };
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::vector<std::size_t>> by_addr;
  for (std::size_t b = 0; b < ends_.size(); ++b) {
    if (ends_[b].addressed) by_addr[key(ends_[b].local, ends_[b].remote)].push_back(b);
  }
  std::vector<bool> paired(ends_.size(), false);
  for (std::size_t a = 0; a < ends_.size(); ++a) {
    if (paired[a] || !ends_[a].addressed || ends_[a].listener) continue;
    int peer = -1;
    auto it = by_addr.find(key(ends_[a].remote, ends_[a].local));
    if (it != by_addr.end()) {
      const auto& cands = it->second;  // end indices, increasing
      auto first = std::upper_bound(cands.begin(), cands.end(), a);
      for (auto c = first; c != cands.end(); ++c) {
        if (!paired[*c]) {
          peer = static_cast<int>(*c);
          break;
        }
      }
    }
    Connection c;
    const bool a_left = ends_[a].active || peer < 0 || !ends_[static_cast<std::size_t>(peer)].active;
    c.left = a_left ? static_cast<int>(a) : peer;
    c.right = a_left ? peer : static_cast<int>(a);
    paired[a] = true;
    ends_[a].connection = static_cast<int>(conns_.size());
    if (peer >= 0) {
      paired[static_cast<std::size_t>(peer)] = true;
      ends_[static_cast<std::size_t>(peer)].connection = static_cast<int>(conns_.size());
    }
    conns_.push_back(c);
  }
  // Packets: their connection and direction. A RST from a closed port
  // belongs to the connection it answers.
  for (std::size_t k = 0; k < tr.packets().size(); ++k) {
    const int e = pkt_end_[k];
    if (e >= 0) {
      const int c = ends_[static_cast<std::size_t>(e)].connection;
      pkt_conn_[k] = c;
      pkt_right_[k] = c >= 0 && conns_[static_cast<std::size_t>(c)].left == e;
      continue;
    }
    // The last end (in order) at the mirrored addresses that has a connection.
    const auto& p = tr.packet(k).packet;
    auto it = by_addr.find(key(p.dst, p.src));
    if (it == by_addr.end()) continue;
    for (auto x = it->second.rbegin(); x != it->second.rend(); ++x) {
      if (ends_[*x].connection < 0) continue;
      pkt_conn_[k] = ends_[*x].connection;
      pkt_right_[k] = conns_[static_cast<std::size_t>(ends_[*x].connection)].right == static_cast<int>(*x);
      break;
    }
  }
}

void TraceView::place_programs(const scenario::RunResult& run) {
  // Each program's side: the side of the first connection end it used; a
  // program that only ever listened is on the passive (right) side.
  program_side_.assign(run.programs.size(), -1);
  for (std::size_t x = 0; x < ends_.size(); ++x) {
    const int p = ends_[x].program;
    if (p >= 0 && static_cast<std::size_t>(p) < program_side_.size() &&
        program_side_[static_cast<std::size_t>(p)] < 0 && ends_[x].connection >= 0) {
      program_side_[static_cast<std::size_t>(p)] = is_right(static_cast<int>(x)) ? 1 : 0;
    }
  }
  for (std::size_t x = 0; x < ends_.size(); ++x) {
    const int p = ends_[x].program;
    if (p >= 0 && static_cast<std::size_t>(p) < program_side_.size() &&
        program_side_[static_cast<std::size_t>(p)] < 0 && ends_[x].listener) {
      program_side_[static_cast<std::size_t>(p)] = 1;
    }
  }
}

bool TraceView::is_right(int end) const {
  if (end < 0) return false;
  const int c = ends_[static_cast<std::size_t>(end)].connection;
  return c >= 0 && conns_[static_cast<std::size_t>(c)].right == end;
}

bool TraceView::call_is_right(std::size_t record) const {
  const int e = rec_end_[record];
  if (e >= 0 && ends_[static_cast<std::size_t>(e)].connection >= 0) return is_right(e);
  const std::uint32_t p = run_.net->trace().records()[record].program;
  if (p < program_side_.size() && program_side_[p] >= 0) return program_side_[p] == 1;
  // A program that never held a connection end nor a listener: the active side.
  return false;
}

std::string TraceView::end_label(int end) const {
  if (end < 0) return "closed port";
  const End& e = ends_[static_cast<std::size_t>(end)];
  std::string who =
      e.program >= 0 ? program_name(static_cast<std::uint32_t>(e.program)) : run_.net->host(e.host).name();
  return e.addressed ? fmt::format("{} {}", who, sim::to_string(e.local)) : who;
}

std::string TraceView::listener_state_for(int end) const {
  if (end < 0) return "CLOSED";
  return ends_[static_cast<std::size_t>(end)].active ? "CLOSED" : "LISTEN";
}

std::uint32_t TraceView::relative(std::uint32_t v, int end) const {
  if (end < 0 || !ends_[static_cast<std::size_t>(end)].has_isn) return v;
  const auto& o = origin_.side[is_right(end) ? 1 : 0];
  return v - ends_[static_cast<std::size_t>(end)].isn + o.value_or(0);
}

std::string TraceView::seq_text(std::uint32_t packet) const {
  const auto& p = run_.net->trace().packet(packet).packet;
  const int e = pkt_end_[packet];
  std::uint32_t seq = p.seg.seq, ack = p.seg.ack;
  const int c = pkt_conn_[packet];
  if (e < 0 && c >= 0) {
    // A RST from a port with no TCB: its ack acknowledges the peer's
    // sequence space (RFC 9293 3.10.7.1: SEG.SEQ + SEG.LEN of a SYN), so it
    // is relative to the receiver's ISN like every other ack in the figure;
    // its seq is zero (nothing to be relative to) or the peer's own SEG.ACK.
    const Connection& cc = conns_[static_cast<std::size_t>(c)];
    const int to = pkt_right_[packet] ? cc.right : cc.left;
    const int from = pkt_right_[packet] ? cc.left : cc.right;
    ack = relative(ack, to);
    if (seq != 0) seq = relative(seq, from);
  }
  if (e >= 0) {
    seq = relative(seq, e);
    if (c >= 0) {
      const Connection& cc = conns_[static_cast<std::size_t>(c)];
      ack = relative(ack, cc.left == e ? cc.right : cc.left);
    }
  }
  std::string s = fmt::format(" seq={}", seq);
  if (p.seg.has(model::kAck)) s += fmt::format(" ack={}", ack);
  if (!p.seg.has(model::kRst)) s += fmt::format(" win={}", p.seg.window);
  return s;
}

std::string TraceView::sack_text(std::uint32_t packet) const {
  const auto& p = run_.net->trace().packet(packet).packet;
  if (p.seg.sack.empty()) return {};
  const int e = pkt_end_[packet];
  const int c = pkt_conn_[packet];
  int peer = -1;
  if (e >= 0 && c >= 0) {
    const Connection& cc = conns_[static_cast<std::size_t>(c)];
    peer = cc.left == e ? cc.right : cc.left;
  }
  std::string s = " sack=";
  for (std::size_t i = 0; i < p.seg.sack.size(); ++i)
    s += fmt::format("{}{}-{}", i ? "," : "", relative(p.seg.sack[i].left, peer),
                     relative(p.seg.sack[i].right, peer));
  return s;
}

std::string TraceView::program_name(std::uint32_t program) const {
  return program < run_.programs.size() ? run_.programs[program].name : std::string("?");
}

std::string TraceView::header() const {
  const auto& sc = *run_.scenario;
  std::string out;
  if (!sc.title.empty()) out += sc.title + "\n";
  return out + provenance_line(provenance_of(run_)) + "\n\n";
}

}  // namespace tcpsim::formats
