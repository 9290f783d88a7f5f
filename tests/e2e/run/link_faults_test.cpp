// Network faults between the parts (partition, delay, heal): each shows in
// the requests it touches and in no other, and heal restores them.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/errors.h"
#include "support/test_support.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using testing::run_sessim;

nlohmann::json run_story(const std::string& text, std::vector<std::string> extra = {}) {
  RunDirectory directory;
  const auto path = directory.file("links.yaml");
  std::ofstream(path) << text;
  std::vector<std::string> args{"run", path, "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto result = run_sessim(args, std::chrono::seconds(90));
  EXPECT_FALSE(result.out.empty()) << result.err;
  return nlohmann::json::parse(result.out.empty() ? "{}" : result.out);
}

std::map<int, nlohmann::json> requests_of(const nlohmann::json& run) {
  std::map<int, nlohmann::json> requests;
  for (const auto& step : run["steps"]) {
    for (const auto& request : step["requests"]) requests[request["number"].get<int>()] = request;
  }
  return requests;
}

constexpr const char* kPartitionFromRedis = R"(name: partition-from-redis
cluster: {nodes: 2}
steps:
  - set: {name: cart, value: "1 book", via: node-2}
  - partition: {from: node-1, to: redis}
  - get: {name: cart, via: node-1}
  - get: {name: cart, via: node-2}
  - heal: redis
  - get: {name: cart, via: node-1}
)";

TEST(LinkFaults, ANodeCutOffFromRedisAnswers503AloneAndHealRestoresIt) {
  for (const auto& [store, mode] : std::vector<std::pair<std::string, std::string>>{
           {"redis", "inproc"}, {"redis", "process"}, {"redis-sentinel", "inproc"}}) {
    const auto report = run_story(kPartitionFromRedis, {"--store", store, "--mode", mode});
    ASSERT_EQ(report["runs"].size(), 1u);
    auto requests = requests_of(report["runs"][0]);
    const auto label = store + " " + mode;
    EXPECT_EQ(requests[2]["status"], 503) << label;
    EXPECT_EQ(requests[3]["status"], 200) << label << ": node-2's link is untouched";
    EXPECT_EQ(requests[3]["body"], "1 book") << label;
    EXPECT_EQ(requests[4]["status"], 200) << label << ": healed";
    EXPECT_EQ(requests[4]["body"], "1 book") << label;
  }
}

TEST(LinkFaults, ASlowRedisBehindTheStoreTimeoutIsA503UntilHeal) {
  const auto report = run_story(R"(name: slow-redis
cluster: {nodes: 1}
steps:
  - set: {name: cart, value: "1 book"}
  - delay: {to: redis, by: 2500ms}
  - get: cart
  - heal: all
  - get: cart
)",
                                {"--store", "redis"});
  auto requests = requests_of(report["runs"][0]);
  // The node's store timeout is 2 s: the read waits that long, then 503.
  EXPECT_EQ(requests[2]["status"], 503);
  EXPECT_GE(requests[2]["duration_ms"].get<double>(), 1900.0);
  EXPECT_EQ(requests[3]["status"], 200);
  EXPECT_EQ(requests[3]["body"], "1 book");
  EXPECT_LT(requests[3]["duration_ms"].get<double>(), 1000.0);
}

TEST(LinkFaults, ACutFromTheBalancerCostsOneUpstreamTimeoutThenTheNodeIsTakenOut) {
  const auto report = run_story(R"(name: cut-node
cluster: {nodes: 2, upstream-timeout: 400ms}
steps:
  - set: {name: cart, value: "1 book"}
  - partition: {from: balancer, to: node-2}
  - get: cart
  - get: cart
  - get: cart
  - heal: node-2
  - get: {name: cart, via: node-2}
)",
                                {"--store", "redis"});
  const auto& run = report["runs"][0];
  auto requests = requests_of(run);
  // #2 went to node-2 (round-robin), heard nothing for the upstream
  // timeout, and was sent on to node-1; node-2 is then out (max_fails 1).
  EXPECT_EQ(requests[2]["node"], "node-1");
  EXPECT_GE(requests[2]["duration_ms"].get<double>(), 350.0);
  EXPECT_EQ(requests[3]["node"], "node-1");
  EXPECT_EQ(requests[4]["node"], "node-1");
  EXPECT_LT(requests[4]["duration_ms"].get<double>(), 300.0);
  for (int number = 2; number <= 5; ++number) EXPECT_EQ(requests[number]["status"], 200) << number;
  EXPECT_EQ(requests[5]["node"], "node-2");
}

// A reset drops the connections the link holds: the store client and the
// balancer both reconnect, and no request sees it.
TEST(LinkFaults, AResetLinkIsReconnectedWithoutAFailedRequest) {
  const auto report = run_story(R"(name: reset
cluster: {nodes: 2}
steps:
  - set: {name: cart, value: "1 book", via: node-1}
  - get: {name: cart}
  - get: {name: cart}
  - reset: {from: node-1, to: redis}
  - reset: {from: balancer, to: node-2}
  - get: {name: cart, via: node-1}
  - get: {name: cart}
  - get: {name: cart}
)",
                                {"--store", "redis"});
  const auto& run = report["runs"][0];
  for (const auto& [number, request] : requests_of(run)) {
    EXPECT_EQ(request["status"], 200) << number << ": " << request.dump();
  }
  std::string notes;
  for (const auto& step : run["steps"]) notes += step.value("note", "") + "\n";
  // One connection per event loop that served node-1: at least one.
  EXPECT_NE(notes.find("node-1's connections to Redis reset ("), std::string::npos) << notes;
  EXPECT_EQ(notes.find("reset (0 connections)"), std::string::npos) << notes;
  EXPECT_NE(notes.find("the balancer's connections to node-2 reset (1 connection)"),
            std::string::npos)
      << notes;
}

TEST(LinkFaults, JitterSpreadsTheDelay) {
  const auto report = run_story(R"(name: jitter
cluster: {nodes: 1}
steps:
  - set: {name: cart, value: "1 book"}
  - delay: {to: redis, by: 100ms, jitter: 100ms}
  - repeat: {times: 12, steps: [{get: cart}]}
)",
                                {"--store", "redis"});
  double fastest = 1e9, slowest = 0;
  for (const auto& [number, request] : requests_of(report["runs"][0])) {
    if (number == 1) continue;
    EXPECT_EQ(request["status"], 200);
    fastest = std::min(fastest, request["duration_ms"].get<double>());
    slowest = std::max(slowest, request["duration_ms"].get<double>());
  }
  // Each read crosses the link twice, each way 0-200 ms.
  EXPECT_LT(slowest, 1500.0);
  EXPECT_GT(slowest - fastest, 20.0) << "fastest " << fastest << " ms, slowest " << slowest;
}

TEST(LinkFaults, LinkStepsAreCheckedBeforeAnythingStarts) {
  RunDirectory directory;
  const auto path = directory.file("bad.yaml");
  const auto refused = [&](const std::string& step, std::vector<std::string> extra = {}) {
    std::ofstream(path) << "cluster: {nodes: 2}\nsteps:\n  - get: cart\n  - " << step << "\n";
    std::vector<std::string> args{"run", path, "--store", "redis"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_sessim(args);
  };
  const auto balancer_to_redis = refused("partition: {from: balancer, to: redis}");
  EXPECT_EQ(balancer_to_redis.exit_code, kExitUsage);
  EXPECT_NE(balancer_to_redis.err.find("bad.yaml:4:"), std::string::npos) << balancer_to_redis.err;
  EXPECT_NE(balancer_to_redis.err.find("the balancer does not talk to redis"), std::string::npos)
      << balancer_to_redis.err;
  const auto unknown_node = refused("partition: {from: node-9, to: redis}");
  EXPECT_EQ(unknown_node.exit_code, kExitUsage);
  EXPECT_NE(unknown_node.err.find("no node named 'node-9'"), std::string::npos) << unknown_node.err;
  const auto no_by = refused("delay: {to: redis}");
  EXPECT_NE(no_by.err.find("delay needs by"), std::string::npos) << no_by.err;
  const auto given_redis =
      refused("partition: {to: redis}", {"--redis-url", "redis://127.0.0.1:1"});
  EXPECT_EQ(given_redis.exit_code, kExitUsage);
  EXPECT_NE(given_redis.err.find("drop --redis-url"), std::string::npos) << given_redis.err;
}

}  // namespace
}  // namespace sessim
