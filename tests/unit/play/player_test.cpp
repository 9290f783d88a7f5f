// The scenario player, its expectations and the explanations, against a
// simulated cluster: no sockets, no threads of servers, no processes.
#include <gtest/gtest.h>

#include <map>

#include "common/errors.h"
#include "history/explain.h"
#include "net/cookie.h"
#include "node/protocol.h"
#include "node/session_id.h"
#include "node/session_manager.h"
#include "node/store/local_session_store.h"
#include "play/scenario_runner.h"
#include "report/explanation_words.h"
#include "scenario/reference_story.h"
#include "scenario/scenario_error.h"
#include "scenario/scenario_loader.h"
#include "support/session_manager_adapter.h"
#include "support/test_support.h"

namespace sessim {
namespace {

// A cluster of the reference app behind a round-robin balancer, simulated in
// memory: each node is sessim's own session rule (decide_session) over a real
// SessionManager and LocalSessionStore on a manual clock, with sessions in the
// node's memory, or in one shared store when `shared` is set.
class SimulatedCluster final : public Topology, public Transport {
 public:
  SimulatedCluster(int nodes, bool shared)
      : shared_(shared), shared_store_(std::make_unique<LocalSessionStore>(clock_)) {
    for (int i = 1; i <= nodes; ++i) add_node();
  }

  // Transport
  HttpExchange send(const Endpoint& origin, const OutgoingRequest& request) override {
    HttpExchange exchange;
    exchange.method = request.method;
    exchange.target = request.target;
    exchange.cookie_sent = request.cookie_header;
    Node* node = origin.host == "balancer" ? next_up_node() : find(origin.host);
    if (origin.host == "balancer" && !node) {
      exchange.status = 502;
      return exchange;
    }
    if (!node || !node->up) {
      exchange.transport_error = "connection refused";
      return exchange;
    }
    sent_to.push_back(node->name);
    serve(*node, request, exchange);
    return exchange;
  }

  // Topology
  Endpoint entry() const override { return {"http", "balancer", 1, true}; }
  std::vector<std::string> node_names() const override {
    std::vector<std::string> names;
    for (const auto& node : nodes_) names.push_back(node.name);
    return names;
  }
  Endpoint node_endpoint(const std::string& name) const override { return {"http", name, 2, true}; }
  TopologyAbilities abilities() const override { return {}; }
  StoreKind store() const override { return shared_ ? StoreKind::redis : StoreKind::local; }
  bool redis_persistence() const override { return false; }
  bool nodes_are_threads() const override { return true; }
  void crash_node(const std::string& name) override {
    find(name)->up = false;
    find(name)->memory = std::make_unique<LocalSessionStore>(clock_);
  }
  void stop_node(const std::string& name) override { crash_node(name); }
  void restart_node(const std::string& name) override {
    crash_node(name);
    find(name)->up = true;
  }
  std::string add_node() override {
    nodes_.push_back({"node-" + std::to_string(nodes_.size() + 1), true,
                      std::make_unique<LocalSessionStore>(clock_)});
    return nodes_.back().name;
  }
  std::string link(const LinkFault&) override { return ""; }
  StoreFaultResult redis(RedisAction action) override {
    if (action == RedisAction::restart || action == RedisAction::start) {
      shared_store_ = std::make_unique<LocalSessionStore>(clock_);
    }
    return {};
  }
  std::vector<HealthEvent> health_events() const override { return {}; }
  ClusterSummary summary() const override {
    ClusterSummary summary;
    summary.nodes = static_cast<int>(nodes_.size());
    summary.store = store();
    summary.balancer = StrategyKind::round_robin;
    return summary;
  }
  std::vector<std::string> stop() override { return {}; }

  std::vector<std::string> sent_to;  // the node of every request that reached one

 private:
  struct Node {
    std::string name;
    bool up;
    std::unique_ptr<LocalSessionStore> memory;  // its own sessions
  };

  // A node the simulation does not have fails as a real topology would.
  Node* find(const std::string& name) {
    for (auto& node : nodes_) {
      if (node.name == name) return &node;
    }
    throw std::runtime_error("no node " + name);
  }

  Node* next_up_node() {
    for (std::size_t tried = 0; tried < nodes_.size(); ++tried) {
      auto& node = nodes_[next_++ % nodes_.size()];
      if (node.up) return &node;
    }
    return nullptr;
  }

  // /set-session?sessionVal=V writes, anything else reads; the answer is the value.
  void serve(Node& node, const OutgoingRequest& request, HttpExchange& exchange) {
    SessionManager sessions(shared_ ? *shared_store_ : *node.memory, clock_,
                            kDefaultSessionTimeoutS, ids_);
    auto resolved = testing::resolve_now(
        sessions, cookie_values(parse_cookie_header(request.cookie_header), "SESSION"));
    const auto query = request.target.find("?sessionVal=");
    if (query != std::string::npos) {
      resolved.session.set_attribute("sessionVal", request.target.substr(query + 12));
    }
    exchange.status = 200;
    exchange.body = resolved.session.attribute("sessionVal").value_or("");
    const bool wrote = query != std::string::npos;
    const auto decision =
        decide_session(resolved.lookup, SessionRoute::plain, wrote, MissPolicy::create);
    const auto cookie_id = testing::apply_now(sessions, decision, resolved.session);
    if (decision.cookie == SessionDecision::Cookie::new_id) {
      exchange.headers.emplace_back("Set-Cookie",
                                    "SESSION=" + encode_session_cookie(cookie_id) + "; Path=/");
    }
    exchange.headers.emplace_back("X-Sessim-Upstream", node.name);
    clock_.advance_ms(1);
  }

  testing::ManualClock clock_;
  SeededSessionIds ids_{1, "simulation"};
  bool shared_;
  std::vector<Node> nodes_;
  std::unique_ptr<LocalSessionStore> shared_store_;
  std::size_t next_ = 0;
};

ScenarioRun play(const Scenario& scenario, SimulatedCluster& cluster) {
  // The simulation re-implements sessim's node: its model is known.
  ScenarioOptions options;
  options.session_model = sessim_node_model(cluster.store());
  return play_scenario(scenario, cluster, cluster, builtin_profile("spring"), options);
}

Scenario story(const std::string& yaml) { return parse_scenario(yaml, "story.yaml"); }

}  // namespace

TEST(Player, RoundRobinOverLocalMemoryLosesEveryRead) {
  SimulatedCluster cluster(2, false);
  const auto run = play(reference_scenario("v", 4), cluster);
  EXPECT_EQ(run.reads_total(), 4);
  EXPECT_EQ(run.reads_ok(), 0);
  EXPECT_EQ(run.verdict(), Verdict::fail);
  EXPECT_EQ(cluster.sent_to,
            (std::vector<std::string>{"node-1", "node-2", "node-1", "node-2", "node-1"}));
  const auto& second = run.steps[1].requests[0];
  EXPECT_EQ(second.node, "node-2");
  EXPECT_EQ(second.session, SessionEffect::replaced);
  EXPECT_EQ(explain_failed_reads(run).at(2).kind, ReadFailure::lost_never_seen);
}

TEST(Player, SharedStoreKeepsEveryRead) {
  SimulatedCluster cluster(2, true);
  const auto run = play(reference_scenario("v", 4), cluster);
  EXPECT_EQ(run.reads_ok(), 4);
  EXPECT_EQ(run.verdict(), Verdict::pass);
  EXPECT_EQ(run.steps[1].requests[0].session, SessionEffect::kept);
}

TEST(Player, ViaGoesStraightToTheNamedNode) {
  SimulatedCluster cluster(3, false);
  const auto run =
      play(story("steps:\n"
                 "  - set: {name: a, value: v, via: node-3}\n"
                 "  - get: {name: a, via: node-3, expect: {value: v, node: node-3}}\n"),
           cluster);
  EXPECT_EQ(cluster.sent_to, (std::vector<std::string>{"node-3", "node-3"}));
  EXPECT_EQ(run.verdict(), Verdict::pass);
}

TEST(Player, ACrashedOriginNodeExplainsTheLostRead) {
  SimulatedCluster cluster(2, false);
  const auto run = play(story("steps:\n"
                              "  - set: {name: cart, value: book, via: node-1}\n"
                              "  - crash: node-1\n"
                              "  - get: {name: cart, expect: {value: book}}\n"),
                        cluster);
  EXPECT_EQ(run.steps[1].fault_node, "node-1");
  EXPECT_EQ(run.reads_ok(), 0);
  const auto why = explain_failed_reads(run).at(2);
  EXPECT_EQ(why.kind, ReadFailure::lost_node_fault);
  const auto sentence = read_sentence(why, run.model);
  EXPECT_NE(sentence.find("node-1 crashed at step 2"), std::string::npos) << sentence;
}

TEST(Player, AnInjectedCrashSparesTheNodesTheStoryAddresses) {
  SimulatedCluster cluster(3, true);
  auto scenario = story(
      "steps:\n"
      "  - set: {name: a, value: v, via: node-1}\n"
      "  - get: {name: a, via: node-1, expect: {value: v}}\n");
  Step crash;
  crash.kind = StepKind::crash;
  crash.detail = NodeFaultStep{kInjectedFaultTarget};
  scenario.steps.insert(scenario.steps.begin() + 1, crash);
  const auto run = play(scenario, cluster);
  EXPECT_EQ(run.steps[1].fault_node, "node-2");
  EXPECT_EQ(run.verdict(), Verdict::pass);
}

TEST(Player, AnInjectedCrashWithNoSpareNodeIsNotApplicable) {
  SimulatedCluster cluster(2, true);
  auto scenario = story(
      "steps:\n"
      "  - set: {name: a, value: v, via: node-1}\n"
      "  - get: {name: a, via: node-2, expect: {value: v}}\n");
  Step crash;
  crash.kind = StepKind::crash;
  crash.detail = NodeFaultStep{kInjectedFaultTarget};
  scenario.steps.insert(scenario.steps.begin() + 1, crash);
  const auto run = play(scenario, cluster);
  EXPECT_EQ(run.verdict(), Verdict::not_applicable);
  EXPECT_EQ(run.steps.size(), 2u);  // nothing ran after the refused injection
  EXPECT_FALSE(counts_as_success(run, VerdictMode::declared));
}

TEST(Player, RedisRestartWithoutPersistenceIsExplained) {
  SimulatedCluster cluster(2, true);
  const auto run = play(story("steps:\n"
                              "  - set: {name: a, value: v}\n"
                              "  - redis: restart\n"
                              "  - get: {name: a, expect: {value: v}}\n"),
                        cluster);
  EXPECT_TRUE(run.steps[1].redis_came_back_empty);
  EXPECT_EQ(explain_failed_reads(run).at(2).kind, ReadFailure::lost_store_restart);
}

TEST(CheckPlayable, RefusesANodeFaultTheTopologyCannotDoAtTheStep) {
  TopologyAbilities upstreams;
  upstreams.node_faults = "nodes are --upstream servers that sessim does not run";
  const auto scenario = story("steps:\n  - get: a\n  - crash: node-1\n");
  try {
    check_playable(scenario, upstreams, builtin_profile("sessim"));
    FAIL() << "a crash of an upstream must be refused";
  } catch (const ScenarioError& error) {
    const std::string what = error.what();
    EXPECT_EQ(what.substr(0, what.find('\n')),
              "story.yaml:3:5: crash node-1: nodes are --upstream servers that sessim does not "
              "run");
  }
}

TEST(CheckPlayable, RefusesViaBehindATarget) {
  TopologyAbilities target;
  target.direct_nodes = "behind --target https://example.test sessim knows no nodes";
  EXPECT_THROW(check_playable(story("steps:\n  - get: {name: a, via: node-1}\n"), target,
                              builtin_profile("sessim")),
               ScenarioError);
  EXPECT_NO_THROW(
      check_playable(story("steps:\n  - get: {name: a}\n"), target, builtin_profile("sessim")));
}

TEST(CheckPlayable, RefusesLogoutForAProfileWithoutOne) {
  EXPECT_THROW(check_playable(story("steps:\n  - logout: {}\n"), {}, builtin_profile("php")),
               ScenarioError);
  EXPECT_NO_THROW(check_playable(story("steps:\n  - logout: {}\n"), {}, builtin_profile("sessim")));
}

TEST(CheckPlayable, RefusesTwoAttributesForAOneValueApp) {
  const auto scenario = story("steps:\n  - set: {name: a, value: v}\n  - get: b\n");
  EXPECT_THROW(check_playable(scenario, {}, builtin_profile("express")), UsageError);
  EXPECT_NO_THROW(check_playable(scenario, {}, builtin_profile("sessim")));
}

// A branch of a parallel step whose topology call throws: the exception
// reaches the caller once every branch is done, instead of ending the
// process (std::terminate from a thread).
TEST(Player, AnExceptionInAParallelBranchReachesTheCaller) {
  SimulatedCluster cluster(2, true);
  const auto scenario = story(
      "steps:\n  - parallel:\n      - set: {name: a, value: v}\n      - get: {name: a, via: "
      "node-9}\n");
  EXPECT_THROW(play(scenario, cluster), std::runtime_error);
}

}  // namespace sessim
