#pragma once

#include <string>
#include <vector>

#include "history/history.h"
#include "history/run_result.h"
#include "report/compare_report.h"

namespace sessim {

// One self-contained HTML page (no network, no external scripts or fonts) for
// a run of one or more scenarios, made to be shown to a class: per run, the
// verdict (an expected failure said to be the lesson), then a timeline with a
// lane per client and per node, each request a numbered bar from its start
// to its end coloured by outcome (overlapping requests of one lane in rows of
// their own), a line to the node that served it, faults as vertical lines,
// an outline where an anomaly showed; zoom and drag for long runs; and the
// requests in order in a table with the cookie sent, the new cookie and why
// each failed, which is what a printout shows. `histories[i]` is the history
// of `runs[i]`.
std::string render_html_report(const std::vector<ScenarioRun>& runs,
                               const std::vector<History>& histories);

// `sessim compare --report`: the matrix, each cell linking to its run's
// timeline further down the same page. `runs[i]` is the run of
// `summary.cells[i]`.
std::string render_compare_html(const CompareSummary& summary, const std::vector<ScenarioRun>& runs,
                                const std::vector<History>& histories);

}  // namespace sessim
