#include "balancer/upstream_pool.h"

#include <httplib.h>

#include "net/http_tuning.h"

namespace sessim {

UpstreamPool::UpstreamPool(Upstream upstream, std::size_t max_idle, const HealthPolicy& policy,
                           ClientTuning tuning)
    : health(policy), upstream_(std::move(upstream)), max_idle_(max_idle), tuning_(tuning) {}

UpstreamPool::~UpstreamPool() = default;

std::unique_ptr<httplib::Client> UpstreamPool::acquire() {
  {
    const std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto client = std::move(idle_.back());
      idle_.pop_back();
      return client;
    }
  }
  auto client = std::make_unique<httplib::Client>(upstream_.host, upstream_.port);
  tune_client(*client, tuning_);
  return client;
}

void UpstreamPool::release(std::unique_ptr<httplib::Client> client) {
  const std::lock_guard lock(mutex_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(client));
}

void UpstreamPool::drop_idle() {
  const std::lock_guard lock(mutex_);
  idle_.clear();
}

}  // namespace sessim
