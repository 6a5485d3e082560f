#include <fmt/format.h>

#include "cli/commands/commands.h"
#include "cli/formats/state_diagram.h"

namespace tcpsim::cli {

int cmd_states(const StatesArgs& a) {
  const std::string text = a.format == "table" ? formats::state_table() : formats::state_diagram_dot({});
  return write_output("", text) ? 0 : 2;
}

}  // namespace tcpsim::cli
