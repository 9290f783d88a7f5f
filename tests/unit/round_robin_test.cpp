#include "balancer/round_robin.h"

#include <gtest/gtest.h>

#include "balancer/strategy_factory.h"

namespace sessim {

TEST(RoundRobin, VisitsUpstreamsInListOrder) {
  RoundRobinStrategy strategy;
  const std::vector<bool> all(3, true);
  std::vector<std::size_t> picks;
  for (int i = 0; i < 6; ++i) picks.push_back(*strategy.pick({}, all));
  EXPECT_EQ(picks, (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
}

TEST(RoundRobin, SkipsIneligibleUpstreams) {
  RoundRobinStrategy strategy;
  const std::vector<bool> eligible{true, false, true};
  std::vector<std::size_t> picks;
  for (int i = 0; i < 4; ++i) picks.push_back(*strategy.pick({}, eligible));
  EXPECT_EQ(picks, (std::vector<std::size_t>{0, 2, 2, 0}));
}

TEST(RoundRobin, NothingEligibleMeansNoPick) {
  RoundRobinStrategy strategy;
  EXPECT_FALSE(strategy.pick({}, std::vector<bool>(2, false)));
  EXPECT_FALSE(strategy.pick({}, {}));
}

TEST(StrategyFactory, UnknownNameIsAUsageError) {
  EXPECT_EQ(make_strategy("round-robin")->name(), "round-robin");
  EXPECT_THROW(make_strategy("round-robbin"), std::exception);
}

}  // namespace sessim
