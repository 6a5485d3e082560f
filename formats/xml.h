// Text and attribute values for the XML tcpsim writes (SVG pictures and
// plots): one escaping, so every picture survives the same titles.
#pragma once

#include <string>

namespace tcpsim::formats {

// &, <, >, " and ' as entities; control characters XML 1.0 forbids as '?'.
std::string xml_escape(const std::string& s);

}  // namespace tcpsim::formats
