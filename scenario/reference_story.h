#pragma once

#include <string>

#include "scenario/scenario.h"

namespace sessim {

// The reference story of the Spring Boot demo as a scenario: one browser
// stores `value` through the balancer (GET /set-session?sessionVal=VALUE),
// then reads it back `reads` times (GET /get-session). It runs, reports and
// serialises like any other scenario.
Scenario reference_scenario(const std::string& value, int reads);

// "set sessionVal once, read it 4 times"
std::string reference_story_summary(int reads);

}  // namespace sessim
