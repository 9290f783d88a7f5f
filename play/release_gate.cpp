#include "play/release_gate.h"

namespace sessim {

ReleaseGate::ReleaseGate(int parties, std::chrono::milliseconds patience)
    : expected_(parties), patience_(patience) {}

void ReleaseGate::open_locked() {
  if (open_) return;
  open_ = true;
  together_ = left_ == 0 && arrived_ == expected_;
  opened_.notify_all();
}

void ReleaseGate::arrive_and_wait() {
  std::unique_lock lock(mutex_);
  if (open_) return;
  ++arrived_;
  if (arrived_ + left_ >= expected_) {
    open_locked();
    return;
  }
  if (!opened_.wait_for(lock, patience_, [this] { return open_; })) open_locked();
}

void ReleaseGate::leave() {
  const std::lock_guard lock(mutex_);
  if (open_) return;
  ++left_;
  if (arrived_ + left_ >= expected_) open_locked();
}

bool ReleaseGate::released_together() const {
  const std::lock_guard lock(mutex_);
  return together_;
}

}  // namespace sessim
