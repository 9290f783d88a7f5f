#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
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

// A session model as JSON (the history's header, the reports), and back;
// `fail` is called with a message for a value it does not know, and must
// throw.
nlohmann::json session_model_json(const SessionModel& model);
SessionModel session_model_from_json(const nlohmann::json& entry,
                                     const std::function<void(const std::string&)>& fail);

}  // namespace sessim
