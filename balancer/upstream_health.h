#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace sessim {

// When the balancer stops sending requests to an upstream, and when it
// starts again.
struct HealthPolicy {
  // Passive, like nginx's max_fails/fail_timeout: max_fails failed attempts
  // within fail_timeout take the upstream out for fail_timeout.
  int max_fails = 1;
  std::int64_t fail_timeout_ms = 10'000;
  // Active, like HAProxy's check inter/rise/fall: GET /healthz every
  // interval; `fall` failures in a row take it out, `rise` successes bring it
  // back. 0 turns active checks off.
  std::int64_t check_interval_ms = 0;
  int rise = 2;
  int fall = 3;
};

// A change in an upstream's availability, as the balancer saw it.
struct HealthEvent {
  std::int64_t at_ms = 0;  // steady clock
  std::string upstream;
  std::string what;  // "down for 10 s after 1 failed attempt (connection refused)", "up: ..."
};

// The health of one upstream, from both kinds of evidence. Thread-safe; times
// are steady-clock milliseconds passed in, so that tests need no sleeping.
class UpstreamHealth {
 public:
  explicit UpstreamHealth(HealthPolicy policy) : policy_(policy) {}

  bool available(std::int64_t now_ms) const;

  // Each returns a description of the change ("down: ...", "up: ...") when
  // the upstream's availability changed, else nullopt.
  std::optional<std::string> record_failure(std::int64_t now_ms, const std::string& reason);
  std::optional<std::string> record_success(std::int64_t now_ms);
  std::optional<std::string> record_probe(std::int64_t now_ms, bool healthy);

 private:
  HealthPolicy policy_;
  mutable std::mutex mutex_;
  int fails_ = 0;
  std::int64_t first_fail_ms_ = 0;
  std::int64_t down_until_ms_ = 0;  // passive
  bool probe_down_ = false;         // active
  int probe_streak_ = 0;            // consecutive probe results against the current state
  bool reported_down_ = false;
  // No failure since the last success, not down: available() and
  // record_success() need no lock. Written only under mutex_.
  std::atomic<bool> clean_{true};
};

}  // namespace sessim
