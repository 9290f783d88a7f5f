#pragma once

namespace sessim {

// The parts a link fault names besides nodes (scenario steps partition,
// delay, heal; cluster/topology.h, LinkFault): `from: balancer`,
// `to: redis`, `heal: all` (and a partition's `from` left out: every node).
inline constexpr const char* kBalancerPart = "balancer";
inline constexpr const char* kRedisPart = "redis";
inline constexpr const char* kEveryLink = "all";

}  // namespace sessim
