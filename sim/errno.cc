#include "sim/errno.h"

#include <array>
#include <utility>

namespace tcpsim::sim {

namespace {
constexpr std::array<std::pair<Errno, std::string_view>, 19> kNames = {{
    {Errno::Ok, "0"},
    {Errno::AddrInUse, "EADDRINUSE"},
    {Errno::AddrNotAvail, "EADDRNOTAVAIL"},
    {Errno::Again, "EAGAIN"},
    {Errno::ConnRefused, "ECONNREFUSED"},
    {Errno::ConnReset, "ECONNRESET"},
    {Errno::Pipe, "EPIPE"},
    {Errno::NotConn, "ENOTCONN"},
    {Errno::InProgress, "EINPROGRESS"},
    {Errno::Already, "EALREADY"},
    {Errno::IsConn, "EISCONN"},
    {Errno::BadF, "EBADF"},
    {Errno::Inval, "EINVAL"},
    {Errno::TimedOut, "ETIMEDOUT"},
    {Errno::OpNotSupp, "EOPNOTSUPP"},
    {Errno::NoEnt, "ENOENT"},
    {Errno::Exist, "EEXIST"},
    {Errno::NotSock, "ENOTSOCK"},
    {Errno::MFile, "EMFILE"},
}};
}  // namespace

std::string_view errno_name(Errno e) {
  for (const auto& [k, n] : kNames) {
    if (k == e) return n;
  }
  return "E?";
}

std::optional<Errno> errno_from_name(std::string_view name) {
  if (name == "EWOULDBLOCK") return Errno::Again;
  for (const auto& [k, n] : kNames) {
    if (n == name && k != Errno::Ok) return k;
  }
  return std::nullopt;
}

}  // namespace tcpsim::sim
