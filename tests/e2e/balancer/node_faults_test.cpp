// A node that freezes (SIGSTOP) or crashes (SIGKILL) while a request is at
// it, seen through the balancer: every client gets an answer within the
// upstream timeout, an idempotent request moves on to the other node, and a
// non-idempotent one is never sent twice. Both nodes are real `sessim node`
// processes; the balancer runs in the test. What comes next after each kind
// of failure is the table of tests/unit/balancer/upstream_attempts_test.cpp;
// this file proves the wiring.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <fstream>
#include <future>
#include <sstream>
#include <string>

#include "balancer/balancer.h"
#include "balancer/strategy_factory.h"
#include "cluster/node_instance.h"
#include "support/test_support.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

using Clock = std::chrono::steady_clock;

struct Answer {
  int status = 0;  // 0: no answer at all
  std::string upstream;
  std::string body;
  double seconds = 0;
};

// Bytes that reached a socket of the process listening on `port` and that
// it has not read: a request the kernel delivered to a frozen or dying node.
long long unread_bytes_at(int port) {
  long long total = 0;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the column titles
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues;
      fields >> slot >> local >> remote >> state >> queues;
      const auto local_port = std::stoi(local.substr(local.rfind(':') + 1), nullptr, 16);
      if (local_port != port || state != "01") continue;  // 01: ESTABLISHED
      total += std::stoll(queues.substr(queues.find(':') + 1), nullptr, 16);
    }
  }
  return total;
}

class NodeFaults : public ::testing::Test {
 protected:
  static constexpr auto kUpstreamTimeout = std::chrono::milliseconds(1000);

  NodeFaults() : nodes_(testing::start_process_nodes(2, StoreKind::local, "", logs_)) {
    BalancerConfig config;
    for (const auto& node : nodes_)
      config.upstreams.push_back({node->name(), "127.0.0.1", node->port()});
    config.upstream_timeout = kUpstreamTimeout;
    // A failure must not take node-1 out of rotation: every request below
    // is to meet it.
    config.health.max_fails = 1000;
    // A fresh connection per request: the crash test needs to know the
    // request is in node-1's socket, not in a pooled connection's.
    config.max_idle_connections_per_upstream = 0;
    StrategyOptions hash;
    hash.kind = StrategyKind::hash;
    hash.hash_key = "header:X-Route";
    balancer_ = std::make_unique<testing::ServingInThread<Balancer>>(config, make_strategy(hash));
    route_to_node_1_ = find_route_to("node-1");
  }

  Answer send(const std::string& method, const std::string& path, const std::string& route) {
    httplib::Client client("127.0.0.1", balancer_->port());
    client.set_read_timeout(std::chrono::seconds(30));
    const httplib::Headers headers{{"X-Route", route}};
    const auto started = Clock::now();
    const auto result =
        method == "GET" ? client.Get(path, headers) : client.Post(path, headers, "", "text/plain");
    Answer answer;
    answer.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (!result) return answer;
    answer.status = result->status;
    answer.upstream = result->get_header_value("X-Sessim-Upstream");
    answer.body = result->body;
    return answer;
  }

  // A value of X-Route that the hash sends to `node` while both are up.
  std::string find_route_to(const std::string& node) {
    for (int i = 0; i < 64; ++i) {
      const auto route = "route-" + std::to_string(i);
      if (send("GET", "/healthz", route).upstream == node) return route;
    }
    throw std::runtime_error("no route leads to " + node);
  }

  // Starts a request through the balancer and returns once the kernel has
  // delivered it to node-1, which is frozen.
  std::future<Answer> send_to_frozen_node_1(const std::string& method, const std::string& path) {
    const auto port = nodes_[0]->port();
    const auto before = unread_bytes_at(port);
    auto answer = std::async(std::launch::async,
                             [this, method, path] { return send(method, path, route_to_node_1_); });
    EXPECT_TRUE(testing::wait_until([&] { return unread_bytes_at(port) > before; },
                                    std::chrono::seconds(5)))
        << "the request never reached node-1";
    return answer;
  }

  RunDirectory logs_;
  std::vector<std::unique_ptr<NodeInstance>> nodes_;
  std::unique_ptr<testing::ServingInThread<Balancer>> balancer_;
  std::string route_to_node_1_;
};

TEST_F(NodeFaults, AFrozenNodeCostsAGetOneUpstreamTimeoutThenTheOtherNodeAnswers) {
  nodes_[0]->pause();
  const auto answer = send("GET", "/healthz", route_to_node_1_);
  nodes_[0]->resume();
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.upstream, "node-2");
  EXPECT_GE(answer.seconds, 0.9);  // it waited for node-1 first
  EXPECT_LT(answer.seconds, 3.0);
}

TEST_F(NodeFaults, AFrozenNodeMakesAPostA502WithinTheUpstreamTimeoutAndItIsNotResent) {
  nodes_[0]->pause();
  const auto answer = send("POST", "/login?user=ann", route_to_node_1_);
  nodes_[0]->resume();
  // Resent, it would have reached node-2, which answers 200.
  EXPECT_EQ(answer.status, 502) << answer.body;
  EXPECT_NE(answer.body.find("node-1"), std::string::npos) << answer.body;
  EXPECT_NE(answer.body.find("timed out after 1 s waiting for the response"), std::string::npos)
      << answer.body;
  EXPECT_GE(answer.seconds, 0.9);
  EXPECT_LT(answer.seconds, 3.0);
  // Thawed, node-1 answers again.
  EXPECT_EQ(send("GET", "/healthz", route_to_node_1_).upstream, "node-1");
}

TEST_F(NodeFaults, ANodeThatCrashesMidRequestMakesAGetMoveOnAndAPostA502AtOnce) {
  nodes_[0]->pause();
  auto get = send_to_frozen_node_1("GET", "/healthz");
  auto post = send_to_frozen_node_1("POST", "/login?user=ann");
  nodes_[0]->crash();
  const auto got = get.get();
  const auto posted = post.get();
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.upstream, "node-2");
  EXPECT_EQ(posted.status, 502) << posted.body;
  EXPECT_NE(posted.body.find("connection closed before the response"), std::string::npos)
      << posted.body;
  // The crash was noticed at once, not at the upstream timeout.
  EXPECT_LT(got.seconds, 0.9);
  EXPECT_LT(posted.seconds, 0.9);
}

}  // namespace
}  // namespace sessim
