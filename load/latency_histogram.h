#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace sessim {

// Latencies in microseconds, in log-linear buckets (HdrHistogram's idea):
// each power of two is cut into 128 equal buckets, so a reported percentile
// is within 1/128 (< 0.8 %) of the true value, from 1 µs to over an hour, in
// a fixed 4 KiB-ish table instead of a sorted vector of every sample.
class LatencyHistogram {
 public:
  void record(std::int64_t microseconds);
  void merge(const LatencyHistogram& other);

  std::int64_t count() const { return count_; }
  std::int64_t max() const { return max_; }
  // The smallest recorded bucket's upper bound with at least `fraction` of
  // the samples at or below it (0 < fraction <= 1); 0 when empty.
  std::int64_t percentile(double fraction) const;

 private:
  static constexpr int kSubBuckets = 128;  // per power of two
  static constexpr int kMagnitudes = 33;   // 2^32 µs ≈ 71 minutes
  static std::size_t bucket_of(std::int64_t value);
  static std::int64_t upper_bound_of(std::size_t bucket);

  std::array<std::int64_t, kSubBuckets * kMagnitudes> counts_{};
  std::int64_t count_ = 0;
  std::int64_t max_ = 0;
};

}  // namespace sessim
