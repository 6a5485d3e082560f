#include "sim/bind_rules.h"

namespace tcpsim::sim {

bool bind_conflict(const BindRequest& req, const BoundSocket& e) {
  if (e.port != req.port) return false;
  const bool overlap = req.ip == 0 || e.ip == 0 || req.ip == e.ip;
  if (!overlap) return false;
  const bool reuseaddr_ok = req.reuseaddr && e.reuseaddr && e.state != BindState::Listen;
  if (reuseaddr_ok) return false;
  const bool reuseport_ok =
      req.reuseport && e.reuseport && (e.state == BindState::TimeWait || e.owner_uid == req.owner_uid);
  return !reuseport_ok;
}

BindVerdict bind_allowed(const BindRequest& req, const BoundSocket* begin, const BoundSocket* end) {
  for (const BoundSocket* e = begin; e != end; ++e) {
    if (bind_conflict(req, *e)) return BindVerdict::AddrInUse;
  }
  return BindVerdict::Ok;
}

BindVerdict bind_allowed(const BindRequest& req, const std::vector<BoundSocket>& existing) {
  return bind_allowed(req, existing.data(), existing.data() + existing.size());
}

BindVerdict listen_allowed(const BoundSocket& me, const BoundSocket* begin, const BoundSocket* end) {
  const BindRequest req{me.ip, me.port, me.reuseaddr, me.reuseport, me.owner_uid};
  for (const BoundSocket* e = begin; e != end; ++e) {
    if (e == &me) continue;
    if (bind_conflict(req, *e)) return BindVerdict::AddrInUse;
  }
  return BindVerdict::Ok;
}

BindVerdict listen_allowed(const BoundSocket& me, const std::vector<BoundSocket>& others) {
  return listen_allowed(me, others.data(), others.data() + others.size());
}

const char* to_string(BindState s) {
  switch (s) {
    case BindState::Bound: return "bound";
    case BindState::Listen: return "listen";
    case BindState::Established: return "established";
    case BindState::TimeWait: return "time-wait";
  }
  return "?";
}

const char* to_string(BindVerdict v) { return v == BindVerdict::Ok ? "OK" : "EADDRINUSE"; }

}  // namespace tcpsim::sim
