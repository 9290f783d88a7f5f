// Two `sessim node` processes behind a real nginx (round-robin upstream, as in
// the reference setup) must tell the same story as behind sessim's balancer.
// Skipped when nginx is not installed (CI installs it).
#include <gtest/gtest.h>

#include "cluster/node_instance.h"
#include "net/loopback.h"
#include "support/nginx.h"
#include "support/test_support.h"
#include "sys/child_process.h"

namespace sessim {
namespace {

using testing::nginx_program;

class NginxCluster {
 public:
  NginxCluster(const std::string& nginx, StoreKind store) {
    if (store == StoreKind::redis) redis_ = std::make_unique<testing::TestRedis>();
    nodes_ = testing::start_process_nodes(2, store, redis_ ? redis_->url() : "", dir_);
    std::vector<int> ports;
    for (const auto& node : nodes_) ports.push_back(node->port());
    front_ = std::make_unique<testing::NginxFront>(nginx, ports);
  }
  int port() const { return front_->port(); }

 private:
  RunDirectory dir_;
  std::unique_ptr<testing::TestRedis> redis_;
  std::vector<std::unique_ptr<NodeInstance>> nodes_;
  std::unique_ptr<testing::NginxFront> front_;
};

TEST(ReverseProxy, NginxRoundRobinLosesLocalSessionsLikeTheBuiltInBalancer) {
  const auto nginx = nginx_program();
  if (!nginx) {
    SKIP_FOR_MISSING("nginx is not installed");
  }
  NginxCluster cluster(*nginx, StoreKind::local);
  const auto result = testing::send_reference_story("127.0.0.1", cluster.port(), 4);
  EXPECT_EQ(result.reads_ok(), 0);
  EXPECT_EQ(result.requests[1].session, SessionEffect::replaced);
  EXPECT_NE(result.requests[1].node, result.requests[0].node);
}

TEST(ReverseProxy, NginxRoundRobinKeepsRedisSessions) {
  const auto nginx = nginx_program();
  if (!nginx) {
    SKIP_FOR_MISSING("nginx is not installed");
  }
  NginxCluster cluster(*nginx, StoreKind::redis);
  const auto result = testing::send_reference_story("127.0.0.1", cluster.port(), 4);
  EXPECT_EQ(result.reads_ok(), 4);
  std::set<std::string> nodes;
  for (const auto& record : result.requests) nodes.insert(record.node);
  EXPECT_EQ(nodes.size(), 2u);
}

}  // namespace
}  // namespace sessim
