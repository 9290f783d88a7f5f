#include <gtest/gtest.h>

#include <map>

#include "balancer/round_robin.h"
#include "balancer/sticky_strategies.h"
#include "balancer/strategy_factory.h"
#include "common/errors.h"

namespace sessim {
namespace {

std::vector<Upstream> upstreams(std::vector<int> weights) {
  std::vector<Upstream> list;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    list.push_back(
        {"node-" + std::to_string(i + 1), "127.0.0.1", 9001 + static_cast<int>(i), weights[i]});
  }
  return list;
}

RoutingRequest request_from(std::string address, std::string session_cookie = "",
                            std::string node_cookie = "") {
  return {std::move(address), [](std::string_view) { return std::string(); },
          [session_cookie, node_cookie](std::string_view name) {
            if (name == "SESSION") return session_cookie;
            if (name == CookieStickyStrategy::kCookieName) return node_cookie;
            return std::string();
          }};
}

std::size_t pick(BalancingStrategy& strategy, const std::vector<Upstream>& list,
                 const RoutingRequest& request, std::vector<bool> eligible = {}) {
  if (eligible.empty()) eligible.assign(list.size(), true);
  RoutingState state{list, eligible, std::vector<int>(list.size(), 0)};
  return strategy.pick(request, state)->index;
}

}  // namespace

TEST(RoundRobin, VisitsUpstreamsInListOrder) {
  RoundRobinStrategy strategy;
  const auto list = upstreams({1, 1, 1});
  std::vector<std::size_t> picks;
  for (int i = 0; i < 6; ++i) picks.push_back(pick(strategy, list, request_from("127.0.0.1")));
  EXPECT_EQ(picks, (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
}

TEST(RoundRobin, SkipsIneligibleUpstreams) {
  RoundRobinStrategy strategy;
  const auto list = upstreams({1, 1, 1});
  std::vector<std::size_t> picks;
  for (int i = 0; i < 4; ++i) {
    picks.push_back(pick(strategy, list, request_from("127.0.0.1"), {true, false, true}));
  }
  EXPECT_EQ(picks, (std::vector<std::size_t>{0, 2, 2, 0}));
}

TEST(RoundRobin, NothingEligibleMeansNoPick) {
  RoundRobinStrategy strategy;
  const auto list = upstreams({1, 1});
  RoutingState state{list, {false, false}, {0, 0}};
  EXPECT_FALSE(strategy.pick(request_from("127.0.0.1"), state));
}

TEST(WeightedRoundRobin, IsSmoothAndExactPerCycle) {
  WeightedRoundRobinStrategy strategy;
  const auto list = upstreams({5, 1, 1});
  std::string cycle;
  for (int i = 0; i < 7; ++i) cycle += "abc"[pick(strategy, list, request_from("127.0.0.1"))];
  EXPECT_EQ(cycle, "aabacaa");  // nginx's documented order for weights 5,1,1
}

TEST(LeastConnections, PrefersTheLeastBusyUpstreamPerWeight) {
  LeastConnectionsStrategy strategy;
  const auto list = upstreams({1, 2, 1});
  RoutingState state{list, {true, true, true}, {3, 4, 1}};
  EXPECT_EQ(strategy.pick(request_from("127.0.0.1"), state)->index, 2u);
  state.in_flight = {3, 2, 2};  // 3, 1, 2 per weight
  EXPECT_EQ(strategy.pick(request_from("127.0.0.1"), state)->index, 1u);
}

TEST(RandomChoice, SameSeedSameSequenceAndEveryUpstreamUsed) {
  RandomStrategy first(7), second(7);
  const auto list = upstreams({1, 1, 1});
  std::map<std::size_t, int> counts;
  for (int i = 0; i < 300; ++i) {
    const auto a = pick(first, list, request_from("127.0.0.1"));
    EXPECT_EQ(a, pick(second, list, request_from("127.0.0.1")));
    ++counts[a];
  }
  for (std::size_t i = 0; i < 3; ++i) EXPECT_GT(counts[i], 60) << i;
}

TEST(IpHash, SameSlash24SameUpstreamAndDifferentNetworksSpread) {
  IpHashStrategy strategy;
  const auto list = upstreams({1, 1, 1});
  const auto home = pick(strategy, list, request_from("127.0.1.1"));
  for (int host = 2; host < 50; ++host) {
    EXPECT_EQ(pick(strategy, list, request_from("127.0.1." + std::to_string(host))), home);
  }
  std::map<std::size_t, int> counts;
  for (int network = 0; network < 60; ++network) {
    ++counts[pick(strategy, list, request_from("127.0." + std::to_string(network) + ".1"))];
  }
  EXPECT_EQ(counts.size(), 3u);
}

TEST(IpHash, MovesOnWhenItsUpstreamIsDown) {
  IpHashStrategy strategy;
  const auto list = upstreams({1, 1});
  const auto home = pick(strategy, list, request_from("127.0.9.9"));
  std::vector<bool> eligible{true, true};
  eligible[home] = false;
  EXPECT_NE(pick(strategy, list, request_from("127.0.9.9"), eligible), home);
}

TEST(ConsistentHash, SameKeySameUpstreamAndEmptyKeyFallsBackToRoundRobin) {
  ConsistentHashStrategy strategy("cookie:SESSION");
  const auto list = upstreams({1, 1, 1});
  const auto home = pick(strategy, list, request_from("127.0.0.1", "abc"));
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(pick(strategy, list, request_from("127.0.0.1", "abc")), home);
  std::vector<std::size_t> fallback;
  for (int i = 0; i < 3; ++i) fallback.push_back(pick(strategy, list, request_from("127.0.0.1")));
  EXPECT_EQ(fallback, (std::vector<std::size_t>{0, 1, 2}));
}

TEST(ConsistentHash, AddingANodeRemapsAboutOneNthOfTheKeys) {
  ConsistentHashStrategy strategy("cookie:SESSION");
  const auto three = upstreams({1, 1, 1});
  const auto four = upstreams({1, 1, 1, 1});
  constexpr int kKeys = 4000;
  int moved = 0, moved_elsewhere = 0;
  for (int key = 0; key < kKeys; ++key) {
    const auto request = request_from("127.0.0.1", "session-" + std::to_string(key));
    const auto before = pick(strategy, three, request);
    const auto after = pick(strategy, four, request);
    if (before != after) {
      ++moved;
      if (after != 3) ++moved_elsewhere;
    }
  }
  // Ideal: 1/4 of the keys, all of them to the new node.
  EXPECT_GT(moved, kKeys * 0.15);
  EXPECT_LT(moved, kKeys * 0.35);
  EXPECT_EQ(moved_elsewhere, 0);
}

TEST(CookieSticky, InsertsItsCookieOnceAndFollowsIt) {
  CookieStickyStrategy strategy;
  const auto list = upstreams({1, 1});
  RoutingState state{list, {true, true}, {0, 0}};
  const auto first = strategy.pick(request_from("127.0.0.1"), state);
  EXPECT_EQ(first->set_cookie, "SESSIM_NODE=node-1; Path=/");
  for (int i = 0; i < 4; ++i) {
    const auto next = strategy.pick(request_from("127.0.0.1", "", "node-2"), state);
    EXPECT_EQ(next->index, 1u);
    EXPECT_EQ(next->set_cookie, "");
  }
}

TEST(CookieSticky, RedispatchesWhenItsNodeIsDown) {
  CookieStickyStrategy strategy;
  const auto list = upstreams({1, 1});
  RoutingState state{list, {true, false}, {0, 0}};
  const auto moved = strategy.pick(request_from("127.0.0.1", "", "node-2"), state);
  EXPECT_EQ(moved->index, 0u);
  EXPECT_EQ(moved->set_cookie, "SESSIM_NODE=node-1; Path=/");
}

TEST(StrategyFactory, KnowsEveryNameAndRejectsOthers) {
  for (const auto& name : strategy_names()) {
    EXPECT_EQ(to_string(make_strategy(parse_strategy_kind(name))->kind()), name);
  }
  EXPECT_THROW(parse_strategy_kind("round-robbin"), UsageError);
  StrategyOptions bad_key;
  bad_key.kind = StrategyKind::hash;
  bad_key.hash_key = "query:x";
  EXPECT_THROW(make_strategy(bad_key), std::exception);
}

}  // namespace sessim
