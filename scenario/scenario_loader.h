#pragma once

#include <string>

#include "scenario/scenario.h"

namespace sessim {

// Parses one scenario from YAML text (format: docs/scenarios.md). `source`
// names the text in errors ("scenarios/x.yaml", "builtin:x"). Throws
// ScenarioError with file:line:column, the line and a caret.
Scenario parse_scenario(const std::string& text, const std::string& source);

// Reads and parses a file; throws UsageError when it cannot be read.
Scenario load_scenario_file(const std::string& path);

// True if `text` is YAML whose top level is a map with a `steps` key: a
// scenario, possibly a broken one, that no report may overwrite.
bool looks_like_scenario(const std::string& text);

// Checks every node a step names against a cluster that starts with
// `node_count` nodes (add-node steps add more). Run after command-line
// overrides, before anything starts. Throws ScenarioError.
void check_node_names(const Scenario& scenario, int node_count);

}  // namespace sessim
