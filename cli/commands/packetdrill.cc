// `tcpsim packetdrill FILE.pkt...`: packetdrill scripts against one
// simulated host each (packetdrill/runner.h), one line per script, a
// summary, and packetdrill's exit statuses (0 nothing failed, 1 a failure,
// 2 a usage or parse error).
#include <fmt/format.h>

#include "cli/commands/commands.h"
#include "packetdrill/parser.h"
#include "packetdrill/runner.h"
#include "scenario/parser.h"
#include "sim/profile.h"

namespace tcpsim::cli {

namespace {

struct PacketdrillArgs {
  std::vector<std::string> files;
  std::string profile{sim::kLinuxProfile};
  std::vector<std::string> sets;
  bool strict = false;
  bool verbose = false;
};

int cmd_packetdrill(const PacketdrillArgs& a) {
  packetdrill::RunOptions opts;
  opts.profile = a.profile;
  opts.verbose = a.verbose;
  auto profile = sim::profile_named(a.profile);
  if (!profile) {
    fmt::print(stderr, "tcpsim packetdrill: unknown profile '{}'\n", a.profile);
    return 2;
  }
  for (const auto& kv : a.sets) {
    auto set = scenario::parse_set_option(kv);
    if (auto* e = std::get_if<std::string>(&set)) {
      fmt::print(stderr, "tcpsim packetdrill: --set {}: {}\n", kv, *e);
      return 2;
    }
    auto pair = std::get<0>(std::move(set));
    if (auto err = sim::set_profile_value(*profile, pair.first, pair.second)) {
      fmt::print(stderr, "tcpsim packetdrill: --set {}: {}\n", kv, *err);
      return 2;
    }
    opts.sets.push_back(std::move(pair));
  }
  int pass = 0, fail = 0, unsupported = 0, status = 0;
  std::string out;
  for (const auto& file : a.files) {
    auto parsed = packetdrill::parse_file(file);
    if (auto* err = std::get_if<packetdrill::ParseError>(&parsed)) {
      fmt::print(stderr, "{}\n", err->message());
      status = 2;
      continue;
    }
    const auto o = packetdrill::run_script(std::get<packetdrill::Script>(parsed), opts);
    out += o.log;
    switch (o.kind) {
      case packetdrill::Outcome::Kind::Pass:
        ++pass;
        out += fmt::format("pass: {}\n", file);
        break;
      case packetdrill::Outcome::Kind::Fail:
        ++fail;
        out += fmt::format("fail: {}\n", o.message);
        break;
      case packetdrill::Outcome::Kind::Unsupported:
        ++unsupported;
        out += fmt::format("{}\n", o.message);
        break;
    }
  }
  out += fmt::format("{} scripts: {} passed, {} failed, {} unsupported\n", pass + fail + unsupported, pass,
                     fail, unsupported);
  if (!output::write_output("", out)) return 2;
  if (status == 2) return 2;
  return fail > 0 || (a.strict && unsupported > 0) ? 1 : 0;
}

}  // namespace

Subcommand add_packetdrill(CLI::App& app) {
  auto args = std::make_shared<PacketdrillArgs>();
  CLI::App* c = app.add_subcommand("packetdrill", "Run packetdrill scripts against a simulated host");
  c->add_option("files", args->files, "Scripts (.pkt)")->required();
  const std::vector<std::string> profiles(sim::profile_names().begin(), sim::profile_names().end());
  c->add_option(
       "--profile", args->profile,
       fmt::format("Behaviour profile: {} (default: {})", sim::profile_choices(), sim::kLinuxProfile))
      ->check(CLI::IsMember(profiles));
  c->add_option("--set", args->sets, "Override a profile value, e.g. --set rto_min=200ms (repeatable)");
  c->add_flag("--strict", args->strict, "An unsupported script counts as a failure");
  c->add_flag("-v,--verbose", args->verbose, "Each packet and call beside what the script expects");
  return Subcommand{c, [args] { return cmd_packetdrill(*args); }};
}

}  // namespace tcpsim::cli
