#pragma once

#include <string>

#include "history/history.h"
#include "history/run_result.h"

namespace sessim {

// A Mermaid sequence diagram of a run (browser -> balancer -> node), for
// course notes and Markdown READMEs; a request that failed its checks has
// its answer marked ✗, as in the terminal's sequence.
std::string render_mermaid(const ScenarioRun& run, const History& history);

// The same sequence as text for a terminal: one line per request,
// "browser-1 ──GET /get-session──▶ balancer ──▶ node-2  200 replaced".
std::string render_ascii_sequence(const ScenarioRun& run, const History& history);

}  // namespace sessim
