#include <fmt/format.h>

#include "cli/commands/commands.h"
#include "sim/profile.h"

namespace tcpsim::cli {

// Every setting --set and `set` take, with each profile's value and the
// values it may take (sim/profile.cc's table).
int cmd_profiles() {
  constexpr std::string_view kRow = "{:<28} {:>10} {:>10} {:>10}  {:<18}  {}\n";
  std::string out = fmt::format(kRow, "setting", "rfc9293", "linux", "bsd", "allowed", "meaning");
  const auto rfc = *sim::profile_named("rfc9293");
  const auto lin = *sim::profile_named("linux");
  const auto bsd = *sim::profile_named("bsd");
  for (const auto& k : sim::profile_keys()) {
    out += fmt::format(kRow, k.name, sim::get_profile_value(rfc, k.name), sim::get_profile_value(lin, k.name),
                       sim::get_profile_value(bsd, k.name), k.range, k.description);
  }
  out += "rto_min <= rto_initial <= rto_max must hold once every setting is applied.\n";
  return output::write_output("", out) ? 0 : 2;
}

}  // namespace tcpsim::cli
