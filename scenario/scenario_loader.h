#pragma once

#include <string>

#include "scenario/scenario.h"

namespace sessim {

// What one scenario may ask for. A file over these is refused with its
// position, before anything starts: YAML aliases and nested repeats can
// otherwise turn a few hundred bytes into billions of steps.
inline constexpr std::size_t kMaxScenarioFileBytes = 1 << 20;
inline constexpr std::size_t kMaxScenarioSteps = 10'000;  // after aliases are expanded
inline constexpr std::size_t kMaxScenarioYamlNodes = 100'000;
inline constexpr std::size_t kMaxScenarioYamlDepth = 64;  // maps and lists inside each other
inline constexpr std::int64_t kMaxPlannedRequests = 1'000'000;
inline constexpr double kMaxPlannedWaitS = 24 * 3600;
inline constexpr std::size_t kMaxPatternBytes = 1024;  // a `matches` regular expression
inline constexpr std::size_t kMaxRequestHeaderValueBytes = 8 * 1024;

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
