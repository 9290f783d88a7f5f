#pragma once

#include <string>

#include "history/run_result.h"

namespace sessim {

struct TerminalStyle {
  bool color = false;    // ANSI colours; the CLI decides (terminal, NO_COLOR)
  bool explain = false;  // a sentence on why under each failed read
};

// A run as one table of requests (the reference story's view): node, cookie
// sent, what happened to the session, replacement cookie, value, result;
// then a summary line and, when reads failed, one line on why that accounts
// for every failed read. Ends with a newline.
std::string render_request_table(const ScenarioRun& run, const TerminalStyle& style);

// One line for a request as it completes (--trace): time since the run
// began, client, request, node, the session cookie in -> out, status, what
// happened to the session, and the result.
std::string trace_line(const RequestRecord& record);

// "reads: 0/4 succeeded (store=local, nodes=2, balancer=round-robin)"
std::string summary_line(const ScenarioRun& run);

}  // namespace sessim
