#include "balancer/upstream_health.h"

#include <gtest/gtest.h>

namespace sessim {

TEST(UpstreamHealthPassive, OneFailureTakesItOutForFailTimeout) {
  UpstreamHealth health(HealthPolicy{});
  EXPECT_TRUE(health.available(0));
  EXPECT_TRUE(health.record_failure(1000, "Connection"));
  EXPECT_FALSE(health.available(1001));
  EXPECT_FALSE(health.available(10'999));
  EXPECT_TRUE(health.available(11'000));
  EXPECT_TRUE(health.record_success(11'000));
}

TEST(UpstreamHealthPassive, MaxFailsCountsWithinTheWindow) {
  HealthPolicy policy;
  policy.max_fails = 3;
  UpstreamHealth health(policy);
  EXPECT_FALSE(health.record_failure(0, "x"));
  EXPECT_FALSE(health.record_failure(20'000, "x"));  // the first one is outside the window
  EXPECT_FALSE(health.record_failure(21'000, "x"));
  EXPECT_TRUE(health.available(21'000));
  EXPECT_TRUE(health.record_failure(22'000, "x"));
  EXPECT_FALSE(health.available(22'001));
}

TEST(UpstreamHealthActive, FallAndRiseCountsDecide) {
  HealthPolicy policy;
  policy.check_interval_ms = 100;
  UpstreamHealth health(policy);
  EXPECT_FALSE(health.record_probe(0, false));
  EXPECT_FALSE(health.record_probe(1, false));
  EXPECT_TRUE(health.record_probe(2, false));  // fall = 3
  EXPECT_FALSE(health.available(3));
  EXPECT_FALSE(health.record_probe(4, true));
  EXPECT_TRUE(health.record_probe(5, true));  // rise = 2
  EXPECT_TRUE(health.available(6));
}

}  // namespace sessim
