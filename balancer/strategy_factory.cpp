#include "balancer/strategy_factory.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "balancer/round_robin.h"
#include "balancer/sticky_strategies.h"
#include "common/errors.h"

namespace sessim {

std::vector<std::string> strategy_names() {
  return {"round-robin", "weighted", "least-conn", "random", "ip-hash", "hash", "cookie"};
}

std::unique_ptr<BalancingStrategy> make_strategy(const StrategyOptions& options) {
  const auto& name = options.name;
  if (name == "round-robin") return std::make_unique<RoundRobinStrategy>();
  if (name == "weighted") return std::make_unique<WeightedRoundRobinStrategy>();
  if (name == "least-conn") return std::make_unique<LeastConnectionsStrategy>();
  if (name == "random") return std::make_unique<RandomStrategy>(options.seed);
  if (name == "ip-hash") return std::make_unique<IpHashStrategy>();
  if (name == "hash") return std::make_unique<ConsistentHashStrategy>(options.hash_key);
  if (name == "cookie") return std::make_unique<CookieStickyStrategy>();
  throw UsageError(fmt::format("unknown balancer '{}' (available: {})", name,
                               fmt::join(strategy_names(), ", ")));
}

std::unique_ptr<BalancingStrategy> make_strategy(const std::string& name) {
  StrategyOptions options;
  options.name = name;
  return make_strategy(options);
}

}  // namespace sessim
