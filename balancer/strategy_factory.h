#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "balancer/strategy.h"
#include "vocab/strategy_kind.h"

namespace sessim {

// What --hash-key means when nothing says otherwise: sessim's own session cookie.
inline constexpr const char* kDefaultHashKey = "cookie:SESSION";

struct StrategyOptions {
  StrategyKind kind = StrategyKind::round_robin;
  std::string hash_key = kDefaultHashKey;  // for hash: cookie:NAME or header:NAME
  std::uint64_t seed = 1;                  // for random
};

// Throws UsageError for a bad hash key.
std::unique_ptr<BalancingStrategy> make_strategy(const StrategyOptions& options);
std::unique_ptr<BalancingStrategy> make_strategy(StrategyKind kind);

}  // namespace sessim
