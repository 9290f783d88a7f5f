#include "load/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace sessim {

TEST(LatencyHistogram, PercentilesAreWithinOnePercentOfTheExactOnes) {
  std::mt19937_64 random(42);
  std::lognormal_distribution<double> latency(7.0, 1.2);  // ~1 ms median, long tail
  std::vector<std::int64_t> samples;
  LatencyHistogram histogram;
  for (int i = 0; i < 100'000; ++i) {
    const auto value = static_cast<std::int64_t>(latency(random)) + 1;
    samples.push_back(value);
    histogram.record(value);
  }
  std::sort(samples.begin(), samples.end());
  for (const double fraction : {0.5, 0.9, 0.99, 0.999}) {
    const auto exact = samples[static_cast<std::size_t>(fraction * samples.size()) - 1];
    const auto estimate = histogram.percentile(fraction);
    EXPECT_NEAR(static_cast<double>(estimate), static_cast<double>(exact), exact * 0.01 + 1)
        << fraction;
  }
  EXPECT_EQ(histogram.max(), samples.back());
  EXPECT_EQ(histogram.count(), 100'000);
}

TEST(LatencyHistogram, SmallValuesAreExactAndMergingAddsUp) {
  LatencyHistogram a, b;
  for (int i = 1; i <= 100; ++i) a.record(i);
  for (int i = 101; i <= 200; ++i) b.record(i);
  EXPECT_EQ(a.percentile(0.5), 50);
  a.merge(b);
  EXPECT_EQ(a.count(), 200);
  EXPECT_EQ(a.max(), 200);
  EXPECT_NEAR(a.percentile(0.99), 198, 2);
}

TEST(LatencyHistogram, EmptyIsZero) { EXPECT_EQ(LatencyHistogram().percentile(0.99), 0); }

}  // namespace sessim
