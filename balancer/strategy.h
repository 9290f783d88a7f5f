#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sessim {

// What a strategy may look at to route one request. Later strategies (ip-hash,
// cookie and header hashing) read the client address and headers.
struct RoutingRequest {
  std::string client_address;
  // Returns the named request header, or "" when absent.
  std::function<std::string(std::string_view)> header;
};

// Chooses the upstream for each request. Kept apart from the proxy so that a
// new strategy is one new class: the proxy only asks "which one next?".
// Implementations are called concurrently from the balancer's workers.
class BalancingStrategy {
 public:
  virtual ~BalancingStrategy() = default;

  virtual std::string name() const = 0;

  // An index into the upstream list with eligible[index] true, or nullopt when
  // none is eligible. Upstreams already tried for this request are ineligible.
  virtual std::optional<std::size_t> pick(const RoutingRequest& request,
                                          const std::vector<bool>& eligible) = 0;
};

}  // namespace sessim
