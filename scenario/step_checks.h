#pragma once

#include "scenario/scenario.h"

// What is checked over a loaded story's steps as they will run: the nodes
// they name, the requests and the waiting they plan, the variables nothing
// gives a value.
namespace sessim {

// Fills scenario.planned_requests, planned_wait_s, free_variables and
// environment_variables; throws ScenarioError at the step that plans more
// than kMaxPlannedRequests requests or kMaxPlannedWaitS of waiting.
void plan_steps(Scenario& scenario);

}  // namespace sessim
