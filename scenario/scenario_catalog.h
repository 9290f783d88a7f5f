#pragma once

#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace sessim {

// The scenarios that command-line arguments name, one source each: a file
// path, or "builtin:NAME". A directory stands for every *.yaml / *.yml file in
// it, sorted. Throws UsageError for an argument that names nothing (with the
// nearest built-in name) or a directory without scenario files.
std::vector<std::string> scenario_sources(const std::string& argument);

// Parses one source. Throws ScenarioError (file:line:column) or UsageError.
Scenario load_scenario_source(const std::string& source);

// Every argument, every file of every directory: the valid scenarios in
// order and the invalid ones with their errors; nothing stops at the first
// broken file.
struct ScenarioLoad {
  std::vector<Scenario> scenarios;
  std::vector<InvalidScenario> invalid;
  std::vector<std::string> files;  // every file read, valid or not
};
ScenarioLoad load_every_scenario(const std::vector<std::string>& arguments);

// The same, throwing at the first invalid source.
std::vector<Scenario> load_scenarios(const std::vector<std::string>& arguments);

// Every built-in scenario, parsed.
std::vector<Scenario> load_builtin_scenarios();

// A built-in scenario's YAML as shipped, comments included. Throws UsageError
// (with the nearest name) for an unknown name.
std::string builtin_scenario_text(const std::string& name);

}  // namespace sessim
