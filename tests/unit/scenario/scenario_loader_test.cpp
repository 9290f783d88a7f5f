#include "scenario/scenario_loader.h"

#include <gtest/gtest.h>

#include "scenario/scenario_error.h"

namespace sessim {

TEST(ScenarioLoader, ReadsClusterClientsDeclarationsAndSteps) {
  const auto scenario = parse_scenario(R"(
lesson: a lesson
cluster: {nodes: 3, store: redis, mode: process, session-timeout: 5s, redis-persistence: true}
clients: [alice, bob]
expect: {local: fail, redis: pass}
steps:
  - set: {name: cart, value: "2 books", client: bob, via: node-2, expect: {status: 200}}
  - get: cart
  - login: alice
  - logout:
  - wait: 250ms
  - repeat: {times: 2, steps: [{crash: node-1}, {add-node: {}}]}
)",
                                       "dir/story.yaml");
  EXPECT_EQ(scenario.name, "story");
  EXPECT_EQ(scenario.cluster.nodes, 3);
  EXPECT_EQ(scenario.cluster.store, StoreKind::redis);
  EXPECT_TRUE(scenario.cluster.redis_persistence);
  EXPECT_EQ(scenario.clients, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(scenario.expected.at(StoreKind::local), DeclaredOutcome::fail);
  ASSERT_EQ(scenario.steps.size(), 6u);
  const auto& set = scenario.steps[0];
  EXPECT_EQ(set.kind, StepKind::set);
  EXPECT_EQ(set.request().attribute, "cart");
  EXPECT_EQ(set.request().value, "2 books");
  EXPECT_EQ(set.request().client, "bob");
  EXPECT_EQ(set.request().via, "node-2");
  ASSERT_TRUE(set.request().expect->status);
  EXPECT_EQ(set.request().expect->status->codes, std::vector<int>{200});
  EXPECT_EQ(set.position.line, 7);
  EXPECT_EQ(set.position.column, 5);
  EXPECT_EQ(scenario.steps[1].request().attribute, "cart");
  EXPECT_EQ(scenario.steps[2].request().user, "alice");
  EXPECT_EQ(scenario.steps[4].as<WaitStep>().duration, std::chrono::milliseconds(250));
  EXPECT_EQ(scenario.steps[5].as<RepeatStep>().times, 2);
  EXPECT_EQ(scenario.steps[5].children()[1].kind, StepKind::add_node);
  EXPECT_EQ(scenario.steps[5].children()[0].as<NodeFaultStep>().node, "node-1");
}

// Each kind of step holds its own typed detail: a Redis step its action, a
// link step the link and its durations.
TEST(ScenarioLoader, StepsHoldTypedDetails) {
  const auto scenario = parse_scenario(R"(
cluster: {store: redis}
clients: [alice, bob]
steps:
  - redis: kill-master
  - delay: {from: node-2, to: redis, by: 200ms, jitter: 50ms}
  - partition: {to: redis}
  - partition: {from: balancer, to: node-1}
  - heal: redis
  - heal: all
  - copy-cookies: {from: alice, to: bob}
)",
                                       "typed.yaml");
  ASSERT_EQ(scenario.steps.size(), 7u);
  EXPECT_EQ(scenario.steps[0].as<RedisStep>().action, RedisAction::kill_master);
  const auto& delay = scenario.steps[1].as<LinkStep>();
  EXPECT_EQ(delay.link, (Link{Link::Kind::node_to_redis, "node-2"}));
  EXPECT_EQ(delay.by, std::chrono::milliseconds(200));
  EXPECT_EQ(delay.jitter, std::chrono::milliseconds(50));
  EXPECT_EQ(scenario.steps[2].as<LinkStep>().link, (Link{Link::Kind::nodes_to_redis, ""}));
  EXPECT_EQ(scenario.steps[3].as<LinkStep>().link, (Link{Link::Kind::balancer_to_node, "node-1"}));
  EXPECT_EQ(scenario.steps[4].as<LinkStep>().link.kind, Link::Kind::nodes_to_redis);
  EXPECT_EQ(scenario.steps[5].as<LinkStep>().link.kind, Link::Kind::every_link);
  EXPECT_EQ(scenario.steps[6].as<CopyCookiesStep>().from, "alice");
  EXPECT_EQ(scenario.steps[6].as<CopyCookiesStep>().to, "bob");
  EXPECT_EQ(scenario.steps[1].describe(), "delay node-2 -> redis by 200 ms");
  EXPECT_EQ(scenario.steps[2].describe(), "partition every node -> redis");
  EXPECT_THROW(scenario.steps[0].request(), std::bad_variant_access);
}

TEST(ScenarioLoader, NodeNamesFollowAddNode) {
  const auto scenario =
      parse_scenario("steps:\n  - add-node: {}\n  - crash: node-3\n", "grow.yaml");
  EXPECT_NO_THROW(check_node_names(scenario, 2));
  EXPECT_THROW(check_node_names(scenario, 1), ScenarioError);
}

TEST(ScenarioLoader, ErrorsCarryPositionLineAndCaret) {
  try {
    parse_scenario("steps:\n  - gett: cart\n", "x.yaml");
    FAIL() << "no error";
  } catch (const ScenarioError& error) {
    EXPECT_EQ(error.position().line, 2);
    EXPECT_EQ(error.position().column, 5);
    EXPECT_STREQ(error.what(),
                 "x.yaml:2:5: unknown step 'gett' (did you mean 'get'?)\n"
                 "    - gett: cart\n"
                 "      ^");
  }
}

TEST(NearestName, SuggestsOnlyLikelyTypos) {
  EXPECT_EQ(nearest_name("gett", {"get", "set"}), "get");
  EXPECT_EQ(nearest_name("expekt", {"expect", "client"}), "expect");
  EXPECT_EQ(nearest_name("teleport", {"get", "restart", "logout"}), "");
}

}  // namespace sessim

namespace sessim {

TEST(ScenarioLoader, ClientsMayNameTheirLoopbackAddress) {
  const auto scenario = parse_scenario(R"(
clients:
  - alice
  - {name: bob, address: 127.0.7.20}
cluster: {balancer: ip-hash, weights: [3, 1], on-miss: keep, health-check: 200ms}
steps:
  - get: {name: a, client: bob}
)",
                                       "nat.yaml");
  EXPECT_EQ(scenario.clients, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(scenario.client_addresses.at("bob"), "127.0.7.20");
  EXPECT_FALSE(scenario.client_addresses.count("alice"));
  EXPECT_EQ(scenario.cluster.balancer, StrategyKind::ip_hash);
  EXPECT_EQ(scenario.cluster.weights, (std::vector<int>{3, 1}));
  EXPECT_EQ(scenario.cluster.on_miss, MissPolicy::keep);
  EXPECT_EQ(scenario.cluster.health_check, std::chrono::milliseconds(200));
}

TEST(ScenarioLoader, TheBalancersUpstreamTimeoutIsADurationOfAtLeast100Ms) {
  const auto scenario =
      parse_scenario("cluster: {upstream-timeout: 250ms}\nsteps:\n  - get: x\n", "t.yaml");
  EXPECT_EQ(scenario.cluster.upstream_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(parse_scenario("steps:\n  - get: x\n", "t.yaml").cluster.upstream_timeout,
            std::chrono::seconds(10));
  EXPECT_THROW(parse_scenario("cluster: {upstream-timeout: 5ms}\nsteps:\n  - get: x\n", "t.yaml"),
               ScenarioError);
}

// The cluster: keys are read by the settings table the flags are made from:
// an error names the key, its range and its unit as the flag's would.
TEST(ScenarioLoader, ClusterKeysAreTheSettingsOfTheFlagsWithTheirNames) {
  const auto error_of = [](const std::string& cluster) {
    try {
      parse_scenario("cluster: " + cluster + "\nsteps:\n  - get: x\n", "c.yaml");
    } catch (const ScenarioError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of("{fail-timeout: 2h}").substr(0, error_of("{fail-timeout: 2h}").find('\n')),
            "c.yaml:1:25: fail-timeout: a duration from 1s to 1h; '2h' is 2h");
  EXPECT_NE(error_of("{fail-timeout: abc}").find("fail-timeout: 'abc' is not a duration"),
            std::string::npos)
      << error_of("{fail-timeout: abc}");
  EXPECT_NE(error_of("{session-timeout: 5}").find("session-timeout: '5' needs a unit"),
            std::string::npos)
      << error_of("{session-timeout: 5}");
  EXPECT_NE(error_of("{delay: 1s}").find("'delay' is now 'node-delay'"), std::string::npos);
  EXPECT_NE(error_of("{nodes: 5000}").find("nodes: a whole number from 1 to 4096"),
            std::string::npos);
  const auto scenario = parse_scenario(
      "cluster: {node-delay: 300ms, fail-timeout: 1m, session-timeout: 2m}\n"
      "steps:\n  - get: x\n",
      "c.yaml");
  EXPECT_EQ(scenario.cluster.node_delay, std::chrono::milliseconds(300));
  EXPECT_EQ(scenario.cluster.fail_timeout, std::chrono::minutes(1));
  EXPECT_EQ(scenario.cluster.session_timeout_s, 120);
}

TEST(ScenarioLoader, ClientAddressesStayOnLoopback) {
  EXPECT_THROW(
      parse_scenario("clients: [{name: a, address: 10.0.0.1}]\nsteps:\n  - get: x\n", "x.yaml"),
      ScenarioError);
  EXPECT_THROW(
      parse_scenario("clients: [{name: a, address: '::1'}]\nsteps:\n  - get: x\n", "x.yaml"),
      ScenarioError);
}

}  // namespace sessim

namespace sessim {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "bomb.yaml");
  } catch (const ScenarioError& error) {
    return error.what();
  }
  return "";
}

TEST(ScenarioLoader, SettingsWrittenBesideTheirStepSayToIndentThem) {
  auto error = error_of(
      "cluster: {nodes: 1}\nsteps:\n  - repeat:\n    times: 3\n    steps:\n"
      "      - get: cart\n");
  EXPECT_NE(error.find("bomb.yaml:4:5: times, steps stand at the level of '- repeat:'; indent "
                       "them two more spaces"),
            std::string::npos)
      << error;
  error = error_of("cluster: {nodes: 1}\nsteps:\n  - get: cart\n    expect: {absent: true}\n");
  EXPECT_NE(error.find("bomb.yaml:4:5: 'expect' is not a step; the settings of get go inside it"),
            std::string::npos)
      << error;
  error = error_of("cluster: {nodes: 1}\nsteps:\n  - get: cart\n    set: {name: a, value: b}\n");
  EXPECT_NE(error.find("two steps in one list item (get and set); start each with '- '"),
            std::string::npos)
      << error;
}

// Nested aliases: 2 KiB of YAML that would expand to millions of steps.
TEST(ScenarioLimits, AnAliasBombIsRefusedWithItsPosition) {
  std::string text =
      "name: bomb\nsteps:\n  - request: {path: /get-session, expect: {status: 200}}\n";
  text += "  - repeat: {times: 2, steps: &a [{get: x}, {get: x}, {get: x}, {get: x}]}\n";
  std::string previous = "a";
  for (const std::string name : {"b", "c", "d", "e", "f", "g", "h", "i", "j"}) {
    text += "  - repeat: {times: 2, steps: &" + name + " [";
    for (int i = 0; i < 8; ++i)
      text += (i ? ", " : "") + ("{repeat: {times: 2, steps: *" + previous + "}}");
    text += "]}\n";
    previous = name;
  }
  const auto error = error_of(text);
  EXPECT_NE(error.find("bomb.yaml:"), std::string::npos) << error;
  EXPECT_NE(error.find("expands to more than"), std::string::npos) << error;
}

// Found by the scenario fuzzer: an alias inside its own anchor made the
// loader recurse until the stack overflowed.
TEST(ScenarioLimits, AnAliasInsideItsOwnAnchorIsRefusedWithItsPosition) {
  const auto error = error_of(
      "name: loop\nsteps:\n  - &read {request: GET /get-session, steps: [*read, {wait: 1s}]}\n");
  EXPECT_NE(error.find("bomb.yaml:"), std::string::npos) << error;
  EXPECT_NE(error.find("nests deeper than 64 levels"), std::string::npos) << error;
}

TEST(ScenarioLimits, PlannedRequestsAndWaitsAreCountedAndBounded) {
  const auto scenario = parse_scenario(
      "steps:\n"
      "  - request: {path: \"/set-session?sessionVal=v\", expect: {status: 200}}\n"
      "  - repeat: {times: 3, steps: [{wait: 0.5s}, {request: {path: /get-session}}]}\n"
      "  - parallel: [{request: {path: /get-session}}, {wait: 2s}]\n",
      "plan.yaml");
  EXPECT_EQ(scenario.planned_requests, 1 + 3 + 1);
  EXPECT_DOUBLE_EQ(scenario.planned_wait_s, 1.5 + 2);

  const auto too_many = error_of(
      "steps:\n"
      "  - request: {path: /get-session, expect: {status: 200}}\n"
      "  - repeat: {times: 10000, steps: [{repeat: {times: 10000, steps: [{get: x}]}}]}\n");
  EXPECT_NE(too_many.find("bomb.yaml:3:5: with this step the scenario plans more than 1000000 "
                          "requests"),
            std::string::npos)
      << too_many;

  const auto too_long = error_of(
      "steps:\n"
      "  - request: {path: /get-session, expect: {status: 200}}\n"
      "  - repeat: {times: 1000, steps: [{wait: 100s}]}\n");
  EXPECT_NE(too_long.find("waits more than 24 hours"), std::string::npos) << too_long;
}

}  // namespace
}  // namespace sessim
