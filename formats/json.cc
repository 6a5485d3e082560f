#include "formats/json.h"

#include <nlohmann/json.hpp>

#include "formats/provenance.h"
#include "formats/trace_view.h"
#include "model/transition_table.h"
#include "scenario/outcome.h"
#include "sim/trace_text.h"

namespace tcpsim::formats {

using nlohmann::ordered_json;
using sim::TraceKind;

namespace {

ordered_json flags(std::uint8_t f) {
  ordered_json a = ordered_json::array();
  static const std::pair<std::uint8_t, const char*> kNames[] = {{model::kSyn, "SYN"}, {model::kFin, "FIN"},
                                                                {model::kRst, "RST"}, {model::kPsh, "PSH"},
                                                                {model::kUrg, "URG"}, {model::kAck, "ACK"}};
  for (const auto& [bit, name] : kNames) {
    if (f & bit) a.push_back(name);
  }
  return a;
}

// A call as data: what a test reads instead of parsing the call's text.
ordered_json call_json(const sim::CallData& d, Time returned, int connection) {
  ordered_json c = {{"name", d.fn},
                    {"args", d.args},
                    {"assign", d.assign},
                    {"result", d.value},
                    {"errno", d.err.empty() ? ordered_json(nullptr) : ordered_json(d.err)},
                    {"errno_number", d.err_number},
                    {"start_ns", d.start},
                    {"blocked_ns", returned - d.start},
                    {"connection", connection}};
  return c;
}

// The connection a call's record is about; for a call whose connection
// ended in it (a refused connect()), the one its descriptor named: that
// connection's latest record before the call says which.
int call_connection(const TraceView& view, const std::vector<sim::TraceRecord>& recs, std::size_t i,
                    const sim::CallData& d) {
  const int end = view.end_of(i);
  if (end >= 0) return view.ends()[static_cast<std::size_t>(end)].connection;
  if (d.conn == sim::kNone32) return -1;
  for (std::size_t j = i; j-- > 0;) {
    if (recs[j].host != recs[i].host || recs[j].conn != d.conn || view.end_of(j) < 0) continue;
    return view.ends()[static_cast<std::size_t>(view.end_of(j))].connection;
  }
  return -1;
}

}  // namespace

namespace {

ordered_json hosts_json(const sim::Network& net) {
  ordered_json hosts = ordered_json::array();
  for (std::size_t i = 0; i < net.host_count(); ++i) {
    const sim::Host& h = net.host(i);
    hosts.push_back(
        {{"index", i},
         {"name", h.name()},
         {"ip",
          sim::to_string(sim::Addr{h.ip(), 0}).substr(0, sim::to_string(sim::Addr{h.ip(), 0}).rfind(':'))},
         {"profile", h.profile().name}});
  }
  return hosts;
}

// Each connection end, with its addresses, program and ISN where known.
ordered_json ends_json(const TraceView& view, const sim::Network& net) {
  ordered_json ends = ordered_json::array();
  for (std::size_t i = 0; i < view.ends().size(); ++i) {
    const auto& e = view.ends()[i];
    ordered_json x = {{"index", i},
                      {"host", net.host(e.host).name()},
                      {"listener", e.listener},
                      {"active", e.active},
                      {"connection", e.connection}};
    if (e.addressed) {
      x["local"] = sim::to_string(e.local);
      x["remote"] = sim::to_string(e.remote);
    }
    if (e.program >= 0) x["program"] = e.program;
    if (e.has_isn) x["isn"] = e.isn;
    ends.push_back(x);
  }
  return ends;
}

// Every packet; its fate is filled in from the events.
ordered_json packets_json(const TraceView& view, const sim::Network& net, const sim::Trace& tr) {
  ordered_json packets = ordered_json::array();
  for (std::size_t k = 0; k < tr.packets().size(); ++k) {
    const auto& p = tr.packet(k);
    const auto& s = p.packet.seg;
    ordered_json x = {{"index", k},
                      {"sent_ns", p.sent},
                      {"from_host", net.host(p.from_host).name()},
                      {"to_host", net.host(p.to_host).name()},
                      {"src", sim::to_string(p.packet.src)},
                      {"dst", sim::to_string(p.packet.dst)},
                      {"flags", flags(s.flags)},
                      {"label", sim::segment_label(s)},
                      {"seq", s.seq},
                      {"ack", s.ack},
                      {"window", s.window},
                      {"len", s.payload.size()},
                      {"retransmission", p.packet.retransmission},
                      {"connection", view.connection_of_packet(static_cast<std::uint32_t>(k))},
                      {"rightwards", view.packet_goes_right(static_cast<std::uint32_t>(k))}};
    if (s.mss) x["mss"] = s.mss;
    x["fate"] = "in-flight";
    x["delivered_ns"] = ordered_json::array();
    packets.push_back(x);
  }
  return packets;
}

// Every trace record, in order; a packet's fate and deliveries are noted on it.
ordered_json events_json(const TraceView& view, const sim::Network& net, const sim::Trace& tr,
                         ordered_json& packets) {
  ordered_json events = ordered_json::array();
  const auto& recs = tr.records();
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& r = recs[i];
    ordered_json e = {
        {"t_ns", r.t}, {"kind", sim::trace_kind_name(r.kind)}, {"host", net.host(r.host).name()}};
    const int end = view.end_of(i);
    if (end >= 0) e["end"] = end;
    switch (r.kind) {
      case TraceKind::Sent:
      case TraceKind::Duplicated: e["packet"] = r.ref; break;
      case TraceKind::Dropped:
        e["packet"] = r.ref;
        e["reason"] = sim::to_string(static_cast<sim::DropReason>(r.drop));
        packets[r.ref]["fate"] = "dropped";
        packets[r.ref]["drop_reason"] = sim::to_string(static_cast<sim::DropReason>(r.drop));
        break;
      case TraceKind::Delivered:
        e["packet"] = r.ref;
        packets[r.ref]["fate"] = "delivered";
        packets[r.ref]["delivered_ns"].push_back(r.t);
        break;
      case TraceKind::State:
        e["from"] = model::state_name(r.from);
        e["to"] = model::state_name(r.to);
        e["rule"] = model::rule_name(r.rule);
        break;
      case TraceKind::Row:
        e["state"] = model::state_name(r.from);
        e["rule"] = model::rule_name(r.rule);
        break;
      case TraceKind::TimerArmed:
        e["timer"] = model::timer_name(r.timer);
        e["after_ns"] = r.after;
        break;
      case TraceKind::TimerCancelled:
      case TraceKind::TimerFired: e["timer"] = model::timer_name(r.timer); break;
      case TraceKind::App: e["app"] = model::app_event_name(r.app); break;
      case TraceKind::Note:
      case TraceKind::Ignored: e["text"] = tr.text(r.ref); break;
      case TraceKind::Call:
      case TraceKind::Output:
        e["program"] = r.program;
        e["text"] = tr.text(r.ref);
        if (const sim::CallData* d = r.kind == TraceKind::Call ? tr.call_data(r.ref) : nullptr)
          e["call"] = call_json(*d, r.t, call_connection(view, recs, i, *d));
        break;
    }
    events.push_back(e);
  }
  return events;
}

// The run's provenance (formats/provenance.h): what a figure's caption says.
ordered_json scenario_json(const scenario::RunResult& run) {
  const Provenance p = provenance_of(run);
  ordered_json settings = ordered_json::array();
  for (const auto& s : p.settings) {
    settings.push_back(
        {{"host", s.host}, {"key", s.key}, {"value", s.value}, {"from", s.given ? "--set" : "file"}});
  }
  ordered_json loss = nullptr;
  if (p.loss) loss = *p.loss;
  return {{"file", p.scenario},   {"title", run.scenario->title},
          {"seed", p.seed},       {"seed_given", p.seed_given},
          {"profile", p.profile}, {"profile_given", p.profile_given},
          {"settings", settings}, {"loss", loss},
          {"tcpsim", p.version},  {"provenance", provenance_line(p)}};
}

}  // namespace

std::string json(const scenario::RunResult& run) {
  const TraceView view(run);
  const sim::Network& net = *run.net;
  const sim::Trace& tr = net.trace();
  ordered_json j;
  j["schema"] = "tcpsim-trace";
  j["version"] = kJsonSchemaVersion;
  j["scenario"] = scenario_json(run);

  const ordered_json hosts = hosts_json(net);
  j["hosts"] = hosts;
  ordered_json programs = ordered_json::array();
  for (std::size_t i = 0; i < run.programs.size(); ++i) {
    programs.push_back(
        {{"index", i}, {"name", run.programs[i].name}, {"host", net.host(run.programs[i].host).name()}});
  }
  j["programs"] = programs;
  const ordered_json ends = ends_json(view, net);
  j["ends"] = ends;
  ordered_json conns = ordered_json::array();
  for (std::size_t i = 0; i < view.connections().size(); ++i) {
    conns.push_back(
        {{"index", i}, {"left", view.connections()[i].left}, {"right", view.connections()[i].right}});
  }
  j["connections"] = conns;

  ordered_json packets = packets_json(view, net, tr);
  const ordered_json events = events_json(view, net, tr, packets);
  j["packets"] = packets;
  j["events"] = events;
  ordered_json asserts = ordered_json::array();
  for (const auto& a : run.results) {
    asserts.push_back(
        {{"line", a.loc.line}, {"col", a.loc.col}, {"pass", a.pass}, {"what", a.what}, {"detail", a.detail}});
  }
  j["assertions"] = asserts;
  j["end"] = {{"t_ns", run.end_time}, {"finished", run.finished}, {"ending", run.ending}};
  if (run.simulated) {
    // How the run ended, in the classes sweep counts (scenario/outcome.h);
    // a kernel run has no model state to classify, so it has none.
    const scenario::Outcome o = scenario::classify(run);
    j["outcome"] = {{"class", scenario::outcome_name(o.kind)}, {"reason", o.detail}};
  }
  // dump() never throws here: invalid UTF-8 in payloads is replaced.
  return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace tcpsim::formats
