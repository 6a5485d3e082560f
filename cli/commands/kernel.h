// `tcpsim kernel`: a scenario run on the machine's own kernel, in a private
// network namespace. The only part of tcpsim that touches the real network
// stack; model/ and sim/ never depend on it.
#pragma once

#include "cli/commands/commands.h"

namespace tcpsim::cli {

Subcommand add_kernel(CLI::App& app);

}  // namespace tcpsim::cli
