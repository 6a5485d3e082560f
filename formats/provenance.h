// What a figure records of how it was made, so that it can be reproduced
// from its own caption: the scenario (its path as given on the command
// line, made relative to the current directory), the profile, every `set`
// in the file and every --set, --loss, the seed, and tcpsim's version.
// Every output says it the same way (provenance_line), the JSON as fields.
// Nothing here depends on the machine but the current directory, which an
// absolute path is made relative to: the same command in the same folder
// gives the same bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/interpreter.h"

namespace tcpsim::formats {

struct Provenance {
  std::string scenario;        // "traces/lost-fin.tcpsim": relative, control bytes escaped
  std::string profile;         // the hosts' profiles, "linux" or "linux, bsd"
  bool profile_given = false;  // by --profile
  std::uint64_t seed = 0;
  bool seed_given = false;  // by --seed
  struct Setting {
    std::string host;  // empty: every host
    std::string key, value;
    bool given = false;  // --set (else a `set` line of the file)
  };
  std::vector<Setting> settings;    // the file's, then the command line's
  std::optional<std::string> loss;  // --loss, as a probability ("0.05")
  std::string version;              // tcpsim's, from version.h
};

Provenance provenance_of(const scenario::RunResult& run);

// "lost-fin.tcpsim: profile linux, seed 1, set time_wait 30s, --set
// rto_min=1ms, --loss 0.05, tcpsim 0.9.0": what was given on the command
// line is written as its option.
std::string provenance_line(const Provenance& p);

// A path as a figure names it: an absolute one made relative to `cwd`
// (never absolute: a figure must not carry the author's home folder), a
// relative one as given; control characters, a backslash and bytes that
// are not UTF-8 written \xNN (\\), so the name is one line of text.
std::string figure_path(std::string_view path, std::string_view cwd);

}  // namespace tcpsim::formats
