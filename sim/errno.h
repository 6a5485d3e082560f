// The errno values a simulated call can return, printed with Linux's names
// and numbered as Linux numbers them (getsockopt(SO_ERROR) returns the
// number). Our own enum: the host's <cerrno> macros would clash with the
// names, and their numbers differ between systems.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tcpsim::sim {

enum class Errno : std::uint8_t {
  Ok = 0,
  AddrInUse,     // EADDRINUSE
  AddrNotAvail,  // EADDRNOTAVAIL
  Again,         // EAGAIN
  ConnRefused,   // ECONNREFUSED
  ConnReset,     // ECONNRESET
  Pipe,          // EPIPE
  NotConn,       // ENOTCONN
  InProgress,    // EINPROGRESS
  Already,       // EALREADY
  IsConn,        // EISCONN
  BadF,          // EBADF
  Inval,         // EINVAL
  TimedOut,      // ETIMEDOUT
  OpNotSupp,     // EOPNOTSUPP
  NoEnt,         // ENOENT
  Exist,         // EEXIST
  NotSock,       // ENOTSOCK
  MFile,         // EMFILE
};

std::string_view errno_name(Errno e);
std::optional<Errno> errno_from_name(std::string_view name);
// Linux's number for it (include/uapi/asm-generic/errno*.h): EPIPE 32,
// ECONNREFUSED 111; 0 for Ok.
int errno_number(Errno e);
// The name of a Linux errno number tcpsim knows ("EPIPE" for 32), else empty.
std::string_view errno_name_of_number(int number);

}  // namespace tcpsim::sim
