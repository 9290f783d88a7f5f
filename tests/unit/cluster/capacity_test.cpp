#include "cluster/capacity.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace sessim {
namespace {

TEST(Capacity, InProcessNodesCostFarLessThanProcesses) {
  ClusterConfig inproc;
  inproc.nodes = 1000;
  ClusterConfig process = inproc;
  process.mode = NodeMode::process;
  EXPECT_LT(capacity_needed(inproc).memory_kib * 10, capacity_needed(process).memory_kib);
  EXPECT_GT(capacity_needed(inproc).descriptors, 1000);
}

// The balancer's connections are opened on demand and capped per node over
// all loops, so the estimate does not follow the core count: 1,000 nodes fit
// in 8,192 descriptors and 4,096 in 20,000 on any machine.
TEST(Capacity, DescriptorsPerNodeDoNotDependOnTheCores) {
  ClusterConfig thousand;
  thousand.nodes = 1000;
  const auto need = capacity_needed(thousand).descriptors;
  EXPECT_LE(need, 8192);
  ClusterConfig most = thousand;
  most.nodes = kMaxNodes;
  EXPECT_LE(capacity_needed(most).descriptors, 20000);
  // What a node costs: its listening socket and one kept connection (both ends).
  ClusterConfig one_more = thousand;
  one_more.nodes = 1001;
  EXPECT_EQ(capacity_needed(one_more).descriptors - need, 3);
  ClusterConfig with_redis = thousand;
  with_redis.store = StoreKind::redis;
  EXPECT_EQ(capacity_needed(with_redis).descriptors - need, 1000);
}

TEST(Capacity, ATargetRunNeedsNoNodeDescriptors) {
  ClusterConfig target;
  target.nodes = 1000;
  target.node_kind = NodeKind::external;
  target.target_url = "http://127.0.0.1:8080";
  ClusterConfig two = target;
  two.nodes = 2;
  EXPECT_EQ(capacity_needed(target).descriptors, capacity_needed(two).descriptors);
}

TEST(Capacity, SaysWhatIsShortAndWhatToDo) {
  const CapacityNeed need{5000, 300 * 1024};
  try {
    check_capacity(need, CapacityOffer{1024, 0}, 1000);
    FAIL() << "no error";
  } catch (const EnvironmentError& error) {
    EXPECT_STREQ(error.what(),
                 "1000 nodes need about 5000 open files, but this process may open 1024 "
                 "(ulimit -n); raise the limit (ulimit -n 5000) or ask for fewer nodes");
  }
  try {
    check_capacity(need, CapacityOffer{10000, 200 * 1024}, 1000);
    FAIL() << "no error";
  } catch (const EnvironmentError& error) {
    EXPECT_NE(std::string(error.what()).find("need about 300 MiB of memory, but 200 MiB"),
              std::string::npos)
        << error.what();
  }
  EXPECT_NO_THROW(check_capacity(need, CapacityOffer{10000, 400 * 1024}, 1000));
}

}  // namespace
}  // namespace sessim
