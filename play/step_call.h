#pragma once

#include "app/app_profile.h"
#include "scenario/scenario.h"

namespace sessim {

// The profile's call a step makes (null for `request`, which is its own).
const HttpCall* profile_call_of(const AppProfile& profile, const Step& step);

}  // namespace sessim
