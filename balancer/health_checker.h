#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "balancer/upstream_state.h"

namespace sessim {

// Active health checks, like HAProxy's `check inter`: every interval, each
// upstream is probed (GET path, 2xx wanted; or a TCP connect when the path
// is "") and the result recorded in its health; `on_change` hears about the
// changes that follow. Owns its thread: started by the constructor, woken
// and joined by stop() or the destructor.
class HealthChecker {
 public:
  using Upstreams = std::function<std::vector<std::shared_ptr<UpstreamState>>()>;
  using OnChange = std::function<void(const Upstream&, const std::string& change)>;

  HealthChecker(std::int64_t interval_ms, std::string path, Upstreams upstreams,
                OnChange on_change);
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  void stop();

 private:
  bool probe(const Upstream& upstream) const;
  void run();

  std::int64_t interval_ms_;
  std::string path_;
  Upstreams upstreams_;
  OnChange on_change_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sessim
