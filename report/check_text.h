#pragma once

#include <string>

#include "history/run_result.h"

// How a check is worded, in one place for the terminal, HTML and JUnit.
namespace sessim {

// "absent", "status 2xx", "header Location contains \"/login\"",
// "repeat 6 times: latency p95 at most 50.0 ms".
std::string passed_check_text(const Check& check);

// "status: expected 2xx, got 502"; with the position where the file asked
// for it when `with_position` and it has one: "... (story.yaml:7:9)".
std::string failed_check_text(const Check& check, bool with_position = false);

}  // namespace sessim
