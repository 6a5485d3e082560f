// %{ assert tcpi_... }% blocks: the subset of packetdrill's Python the
// corpora use, over the TCP_INFO fields tcpsim has (sim/tcp_info.h), read
// through getsockopt(TCP_INFO) on the simulated socket as Linux fills them.
#include "sim/tcp_info.h"

#include <fmt/format.h>

#include <map>

#include "packetdrill/parser.h"
#include "packetdrill/run_state.h"

namespace tcpsim::packetdrill {

namespace {

using model::State;

// Linux's TCP_* states (include/net/tcp_states.h) and FreeBSD's TCPI_*
// names (the NPLab fork's), by state: compared by meaning, not by number.
const std::map<std::string, State>& state_names() {
  static const std::map<std::string, State> m = {
      {"TCP_ESTABLISHED", State::Established},
      {"TCP_SYN_SENT", State::SynSent},
      {"TCP_SYN_RECV", State::SynReceived},
      {"TCP_FIN_WAIT1", State::FinWait1},
      {"TCP_FIN_WAIT2", State::FinWait2},
      {"TCP_TIME_WAIT", State::TimeWait},
      {"TCP_CLOSE", State::Closed},
      {"TCP_CLOSE_WAIT", State::CloseWait},
      {"TCP_LAST_ACK", State::LastAck},
      {"TCP_LISTEN", State::Listen},
      {"TCP_CLOSING", State::Closing},
      {"TCPI_CLOSED", State::Closed},
      {"TCPI_LISTEN", State::Listen},
      {"TCPI_SYN_SENT", State::SynSent},
      {"TCPI_SYN_RECEIVED", State::SynReceived},
      {"TCPI_ESTABLISHED", State::Established},
      {"TCPI_CLOSE_WAIT", State::CloseWait},
      {"TCPI_FIN_WAIT_1", State::FinWait1},
      {"TCPI_CLOSING", State::Closing},
      {"TCPI_LAST_ACK", State::LastAck},
      {"TCPI_FIN_WAIT_2", State::FinWait2},
      {"TCPI_TIME_WAIT", State::TimeWait},
  };
  return m;
}

std::string tcpi_name(State s) {
  for (const auto& [name, st] : state_names()) {
    if (st == s && name.rfind("TCPI_", 0) == 0) return name;
  }
  return "?";
}

}  // namespace

namespace {

bool compare(std::int64_t a, const std::string& op, std::int64_t b) {
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  return a >= b;
}

// A constant of an assertion: a number, TCPI_OPT_*, TCP_CA_*.
std::int64_t constant(const Run& r, const Expr& x) {
  if (x.kind == Expr::Kind::Integer) return x.integer;
  if (x.kind == Expr::Kind::Word) {
    if (auto v = sim::tcp_info_constant(x.text)) return *v;
  }
  r.unsupported(x.where, "the constant " + dump(x) + " in an assertion");
}

void check_state(Run& r, const PythonStatement& st) {
  if (st.mask || (st.op != "==" && st.op != "!=") || st.value.kind != Expr::Kind::Word)
    r.unsupported(st.where, "TCP_INFO assertion on tcpi_state other than == or != a state's name");
  auto it = state_names().find(st.value.text);
  if (it == state_names().end()) r.unsupported(st.value.where, "the state name " + st.value.text);
  const State got = r.sockets->state_of(r.pid, r.last_fd);
  if ((got == it->second) != (st.op == "==")) {
    r.fail(st.where, fmt::format("assertion failed: tcpi_state {} {} but it is {}", st.op, st.value.text,
                                 tcpi_name(got)));
  }
}

}  // namespace

void check_python(Run& r, const Event&, const PythonBlock& b) {
  for (const PythonStatement& st : b.statements) {
    if (!st.supported) r.unsupported(st.where, "Python: " + st.unsupported_reason);
    if (st.field == "tcpi_state") {
      check_state(r, st);
      continue;
    }
    const auto field = sim::tcp_info_field(st.field);
    if (!field) {
      r.unsupported(st.where, fmt::format("TCP_INFO assertion on {} (tcpsim fills {})", st.field,
                                          sim::tcp_info_names()));
    }
    const sim::CallResult got =
        r.sockets->getsockopt(r.pid, r.last_fd, sim::SockOpt::TcpInfo, static_cast<int>(*field));
    if (got.err != sim::Errno::Ok)
      r.fail(st.where, "getsockopt(TCP_INFO) failed: " + std::string(sim::errno_name(got.err)));
    std::int64_t value = got.value;
    if (st.mask) value &= constant(r, *st.mask);
    const std::int64_t want = constant(r, st.value);
    if (!compare(value, st.op, want)) {
      r.fail(st.where, fmt::format("assertion failed: {}{} {} {} but it is {}", st.field,
                                   st.mask ? " & " + dump(*st.mask) : "", st.op, dump(st.value), value));
    }
  }
}

}  // namespace tcpsim::packetdrill
