#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sessim {

// The balancing strategies of the built-in balancer (balancer/strategy.h).
enum class StrategyKind { round_robin, weighted, least_conn, random, ip_hash, hash, cookie };

// Throws UsageError, with the names that exist, for an unknown one.
StrategyKind parse_strategy_kind(const std::string& name);
std::optional<StrategyKind> strategy_kind_named(std::string_view name);
std::string to_string(StrategyKind kind);
// The names of --balancer and `cluster: {balancer: …}`, in StrategyKind's order.
const std::vector<std::string>& strategy_names();

}  // namespace sessim
