#pragma once

#include <chrono>
#include <cstdint>

namespace sessim {

// Wall-clock time in epoch milliseconds. An interface so that session expiry
// can be tested without sleeping.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

// Monotonic milliseconds, for intervals and deadlines (health checks, the
// balancer's fail timeouts); unrelated to the wall clock.
inline std::int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace sessim
