#pragma once

#include <string>

#include "scenario/run_result.h"

namespace sessim {

// The whole run as one JSON document (schema in docs/json-report.md).
std::string render_json_report(const RunResult& result);

}  // namespace sessim
