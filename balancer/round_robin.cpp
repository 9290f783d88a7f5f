#include "balancer/round_robin.h"

#include <limits>

namespace sessim {

std::optional<std::size_t> RoundRobinStrategy::next(const std::vector<bool>& eligible) {
  const std::size_t count = eligible.size();
  if (count == 0) return std::nullopt;
  const std::size_t start = next_.fetch_add(1, std::memory_order_relaxed);
  for (std::size_t offset = 0; offset < count; ++offset) {
    const std::size_t index = (start + offset) % count;
    if (eligible[index]) return index;
  }
  return std::nullopt;
}

std::optional<Pick> RoundRobinStrategy::pick(const RoutingRequest&, const RoutingState& state) {
  if (auto index = next(state.eligible)) return Pick{*index, ""};
  return std::nullopt;
}

std::optional<Pick> WeightedRoundRobinStrategy::pick(const RoutingRequest&,
                                                     const RoutingState& state) {
  const std::lock_guard lock(mutex_);
  current_.resize(state.upstreams.size(), 0);
  long total = 0;
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < state.upstreams.size(); ++i) {
    if (!state.eligible[i]) continue;
    const long weight = std::max(1, state.upstreams[i].weight);
    current_[i] += weight;
    total += weight;
    if (!best || current_[i] > current_[*best]) best = i;
  }
  if (!best) return std::nullopt;
  current_[*best] -= total;
  return Pick{*best, ""};
}

std::optional<Pick> LeastConnectionsStrategy::pick(const RoutingRequest&,
                                                   const RoutingState& state) {
  const std::size_t count = state.upstreams.size();
  const std::size_t start = next_.fetch_add(1, std::memory_order_relaxed);
  std::optional<std::size_t> best;
  double best_load = std::numeric_limits<double>::max();
  for (std::size_t offset = 0; offset < count; ++offset) {
    const std::size_t i = (start + offset) % count;
    if (!state.eligible[i]) continue;
    const double load =
        static_cast<double>(state.in_flight[i]) / std::max(1, state.upstreams[i].weight);
    if (load < best_load) {
      best = i;
      best_load = load;
    }
  }
  if (!best) return std::nullopt;
  return Pick{*best, ""};
}

std::optional<Pick> RandomStrategy::pick(const RoutingRequest&, const RoutingState& state) {
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < state.eligible.size(); ++i) {
    if (state.eligible[i]) candidates.push_back(i);
  }
  if (candidates.empty()) return std::nullopt;
  const std::lock_guard lock(mutex_);
  // splitmix64: small, seedable, good enough to spread requests.
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return Pick{candidates[z % candidates.size()], ""};
}

}  // namespace sessim
