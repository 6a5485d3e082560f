// tcpsim: what two TCP endpoints do, segment by segment and state by state.
// Subcommands are wired here; each one's work lives in cli/commands/ and
// each output format in formats/.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands/commands.h"
#include "cli/commands/kernel.h"
#include "version.h"

namespace {

int run_command(int argc, char** argv) {
  using namespace tcpsim::cli;
  CLI::App app{
      "tcpsim: a packet-level simulator of TCP connections (RFC 9293, and Linux as it behaves).\n"
      "Run a scenario to see its ladder diagram; check scenarios' assertions; draw the state diagram."};
  app.set_version_flag("--version", std::string("tcpsim ") + tcpsim::kVersion);
  app.require_subcommand(1);
  app.fallthrough();

  RunArgs run_args;
  CLI::App* run =
      app.add_subcommand("run", "Run a scenario and print what happened (a ladder diagram by default)");
  add_run_options(run, run_args, true);

  CheckArgs check_args;
  CLI::App* check =
      app.add_subcommand("check", "Run the assertions of scenario files; exit status 1 if any fails");
  check->add_option("files", check_args.files, "Scenario files")->required()->check(CLI::ExistingFile);
  add_run_options(check, check_args.run, false);
  check->add_flag("-q,--quiet", check_args.quiet, "Print only failures and the summary line");
  check
      ->add_option("-f,--format", check_args.format,
                   "text, junit (JUnit XML for CI) or json (one record per assertion)")
      ->check(CLI::IsMember({"text", "junit", "json"}))
      ->capture_default_str();

  StatesArgs states_args;
  CLI::App* states =
      app.add_subcommand("states", "Print RFC 9293's state diagram, generated from the model's table");
  states
      ->add_option("--format", states_args.format,
                   "dot (Graphviz; the default) or table (text; the default with --coverage)")
      ->check(CLI::IsMember(tcpsim::cli::states_formats()));
  states->add_flag(
      "--coverage", states_args.coverage,
      "Run the given scenarios and show which rows of the table they fired, and which they never did");
  states->add_option("files", states_args.files, "Scenario files, for --coverage (e.g. traces/*.tcpsim)")
      ->check(CLI::ExistingFile);
  states->add_option("-o,--output", states_args.output, tcpsim::output::kOutputOptionHelp);
  states->add_flag("--rfc-figure", states_args.rfc_figure,
                   "Only RFC 9293 Figure 5's 20 arrows, in its wording (DOT); the full table otherwise");
  states->add_flag("--no-rules", states_args.no_rules, "No rule names under the edges' labels");
  add_run_options(states, states_args.run, false);

  CLI::App* profiles = app.add_subcommand(
      "profiles", "List every setting of the behaviour profiles (for --set) with their values");

  const std::vector<Subcommand> more{add_sweep(app), add_merge(app), add_explore(app), add_kernel(app),
                                     add_packetdrill(app)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // Help and --version are successes; misuse is exit status 2.
    return code == 0 ? 0 : 2;
  }
  if (*run) return cmd_run(run_args);
  if (*check) return cmd_check(check_args);
  if (*states) return cmd_states(states_args);
  if (*profiles) return cmd_profiles();
  for (const auto& s : more)
    if (*s.app) return s.run();
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  tcpsim::output::reserve_standard_fds();
  const int status = run_command(argc, argv);
  // What stdio still holds (--help, say) written and standard output closed,
  // both checked: an output that did not get out is exit status 2.
  return tcpsim::output::finish_stdout(status);
}
