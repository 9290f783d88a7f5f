#pragma once

#include <atomic>
#include <mutex>

#include "balancer/strategy.h"

namespace sessim {

// nginx's default: each request goes to the next upstream in list order,
// skipping ineligible ones.
class RoundRobinStrategy final : public BalancingStrategy {
 public:
  StrategyKind kind() const override { return StrategyKind::round_robin; }
  std::optional<Pick> pick(const RoutingRequest& request, const RoutingState& state) override;

  // The next eligible index in rotation; shared with strategies that fall
  // back to round-robin.
  std::optional<std::size_t> next(const std::vector<bool>& eligible);

 private:
  std::atomic<std::size_t> next_{0};
};

// nginx's smooth weighted round-robin: every pick, each upstream's current
// weight grows by its weight; the largest wins and drops by the total. With
// weights 5,1,1 a cycle of 7 is a a b a c a a, never 5 in a row.
class WeightedRoundRobinStrategy final : public BalancingStrategy {
 public:
  StrategyKind kind() const override { return StrategyKind::weighted; }
  std::optional<Pick> pick(const RoutingRequest& request, const RoutingState& state) override;

 private:
  std::mutex mutex_;
  std::vector<long> current_;
};

// nginx's least_conn: the eligible upstream with the fewest requests in
// flight per unit of weight; ties go round-robin.
class LeastConnectionsStrategy final : public BalancingStrategy {
 public:
  StrategyKind kind() const override { return StrategyKind::least_conn; }
  std::optional<Pick> pick(const RoutingRequest& request, const RoutingState& state) override;

 private:
  std::atomic<std::size_t> next_{0};
};

// A uniformly random eligible upstream, from a seeded generator so that a
// run can be repeated.
class RandomStrategy final : public BalancingStrategy {
 public:
  explicit RandomStrategy(std::uint64_t seed) : state_(seed * 2 + 1) {}
  StrategyKind kind() const override { return StrategyKind::random; }
  std::optional<Pick> pick(const RoutingRequest& request, const RoutingState& state) override;

 private:
  std::mutex mutex_;
  std::uint64_t state_;
};

}  // namespace sessim
