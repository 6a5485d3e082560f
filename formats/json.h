// `tcpsim run --format json`: the whole trace in a documented, versioned
// schema (docs/json-format.md), for analysis in Python or a notebook.
#pragma once

#include <string>

#include "scenario/interpreter.h"

namespace tcpsim::formats {

inline constexpr int kJsonSchemaVersion = 1;

std::string json(const scenario::RunResult& run);

}  // namespace tcpsim::formats
