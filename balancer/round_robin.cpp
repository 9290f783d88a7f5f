#include "balancer/round_robin.h"

namespace sessim {

std::optional<std::size_t> RoundRobinStrategy::pick(const RoutingRequest&,
                                                    const std::vector<bool>& eligible) {
  const std::size_t count = eligible.size();
  if (count == 0) return std::nullopt;
  const std::size_t start = next_.fetch_add(1, std::memory_order_relaxed);
  for (std::size_t offset = 0; offset < count; ++offset) {
    const std::size_t index = (start + offset) % count;
    if (eligible[index]) return index;
  }
  return std::nullopt;
}

}  // namespace sessim
