#include "kernel/tools.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tcpsim::kernel {

std::string find_tool(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) return "";
  for (const char* dir : kToolDirs) {
    const std::string path = std::string(dir) + "/" + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

std::vector<std::string> tool_environment() {
  // What nft and ip need: a PATH of system directories for anything they run
  // themselves, and the C locale so that their messages read the same everywhere.
  std::string path = "PATH=";
  for (const char* dir : kToolDirs) path += std::string(path.size() > 5 ? ":" : "") + dir;
  return {path, "LC_ALL=C"};
}

ToolRun run_tool(const std::vector<std::string>& argv, const std::string& input) {
  ToolRun out;
  const std::string path = find_tool(argv.at(0));
  if (path.empty()) {
    std::string dirs;
    for (const char* dir : kToolDirs) dirs += std::string(dirs.empty() ? "" : ", ") + dir;
    out.error = fmt::format("{}: not found in {} (install it: scripts/install-deps.sh)", argv[0], dirs);
    return out;
  }
  int in[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    out.error = "pipe: " + std::string(std::strerror(errno));
    return out;
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    out.error = "pipe: " + std::string(std::strerror(errno));
    return out;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, err[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args[0] = const_cast<char*>(path.c_str());
  args.push_back(nullptr);
  std::vector<std::string> env = tool_environment();
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, path.c_str(), &fa, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(err[1]);
  if (rc != 0) {
    close(in[1]);
    close(err[0]);
    out.error = fmt::format("{}: {}", path, std::strerror(rc));
    return out;
  }
  if (!input.empty()) {
    ssize_t w = write(in[1], input.data(), input.size());
    (void)w;
  }
  close(in[1]);
  char buf[512];
  ssize_t n;
  while ((n = read(err[0], buf, sizeof(buf))) > 0) out.output.append(buf, static_cast<std::size_t>(n));
  close(err[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (out.ok) return out;
  std::string text = out.output;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (auto& c : text) {
    if (c == '\n') c = ' ';
  }
  out.error = fmt::format("{}: {}", argv[0], text.empty() ? "failed" : text);
  return out;
}

}  // namespace tcpsim::kernel
