#pragma once

#include <vector>

#include "app/app_profile.h"
#include "app/session_model.h"
#include "cluster/topology.h"
#include "play/transport.h"

// Learns how an app keeps sessions by asking it, before a run: a few
// requests through the profile's calls, each with a fresh cookie jar, so that
// the story's browsers and the balancer's rotation are untouched. What a
// probe cannot establish stays unknown.
namespace sessim {

// `instances`: the app's instances as sessim can address them one by one
// (the first two that answer are used), or the one entry point when it
// cannot (then whether instances share sessions stays unknown). Requests go over
// `transport`; a probe that gets no usable answer leaves its field unknown
// and says why in the model's evidence. Never throws for the app's answers.
SessionModel probe_session_model(const AppProfile& profile, const std::vector<Endpoint>& instances,
                                 bool instances_are_separate, Transport& transport);

}  // namespace sessim
