#include "play/release_gate.h"

#include <sys/socket.h>

#include <algorithm>
#include <thread>

namespace sessim {

ReleaseGate::ReleaseGate(int parties, std::chrono::milliseconds patience)
    : slots_(static_cast<std::size_t>(parties)), waiting_for_(parties), patience_(patience) {}

// Every party is in (or left): the last bytes go now, in rank order, from
// this thread, so nothing between them but a system call each.
void ReleaseGate::release_locked() {
  if (open_) return;
  // A party that gave up waiting sends on its own: nothing is held then.
  if (before_release_ && !gave_up_) before_release_();
  for (std::size_t rank = 0; rank < slots_.size(); ++rank) {
    auto& slot = slots_[rank];
    if (slot.arrived) {
      slot.sent = ::send(slot.socket, &slot.last, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1;
    }
    if (static_cast<int>(rank) == pause_rank_) std::this_thread::sleep_for(gap_);
  }
  open_ = true;
  together_ = std::all_of(slots_.begin(), slots_.end(),
                          [](const Slot& slot) { return slot.arrived && slot.sent; });
  opened_.notify_all();
}

bool ReleaseGate::arrive(int rank, int socket, char last) {
  std::unique_lock lock(mutex_);
  auto& slot = slots_.at(static_cast<std::size_t>(rank));
  if (open_ || socket < 0) {
    if (--waiting_for_ == 0) release_locked();
    return false;
  }
  slot = {socket, last, true, false};
  if (--waiting_for_ == 0) {
    release_locked();
    return slot.sent;
  }
  if (!opened_.wait_for(lock, patience_, [this] { return open_; })) {
    // Someone is stuck: this one goes on its own.
    slot.arrived = false;
    gave_up_ = true;
    return false;
  }
  return slot.sent;
}

void ReleaseGate::leave(int rank) {
  const std::lock_guard lock(mutex_);
  slots_.at(static_cast<std::size_t>(rank)).arrived = false;
  if (--waiting_for_ == 0) release_locked();
}

void ReleaseGate::before_release(std::function<void()> hook) {
  const std::lock_guard lock(mutex_);
  before_release_ = std::move(hook);
}

void ReleaseGate::pause_after(int rank, std::chrono::milliseconds gap) {
  const std::lock_guard lock(mutex_);
  pause_rank_ = rank;
  gap_ = gap;
}

bool ReleaseGate::wait_open(std::chrono::milliseconds limit) const {
  std::unique_lock lock(mutex_);
  return opened_.wait_for(lock, limit, [this] { return open_; });
}

bool ReleaseGate::released_together() const {
  const std::lock_guard lock(mutex_);
  return together_;
}

}  // namespace sessim
