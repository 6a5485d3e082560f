// FreeBSD's shell forms in the tcp-testsuite's scripts (shell_freebsd.cc),
// called by the shell reader (shell.cc) before its own forms.
#pragma once

#include <string>

#include "packetdrill/run_state.h"

namespace tcpsim::packetdrill {

// A FreeBSD sysctl that maps to a profile value: applied, true. Any other
// name: false (shell.cc decides).
bool freebsd_sysctl(Run& r, const Location& where, const std::string& name, const std::string& value);

// `tcpdrop -s STATE`: true when the line is one (and it was done).
bool freebsd_shell_line(Run& r, const Location& where, const std::string& line);

}  // namespace tcpsim::packetdrill
