#include "balancer/strategy_factory.h"

#include "balancer/round_robin.h"
#include "balancer/sticky_strategies.h"

namespace sessim {

std::unique_ptr<BalancingStrategy> make_strategy(const StrategyOptions& options) {
  switch (options.kind) {
    case StrategyKind::round_robin:
      return std::make_unique<RoundRobinStrategy>();
    case StrategyKind::weighted:
      return std::make_unique<WeightedRoundRobinStrategy>();
    case StrategyKind::least_conn:
      return std::make_unique<LeastConnectionsStrategy>();
    case StrategyKind::random:
      return std::make_unique<RandomStrategy>(options.seed);
    case StrategyKind::ip_hash:
      return std::make_unique<IpHashStrategy>();
    case StrategyKind::hash:
      return std::make_unique<ConsistentHashStrategy>(options.hash_key);
    case StrategyKind::cookie:
      return std::make_unique<CookieStickyStrategy>();
  }
  return std::make_unique<RoundRobinStrategy>();
}

std::unique_ptr<BalancingStrategy> make_strategy(StrategyKind kind) {
  StrategyOptions options;
  options.kind = kind;
  return make_strategy(options);
}

}  // namespace sessim
