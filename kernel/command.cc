#include "kernel/command.h"

#include <cstdio>

namespace tcpsim::cli {

Subcommand add_kernel(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("kernel", "Run a scenario on this machine's kernel (not yet built)");
  return {sub, [] {
            std::fprintf(stderr, "tcpsim kernel: not implemented yet\n");
            return 2;
          }};
}

}  // namespace tcpsim::cli
