#include <cstdio>

#include "cli/commands/commands.h"

namespace tcpsim::cli {

Subcommand add_explore(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("explore", "Every pattern of up to K drops (not yet built)");
  return {sub, [] {
            std::fprintf(stderr, "tcpsim explore: not implemented yet\n");
            return 2;
          }};
}

}  // namespace tcpsim::cli
