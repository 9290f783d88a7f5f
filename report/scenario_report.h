#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/terminal_report.h"
#include "scenario/run_result.h"

namespace sessim {

// One scenario run for the terminal: its requests grouped by step, failed
// expectations in red with expected and got, the verdict beside the declared
// outcome, and the command that reruns it.
std::string render_scenario_run(const ScenarioRun& run, const TerminalStyle& style);

// One line per run, for suites: scenario, store, verdict, as declared or not.
std::string render_suite_summary(const std::vector<ScenarioRun>& runs, VerdictMode mode,
                                 const TerminalStyle& style);

// The last line of a run or a comparison: its seed, and what a rerun with it
// repeats.
std::string seed_line(std::uint64_t seed, bool seeded_session_ids);

}  // namespace sessim
