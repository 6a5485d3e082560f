#include <fmt/format.h>

#include "cli/commands/commands.h"
#include "sim/profile.h"

namespace tcpsim::cli {

// Every setting --set and `set` take, with each profile's value and the
// values it may take (sim/profile.cc's table), one column per profile of
// its registry.
int cmd_profiles() {
  std::vector<sim::Profile> profiles;
  std::string out = fmt::format("{:<28}", "setting");
  for (std::string_view name : sim::profile_names()) {
    profiles.push_back(*sim::profile_named(name));
    out += fmt::format(" {:>10}", name);
  }
  out += fmt::format("  {:<18}  {}\n", "allowed", "meaning");
  for (const auto& k : sim::profile_keys()) {
    out += fmt::format("{:<28}", k.name);
    for (const auto& p : profiles) out += fmt::format(" {:>10}", sim::get_profile_value(p, k.name));
    out += fmt::format("  {:<18}  {}\n", k.range, k.description);
  }
  out += "rto_min <= rto_initial <= rto_max must hold once every setting is applied.\n";
  return output::write_output("", out) ? 0 : 2;
}

}  // namespace tcpsim::cli
