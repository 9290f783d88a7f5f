#pragma once

#include <atomic>
#include <cstddef>
#include <string>

// How much of each response body a run keeps once its checks have run:
// the reports show a prefix, and a run of a million requests must not hold
// a million bodies. Each body keeps its first `prefix` bytes while the run
// has kept less than `budget` in all, then its first `tail_prefix` bytes.
// The whole body lives only while its own checks run. Thread-safe: the
// branches of a parallel step cut their bodies at once.
namespace sessim {

struct BodyLimits {
  std::size_t prefix = 4096;
  std::size_t budget = 64u << 20;
  std::size_t tail_prefix = 64;
};

class BodyBudget {
 public:
  explicit BodyBudget(BodyLimits limits = {}) : limits_(limits) {}

  // Cuts `body` to what the run keeps; returns how many bytes were dropped.
  std::size_t cut(std::string& body);

  std::size_t kept() const { return kept_.load(); }
  std::size_t dropped() const { return dropped_.load(); }
  std::size_t bodies_cut() const { return bodies_cut_.load(); }

 private:
  BodyLimits limits_;
  std::atomic<std::size_t> kept_{0};
  std::atomic<std::size_t> dropped_{0};
  std::atomic<std::size_t> bodies_cut_{0};
};

}  // namespace sessim
