#include "balancer/upstream_health.h"

#include <fmt/format.h>

#include "common/text.h"

namespace sessim {

bool UpstreamHealth::available(std::int64_t now_ms) const {
  if (clean_.load(std::memory_order_acquire)) return true;
  const std::lock_guard lock(mutex_);
  return !probe_down_ && now_ms >= down_until_ms_;
}

std::optional<std::string> UpstreamHealth::record_failure(std::int64_t now_ms,
                                                          const std::string& reason) {
  const std::lock_guard lock(mutex_);
  clean_.store(false, std::memory_order_release);
  if (fails_ == 0 || now_ms - first_fail_ms_ > policy_.fail_timeout_ms) {
    fails_ = 0;
    first_fail_ms_ = now_ms;
  }
  if (++fails_ < policy_.max_fails || now_ms < down_until_ms_) return std::nullopt;
  fails_ = 0;
  down_until_ms_ = now_ms + policy_.fail_timeout_ms;
  reported_down_ = true;
  return fmt::format("down for {:g} s after {} ({})", policy_.fail_timeout_ms / 1000.0,
                     count_of(policy_.max_fails, "failed attempt"), reason);
}

std::optional<std::string> UpstreamHealth::record_success(std::int64_t now_ms) {
  // The common case, on every forwarded request of every loop: nothing to
  // record, and no lock taken.
  if (clean_.load(std::memory_order_acquire)) return std::nullopt;
  const std::lock_guard lock(mutex_);
  fails_ = 0;
  std::optional<std::string> change;
  if (reported_down_ && !probe_down_) {
    reported_down_ = false;
    change = "up: answered again";
  }
  clean_.store(!reported_down_ && !probe_down_ && now_ms >= down_until_ms_,
               std::memory_order_release);
  return change;
}

std::optional<std::string> UpstreamHealth::record_probe(std::int64_t now_ms, bool healthy) {
  const std::lock_guard lock(mutex_);
  const bool against_state = healthy == probe_down_;
  probe_streak_ = against_state ? probe_streak_ + 1 : 0;
  if (!probe_down_ && probe_streak_ >= policy_.fall) {
    clean_.store(false, std::memory_order_release);
    probe_down_ = true;
    probe_streak_ = 0;
    reported_down_ = true;
    return fmt::format("down: {} failed health checks in a row", policy_.fall);
  }
  if (probe_down_ && probe_streak_ >= policy_.rise) {
    probe_down_ = false;
    probe_streak_ = 0;
    down_until_ms_ = std::min(down_until_ms_, now_ms);
    reported_down_ = false;
    return fmt::format("up: {} passed health checks in a row", policy_.rise);
  }
  return std::nullopt;
}

}  // namespace sessim
