#include "formats/gap.h"

#include <fmt/format.h>

namespace tcpsim::formats {

std::string gap_label(Duration gap, const char* micro) {
  if (gap <= 0) return "0 ns";
  if (gap >= 10000 * kSecond) return fmt::format("{} s", (gap + kSecond / 2) / kSecond);
  // Integer arithmetic: round to 4 significant figures of nanoseconds.
  std::int64_t step = 1;
  while (gap / step >= 10000) step *= 10;
  const std::int64_t rounded = (gap + step / 2) / step * step;
  struct Unit {
    std::int64_t ns;
    std::string name;
  };
  const Unit units[] = {
      {kSecond, "s"}, {kMillisecond, "ms"}, {kMicrosecond, std::string(micro) + "s"}, {1, "ns"}};
  for (const Unit& u : units) {
    if (rounded < u.ns) continue;
    std::string s = fmt::format("{}", rounded / u.ns);
    std::int64_t frac = rounded % u.ns;
    if (frac != 0) {
      std::string f = fmt::format("{:0{}}", frac, fmt::format("{}", u.ns).size() - 1);
      while (!f.empty() && f.back() == '0') f.pop_back();
      s += "." + f;
    }
    return s + " " + u.name;
  }
  return fmt::format("{} ns", rounded);
}

}  // namespace tcpsim::formats
