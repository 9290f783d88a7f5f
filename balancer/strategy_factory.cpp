#include "balancer/strategy_factory.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "balancer/round_robin.h"
#include "common/errors.h"

namespace sessim {

std::vector<std::string> strategy_names() { return {"round-robin"}; }

std::unique_ptr<BalancingStrategy> make_strategy(const std::string& name) {
  if (name == "round-robin") return std::make_unique<RoundRobinStrategy>();
  throw UsageError(fmt::format("unknown balancer '{}' (available: {})", name,
                               fmt::join(strategy_names(), ", ")));
}

}  // namespace sessim
