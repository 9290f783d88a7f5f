#pragma once

#include <atomic>

#include "balancer/strategy.h"

namespace sessim {

// nginx's default: each request goes to the next upstream in list order,
// skipping ineligible ones.
class RoundRobinStrategy final : public BalancingStrategy {
 public:
  std::string name() const override { return "round-robin"; }
  std::optional<std::size_t> pick(const RoutingRequest& request,
                                  const std::vector<bool>& eligible) override;

 private:
  std::atomic<std::size_t> next_{0};
};

}  // namespace sessim
