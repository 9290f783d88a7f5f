#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "balancer/strategy.h"
#include "balancer/upstream_state.h"
#include "net/event_loops.h"

namespace sessim {

// What the event-driven engine needs from the balancer that owns it: the
// upstream snapshot, the strategy, and where to report health changes and
// access-log lines. The forwarding rules are balancer/forwarding.h's.
// The upstreams as one request sees them, taken together under one lock so
// that both lists have the same length and order.
struct UpstreamSnapshot {
  std::shared_ptr<const std::vector<std::shared_ptr<UpstreamState>>> pools;
  std::shared_ptr<const std::vector<Upstream>> list;  // the pools' upstreams
};

struct ProxyContext {
  std::function<UpstreamSnapshot()> upstreams;
  BalancingStrategy* strategy = nullptr;
  std::function<void(const Upstream&, const std::optional<std::string>&)> note;
  std::function<void(const std::string&)> log;
  // Whether anyone reads the log; no line is formatted otherwise.
  const std::atomic<bool>* logging = nullptr;
  std::size_t max_idle_per_upstream = 16;  // over all loops together
  std::size_t max_body_bytes = 1 << 20;
  std::chrono::milliseconds upstream_timeout{10'000};  // BalancerConfig::upstream_timeout
};

// The balancer's proxy on Boost.Asio with Beast's HTTP/1.1 parser and
// serializer, as nginx runs it: one event loop per thread, non-blocking
// keep-alive connections on both sides, an idle upstream connection pool per
// loop (capped per upstream over all loops), a slow or idle client costing
// a socket and a timer, never a thread. The rules are balancer/forwarding.h's
// and the strategies': passive health, next upstream after a refused
// connection (any method) or a broken exchange (idempotent methods only),
// 502 naming each failure.
//
// Threads: runs on the given loops (net/http_server.h); serve() blocks the
// caller until stop() (any thread).
class EventProxy {
 public:
  EventProxy(ProxyContext context, EventLoops& loops);
  ~EventProxy();
  EventProxy(const EventProxy&) = delete;
  EventProxy& operator=(const EventProxy&) = delete;

  // Throws EnvironmentError when host:port cannot be bound.
  int bind(const std::string& host, int port);
  void serve();
  bool serving() const;
  void stop();
  // Closes the idle pooled connections to one upstream, on every loop.
  void drop_idle(const std::string& upstream_name);

  // Defined in the .cpp, where the connection classes use it.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sessim
