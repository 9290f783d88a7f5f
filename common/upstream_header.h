#pragma once

#include <string_view>

// The header every front sessim runs or configures (its own balancer,
// nginx, HAProxy) adds to a response: the name of the node that answered,
// so that reports name the node even for apps that do not say which node
// they are. The fronts' contract with the reports, not the app's: it lives
// below both.
namespace sessim {

inline constexpr std::string_view kUpstreamHeader = "X-Sessim-Upstream";

}  // namespace sessim
