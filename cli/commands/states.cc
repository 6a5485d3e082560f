#include <fmt/format.h>

#include "cli/commands/commands.h"
#include "formats/state_diagram.h"

namespace tcpsim::cli {

const std::vector<std::string>& states_formats() {
  static const std::vector<std::string> f = {"dot", "table"};
  return f;
}

int cmd_states(const StatesArgs& a) {
  if (a.rfc_figure) {
    if (a.coverage || !a.files.empty() || a.format == "table") {
      std::fprintf(stderr,
                   "tcpsim states --rfc-figure: the figure is a DOT diagram, without --coverage or "
                   "--format table\n");
      return 2;
    }
    return output::write_output(a.output, formats::rfc_figure_dot(!a.no_rules)) ? 0 : 2;
  }
  if (!a.coverage) {
    if (!a.files.empty()) {
      std::fprintf(stderr, "tcpsim states: scenario files only count with --coverage\n");
      return 2;
    }
    const std::string text =
        a.format == "table" ? formats::state_table() : formats::state_diagram_dot({}, !a.no_rules);
    return output::write_output(a.output, text) ? 0 : 2;
  }
  if (a.files.empty()) {
    std::fprintf(stderr, "tcpsim states --coverage: give the scenarios to run, e.g. traces/*.tcpsim\n");
    return 2;
  }
  // Every row that fired in any end of any run counts, whatever the run's
  // assertions said: coverage is about what the runs did.
  formats::Coverage cov;
  for (const auto& file : a.files) {
    auto result = load_and_run(file, a.run);
    if (auto* e = std::get_if<std::string>(&result)) {
      std::fprintf(stderr, "%s\n", e->c_str());
      return 2;
    }
    formats::add_coverage(cov, file, std::get<scenario::RunResult>(result));
  }
  const std::string text = a.format == "dot" ? formats::coverage_dot(cov) : formats::coverage_text(cov);
  return output::write_output(a.output, text) ? 0 : 2;
}

}  // namespace tcpsim::cli
