#include <cstdio>

#include "cli/commands/commands.h"

namespace tcpsim::cli {

Subcommand add_sweep(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("sweep", "Run a scenario over seeds and parameters (not yet built)");
  return {sub, [] {
            std::fprintf(stderr, "tcpsim sweep: not implemented yet\n");
            return 2;
          }};
}

Subcommand add_merge(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("merge", "Combine sweep shards (not yet built)");
  return {sub, [] {
            std::fprintf(stderr, "tcpsim merge: not implemented yet\n");
            return 2;
          }};
}

}  // namespace tcpsim::cli
