#include "sim/errno.h"

#include <array>

namespace tcpsim::sim {

namespace {
struct ErrnoRow {
  Errno e;
  std::string_view name;
  int linux_number;  // include/uapi/asm-generic/errno-base.h and errno.h
};
constexpr std::array<ErrnoRow, 19> kNames = {{
    {Errno::Ok, "0", 0},
    {Errno::AddrInUse, "EADDRINUSE", 98},
    {Errno::AddrNotAvail, "EADDRNOTAVAIL", 99},
    {Errno::Again, "EAGAIN", 11},
    {Errno::ConnRefused, "ECONNREFUSED", 111},
    {Errno::ConnReset, "ECONNRESET", 104},
    {Errno::Pipe, "EPIPE", 32},
    {Errno::NotConn, "ENOTCONN", 107},
    {Errno::InProgress, "EINPROGRESS", 115},
    {Errno::Already, "EALREADY", 114},
    {Errno::IsConn, "EISCONN", 106},
    {Errno::BadF, "EBADF", 9},
    {Errno::Inval, "EINVAL", 22},
    {Errno::TimedOut, "ETIMEDOUT", 110},
    {Errno::OpNotSupp, "EOPNOTSUPP", 95},
    {Errno::NoEnt, "ENOENT", 2},
    {Errno::Exist, "EEXIST", 17},
    {Errno::NotSock, "ENOTSOCK", 88},
    {Errno::MFile, "EMFILE", 24},
}};
}  // namespace

std::string_view errno_name(Errno e) {
  for (const auto& r : kNames) {
    if (r.e == e) return r.name;
  }
  return "E?";
}

std::optional<Errno> errno_from_name(std::string_view name) {
  if (name == "EWOULDBLOCK") return Errno::Again;
  for (const auto& r : kNames) {
    if (r.name == name && r.e != Errno::Ok) return r.e;
  }
  return std::nullopt;
}

int errno_number(Errno e) {
  for (const auto& r : kNames) {
    if (r.e == e) return r.linux_number;
  }
  return 0;
}

std::string_view errno_name_of_number(int number) {
  for (const auto& r : kNames) {
    if (r.linux_number == number && r.e != Errno::Ok) return r.name;
  }
  return {};
}

}  // namespace tcpsim::sim
