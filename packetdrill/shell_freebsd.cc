// FreeBSD's sysctls and tools as the tcp-testsuite's scripts use them,
// reduced to what they mean for the simulated host (nothing is run).
#include "packetdrill/shell_freebsd.h"

#include <fmt/format.h>

#include <sstream>
#include <vector>

#include "sim/profile.h"

namespace tcpsim::packetdrill {

namespace {

// The sysctl, the profile value it sets, and whether 1 turns that value off.
struct Mapped {
  const char* sysctl;
  const char* key;
  bool inverted;
};

// net.inet.tcp.insecure_rst / insecure_syn = 1: RFC 793's rules instead of
// RFC 5961's (tcp_input.c). drop_synfin = 1: SYN|FIN segments dropped.
const Mapped kMapped[] = {{"net.inet.tcp.insecure_rst", "rfc5961_rst", true},
                          {"net.inet.tcp.insecure_syn", "rfc5961_syn", true},
                          {"net.inet.tcp.drop_synfin", "drop_synfin", false}};

}  // namespace

bool freebsd_sysctl(Run& r, const Location& where, const std::string& name, const std::string& value) {
  for (const Mapped& m : kMapped) {
    if (name != m.sysctl) continue;
    if (value != "0" && value != "1") r.unsupported(where, fmt::format("sysctl {}={}", name, value));
    const bool on = (value == "1") != m.inverted;
    if (auto err = sim::set_profile_value(r.host->profile(), m.key, on ? "on" : "off"))
      r.unsupported(where, "sysctl value: " + *err);
    return true;
  }
  return false;
}

bool freebsd_shell_line(Run& r, const Location& where, const std::string& line) {
  // tcpdrop(8) -s STATE: drops every connection in that state; for
  // TIME-WAIT, tcp_twclose() with no segment sent (the model's ABORT in
  // TIME-WAIT, RFC 9293 §3.10.5, sends nothing either).
  std::istringstream in(line);
  std::string tool, opt, state, rest;
  in >> tool >> opt >> state;
  if (tool != "tcpdrop") return false;
  if (opt != "-s" || state != "TIME_WAIT" || (in >> rest)) r.unsupported(where, "shell: " + line);
  std::vector<sim::ConnId> ids;
  r.host->for_each_conn([&](const sim::Conn& c) {
    if (c.state() == model::State::TimeWait) ids.push_back(c.id);
  });
  for (sim::ConnId id : ids) r.host->abort(id);
  return true;
}

}  // namespace tcpsim::packetdrill
