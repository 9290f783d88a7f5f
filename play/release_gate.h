#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

// Makes writes overlap at any app, with no hook of the app's: each of a
// parallel step's requests is sent but for its last byte; once every one is
// that far, the gate sends all the last bytes itself, back to back from one
// thread, in the order of their ranks. A server starts on a request only when
// it has all of it, so the requests reach the app within microseconds of each
// other, in a known order. A request that cannot connect must not hold the
// others: after the patience, whoever waits sends its own byte. Whether the
// app then ran them at the same time is for the run's evidence to show
// (history/overlap.h).
namespace sessim {

class ReleaseGate {
 public:
  explicit ReleaseGate(int parties,
                       std::chrono::milliseconds patience = std::chrono::milliseconds(2000));
  std::chrono::milliseconds patience() const { return patience_; }

  // The request ranked `rank` (0 .. parties-1) has every byte but `last` on
  // `socket`: waits for the others. true when the gate sent the byte; false
  // when the caller must send it (the patience ran out, or the send did
  // not go at once).
  bool arrive(int rank, int socket, char last);
  // It will not arrive: it failed before its last byte.
  void leave(int rank);
  // Called once every party is in, just before the last bytes go (the race
  // lever freezes the nodes there: every connection is open and its bytes
  // but the last are read).
  void before_release(std::function<void()> hook);
  // After sending the last byte of `rank`, waits `gap` before the next:
  // sessim's own node holds a request for its `delay` once it has read the
  // session, and the others go once it surely has.
  void pause_after(int rank, std::chrono::milliseconds gap);
  // Every party arrived, and the gate sent every last byte.
  bool released_together() const;
  // Waits until the gate sent the last bytes; false when it did not within
  // `limit`.
  bool wait_open(std::chrono::milliseconds limit) const;

 private:
  struct Slot {
    int socket = -1;
    char last = 0;
    bool arrived = false;
    bool sent = false;
  };
  void release_locked();

  mutable std::mutex mutex_;
  mutable std::condition_variable opened_;
  std::vector<Slot> slots_;
  int waiting_for_;
  bool open_ = false;
  bool together_ = false;
  std::chrono::milliseconds patience_;
  std::function<void()> before_release_;
  bool gave_up_ = false;
  int pause_rank_ = -1;
  std::chrono::milliseconds gap_{0};
};

}  // namespace sessim
