#pragma once

#include <string>
#include <vector>

#include "history/run_result.h"

namespace sessim {

// Every JSON document sessim writes carries this version (docs/json-report.md).
// It changes when a field is removed or changes meaning; new fields do not
// change it.
inline constexpr int kReportSchemaVersion = 1;

// The runs of `sessim run` (the reference story is one of them, scenario
// "reference") with every step, request, check and explanation, and the
// overall success under `mode`.
std::string render_runs_json(const std::vector<ScenarioRun>& runs, VerdictMode mode,
                             const std::vector<InvalidScenario>& invalid = {});

}  // namespace sessim
