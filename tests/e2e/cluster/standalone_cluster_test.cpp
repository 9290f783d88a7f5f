// `sessim node` and `sessim balance` as separate processes, wired by hand as a
// user would put nodes behind their own reverse proxy: the story must come out
// exactly as it does inside `sessim run`.
#include <gtest/gtest.h>

#include "cluster/node_instance.h"
#include "support/test_support.h"
#include "sys/child_process.h"

namespace sessim {
namespace {

using testing::StandaloneCluster;

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
