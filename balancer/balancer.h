#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "balancer/event_proxy.h"
#include "balancer/strategy.h"
#include "balancer/upstream.h"
#include "balancer/upstream_health.h"

namespace sessim {

// Idle connections per upstream in front of sessim's own nodes, on which an
// idle connection costs a socket, not a worker.
inline constexpr std::size_t kKeepAliveForOwnNodes = 256;

struct BalancerConfig {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port; see Balancer::port()
  std::vector<Upstream> upstreams;
  // Idle keep-alive connections kept per upstream, over all event loops
  // together (nginx's `keepalive` counts per worker: here the descriptors a
  // node costs do not grow with the cores). Beyond it, every concurrent request
  // opens and closes a connection; but for apps with a thread per
  // connection each idle one may hold a worker, so the default stays below
  // their worker counts. Sessim's own event-driven nodes get kKeepAliveForOwnNodes.
  std::size_t max_idle_connections_per_upstream = 16;
  HealthPolicy health;
  // Active checks GET this path and want 2xx; "": a TCP connect is enough.
  std::string health_path = "/healthz";
  // How long an upstream may take to answer once the request is sent
  // (nginx's proxy_read_timeout): past it the request is a 502, or goes to
  // the next upstream when its method is idempotent.
  std::chrono::milliseconds upstream_timeout{10'000};
};

// A reverse proxy in the manner of nginx's proxy_pass with an upstream block:
// HTTP/1.1 keep-alive connections to upstreams, pooled; method, target,
// headers and body forwarded both ways (Cookie and Set-Cookie untouched);
// hop-by-hop headers dropped; X-Forwarded-For/-Proto added; a connection
// failure moves on to the next upstream the strategy picks; 502 when none
// answers. The strategy decides where each request goes; this class only
// carries it there.
//
// Threads: requests run on the shared event loops (net/event_loops.h);
// serve() blocks its caller until stop(), from any thread. The
// destructor stops.
class Balancer {
 public:
  Balancer(BalancerConfig config, std::unique_ptr<BalancingStrategy> strategy);
  ~Balancer();
  Balancer(const Balancer&) = delete;
  Balancer& operator=(const Balancer&) = delete;

  // Throws EnvironmentError when the address cannot be bound.
  int bind();
  void serve();
  // Blocks until serve(), started on another thread, is accepting; stop()
  // before that point would be lost. Throws EnvironmentError after 10 s.
  void wait_until_serving() const;
  void stop();

  int port() const;
  const BalancerConfig& config() const;

  // Adds an upstream at the end of the list (a node joining the cluster).
  void add_upstream(const Upstream& upstream);
  // Closes idle pooled connections to the named upstream; call before
  // stopping that server so it does not wait for them to time out.
  void drop_idle_connections(const std::string& upstream_name);
  // Called (from the workers, at once) with a line per forwarded request and
  // per availability change; empty: no access log.
  void set_access_log(std::function<void(const std::string&)> sink);
  // Every availability change so far, oldest first.
  std::vector<HealthEvent> health_events() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<EventProxy> proxy_;  // moves the bytes; this class holds the rules' state
};

// "NAME=http://host:port" or "http://host:port"; throws UsageError.
Upstream parse_named_upstream(const std::string& spec);

}  // namespace sessim
