#pragma once

#include <string>
#include <vector>

#include "scenario/scenario.h"

namespace sessim {

// Loads the scenarios that command-line arguments name: a file, a directory
// (every *.yaml / *.yml in it, sorted) or a built-in name. Throws UsageError
// (ScenarioError for a malformed file) before anything runs.
std::vector<Scenario> load_scenarios(const std::vector<std::string>& arguments);

// Every built-in scenario, parsed.
std::vector<Scenario> load_builtin_scenarios();

}  // namespace sessim
