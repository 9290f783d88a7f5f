#pragma once

#include <string>

#include "scenario/run_result.h"

namespace sessim {

struct TerminalStyle {
  bool color = false;    // ANSI colours; the CLI decides (terminal, NO_COLOR)
  bool explain = false;  // a sentence on why under each failed read
};

// The per-request table, a summary line and, when reads failed, one line on
// why. Ends with a newline.
std::string render_terminal_report(const RunResult& result, const TerminalStyle& style);

// "reads: 0/4 succeeded (store=local, nodes=2, balancer=round-robin)"
std::string summary_line(const RunResult& result);

}  // namespace sessim
