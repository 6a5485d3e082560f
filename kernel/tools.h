// The system tools the runner child uses (ip, nft), run as root: each is
// found at a fixed list of system locations, never through the caller's PATH,
// and run with an environment of the runner's making, never the caller's (a
// planted `ip` first in PATH, or LD_PRELOAD, would otherwise run as root).
#pragma once

#include <string>
#include <vector>

namespace tcpsim::kernel {

// Where tools are looked for, in order.
inline constexpr const char* kToolDirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};

// The full path of an executable `name` in kToolDirs, or "".
std::string find_tool(const std::string& name);

// The whole environment a tool runs with.
std::vector<std::string> tool_environment();

struct ToolRun {
  bool ok = false;     // found, ran, and exited with status 0
  std::string output;  // its stdout and stderr, together
  std::string error;   // why it did not run, or its complaint; "" when ok
};

// Runs argv (argv[0] a tool's name, looked up by find_tool), feeding it `input`.
ToolRun run_tool(const std::vector<std::string>& argv, const std::string& input = "");

}  // namespace tcpsim::kernel
