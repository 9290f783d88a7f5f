#pragma once

#include <map>
#include <string>

#include "scenario/scenario_runner.h"

namespace sessim {

// For every read that failed, one plain sentence on why, from what the run
// recorded: which node created the session, which node served the read,
// which faults happened in between, how the balancer chose. Keyed by request
// number.
std::map<int, std::string> explain_failed_reads(const ScenarioRun& run);

}  // namespace sessim
