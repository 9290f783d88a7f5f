#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "balancer/strategy.h"

namespace sessim {

struct StrategyOptions {
  std::string name = "round-robin";
  std::string hash_key = "cookie:SESSION";  // for "hash": cookie:NAME or header:NAME
  std::uint64_t seed = 1;                   // for "random"
};

// The names accepted by --balancer: round-robin, weighted, least-conn,
// random, ip-hash, hash, cookie.
std::vector<std::string> strategy_names();

// Throws UsageError for an unknown name or a bad hash key.
std::unique_ptr<BalancingStrategy> make_strategy(const StrategyOptions& options);
std::unique_ptr<BalancingStrategy> make_strategy(const std::string& name);

}  // namespace sessim
