// Reading packetdrill scripts. Errors come back as a value,
// `file:line:col: what is wrong`, never as an exception, a crash or a hang.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "packetdrill/ast.h"

namespace tcpsim::packetdrill {

struct ParseError {
  std::string file;
  Location where;
  std::string what;
  std::string message() const;  // "file:line:col: what"
};

std::variant<Script, ParseError> parse(std::string_view text, const std::string& file);
std::variant<Script, ParseError> parse_file(const std::string& path);

// The statements of a %{ }% block (never fails: what is not understood is
// marked unsupported). `where` is the position of the block's first character.
std::vector<PythonStatement> parse_python(std::string_view code, Location where);

// A normalized form of the script: one event per line, canonical times,
// spacing and numbers; parsing it again gives the same dump.
std::string dump(const Script& s);
std::string dump(const Expr& e);

}  // namespace tcpsim::packetdrill
