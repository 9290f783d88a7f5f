#pragma once

#include <string>
#include <vector>

#include "scenario/run_result.h"
#include "scenario/scenario_runner.h"

namespace sessim {

// The whole run as one JSON document (schema in docs/json-report.md).
std::string render_json_report(const RunResult& result);

// Scenario runs (one per scenario and store) with every step, request and
// check, and the overall success under `mode`.
std::string render_scenarios_json(const std::vector<ScenarioRun>& runs, VerdictMode mode);

}  // namespace sessim
