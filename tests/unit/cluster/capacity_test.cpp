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

TEST(Capacity, ATargetRunNeedsNoNodeDescriptors) {
  ClusterConfig target;
  target.nodes = 1000;
  target.node_kind = NodeKind::external;
  target.target_url = "http://127.0.0.1:8080";
  EXPECT_LT(capacity_needed(target).descriptors, 100);
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
