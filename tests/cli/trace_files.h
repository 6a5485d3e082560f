// The scenarios of traces/, for the tests that check something of every one:
// their names, and one run of a scenario by name.
#pragma once

#include <algorithm>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/interpreter.h"
#include "scenario/parser.h"

namespace tcpsim::testing {

inline const std::string kTraces = std::string(TCPSIM_SOURCE_DIR) + "/traces/";

// traces/NAME run with default options; a scenario error throws.
inline scenario::RunResult run_trace(const std::string& name) {
  auto parsed = scenario::parse_file(kTraces + name);
  if (auto* e = std::get_if<scenario::ParseError>(&parsed)) throw std::runtime_error(e->message);
  auto sc = std::make_shared<const scenario::Scenario>(std::move(std::get<scenario::Scenario>(parsed)));
  auto ran = scenario::run(sc, scenario::RunOptions{});
  if (auto* e = std::get_if<scenario::ParseError>(&ran)) throw std::runtime_error(e->message);
  return std::move(std::get<scenario::RunResult>(ran));
}

// The file names of traces/*.tcpsim, sorted.
inline std::vector<std::string> all_traces() {
  std::vector<std::string> v;
  for (const auto& e : std::filesystem::directory_iterator(kTraces)) {
    if (e.path().extension() == ".tcpsim") v.push_back(e.path().filename().string());
  }
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace tcpsim::testing
