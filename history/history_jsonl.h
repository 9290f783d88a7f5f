#pragma once

#include <string>
#include <vector>

#include "history/history.h"

namespace sessim {

// JSON Lines: a header, then invoke/ok/fail/info lines and event lines in
// time order. Format: docs/history.md.
std::string render_history_jsonl(const History& history);

// Reads what render_history_jsonl wrote, one history per header line (a run
// of several scenarios writes several); throws UsageError with
// `source:line: ...` for anything else.
std::vector<History> parse_history_jsonl(const std::string& text, const std::string& source);

}  // namespace sessim
