// Reading scenario files. Errors come back as `file:line:col: message`,
// never as a crash or an exception escaping to the user.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "scenario/ast.h"

namespace tcpsim::scenario {

struct ParseError {
  std::string message;  // "file:line:col: what is wrong"
};

std::variant<Scenario, ParseError> parse(std::string_view text, const std::string& file);
// The largest scenario file parse_file reads (16 MiB): far above any real one.
inline constexpr std::size_t kMaxScenarioBytes = std::size_t{16} << 20;
std::variant<Scenario, ParseError> parse_file(const std::string& path);

// What every setting value, from `set` or `--set`, must be before
// sim::set_profile_value reads it: no duration past kMaxDuration (whatever
// the key). A message, or nullopt when the value may go on.
std::optional<std::string> setting_value_error(std::string_view value);

// The command line's `--set key=value` and `--until T`, one way for run,
// check, sweep and explore: the parsed value, or a message.
std::variant<std::pair<std::string, std::string>, std::string> parse_set_option(std::string_view kv);
std::variant<Duration, std::string> parse_until_option(std::string_view text);

// The calls a program may make: the table of calls (sim/socket_calls.h).
using CallSpec = sim::CallSpec;
using sim::find_call;

// The words that start a statement, as the parser dispatches on them: at the
// top level, and inside a program besides the calls. One list, for the
// parser's messages and for tests that generate statements (tests/fuzz/).
const std::vector<std::string_view>& top_level_statements();
const std::vector<std::string_view>& program_statements();
inline const std::vector<CallSpec>& calls() { return sim::socket_calls(); }

}  // namespace tcpsim::scenario
