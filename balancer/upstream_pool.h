#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "balancer/upstream.h"
#include "balancer/upstream_health.h"
#include "net/http_tuning.h"

namespace httplib {
class Client;
}

namespace sessim {

// One upstream as the balancer uses it, like nginx's upstream keepalive
// module: its idle keep-alive connections (a connection is borrowed for one
// exchange at a time, because an httplib::Client serialises its requests),
// its health, and its requests in flight (for least-conn). Thread-safe.
class UpstreamPool {
 public:
  UpstreamPool(Upstream upstream, std::size_t max_idle, const HealthPolicy& policy,
               ClientTuning tuning = {});
  ~UpstreamPool();

  // An idle connection, or a new one.
  std::unique_ptr<httplib::Client> acquire();
  // Back to the idle list after a whole exchange (dropped beyond max_idle).
  void release(std::unique_ptr<httplib::Client> client);
  // Closes the idle connections, so that a server being stopped is not kept
  // waiting for them to time out.
  void drop_idle();

  const Upstream& upstream() const { return upstream_; }

  UpstreamHealth health;
  std::atomic<int> in_flight{0};

 private:
  Upstream upstream_;
  std::size_t max_idle_;
  ClientTuning tuning_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
};

}  // namespace sessim
