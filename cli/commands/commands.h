// The subcommands of tcpsim, one function each, called from cli/main.cc.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "formats/output_file.h"  // output::write_output, for every command
#include "formats/svg.h"          // formats::PictureOptions
#include "scenario/interpreter.h"

namespace tcpsim::cli {

struct RunArgs {
  std::string file;
  std::string format = "ascii";
  bool format_given = false;  // else -o's extension chooses (formats/registry.h)
  bool verbose = false;
  std::optional<std::uint64_t> seed;
  std::optional<std::string> profile;
  std::vector<std::string> sets;
  std::optional<std::string> loss;
  std::optional<std::string> until;
  std::string output;  // -o: a file written whole or not at all
  std::string pcap;    // --pcap: the segments as a capture file
  std::string pcap_at = "sender";
  // Figures (svg, tikz, mermaid): the options add_figure_options declares.
  formats::PictureOptions figure;
  std::optional<std::string> width, font_size;
  std::vector<std::string> hide;
  std::optional<std::string> isn;       // --isn A=100,B=300
  std::optional<std::string> from, to;  // --from/--to: times
};

struct CheckArgs {
  std::vector<std::string> files;
  RunArgs run;
  bool quiet = false;
  std::string format = "text";  // text, junit or json
};

struct StatesArgs {
  std::string format;  // dot or table; with --coverage, table (text) unless dot is asked for
  bool coverage = false;
  std::vector<std::string> files;  // the scenarios whose runs count for --coverage
  RunArgs run;                     // --seed, --profile, ... for those runs
  std::string output;
  bool rfc_figure = false;  // RFC 9293 Figure 5's 20 arrows only
  bool no_rules = false;    // no rule names under the labels
};

// --seed: a whole number from 0 to 2^64-1, checked on the text (CLI11
// would take "-1" as 2^64-1 without a word).
CLI::Validator seed_check();

// --profile, checked against sim/profile.h's registry.
void add_profile_option(CLI::App* app, std::optional<std::string>& profile);
// --format's help: the formats serving `command` (formats/registry.h bits).
std::string format_help(unsigned command);

// Options shared by run and check (the file positional only for run).
void add_run_options(CLI::App* app, RunArgs& a, bool with_file);
// Parses and runs one scenario with the command line's options; a message on failure.
std::variant<scenario::RunResult, std::string> load_and_run(const std::string& file, const RunArgs& a,
                                                            bool traced = true);

int cmd_run(const RunArgs& a);
int cmd_check(const CheckArgs& a);
int cmd_states(const StatesArgs& a);
// states --format: "dot" (Graphviz) and "table" (text), the one list its
// --format check and the fuzzer read.
const std::vector<std::string>& states_formats();
int cmd_profiles();

// A subcommand that adds its own options: the CLI11 node, and what runs
// (returning the exit status) when the command line chose it.
struct Subcommand {
  CLI::App* app = nullptr;
  std::function<int()> run;
};
Subcommand add_sweep(CLI::App& app);        // cli/commands/sweep.cc
Subcommand add_merge(CLI::App& app);        // cli/commands/sweep.cc
Subcommand add_explore(CLI::App& app);      // cli/commands/explore.cc
Subcommand add_packetdrill(CLI::App& app);  // cli/commands/packetdrill.cc

}  // namespace tcpsim::cli
