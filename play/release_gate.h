#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

// Makes writes overlap at any app, with no hook of the app's: each of a
// parallel step's requests is sent but for its last byte, and the last bytes
// go together once every request is that far (or once the patience is
// spent: a request that could not connect must not hold the others). A
// server starts on a request only when it has all of it, so the requests
// reach the app within microseconds of each other. Whether the app then ran
// them at the same time is for the run's evidence to show
// (history/overlap.h).
namespace sessim {

class ReleaseGate {
 public:
  explicit ReleaseGate(int parties,
                       std::chrono::milliseconds patience = std::chrono::milliseconds(2000));

  // A request with all but its last byte sent: waits for the others.
  void arrive_and_wait();
  // A request that will not arrive (it failed before its last byte, or it
  // had already passed the gate).
  void leave();
  // Every party arrived before the gate opened.
  bool released_together() const;

 private:
  void open_locked();

  mutable std::mutex mutex_;
  std::condition_variable opened_;
  int expected_;
  int arrived_ = 0;
  int left_ = 0;
  bool open_ = false;
  bool together_ = false;
  std::chrono::milliseconds patience_;
};

}  // namespace sessim
