// `sessim node` and `sessim balance` as separate processes, wired by hand as a
// user would put nodes behind their own reverse proxy: the story must come out
// exactly as it does inside `sessim run`.
#include <gtest/gtest.h>

#include "cluster/child_process.h"
#include "cluster/node_instance.h"
#include "support/test_support.h"

namespace sessim {
namespace {

class StandaloneCluster {
 public:
  explicit StandaloneCluster(StoreKind store) {
    if (store == StoreKind::redis) redis_ = std::make_unique<testing::TestRedis>();
    std::vector<std::string> balance_args{"balance", "--port", "0"};
    nodes_ = testing::start_process_nodes(2, store, redis_ ? redis_->url() : "", logs_);
    for (const auto& node : nodes_) {
      balance_args.push_back("--upstream");
      balance_args.push_back(node->name() + "=" + node->url());
    }
    ChildSpec spec{SESSIM_BINARY, balance_args, logs_.file("balancer.log"), true, {}};
    balancer_ = std::make_unique<ChildProcess>(spec);
    const auto line = balancer_->read_line(std::chrono::seconds(10));
    if (!line) throw std::runtime_error("balancer did not start: " + last_log_line(spec.log_path));
    const auto colon = line->find(':', line->find("http://") + 7);
    port_ = std::stoi(line->substr(colon + 1));
  }
  int balancer_port() const { return port_; }

 private:
  RunDirectory logs_;
  std::unique_ptr<testing::TestRedis> redis_;
  std::vector<std::unique_ptr<NodeInstance>> nodes_;
  std::unique_ptr<ChildProcess> balancer_;
  int port_ = 0;
};

TEST(StandaloneCluster, LocalStoreLosesTheSessionBehindTheStandaloneBalancer) {
  StandaloneCluster cluster(StoreKind::local);
  const auto result = testing::send_reference_story("127.0.0.1", cluster.balancer_port(), 4);
  EXPECT_EQ(result.reads_ok(), 0);
  EXPECT_EQ(result.requests[1].node, "node-2");
  EXPECT_EQ(result.requests[1].session, SessionEffect::replaced);
  EXPECT_NE(result.requests[1].session_id_set, result.requests[0].session_id_set);
}

TEST(StandaloneCluster, RedisStoreKeepsTheSessionBehindTheStandaloneBalancer) {
  StandaloneCluster cluster(StoreKind::redis);
  const auto result = testing::send_reference_story("127.0.0.1", cluster.balancer_port(), 4);
  EXPECT_EQ(result.reads_ok(), 4);
  EXPECT_EQ(result.requests[2].node, "node-1");
  EXPECT_EQ(result.requests[4].session_id_sent, result.requests[0].session_id_set);
}

}  // namespace
}  // namespace sessim
