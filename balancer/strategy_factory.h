#pragma once

#include <memory>
#include <string>
#include <vector>

#include "balancer/strategy.h"

namespace sessim {

// The names accepted by --balancer.
std::vector<std::string> strategy_names();

// Throws UsageError for an unknown name.
std::unique_ptr<BalancingStrategy> make_strategy(const std::string& name);

}  // namespace sessim
