// Running a packetdrill script against one simulated host (issue 16): the
// host at the script's local address is the system under test, the script
// plays its peer. Inbound packets are injected at their times, outbound
// ones are taken from the host's wire and checked field by field, system
// calls go to the host's simulated sockets. See docs/packetdrill.md.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "packetdrill/ast.h"

namespace tcpsim::packetdrill {

struct RunOptions {
  std::string profile = "linux";
  // --set key=value, applied after the profile and after the script's own
  // sysctls (the command line has the last word).
  std::vector<std::pair<std::string, std::string>> sets;
  bool verbose = false;  // each expectation beside what the host did
};

struct Outcome {
  enum class Kind { Pass, Fail, Unsupported };
  Kind kind = Kind::Pass;
  // Fail: "file:line: error handling packet: ...";
  // Unsupported: "unsupported: what, file:line".
  std::string message;
  std::string log;  // -v: one line per event
};

// The defines a profile selects for FreeBSD's #ifdef variants.
std::set<std::string> profile_defines(const std::string& profile);

// Runs one parsed script. Never throws; a bad --set or profile is a Fail
// whose message says so (the command line checks them first).
Outcome run_script(const Script& script, const RunOptions& options);

const char* outcome_name(Outcome::Kind k);  // "pass", "fail", "unsupported"

}  // namespace tcpsim::packetdrill
