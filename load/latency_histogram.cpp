#include "load/latency_histogram.h"

#include <algorithm>
#include <bit>

namespace sessim {

// Values below 128 get a bucket each; above, the value's highest bit picks
// the magnitude and the next 7 bits the sub-bucket.
std::size_t LatencyHistogram::bucket_of(std::int64_t value) {
  const auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(value, 0));
  if (v < kSubBuckets) return static_cast<std::size_t>(v);
  const int magnitude = std::bit_width(v) - 7;  // >= 1
  const auto sub = static_cast<std::size_t>((v >> (magnitude - 1)) - kSubBuckets);
  const auto index = static_cast<std::size_t>(magnitude) * kSubBuckets + sub;
  return std::min(index, static_cast<std::size_t>(kSubBuckets * kMagnitudes - 1));
}

std::int64_t LatencyHistogram::upper_bound_of(std::size_t bucket) {
  if (bucket < kSubBuckets) return static_cast<std::int64_t>(bucket);
  const auto magnitude = bucket / kSubBuckets;
  const auto sub = bucket % kSubBuckets;
  const auto low = static_cast<std::int64_t>((kSubBuckets + sub) << (magnitude - 1));
  return low + (std::int64_t{1} << (magnitude - 1)) - 1;
}

void LatencyHistogram::record(std::int64_t microseconds) {
  ++counts_[bucket_of(microseconds)];
  ++count_;
  max_ = std::max(max_, microseconds);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

std::int64_t LatencyHistogram::percentile(double fraction) const {
  if (count_ == 0) return 0;
  const auto wanted = static_cast<std::int64_t>(fraction * static_cast<double>(count_) + 0.5);
  std::int64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= std::max<std::int64_t>(wanted, 1)) return std::min(upper_bound_of(i), max_);
  }
  return max_;
}

}  // namespace sessim
