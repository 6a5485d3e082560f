#include "sim/ss_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <tuple>

namespace tcpsim::sim {

using model::State;
using model::TimerKind;

namespace {

constexpr Duration kJiffy = 4 * kMillisecond;  // CONFIG_HZ=250 on the measured kernel

}  // namespace

std::int64_t kernel_jiffies_left(Duration left) {
  if (left <= 0) return 0;
  return (left + kJiffy - 1) / kJiffy;
}

std::vector<SocketRow> socket_rows(const Host& h, Time now) {
  std::vector<SocketRow> rows;
  h.for_each_conn([&](const Conn& c) {
    const State st = c.state();
    if (st == State::Closed) return;  // Linux lists no CLOSED (or bound-only) socket
    const model::Tcb& t = c.ep.tcb();
    const auto armed = [&](TimerKind k) { return c.timers[static_cast<int>(k)].valid(); };
    const auto left = [&](TimerKind k) { return c.expires[static_cast<int>(k)] - now; };
    SocketRow r;
    r.state = st;
    r.local = c.local;
    r.peer = c.remote;
    r.listening = c.listening;
    r.rto = t.rtt.rto;
    // Not yet accept()ed children have no socket file either (inode 0).
    r.orphan = !c.held || c.listener != kNoConn;
    if (c.listening) {
      r.recv_q = static_cast<std::uint32_t>(c.accept_queue.size());  // sk_ack_backlog
      r.send_q = static_cast<std::uint32_t>(c.backlog);              // sk_max_ack_backlog
      r.peer = Addr{0, 0};
      r.rto = 0;
    } else if (st == State::TimeWait || (st == State::FinWait2 && armed(TimerKind::FinWait2))) {
      // tcp_time_wait() replaces the socket by a timewait socket (even when a
      // process still holds the file: that socket goes CLOSE, unlisted), and
      // does the same for an orphan reaching FIN-WAIT-2 with tcp_fin_timeout
      // <= 60 s. Linux keeps a longer orphan FIN-WAIT-2 as a full socket under
      // the keepalive timer for tcp_fin_timeout - 60 s first; tcpsim's single
      // FinWait2 timer shows as the timewait socket throughout.
      r.kind = SockKind::TimeWait;
      r.orphan = true;
      const TimerKind k = st == State::TimeWait ? TimerKind::TimeWait : TimerKind::FinWait2;
      if (armed(k)) {
        r.timer = "timewait";
        r.timer_left = left(k);
      }
    } else if (st == State::SynReceived && t.passive_open) {
      // A request socket: no queues, no inode, the SYN-ACK timer.
      r.kind = SockKind::Request;
      r.orphan = true;
      if (armed(TimerKind::Retransmission)) {
        r.timer = "on";
        r.timer_left = left(TimerKind::Retransmission);
      }
      r.retransmits = t.retransmits;
    } else {
      // Linux: Recv-Q = RCV.NXT - copied_seq, so the FIN counts until read()
      // returns 0; Send-Q = write_seq - SND.UNA, so the SYN counts until
      // acked (SYN-SENT shows 1), and so does a queued FIN.
      r.recv_q = static_cast<std::uint32_t>(t.recv_buffer.size()) + (t.fin_received && !c.eof_read ? 1 : 0);
      const bool syn_unacked = st == State::SynSent || st == State::SynReceived;
      const bool fin_unacked = t.fin_queued && !(t.fin_sent && model::seq_gt(t.snd_una, t.fin_seq));
      r.send_q =
          static_cast<std::uint32_t>(t.send_buffer.size()) + (syn_unacked ? 1 : 0) + (fin_unacked ? 1 : 0);
      // inet_sk_diag_fill(): the keepalive timer (2) shows only when neither
      // the retransmission (1) nor the probe timer (4) is pending.
      if (armed(TimerKind::Keepalive)) {
        r.timer = "keepalive";
        r.timer_left = left(TimerKind::Keepalive);
      }
      // Linux shows its loss probe as "on" too (it is the same pending timer).
      for (TimerKind k : {TimerKind::Retransmission, TimerKind::LossProbe}) {
        if (!armed(k)) continue;
        r.timer = "on";
        r.timer_left = left(k);
      }
      if (armed(TimerKind::Persist)) {  // ICSK_TIME_PROBE0: ss and /proc say "persist" (4)
        r.timer = "persist";
        r.timer_left = left(TimerKind::Persist);
      }
      r.retransmits = t.retransmits;  // /proc prints icsk_retransmits with or without a timer
    }
    // Placeholder inode: Linux's are arbitrary; a stable number per connection.
    r.inode = r.orphan ? 0 : 100000 + c.id;
    rows.push_back(r);
  });
  std::sort(rows.begin(), rows.end(), [](const SocketRow& a, const SocketRow& b) {
    return std::make_tuple(!a.listening, a.local.port, a.peer.port, a.local.ip, a.peer.ip) <
           std::make_tuple(!b.listening, b.local.port, b.peer.port, b.local.ip, b.peer.ip);
  });
  return rows;
}

std::string ss_ms_timer(std::uint32_t ms) {
  // iproute2 ss.c print_ms_timer(): minutes drop the milliseconds, and from
  // 10 min on the seconds too; seconds from 10 on drop the milliseconds; a
  // fractional second count is printed "<s>.<ms>ms" (so "1.304ms" is 1.304 s).
  unsigned secs = ms / 1000;
  const unsigned minutes = secs / 60;
  secs %= 60;
  unsigned msecs = ms % 1000;
  std::string out;
  if (minutes) {
    msecs = 0;
    out = fmt::format("{}min", minutes);
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    out += fmt::format("{}{}", secs, msecs ? "." : "sec");
  }
  if (msecs) out += fmt::format("{:03}ms", msecs);
  return out;
}

std::string ss_timer(const SocketRow& r) {
  if (r.timer.empty()) return {};
  // The kernel reports whole jiffies (timewait: jiffies_to_msecs, others:
  // jiffies_delta_to_msecs), so every value is a multiple of 4 ms; a 60 s
  // TIME-WAIT shows "1min" in the jiffy it starts and "59sec" from the next.
  const auto ms = static_cast<std::uint32_t>(kernel_jiffies_left(r.timer_left) * 4);
  return fmt::format("{},{},{}", r.timer, ss_ms_timer(ms), r.timer == "timewait" ? 0 : r.retransmits);
}

namespace {

std::string_view ss_state(State s) {
  switch (s) {
    case State::Established: return "ESTAB";
    case State::SynSent: return "SYN-SENT";
    case State::SynReceived: return "SYN-RECV";
    case State::FinWait1: return "FIN-WAIT-1";
    case State::FinWait2: return "FIN-WAIT-2";
    case State::TimeWait: return "TIME-WAIT";
    case State::Closed: return "UNCONN";
    case State::CloseWait: return "CLOSE-WAIT";
    case State::LastAck: return "LAST-ACK";
    case State::Listen: return "LISTEN";
    case State::Closing: return "CLOSING";
  }
  return "UNKNOWN";
}

std::string ip_text(std::uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

}  // namespace

std::string format_ss(const std::vector<SocketRow>& rows, bool with_timers) {
  // ss 6.1's renderer, as it runs when stdout is not a terminal: one token
  // per column and row; a column is as wide as its longest token, plus its
  // left delimiter (all but the first column). Alignment: State, Recv-Q,
  // Send-Q, the ports and Process left, the addresses right. The address
  // token carries the ':' and the port token is "*" for port 0 (a
  // listener's peer "0.0.0.0:*"). The Process column is empty without -p,
  // but -o's " timer:(...)" is printed into it (ss < 6.7.1 has no separate
  // column for it), so it widens the column: except on the last row, whose
  // last token ss never measures (tests/sim/data/ss/twnow.ss-tano.txt).
  // Queues are printed "%-6d", so those columns are at least 6 wide. ss
  // renders in batches on very large tables (its buffer's chunk limit), each
  // with its own widths; not reproduced.
  enum Align { kLeft, kRight };
  struct Column {
    Align align;
    std::string_view delim;
    std::size_t max_len = 0;
  };
  std::array<Column, 8> cols{{{kLeft, ""},
                              {kLeft, " "},
                              {kLeft, " "},
                              {kRight, " "},
                              {kLeft, ""},
                              {kRight, " "},
                              {kLeft, ""},
                              {kLeft, ""}}};
  using Line = std::array<std::string, 8>;
  std::vector<Line> lines;
  lines.push_back(
      {"State", "Recv-Q", "Send-Q", "Local Address:", "Port", "Peer Address:", "Port", "Process"});
  for (const SocketRow& r : rows) {
    const Addr peer = r.listening ? Addr{0, 0} : r.peer;
    const auto port = [](std::uint16_t p) { return p ? std::to_string(p) : std::string("*"); };
    std::string timer = with_timers ? ss_timer(r) : "";
    lines.push_back({std::string(ss_state(r.state)), fmt::format("{:<6}", r.recv_q),
                     fmt::format("{:<6}", r.send_q), ip_text(r.local.ip) + ":", port(r.local.port),
                     ip_text(peer.ip) + ":", port(peer.port), timer.empty() ? "" : " timer:(" + timer + ")"});
  }
  for (std::size_t l = 0; l < lines.size(); ++l) {
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (l + 1 == lines.size() && i + 1 == cols.size()) continue;  // never flushed, never measured
      cols[i].max_len = std::max(cols[i].max_len, lines[l][i].size());
    }
  }
  std::array<std::size_t, 8> width{};
  for (std::size_t i = 0; i < cols.size(); ++i) {
    width[i] = cols[i].max_len + (i > 0 && cols[i].max_len ? cols[i].delim.size() : 0);
  }
  std::string out;
  for (const Line& line : lines) {
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const std::string& tok = line[i];
      const std::size_t delim = i > 0 ? cols[i].delim.size() : 0;
      out += i > 0 ? cols[i].delim : "";
      if (width[i] && cols[i].align == kRight && width[i] > tok.size() + delim) {
        out.append(width[i] - tok.size() - delim, ' ');
      }
      out += tok;
      if (width[i] && cols[i].align == kLeft && width[i] > tok.size() + delim) {
        out.append(width[i] - tok.size() - delim, ' ');
      }
    }
    out += '\n';
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
  // Addresses are the in-memory __be32 printed as a little-endian number
  // ("0100007F" = 127.0.0.1), ports in host order.
  auto hex_addr = [](const Addr& a) {
    const std::uint32_t le =
        ((a.ip & 0xff) << 24) | ((a.ip & 0xff00) << 8) | ((a.ip >> 8) & 0xff00) | (a.ip >> 24);
    return fmt::format("{:08X}:{:04X}", le, a.port);
  };
  // Times are clock ticks of USER_HZ=100 (jiffies_delta_to_clock_t):
  // 4 ms jiffies * 2 / 5, rounded down.
  auto clock_t_of = [](Duration d) { return kernel_jiffies_left(d) * 2 / 5; };
  // Every line, the header too, is padded with spaces to 149 characters
  // (tcp4_seq_show: seq_setwidth(TMPSZ - 1) and seq_pad).
  auto pad = [](std::string line) {
    if (line.size() < 149) line.append(149 - line.size(), ' ');
    return line + '\n';
  };
  // Fields tcpsim does not model get fixed placeholders:
  // - inode: 100000 + connection id for a socket a process holds, 0 for
  //   orphans, timewait and request sockets, and children not yet accepted
  //   (as Linux: they have no socket file);
  // - refcount: 1 (Linux: 1 to 3 for full sockets, 3 for timewait sockets,
  //   0 printed for request sockets, kept as is here);
  // - the socket pointer: 0000000000000000, as a reader without CAP_SYSLOG
  //   sees it under kptr_restrict=1 (root sees hashed values);
  // - ato 0, quick/pingpong 0, cwnd 10 (the initial window), ssthresh -1
  //   (still in initial slow start); a listener's last field is its TFO
  //   queue length, 0;
  // - timeout (icsk_probes_out) 0; rto from the RTT estimator, the initial
  //   1 s (100) when it has no value yet, as for a listener.
  constexpr std::string_view kPtr = "0000000000000000";
  std::string out =
      pad("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
  int sl = 0;
  for (const SocketRow& r : rows) {
    const int tr = r.timer == "on"          ? 1
                   : r.timer == "keepalive" ? 2
                   : r.timer == "timewait"  ? 3
                   : r.timer == "persist"   ? 4
                                            : 0;
    const std::int64_t when = tr ? clock_t_of(r.timer_left) : 0;
    std::string line;
    switch (r.kind) {
      case SockKind::TimeWait:  // get_timewait4_sock
        line = fmt::format("{:4}: {} {} {:02X} {:08X}:{:08X} {:02X}:{:08X} {:08X} {:5} {:8} {} {} {}", sl,
                           hex_addr(r.local), hex_addr(r.peer), code(r.state), 0, 0, 3, when, 0, 0, 0, 0, 3,
                           kPtr);
        break;
      case SockKind::Request:  // get_openreq4
        line = fmt::format("{:4}: {} {} {:02X} {:08X}:{:08X} {:02X}:{:08X} {:08X} {:5} {:8} {} {} {}", sl,
                           hex_addr(r.local), hex_addr(r.peer), code(r.state), 0, 0, 1, when, r.retransmits,
                           r.uid, 0, 0, 0, kPtr);
        break;
      case SockKind::Full: {  // get_tcp4_sock
        const std::int64_t rto = r.rto > 0 ? kernel_jiffies_left(r.rto) * 2 / 5 : 100;
        // tx_queue is write_seq - SND.UNA even for a listener (0); ss's
        // listener Send-Q (the backlog) comes from netlink only.
        line = fmt::format(
            "{:4}: {} {} {:02X} {:08X}:{:08X} {:02X}:{:08X} {:08X} {:5} {:8} {} {} {} {} {} {} {} {}", sl,
            hex_addr(r.local), hex_addr(r.listening ? Addr{0, 0} : r.peer), code(r.state),
            r.listening ? 0 : r.send_q, r.recv_q, tr, when, r.retransmits, r.uid, 0, r.inode, 1, kPtr, rto, 0,
            0, 10, r.listening ? 0 : -1);
        break;
      }
    }
    out += pad(std::move(line));
    ++sl;
  }
  return out;
}

}  // namespace tcpsim::sim
