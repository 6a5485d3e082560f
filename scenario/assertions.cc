#include "scenario/assertions.h"

#include <fmt/format.h>

#include "scenario/segments.h"
#include "sim/ss_table.h"
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
  ar.expected = model::state_name(a.state);
  ar.got = model::state_name(got);
  ar.what = fmt::format("at {} expect {}.{} {}", a.at_end ? std::string("end") : sim::format_duration(a.at),
                        a.program, a.var, model::state_name(a.state));
  if (!ar.pass)
    ar.detail = fmt::format("expected {}, got {} at {}", model::state_name(a.state), model::state_name(got),
                            sim::format_seconds(now));
  return ar;
}

std::string state_timeline(const sim::Trace& tr, std::size_t host, std::uint32_t conn, std::size_t lines) {
  std::vector<const sim::TraceRecord*> changes;
  for (const auto& r : tr.records()) {
    if (r.kind == sim::TraceKind::State && r.host == host && r.conn == conn) changes.push_back(&r);
  }
  if (changes.empty()) return "";
  std::string out = "\n     its last state changes:";
  for (std::size_t i = changes.size() > lines ? changes.size() - lines : 0; i < changes.size(); ++i) {
    out += fmt::format("\n       {:>10}  {} -> {}", sim::format_seconds(changes[i]->t),
                       model::state_name(changes[i]->from), model::state_name(changes[i]->to));
  }
  return out;
}

std::string next_states(const sim::Trace& tr, std::size_t host, std::uint32_t conn, Time at,
                        std::size_t lines) {
  std::string out;
  std::size_t n = 0;
  for (const auto& r : tr.records()) {
    if (n == lines) break;
    if (r.kind != sim::TraceKind::State || r.host != host || r.conn != conn || r.t <= at) continue;
    if (n++ == 0) out = "\n     then:";
    out += fmt::format("\n       {:>10}  {} -> {}", sim::format_seconds(r.t), model::state_name(r.from),
                       model::state_name(r.to));
  }
  return out;
}

AssertionResult check_ss_at(const Assertion& a, const Scenario& sc, const sim::Network& net, bool texts) {
  const auto rows = sim::socket_rows(net.host(host_index(sc, a.host)), net.now());
  const std::string table = sim::format_ss(rows, ss_wants_timers(a));
  const std::optional<std::string> mismatch = ss_mismatch(a, table);
  AssertionResult ar;
  ar.loc = a.loc;
  ar.pass = !mismatch;
  if (!texts) return ar;
  ar.what = fmt::format("at {} expect ss {}", sim::format_duration(net.now()), a.host);
  for (const auto& l : a.lines) ar.expected += l + "\n";
  ar.got = table;
  if (mismatch) ar.detail = *mismatch;
  return ar;
}

AssertionResult check_sent(const Assertion& a, const Scenario& sc, const sim::Network& net, bool texts) {
  const auto ip = [&sc](const std::string& name) { return sc.hosts[host_index(sc, name)].ip; };
  return check_segments(a, segments_between(net.trace().packets(), ip(a.from), ip(a.to)), texts);
}

bool counts_for(const Assertion& a, Time t) { return !a.timed || t <= a.at; }

// `expect sent A -> B FIN seq=1 once`, with `at T ` before it when it has a time.
static std::string sent_text(const Assertion& a) {
  std::string count;
  if (a.times >= 0) count = fmt::format(" {} times", a.times);
  return fmt::format("{}expect {}sent {} -> {} {}{}{}",
                     a.timed ? "at " + sim::format_duration(a.at) + " " : "",
                     a.kind == Assertion::NotSent ? "not " : "", a.from, a.to, a.spec,
                     a.fields.text.empty() ? "" : " " + a.fields.text, count);
}

AssertionResult sent_result(const Assertion& a, long n, bool texts) {
  AssertionResult ar;
  ar.loc = a.loc;
  const bool negated = a.kind == Assertion::NotSent;
  if (texts) {
    ar.what = sent_text(a);
    ar.expected = negated       ? (a.times < 0 ? "0 times" : fmt::format("not {} times", a.times))
                  : a.times < 0 ? "at least once"
                                : fmt::format("{} times", a.times);
    ar.got = fmt::format("{} times", n);
  }
  if (negated)
    ar.pass = a.times < 0 ? n == 0 : n != a.times;
  else
    ar.pass = a.times < 0 ? n > 0 : n == a.times;
  if (!ar.pass && texts) {
    ar.detail = negated ? (a.times < 0 ? fmt::format("{} were sent", n) : fmt::format("sent {} times", n))
                : a.times < 0 ? std::string("none was sent")
                              : fmt::format("expected {} times, sent {} times", a.times, n);
  }
  return ar;
}

AssertionResult check_finished(const Assertion& a, bool finished, const std::string& ending) {
  AssertionResult ar;
  ar.loc = a.loc;
  ar.what = a.timed ? fmt::format("at {} expect finished", sim::format_duration(a.at)) : "expect finished";
  ar.pass = finished;
  ar.expected = "finished";
  ar.got = finished ? "finished" : ending;
  if (!ar.pass) ar.detail = ending;
  return ar;
}

void unevaluated_assertions(const Scenario& sc, const std::vector<bool>& evaluated, const std::string& end,
                            bool texts, std::vector<AssertionResult>& out) {
  const auto& as = sc.assertions;
  for (std::size_t i = 0; i < as.size(); ++i) {
    const Assertion& a = as[i];
    if (!a.timed || evaluated[i]) continue;
    AssertionResult ar;
    ar.loc = a.loc;
    ar.pass = false;
    if (texts) {
      const std::string at = sim::format_duration(a.at);
      ar.what = a.kind == Assertion::Finished ? fmt::format("at {} expect finished", at)
                : a.kind == Assertion::SsAt   ? fmt::format("at {} expect ss {}", at, a.host)
                : a.kind == Assertion::StateAt
                    ? fmt::format("at {} expect {}.{} {}", at, a.program, a.var, model::state_name(a.state))
                : a.kind == Assertion::Segment
                    ? fmt::format("at {} expect {} -> {} segment {} {}", at, a.from, a.to, a.nth, a.spec)
                    : sent_text(a);
      ar.detail = fmt::format("not evaluated: at {} is after the run's end at {}", at, end);
    }
    out.push_back(std::move(ar));
  }
}

}  // namespace tcpsim::scenario
