#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "balancer/upstream.h"
#include "vocab/strategy_kind.h"

namespace sessim {

// What a strategy may look at to route one request.
struct RoutingRequest {
  std::string client_address;
  // The named request header or cookie, or "" when absent.
  std::function<std::string(std::string_view)> header;
  std::function<std::string(std::string_view)> cookie;
};

// The upstreams as the proxy sees them for one request.
struct RoutingState {
  const std::vector<Upstream>& upstreams;
  // Up (per health checks) and not yet tried for this request.
  std::vector<bool> eligible;
  // Requests each upstream is serving right now.
  std::vector<int> in_flight;
};

struct Pick {
  std::size_t index = 0;
  // A Set-Cookie header for the response (cookie stickiness), "" for none.
  std::string set_cookie;
};

// Chooses the upstream for each request. Kept apart from the proxy so that a
// new strategy is one new class: the proxy only asks "which one next?".
// Implementations are called concurrently from the balancer's event loops
// and must cope with the upstream list growing (a node joining).
class BalancingStrategy {
 public:
  virtual ~BalancingStrategy() = default;

  virtual StrategyKind kind() const = 0;

  // One of the eligible upstreams, or nullopt when none is eligible.
  virtual std::optional<Pick> pick(const RoutingRequest& request, const RoutingState& state) = 0;

  // The strategy's own cookie, removed from requests before they go upstream
  // (HAProxy's "indirect"); "" for none.
  virtual std::string own_cookie() const { return ""; }
};

}  // namespace sessim
