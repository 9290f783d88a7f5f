#include <fmt/format.h>

#include <memory>

#include "cli/command_options.h"
#include "cli/commands.h"
#include "common/errors.h"
#include "common/text.h"
#include "scenario/scenario_catalog.h"
#include "scenario/scenario_loader.h"

namespace sessim::cli {
namespace {

std::string declared_outcomes(const Scenario& scenario) {
  std::string text;
  for (const auto& [store, outcome] : scenario.expected) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}", to_string(store),
                        outcome == DeclaredOutcome::pass ? "passes" : "fails");
  }
  return text.empty() ? "no outcome declared" : text;
}

}  // namespace

int list_builtins() {
  const auto scenarios = load_builtin_scenarios();
  std::size_t width = 0;
  for (const auto& scenario : scenarios) width = std::max(width, scenario.name.size());
  for (const auto& scenario : scenarios) {
    fmt::print("{:<{}}  {}\n{:<{}}  ({})\n", scenario.name, width, scenario.lesson, "", width,
               declared_outcomes(scenario));
  }
  fmt::print(
      "\nSee one with `sessim show NAME`, run one with `sessim run NAME`, all with "
      "`sessim run --verdict declared $(sessim list --names)`.\n");
  return kExitOk;
}

int list_names() {
  for (const auto& scenario : load_builtin_scenarios()) fmt::print("{}\n", scenario.name);
  return kExitOk;
}

// Every file of every argument is loaded and reported, valid or not.
int check_scenarios(const std::vector<std::string>& arguments) {
  const auto load = load_every_scenario(arguments);
  int broken = static_cast<int>(load.invalid.size());
  for (const auto& scenario : load.scenarios) {
    try {
      check_node_names(scenario, scenario.cluster.nodes);
    } catch (const UsageError& error) {
      ++broken;
      fmt::print(stderr, "{}\n", error.what());
      continue;
    }
    fmt::print("ok  {}  ({}, {}, {} planned{}, {})\n", scenario.source, scenario.name,
               count_of(static_cast<long long>(scenario.steps.size()), "step"),
               count_of(scenario.planned_requests, "request"),
               scenario.planned_wait_s > 0
                   ? fmt::format(", {:g} s of waiting", scenario.planned_wait_s)
                   : std::string(),
               declared_outcomes(scenario));
    if (!checks_anything(scenario)) {
      fmt::print(stderr,
                 "{}: warning: the scenario checks nothing (no `expect:` on any request), so "
                 "its verdict would be unknown and it can never pass\n",
                 scenario.source);
    }
  }
  for (const auto& invalid : load.invalid) fmt::print(stderr, "{}\n", invalid.message);
  if (broken > 0) {
    fmt::print(stderr, "sessim: {} of {} invalid\n", broken,
               count_of(static_cast<long long>(load.scenarios.size() + load.invalid.size()),
                        "scenario file"));
  }
  return broken == 0 ? kExitOk : kExitUsage;
}

int show_builtin(const std::string& name) {
  fmt::print("{}", builtin_scenario_text(name));
  return kExitOk;
}

}  // namespace sessim::cli
