// Each balancing strategy through real requests: real nodes, the real
// balancer, clients sending from their own loopback addresses.
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <set>

#include "balancer/balancer.h"
#include "balancer/strategy_factory.h"
#include "cluster/cluster.h"
#include "node/app_node.h"
#include "node/store/local_session_store.h"
#include "play/transport.h"
#include "support/browser.h"
#include "support/test_support.h"

namespace sessim {
namespace {

using ServingNode = testing::ServingInThread<AppNode>;
using ServingBalancer = testing::ServingInThread<Balancer>;

struct Nodes {
  explicit Nodes(int count) {
    for (int i = 1; i <= count; ++i) {
      nodes.push_back(
          std::make_unique<ServingNode>(NodeConfig{"node-" + std::to_string(i), "127.0.0.1", 0, 60,
                                                   MissPolicy::create, std::nullopt},
                                        std::make_unique<LocalSessionStore>()));
    }
  }
  BalancerConfig config(std::vector<int> weights = {}) const {
    BalancerConfig config;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      config.upstreams.push_back({"node-" + std::to_string(i + 1), "127.0.0.1", nodes[i]->port(),
                                  i < weights.size() ? weights[i] : 1});
    }
    return config;
  }
  std::vector<std::unique_ptr<ServingNode>> nodes;
};

std::string served_by(int balancer_port, const std::string& from) {
  Browser browser("client", "127.0.0.1", balancer_port);
  browser.send_from(from);
  return browser.get("/healthz").header("X-Sessim-Node");
}

TEST(WeightedBalancing, SharesFollowWeightsWithinOneRequestPerCycle) {
  Nodes nodes(2);
  ServingBalancer balancer(nodes.config({3, 1}), make_strategy(StrategyKind::weighted));
  Browser browser("client", "127.0.0.1", balancer.port());
  for (int cycle = 0; cycle < 3; ++cycle) {
    std::map<std::string, int> counts;
    std::string order;
    for (int i = 0; i < 4; ++i) {
      const auto node = browser.get("/healthz").header("X-Sessim-Node");
      ++counts[node];
      order += node.back();
    }
    EXPECT_EQ(counts["node-1"], 3) << order;
    EXPECT_EQ(counts["node-2"], 1) << order;
  }
}

TEST(IpHashBalancing, ClientsOfOneSlash24ShareANodeAndNetworksSpread) {
  Nodes nodes(3);
  ServingBalancer balancer(nodes.config(), make_strategy(StrategyKind::ip_hash));
  const auto home = served_by(balancer.port(), "127.0.42.1");
  for (int host = 2; host <= 20; ++host) {
    EXPECT_EQ(served_by(balancer.port(), "127.0.42." + std::to_string(host)), home) << host;
  }
  std::set<std::string> used;
  for (int network = 1; network <= 30; ++network) {
    used.insert(served_by(balancer.port(), "127.0." + std::to_string(network) + ".1"));
  }
  EXPECT_EQ(used.size(), 3u);
}

TEST(RandomBalancing, UsesEveryNode) {
  Nodes nodes(2);
  StrategyOptions options;
  options.kind = StrategyKind::random;
  options.seed = 3;
  ServingBalancer balancer(nodes.config(), make_strategy(options));
  Browser browser("client", "127.0.0.1", balancer.port());
  std::map<std::string, int> counts;
  for (int i = 0; i < 60; ++i) ++counts[browser.get("/healthz").header("X-Sessim-Node")];
  EXPECT_GT(counts["node-1"], 10);
  EXPECT_GT(counts["node-2"], 10);
}

// Consistent hashing of a header: adding a fourth node moves about a quarter
// of the keys, and only to the new node.
TEST(ConsistentHashBalancing, AddingANodeRemapsAboutOneNthOfTheKeys) {
  Nodes nodes(4);
  auto config = nodes.config();
  const auto fourth = config.upstreams.back();
  config.upstreams.pop_back();
  StrategyOptions options;
  options.kind = StrategyKind::hash;
  options.hash_key = "header:X-User";
  ServingBalancer balancer(config, make_strategy(options));
  // Reaching into the served balancer to grow it: ServingInThread owns it.
  httplib::Client client("127.0.0.1", balancer.port());
  client.set_keep_alive(true);
  const auto node_for = [&](int user) {
    const auto response = client.Get("/healthz", {{"X-User", "user-" + std::to_string(user)}});
    return response ? response->get_header_value("X-Sessim-Node") : std::string("?");
  };
  constexpr int kUsers = 400;
  std::vector<std::string> before;
  for (int user = 0; user < kUsers; ++user) before.push_back(node_for(user));
  EXPECT_EQ(std::set<std::string>(before.begin(), before.end()).size(), 3u);
  for (int user = 0; user < kUsers; ++user) EXPECT_EQ(node_for(user), before[user]) << "unstable";

  balancer.server().add_upstream(fourth);
  int moved = 0, moved_elsewhere = 0;
  for (int user = 0; user < kUsers; ++user) {
    const auto after = node_for(user);
    if (after != before[user]) {
      ++moved;
      if (after != "node-4") ++moved_elsewhere;
    }
  }
  EXPECT_GT(moved, kUsers * 0.15);
  EXPECT_LT(moved, kUsers * 0.35);
  EXPECT_EQ(moved_elsewhere, 0);
}

TEST(ConsistentHashBalancing, EmptyKeyFallsBackToRoundRobin) {
  Nodes nodes(2);
  ServingBalancer balancer(nodes.config(), make_strategy(StrategyKind::hash));
  Browser browser("client", "127.0.0.1", balancer.port());
  // /healthz sets no SESSION cookie, so every request has an empty key.
  std::vector<std::string> served;
  for (int i = 0; i < 4; ++i) served.push_back(browser.get("/healthz").header("X-Sessim-Node"));
  EXPECT_EQ(served, (std::vector<std::string>{"node-1", "node-2", "node-1", "node-2"}));
}

// Cookie stickiness with a real cluster: the balancer's cookie pins the
// browser to a node, the node never sees that cookie, and after the node
// crashes the browser is redispatched and the cookie rewritten.
TEST(CookieBalancing, PinsTheBrowserAndRedispatchesAfterACrash) {
  ClusterConfig config;
  config.nodes = 2;
  config.balancer = StrategyKind::cookie;
  Cluster cluster(config);
  Browser browser("client", "127.0.0.1", cluster.balancer_port());
  const auto first = browser.get("/set-session?sessionVal=v");
  const auto pinned = first.header("X-Sessim-Node");
  EXPECT_EQ(browser.cookie("SESSIM_NODE"), pinned);
  EXPECT_EQ(first.header_values("Cache-Control"), std::vector<std::string>{"no-store"});
  for (int i = 0; i < 5; ++i) {
    const auto read = browser.get("/get-session");
    EXPECT_EQ(read.header("X-Sessim-Node"), pinned);
    EXPECT_EQ(read.body, "v");
  }
  cluster.crash_node(pinned);
  const auto after = browser.get("/get-session");
  EXPECT_EQ(after.status, 200);
  EXPECT_NE(after.header("X-Sessim-Node"), pinned);
  EXPECT_EQ(browser.cookie("SESSIM_NODE"), after.header("X-Sessim-Node"));
  EXPECT_EQ(after.body, "");  // the local session died with the node
  const auto events = cluster.health_events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().upstream, pinned);
}

TEST(PassiveHealth, CrashedNodeIsTakenOutAndComesBackAfterFailTimeout) {
  ClusterConfig config;
  config.nodes = 2;
  config.health.fail_timeout_ms = 300;
  Cluster cluster(config);
  Browser browser("client", "127.0.0.1", cluster.balancer_port());
  cluster.crash_node("node-1");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(browser.get("/healthz").header("X-Sessim-Node"), "node-2");
  ASSERT_EQ(cluster.health_events().size(), 1u);  // one failure, then skipped while down
  cluster.restart_node("node-1");
  EXPECT_TRUE(testing::wait_until(
      [&] { return browser.get("/healthz").header("X-Sessim-Node") == "node-1"; }));
  const auto events = cluster.health_events();
  EXPECT_NE(events.back().what.find("up"), std::string::npos) << events.back().what;
}

TEST(ActiveHealth, ProbesTakeAStoppedNodeOutAndBringItBack) {
  ClusterConfig config;
  config.nodes = 2;
  config.health.check_interval_ms = 20;
  Cluster cluster(config);
  cluster.stop_node("node-2");
  EXPECT_TRUE(testing::wait_until([&] {
    for (const auto& event : cluster.health_events()) {
      if (event.upstream == "node-2" && event.what.find("down: 3 failed") == 0) return true;
    }
    return false;
  }));
  cluster.restart_node("node-2");
  EXPECT_TRUE(testing::wait_until([&] {
    const auto events = cluster.health_events();
    return !events.empty() && events.back().upstream == "node-2" &&
           events.back().what.find("up: 2 passed") == 0;
  }));
}

}  // namespace
}  // namespace sessim
