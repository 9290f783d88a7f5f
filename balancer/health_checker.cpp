#include "balancer/health_checker.h"

#include <chrono>

#include "common/clock.h"
#include "net/http_client.h"
#include "net/loopback.h"

namespace sessim {

HealthChecker::HealthChecker(std::int64_t interval_ms, std::string path, Upstreams upstreams,
                             OnChange on_change)
    : interval_ms_(interval_ms),
      path_(std::move(path)),
      upstreams_(std::move(upstreams)),
      on_change_(std::move(on_change)),
      thread_([this] { run(); }) {}

HealthChecker::~HealthChecker() { stop(); }

void HealthChecker::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool HealthChecker::probe(const Upstream& upstream) const {
  if (path_.empty()) return tcp_port_accepts(upstream.host, upstream.port);
  return http_get_succeeds(upstream.host, upstream.port, path_);
}

void HealthChecker::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    for (const auto& pool : upstreams_()) {
      const auto change = pool->health.record_probe(steady_now_ms(), probe(pool->upstream()));
      if (change) on_change_(pool->upstream(), *change);
    }
    lock.lock();
    wakeup_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
  }
}

}  // namespace sessim
