#pragma once

#include "app/app_profile.h"
#include "history/history.h"
#include "history/run_result.h"

namespace sessim {

// The history of a run: its requests and its faults, in the history's own
// words. `profile` says how a read's answer is turned into a value.
History history_of(const ScenarioRun& run, const AppProfile& profile);

}  // namespace sessim
