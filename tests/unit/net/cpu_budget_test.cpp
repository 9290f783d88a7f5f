// The event loops follow the CPUs a process may use, not the machine's cores.
#include "net/cpu_budget.h"

#include <gtest/gtest.h>

#include <thread>

namespace sessim {
namespace {

TEST(CpuBudget, TheAffinityMaskCountsWhenThereIsNoQuota) {
  EXPECT_EQ(usable_cpus(4, std::nullopt), 4);  // taskset -c 8-11 on a 16-core machine
  EXPECT_EQ(usable_cpus(16, std::nullopt), 16);
  EXPECT_EQ(usable_cpus(0, std::nullopt), 1);
}

TEST(CpuBudget, AQuotaCapsTheCountRoundedUp) {
  EXPECT_EQ(usable_cpus(16, CpuQuota{400'000, 100'000}), 4);  // docker --cpus 4
  EXPECT_EQ(usable_cpus(16, CpuQuota{150'000, 100'000}), 2);  // --cpus 1.5: two loops
  EXPECT_EQ(usable_cpus(16, CpuQuota{50'000, 100'000}), 1);   // half a CPU: one loop
  EXPECT_EQ(usable_cpus(2, CpuQuota{800'000, 100'000}), 2);   // the mask is smaller
}

TEST(CpuBudget, ReadsCgroupV2CpuMax) {
  const auto two = parse_cpu_max("200000 100000\n");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->quota_us, 200'000);
  EXPECT_EQ(two->period_us, 100'000);
  EXPECT_FALSE(parse_cpu_max("max 100000"));
  EXPECT_FALSE(parse_cpu_max(""));
  EXPECT_FALSE(parse_cpu_max("200000"));
  EXPECT_FALSE(parse_cpu_max("-5 100000"));
}

TEST(CpuBudget, ReadsCgroupV1CfsQuota) {
  const auto three = parse_cfs_quota("300000", "100000");
  ASSERT_TRUE(three);
  EXPECT_EQ(usable_cpus(8, three), 3);
  EXPECT_FALSE(parse_cfs_quota("-1", "100000"));
  EXPECT_FALSE(parse_cfs_quota("", ""));
}

// On this machine: never more than the cores, never fewer than one.
TEST(CpuBudget, ThisProcessHasAtLeastOneAndAtMostTheCores) {
  const int cpus = available_cpus();
  EXPECT_GE(cpus, 1);
  EXPECT_LE(cpus, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace sessim
