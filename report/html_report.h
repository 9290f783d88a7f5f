#pragma once

#include <string>
#include <vector>

#include "history/history.h"
#include "history/run_result.h"

namespace sessim {

// One self-contained HTML page (no network, no external scripts or fonts) for
// a run of one or more scenarios: per run, the summary, then a timeline with
// a lane per client and per node, each request a bar from its start to its
// end coloured by outcome with a line to the node that served it, faults as
// vertical lines, anomalies outlined with the requests that prove them; a
// request's details on hover (and in the table under it, which is what a
// printout shows). `histories[i]` is the history of `runs[i]`.
std::string render_html_report(const std::vector<ScenarioRun>& runs,
                               const std::vector<History>& histories);

// A Mermaid sequence diagram of a run (browser -> balancer -> node), for
// course notes and Markdown READMEs.
std::string render_mermaid(const ScenarioRun& run, const History& history);

// The same sequence as text for a terminal: one line per request,
// "browser-1 ──GET /get-session──▶ balancer ──▶ node-2  200 replaced".
std::string render_ascii_sequence(const ScenarioRun& run, const History& history);

}  // namespace sessim
