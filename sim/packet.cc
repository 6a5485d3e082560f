#include "sim/packet.h"

namespace tcpsim::sim {

std::string to_string(const Addr& a) {
  return fmt::format("{}.{}.{}.{}:{}", a.ip >> 24, (a.ip >> 16) & 0xff, (a.ip >> 8) & 0xff, a.ip & 0xff,
                     a.port);
}

}  // namespace tcpsim::sim
