#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace sessim {

// Copies what children write (through a pipe each) into their log files, on
// one thread for all of them, keeping each log bounded: once a file passes
// half of its cap it becomes FILE.1 (replacing the one before) and FILE
// starts again, so the last half to whole cap is kept and a node that
// writes without end costs neither disk nor memory. A child that writes
// faster than the disk takes it is slowed by the pipe, never buffered here.
//
// Threads: the pump's thread is started on first use and lives as long as
// the process; add() and drain() may be called from any thread.
class LogPump {
 public:
  static LogPump& instance();

  // Takes ownership of `read_end` (the read side of a child's output pipe)
  // and appends what arrives to `path`, which it creates (0600, not
  // following a link) if need be.
  void add(int read_end, const std::string& path, std::uint64_t max_bytes);
  // Copies what the pipe of `path` holds right now, so that a reader of the
  // log (an error message after a child exited) sees the child's last lines.
  void drain(const std::string& path);

  struct State;

 private:
  LogPump();
  std::shared_ptr<State> state_;
};

}  // namespace sessim
