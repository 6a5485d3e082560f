#include <fmt/format.h>

#include "cli/commands/commands.h"
#include "sim/profile.h"

namespace tcpsim::cli {

// Every setting --set and `set` take, with each profile's value.
int cmd_profiles() {
  std::string out =
      fmt::format("{:<26} {:>10} {:>10} {:>10}  {}\n", "setting", "rfc9293", "linux", "bsd", "meaning");
  const auto rfc = *sim::profile_named("rfc9293");
  const auto lin = *sim::profile_named("linux");
  const auto bsd = *sim::profile_named("bsd");
  for (const auto& k : sim::profile_keys()) {
    out +=
        fmt::format("{:<26} {:>10} {:>10} {:>10}  {}\n", k.name, sim::get_profile_value(rfc, k.name),
                    sim::get_profile_value(lin, k.name), sim::get_profile_value(bsd, k.name), k.description);
  }
  return output::write_output("", out) ? 0 : 2;
}

}  // namespace tcpsim::cli
