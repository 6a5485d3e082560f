// Shared by the packetdrill parser tests: parse a script written in the test.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "packetdrill/parser.h"

namespace tcpsim::packetdrill::testing {

// The script, or a failed test (with the error) and an empty script.
inline Script ok(const std::string& text) {
  auto r = parse(text, "t.pkt");
  if (auto* e = std::get_if<ParseError>(&r)) {
    ADD_FAILURE() << e->message() << "\nin:\n" << text;
    return Script{};
  }
  return std::get<Script>(std::move(r));
}

// The error message, or a failed test and "".
inline std::string error(const std::string& text) {
  auto r = parse(text, "t.pkt");
  if (auto* e = std::get_if<ParseError>(&r)) return e->message();
  ADD_FAILURE() << "parsed, expected an error:\n" << text;
  return "";
}

template <typename T>
const T& action(const Script& s, std::size_t i) {
  static const T empty{};
  if (i >= s.events.size() || !std::holds_alternative<T>(s.events[i].action)) {
    ADD_FAILURE() << "event " << i << " is not of the expected kind";
    return empty;
  }
  return std::get<T>(s.events[i].action);
}

}  // namespace tcpsim::packetdrill::testing
