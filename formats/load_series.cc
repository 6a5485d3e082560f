#include "formats/load_series.h"

#include <fmt/format.h>

#include <algorithm>

#include "formats/plot.h"
#include "sim/units.h"

namespace tcpsim::formats {

namespace {

using model::State;

std::uint32_t at(const std::array<std::uint32_t, model::kStateCount>& a, State s) {
  return a[static_cast<int>(s)];
}

std::uint64_t failed(const sim::LoadCounters& c) { return c.no_port + c.refused + c.timed_out + c.reset; }

std::string describe(const scenario::LoadResult& r, std::size_t i) {
  const sim::LoadSpec& l = r.load->spec(i);
  const auto& hosts = r.scenario->hosts;
  return fmt::format(
      "load {} -> {} port {}: {}/s for {}, request {} B, response {} B, {} closes first{}{}",
      hosts[l.client].name, hosts[l.server].name, l.port, l.rate, sim::format_duration(l.length), l.request,
      l.response, l.server_closes ? "server" : "client",
      l.client_addresses > 1 ? fmt::format(", from {} addresses", l.client_addresses) : std::string(),
      l.accept_rate ? fmt::format(", server accepts {}/s", l.accept_rate) : std::string());
}

std::uint32_t peak(const std::vector<sim::LoadSample>& v, bool client, State s) {
  std::uint32_t m = 0;
  for (const auto& x : v) m = std::max(m, at(client ? x.client_states : x.server_states, s));
  return m;
}

}  // namespace

std::string load_table(const scenario::LoadResult& r) {
  std::string o;
  if (!r.scenario->title.empty()) o += r.scenario->title + "\n";
  for (std::size_t i = 0; i < r.load->loads(); ++i) {
    const auto& v = r.load->samples(i);
    const sim::LoadSpec& l = r.load->spec(i);
    const auto& hosts = r.scenario->hosts;
    o += fmt::format("\n{}\n", describe(r, i));
    o += fmt::format(
        "{:>9} {:>9} {:>10} {:>8} {:>9} | {:>8} {:>8} {:>8} {:>9} {:>7} | {:>8} {:>8} {:>8} "
        "{:>8} {:>9} {:>6}\n",
        "", "connects", "completed", "no-port", "syn-drop", "SYN-SENT", "ESTAB", "FIN-WAIT", "TIME-WAIT",
        "ports", "SYN-RECV", "ESTAB", "CLOSE-WT", "LAST-ACK", "TIME-WAIT", "acc-q");
    o += fmt::format("{:>9} {:>9} {:>10} {:>8} {:>9} | {:<54} | {:<58}\n", "time (s)", "per int.", "total",
                     "total", "total", fmt::format("client {}", hosts[l.client].name),
                     fmt::format("server {}", hosts[l.server].name));
    // Rows that repeat the one before (a load that has stopped while
    // TIME-WAIT runs out) are elided to one "..." line; CSV keeps them all.
    std::uint64_t prev = 0;
    std::string last;
    bool eliding = false;
    for (std::size_t k = 0; k < v.size(); ++k) {
      const auto& s = v[k];
      const auto& c = s.client_states;
      const auto& sv = s.server_states;
      const std::string row = fmt::format(
          " {:>9} {:>10} {:>8} {:>9} | {:>8} {:>8} {:>8} {:>9} {:>7} | {:>8} {:>8} {:>8} {:>8} {:>9} {:>6}\n",
          s.totals.attempted - prev, s.totals.completed, s.totals.no_port, s.totals.syn_drops,
          at(c, State::SynSent), at(c, State::Established), at(c, State::FinWait1) + at(c, State::FinWait2),
          at(c, State::TimeWait), s.client_ports, at(sv, State::SynReceived), at(sv, State::Established),
          at(sv, State::CloseWait), at(sv, State::LastAck), at(sv, State::TimeWait), s.accept_queue);
      prev = s.totals.attempted;
      if (row == last && k + 1 < v.size()) {
        eliding = true;
        continue;
      }
      if (eliding) o += fmt::format("{:>9}\n", "...");
      eliding = false;
      o += fmt::format("{:>9}", sim::format_seconds(s.t, 3)) + row;
      last = row;
    }
    const sim::LoadCounters& t = r.load->totals(i);
    o += fmt::format(
        "\n{} connects, {} completed, {} failed (EADDRNOTAVAIL {}, ECONNREFUSED {}, ETIMEDOUT {}, ECONNRESET "
        "{}); {} SYNs dropped on a full accept queue\n",
        t.attempted, t.completed, failed(t), t.no_port, t.refused, t.timed_out, t.reset, t.syn_drops);
    o += fmt::format(
        "TIME-WAIT at most {} on the client, {} on the server; at most {} connections on the "
        "client, {} on the server\n",
        peak(v, true, State::TimeWait), peak(v, false, State::TimeWait), r.load->peak_client_conns(i),
        r.load->peak_server_conns(i));
    if (r.load->first_no_port(i) >= 0) {
      o += fmt::format("the client ran out of ephemeral ports towards {}:{} at {} s\n", hosts[l.server].name,
                       l.port, sim::format_seconds(r.load->first_no_port(i), 3));
    } else {
      o += "the client never ran out of ephemeral ports\n";
    }
  }
  o += r.ending + "\n";
  return o;
}

std::string load_csv(const scenario::LoadResult& r) {
  std::string o =
      "load,time_s,attempted,completed,no_port,refused,timed_out,reset,syn_drops,accepted,"
      "client_ports,accept_queue";
  for (const char* side : {"client", "server"}) {
    for (int k = 0; k < model::kStateCount; ++k) {
      std::string name(model::state_name(static_cast<State>(k)));
      std::replace(name.begin(), name.end(), '-', '_');
      std::transform(name.begin(), name.end(), name.begin(),
                     [](char ch) { return static_cast<char>(std::tolower(ch)); });
      o += fmt::format(",{}_{}", side, name);
    }
  }
  o += "\n";
  for (std::size_t i = 0; i < r.load->loads(); ++i) {
    for (const auto& s : r.load->samples(i)) {
      const auto& t = s.totals;
      o += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}", i + 1, sim::format_seconds(s.t), t.attempted,
                       t.completed, t.no_port, t.refused, t.timed_out, t.reset, t.syn_drops, t.accepted,
                       s.client_ports, s.accept_queue);
      for (auto n : s.client_states) o += fmt::format(",{}", n);
      for (auto n : s.server_states) o += fmt::format(",{}", n);
      o += "\n";
    }
  }
  return o;
}

std::string load_svg(const scenario::LoadResult& r) {
  std::vector<Chart> charts;
  for (std::size_t i = 0; i < r.load->loads(); ++i) {
    const auto& v = r.load->samples(i);
    const auto& hosts = r.scenario->hosts;
    const sim::LoadSpec& l = r.load->spec(i);
    Chart sockets;
    sockets.title = describe(r, i);
    sockets.x_label = "time (s)";
    sockets.y_label = "sockets";
    Chart rates;
    rates.title = "connections per sampling interval";
    rates.x_label = "time (s)";
    rates.y_label = "connections";
    Series ctw{fmt::format("{} TIME-WAIT", hosts[l.client].name), {}, "#d62728"};
    Series stw{fmt::format("{} TIME-WAIT", hosts[l.server].name), {}, "#1f77b4"};
    Series ports{fmt::format("{} ports in use", hosts[l.client].name), {}, "#7f7f7f", true};
    Series est{"ESTABLISHED (both)", {}, "#2ca02c"};
    Series other{"other states (both)", {}, "#ff7f0e"};
    Series connects{"connect() calls", {}, "#1f77b4"};
    Series done{"completed", {}, "#2ca02c"};
    Series fail{"failed (any errno)", {}, "#d62728"};
    Series drops{"SYNs dropped", {}, "#9467bd", true};
    sim::LoadCounters prev;
    for (const auto& s : v) {
      sockets.x.push_back(static_cast<double>(s.t) / 1e9);
      rates.x.push_back(static_cast<double>(s.t) / 1e9);
      ctw.y.push_back(at(s.client_states, State::TimeWait));
      stw.y.push_back(at(s.server_states, State::TimeWait));
      ports.y.push_back(s.client_ports);
      est.y.push_back(at(s.client_states, State::Established) + at(s.server_states, State::Established));
      std::uint64_t rest = 0;
      for (int k = 0; k < model::kStateCount; ++k) {
        const auto st = static_cast<State>(k);
        if (st == State::TimeWait || st == State::Established || st == State::Listen || st == State::Closed)
          continue;
        rest += s.client_states[k] + s.server_states[k];
      }
      other.y.push_back(static_cast<double>(rest));
      connects.y.push_back(static_cast<double>(s.totals.attempted - prev.attempted));
      done.y.push_back(static_cast<double>(s.totals.completed - prev.completed));
      fail.y.push_back(static_cast<double>(failed(s.totals) - failed(prev)));
      drops.y.push_back(static_cast<double>(s.totals.syn_drops - prev.syn_drops));
      prev = s.totals;
    }
    sockets.series = {ctw, stw, ports, est, other};
    rates.series = {connects, done, fail, drops};
    charts.push_back(std::move(sockets));
    charts.push_back(std::move(rates));
  }
  return svg_charts(r.scenario->title.empty() ? r.scenario->file : r.scenario->title, charts);
}

}  // namespace tcpsim::formats
