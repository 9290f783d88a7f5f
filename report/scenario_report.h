#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <map>
#include <string>
#include "history/run_result.h"
#include "report/terminal_report.h"

namespace sessim {

// One scenario run for the terminal: its requests grouped by step, failed
// expectations in red with expected and got, the verdict beside the declared
// outcome, and the command that reruns it.
std::string render_scenario_run(const ScenarioRun& run, const TerminalStyle& style);

// The same in three parts, for printing steps as they run: the header needs
// only the run's scenario, store, lesson and cluster; with style.explain the
// footer carries the sentences that the steps could not know yet.
std::string render_scenario_header(const ScenarioRun& run, const TerminalStyle& style);
std::string render_scenario_step(const StepRecord& step, const TerminalStyle& style,
                                 const std::map<int, std::string>& explanations = {});
std::string render_scenario_footer(const ScenarioRun& run, const TerminalStyle& style,
                                   bool sentences_shown = false);

// One line per run, for suites: scenario, store, verdict, as declared or not.
// One line per finished run, for a CI log and -q: "[2/5] two-tabs
// [store=redis]: pass, 6/6 checks, as declared (pass), 0.41 s".
std::string render_verdict_line(const ScenarioRun& run, VerdictMode mode, std::size_t index,
                                std::size_t total, const TerminalStyle& style);

// "3 of 4 runs succeeded (--verdict declared)": the last line of the summary,
// and all of it under -q.
std::string render_suite_count(const std::vector<ScenarioRun>& runs, VerdictMode mode);

std::string render_suite_summary(const std::vector<ScenarioRun>& runs, VerdictMode mode,
                                 const TerminalStyle& style);

// The last line of a run or a comparison: its seed, and what a rerun with it
// repeats.
std::string seed_line(std::uint64_t seed, bool seeded_session_ids, bool sessim_nodes);

}  // namespace sessim
