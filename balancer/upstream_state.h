#pragma once

#include <atomic>
#include <memory>

#include "balancer/upstream.h"
#include "balancer/upstream_health.h"

namespace sessim {

// The proxy's idle keep-alive connections to one upstream, over all its
// event loops (defined in balancer/event_proxy.cpp).
class IdleConnections;
std::shared_ptr<IdleConnections> make_idle_connections();

// What every event loop of the balancer shares about one upstream: its
// health, its requests in flight (for least-conn) and the idle connections
// to it. Thread-safe.
class UpstreamState {
 public:
  UpstreamState(Upstream upstream, const HealthPolicy& policy)
      : health(policy), upstream_(std::move(upstream)) {}

  const Upstream& upstream() const { return upstream_; }

  UpstreamHealth health;
  std::atomic<int> in_flight{0};
  const std::shared_ptr<IdleConnections> idle = make_idle_connections();

 private:
  Upstream upstream_;
};

}  // namespace sessim
