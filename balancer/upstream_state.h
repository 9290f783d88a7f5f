#pragma once

#include <atomic>

#include "balancer/upstream.h"
#include "balancer/upstream_health.h"

namespace sessim {

// What every event loop of the balancer shares about one upstream: its
// health and its requests in flight (for least-conn). The idle connections
// to it are each loop's own (balancer/event_proxy.cpp). Thread-safe.
class UpstreamState {
 public:
  UpstreamState(Upstream upstream, const HealthPolicy& policy)
      : health(policy), upstream_(std::move(upstream)) {}

  const Upstream& upstream() const { return upstream_; }

  UpstreamHealth health;
  std::atomic<int> in_flight{0};

 private:
  Upstream upstream_;
};

}  // namespace sessim
