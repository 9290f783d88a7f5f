#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "balancer/balancer.h"
#include "balancer/strategy_factory.h"
#include "balancer/upstream.h"
#include "balancer/upstream_health.h"
#include "vocab/front_kind.h"
#include "vocab/strategy_kind.h"

// What stands in front of a cluster's nodes and takes the browsers'
// requests: sessim's own balancer, or a real nginx or HAProxy that sessim
// configures from the same strategy (front/server_config.h), runs on
// loopback with its own directory, and reloads when a node is added. Either
// names the node that answered in X-Sessim-Upstream.
namespace sessim {

struct FrontPlan {
  FrontKind kind = FrontKind::builtin;
  BalancerConfig balancer;  // the upstreams, port, health and timeouts
  StrategyOptions strategy;
  std::string directory;  // nginx/HAProxy: where their configuration, pid and logs go
};

class Front {
 public:
  virtual ~Front() = default;
  virtual int port() const = 0;
  // "round-robin" for sessim's balancer, "nginx (ip_hash)" for a server.
  virtual std::string description() const = 0;
  // Returns once the front sends requests to it too.
  virtual void add_upstream(const Upstream& upstream) = 0;
  // Before a node is stopped: idle kept connections to it are closed (the
  // built-in balancer's; a server closes its own when the node goes).
  virtual void drop_idle_connections(const std::string&) {}
  virtual void set_access_log(std::function<void(const std::string&)>) {}
  // Up/down changes the front saw (the built-in balancer's; none known for
  // a server).
  virtual std::vector<HealthEvent> health_events() const { return {}; }
  // Idempotent.
  virtual void stop() = 0;
};

// Starts the front and returns once it answers. UsageError where the
// strategy has no equivalent in the chosen server; EnvironmentError when the
// server is not installed or does not start.
std::unique_ptr<Front> start_front(FrontPlan plan);

}  // namespace sessim
