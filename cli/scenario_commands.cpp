#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/commands.h"
#include "common/errors.h"
#include "scenario/scenario_catalog.h"
#include "scenario/scenario_loader.h"

namespace sessim::cli {
namespace {

std::string declared_outcomes(const Scenario& scenario) {
  std::string text;
  for (const auto& [store, outcome] : scenario.expected) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}", store, outcome == DeclaredOutcome::pass ? "passes" : "fails");
  }
  return text.empty() ? "no outcome declared" : text;
}

int list_builtins() {
  const auto scenarios = load_builtin_scenarios();
  std::size_t width = 0;
  for (const auto& scenario : scenarios) width = std::max(width, scenario.name.size());
  for (const auto& scenario : scenarios) {
    fmt::print("{:<{}}  {}\n{:<{}}  ({})\n", scenario.name, width, scenario.lesson, "", width,
               declared_outcomes(scenario));
  }
  fmt::print("\nRun one with `sessim run NAME`, all with `sessim run --verdict declared {}`.\n",
             "$(sessim list --names)");
  return kExitOk;
}

int list_names() {
  for (const auto& scenario : load_builtin_scenarios()) fmt::print("{}\n", scenario.name);
  return kExitOk;
}

// Loads each argument on its own, so that every broken file is reported.
int check(const std::vector<std::string>& arguments) {
  int broken = 0;
  for (const auto& argument : arguments) {
    try {
      for (const auto& scenario : load_scenarios({argument})) {
        check_node_names(scenario, scenario.cluster.nodes);
        fmt::print("ok  {}  ({}, {} step(s), {})\n", scenario.source, scenario.name,
                   scenario.steps.size(), declared_outcomes(scenario));
      }
    } catch (const UsageError& error) {
      ++broken;
      fmt::print(stderr, "{}\n", error.what());
    }
  }
  return broken == 0 ? kExitOk : kExitUsage;
}

}  // namespace

void add_list_command(CLI::App& app, CommandAction& selected) {
  auto names_only = std::make_shared<bool>(false);
  auto* command = app.add_subcommand("list", "List the built-in scenarios with their lessons.");
  command->add_flag("--names", *names_only, "print only the names, one per line");
  command->callback([names_only, &selected] {
    selected = [names_only] { return *names_only ? list_names() : list_builtins(); };
  });
}

void add_check_command(CLI::App& app, CommandAction& selected) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto* command = app.add_subcommand(
      "check", "Validate scenario files (or directories, or built-in names) without running them.");
  command->add_option("scenario", *files, "scenario file, directory or built-in name")->required();
  command->callback([files, &selected] { selected = [files] { return check(*files); }; });
}

}  // namespace sessim::cli
