#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "history/run_result.h"

namespace sessim {

// Every JSON document sessim writes carries this version (docs/json-report.md).
// It changes when a field is removed or changes meaning; new fields do not
// change it.
inline constexpr int kReportSchemaVersion = 1;

// Where a run ran: the event loops it chose and the CPUs this process may
// use (its affinity mask, capped by its cgroup's CPU quota). 0: not known.
struct RunEnvironment {
  int event_loops = 0;
  int usable_cpus = 0;
};

// {"event_loops": N, "usable_cpus": M}, the "environment" of every JSON report.
nlohmann::json environment_json(const RunEnvironment& environment);

// The runs of `sessim run` (the reference story is one of them, scenario
// "reference") with every step, request, check and explanation, and the
// overall success under `mode`.
// `end`: the files that did not load, what stopped the suite, what it never
// played (history/run_result.h).
std::string render_runs_json(const std::vector<ScenarioRun>& runs, VerdictMode mode,
                             const SuiteEnd& end = {}, const RunEnvironment& environment = {});

}  // namespace sessim
