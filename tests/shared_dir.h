// Where the reference corpora are (the FreeBSD conformance scripts, the
// notes): a folder beside the project, ../shared, on the maintainers'
// machines and in CI, but not in a user's clone. A runtime setting, so the
// same build can run with and without it:
//   TCPSIM_SHARED_DIR=DIR   that folder (a missing one means: none);
//   unset                   <source dir>/../shared, when it exists.
// Tests that read it call shared_path() and GTEST_SKIP, saying what is
// missing and that TCPSIM_SHARED_DIR sets it, when it answers nothing; they
// never fail for want of it.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#ifndef TCPSIM_SOURCE_DIR
#error "TCPSIM_SOURCE_DIR must name the project root"
#endif

namespace tcpsim::test {

// `relative` inside the shared folder, if that exists; nothing otherwise.
inline std::optional<std::filesystem::path> shared_path(const std::string& relative) {
  namespace fs = std::filesystem;
  const char* env = std::getenv("TCPSIM_SHARED_DIR");
  const fs::path root = env && *env ? fs::path(env) : fs::path(TCPSIM_SOURCE_DIR) / ".." / "shared";
  const fs::path p = root / relative;
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::nullopt;
  return p;
}

}  // namespace tcpsim::test
