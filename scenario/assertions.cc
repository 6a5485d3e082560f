#include "scenario/assertions.h"

#include <fmt/format.h>

#include "sim/socket_table.h"
#include "sim/units.h"

namespace tcpsim::scenario {

bool ss_wants_timers(const Assertion& a) {
  bool timers = false;
  for (const auto& l : a.lines) timers |= l.find("timer:") != std::string::npos;
  return timers;
}

std::optional<std::string> ss_mismatch(const Assertion& a, const std::string& table) {
  auto trimmed = [](std::string l) {
    while (!l.empty() && l.back() == ' ') l.pop_back();
    return l;
  };
  std::vector<std::string> got;
  std::size_t pos = 0;
  while (pos < table.size()) {
    const auto end = table.find('\n', pos);
    got.push_back(trimmed(table.substr(pos, end - pos)));
    pos = end == std::string::npos ? table.size() : end + 1;
  }
  const bool header = !a.lines.empty() && a.lines[0].rfind("State", 0) == 0;
  if (!header && !got.empty()) got.erase(got.begin());
  std::vector<std::string> want;
  for (const auto& l : a.lines) want.push_back(trimmed(l));
  if (got == want) return std::nullopt;
  std::string d = "expected:\n";
  for (const auto& l : want) d += "       " + l + "\n";
  d += "     got:\n";
  for (const auto& l : got) d += "       " + l + "\n";
  while (!d.empty() && d.back() == '\n') d.pop_back();
  return d;
}

AssertionResult check_state_at(const Assertion& a, model::State got, Time now, bool texts) {
  AssertionResult ar;
  ar.loc = a.loc;
  ar.pass = got == a.state;
  if (!texts) return ar;
  ar.what = fmt::format("at {} expect {}.{} {}", a.at_end ? std::string("end") : sim::format_duration(a.at),
                        a.program, a.var, model::state_name(a.state));
  if (!ar.pass)
    ar.detail = fmt::format("expected {}, got {} at {}", model::state_name(a.state), model::state_name(got),
                            sim::format_seconds(now));
  return ar;
}

AssertionResult check_ss_at(const Assertion& a, const Scenario& sc, const sim::Network& net, bool texts) {
  const auto rows = sim::socket_rows(net.host(host_index(sc, a.host)), net.now());
  const std::optional<std::string> mismatch = ss_mismatch(a, sim::format_ss(rows, ss_wants_timers(a)));
  AssertionResult ar;
  ar.loc = a.loc;
  ar.pass = !mismatch;
  if (!texts) return ar;
  ar.what = fmt::format("at {} expect ss {}", sim::format_duration(net.now()), a.host);
  if (mismatch) ar.detail = *mismatch;
  return ar;
}

AssertionResult check_sent(const Assertion& a, const Scenario& sc, const sim::Network& net, bool texts) {
  const std::size_t from = host_index(sc, a.from), to = host_index(sc, a.to);
  long n = 0;
  for (const auto& p : net.trace().packets()) {
    if (p.from_host == from && p.to_host == to && a.match.matches(p.packet.seg)) ++n;
  }
  AssertionResult ar;
  ar.loc = a.loc;
  if (texts)
    ar.what = fmt::format("expect {}sent {} -> {} {}", a.kind == Assertion::NotSent ? "not " : "", a.from,
                          a.to, a.spec);
  if (a.kind == Assertion::NotSent)
    ar.pass = n == 0;
  else
    ar.pass = a.times < 0 ? n > 0 : n == a.times;
  if (!ar.pass && texts) {
    ar.detail = a.kind == Assertion::NotSent ? fmt::format("{} were sent", n)
                : a.times < 0                ? std::string("none was sent")
                                             : fmt::format("expected {} times, sent {} times", a.times, n);
  }
  return ar;
}

AssertionResult check_finished(const Assertion& a, bool finished, const std::string& ending) {
  AssertionResult ar;
  ar.loc = a.loc;
  ar.what = "expect finished";
  ar.pass = finished;
  if (!ar.pass) ar.detail = ending;
  return ar;
}

void unevaluated_assertions(const Scenario& sc, const std::vector<bool>& evaluated, const std::string& end,
                            bool texts, std::vector<AssertionResult>& out) {
  const auto& as = sc.assertions;
  for (std::size_t i = 0; i < as.size(); ++i) {
    const Assertion& a = as[i];
    if (a.at_end || (a.kind != Assertion::StateAt && a.kind != Assertion::SsAt) || evaluated[i]) continue;
    AssertionResult ar;
    ar.loc = a.loc;
    ar.pass = false;
    if (texts) {
      const std::string at = sim::format_duration(a.at);
      ar.what = a.kind == Assertion::SsAt
                    ? fmt::format("at {} expect ss {}", at, a.host)
                    : fmt::format("at {} expect {}.{} {}", at, a.program, a.var, model::state_name(a.state));
      ar.detail = fmt::format("not evaluated: at {} is after the run's end at {}", at, end);
    }
    out.push_back(std::move(ar));
  }
}

}  // namespace tcpsim::scenario
