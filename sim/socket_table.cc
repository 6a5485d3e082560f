#include "sim/socket_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace tcpsim::sim {

using model::State;
using model::TimerKind;

std::vector<SocketRow> socket_rows(const Host& h, Time now) {
  std::vector<SocketRow> rows;
  h.for_each_conn([&](const Conn& c) {
    if (c.state() == State::Closed) return;  // ss never shows CLOSED
    const model::Tcb& t = c.ep.tcb();
    SocketRow r;
    r.state = c.state();
    r.local = c.local;
    r.peer = c.remote;
    r.listening = c.listening;
    r.orphan = !c.held || (c.listener != kNoConn);
    if (c.listening) {
      r.recv_q = static_cast<std::uint32_t>(c.accept_queue.size());
      r.send_q = static_cast<std::uint32_t>(c.backlog);
      r.peer = Addr{0, 0};
    } else {
      // Linux: Recv-Q = RCV.NXT - copied_seq, so the FIN counts until read()
      // returns 0; Send-Q = write_seq - SND.UNA, so a FIN counts until acked.
      r.recv_q = static_cast<std::uint32_t>(t.recv_buffer.size()) + (t.fin_received && !c.eof_read ? 1 : 0);
      if (c.state() != State::SynSent && c.state() != State::SynReceived) {
        r.send_q = static_cast<std::uint32_t>(t.send_buffer.size()) +
                   (t.fin_queued && !(t.fin_sent && model::seq_gt(t.snd_una, t.fin_seq)) ? 1 : 0);
      }
      const auto armed = [&](TimerKind k) { return c.timers[static_cast<int>(k)].valid(); };
      const auto left = [&](TimerKind k) { return c.expires[static_cast<int>(k)] - now; };
      if (c.state() == State::TimeWait && armed(TimerKind::TimeWait)) {
        r.timer = "timewait";
        r.timer_left = left(TimerKind::TimeWait);
      } else if (c.state() == State::FinWait2 && armed(TimerKind::FinWait2)) {
        r.timer = "timewait";  // an orphan's FIN-WAIT-2 is a TIME-WAIT mini socket
        r.timer_left = left(TimerKind::FinWait2);
      } else if (armed(TimerKind::Retransmission)) {
        r.timer = "on";
        r.timer_left = left(TimerKind::Retransmission);
        r.retransmits = t.retransmits;
      }
    }
    rows.push_back(r);
  });
  std::stable_sort(rows.begin(), rows.end(),
                   [](const SocketRow& a, const SocketRow& b) { return a.listening && !b.listening; });
  return rows;
}

namespace {

std::string_view ss_state(State s) {
  switch (s) {
    case State::Established: return "ESTAB";
    case State::SynReceived: return "SYN-RECV";
    case State::Listen: return "LISTEN";
    default: return model::state_name(s);
  }
}

std::string addr_text(const Addr& a, bool peer_of_listener) {
  if (peer_of_listener) return "0.0.0.0:*";
  if (a.ip == 0) return fmt::format("0.0.0.0:{}", a.port);
  return to_string(a);
}

}  // namespace

std::string ss_timer(const SocketRow& r) {
  if (r.timer.empty()) return {};
  const Duration left = std::max<Duration>(r.timer_left, 0);
  std::string when;
  const Duration ms = left / kMillisecond;
  if (ms < 1000) {
    when = fmt::format("{:03}ms", ms);
  } else if (ms % 1000 == 0 || r.timer == "timewait") {
    // ss rounds to whole seconds when the value is whole: TIME-WAIT shows
    // "59sec" right after it starts (the kernel counts in jiffies).
    when = ms % 1000 == 0 || ms >= 60000 ? fmt::format("{}sec", ms / 1000) : fmt::format("{}.{:03}ms", ms / 1000, ms % 1000);
  } else {
    when = fmt::format("{}.{:03}ms", ms / 1000, ms % 1000);  // sic: ss prints seconds with "ms"
  }
  return fmt::format("{},{},{}", r.timer, when, r.retransmits);
}

std::string format_ss(const std::vector<SocketRow>& rows, bool with_timers) {
  // Widths as ss computes them: at least the header's, grown by content.
  std::size_t w_state = 10, w_recv = 6, w_send = 6, w_local = 18, w_peer = 17;
  std::vector<std::array<std::string, 6>> cells;
  for (const SocketRow& r : rows) {
    std::array<std::string, 6> c{std::string(ss_state(r.state)), std::to_string(r.recv_q), std::to_string(r.send_q),
                                 addr_text(r.local, false), addr_text(r.peer, r.listening),
                                 with_timers && !r.timer.empty() ? "timer:(" + ss_timer(r) + ")" : ""};
    w_state = std::max(w_state, c[0].size());
    w_recv = std::max(w_recv, c[1].size());
    w_send = std::max(w_send, c[2].size());
    w_local = std::max(w_local, c[3].size());
    w_peer = std::max(w_peer, c[4].size());
    cells.push_back(std::move(c));
  }
  std::string out = fmt::format("{:<{}} {:<{}} {:<{}} {:>{}} {:>{}} Process\n", "State", w_state, "Recv-Q", w_recv,
                                "Send-Q", w_send, "Local Address:Port", w_local, "Peer Address:Port", w_peer);
  for (const auto& c : cells) {
    std::string line = fmt::format("{:<{}} {:<{}} {:<{}} {:>{}} {:>{}} {}", c[0], w_state, c[1], w_recv, c[2], w_send,
                                   c[3], w_local, c[4], w_peer, c[5]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string format_proc_net_tcp(const std::vector<SocketRow>& rows) {
  // Linux's st codes: include/net/tcp_states.h.
  auto code = [](State s) -> int {
    switch (s) {
      case State::Established: return 0x01;
      case State::SynSent: return 0x02;
      case State::SynReceived: return 0x03;
      case State::FinWait1: return 0x04;
      case State::FinWait2: return 0x05;
      case State::TimeWait: return 0x06;
      case State::Closed: return 0x07;
      case State::CloseWait: return 0x08;
      case State::LastAck: return 0x09;
      case State::Listen: return 0x0A;
      case State::Closing: return 0x0B;
    }
    return 0;
  };
  // Addresses little-endian hex (as the kernel prints the in-memory __be32), ports big-endian.
  auto hex_addr = [](const Addr& a) {
    const std::uint32_t le = ((a.ip & 0xff) << 24) | ((a.ip & 0xff00) << 8) | ((a.ip >> 8) & 0xff00) | (a.ip >> 24);
    return fmt::format("{:08X}:{:04X}", le, a.port);
  };
  std::string out =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
  int sl = 0;
  for (const SocketRow& r : rows) {
    const int tr = r.timer == "on" ? 1 : r.timer == "timewait" ? 3 : 0;
    // tm->when in jiffies of HZ=250, as on the machine the layout was taken from.
    const std::int64_t jiffies = tr ? r.timer_left / (4 * kMillisecond) : 0;
    out += fmt::format("{:4}: {} {} {:02X} {:08X}:{:08X} {:02X}:{:08X} {:08X} {:5} {:8} {}\n", sl, hex_addr(r.local),
                       hex_addr(r.peer), code(r.state), r.send_q, r.recv_q, tr, jiffies, r.retransmits, 0, 0,
                       r.orphan ? 0 : 10000 + sl);
    ++sl;
  }
  return out;
}

}  // namespace tcpsim::sim
