#include "sys/log_pump.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace sessim {
namespace {

// Read per pipe per round, so that one loud child cannot starve the others.
constexpr std::size_t kRoundBytes = 1 << 20;

int open_log(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
}

struct Pipe {
  int read_end = -1;
  int file = -1;
  std::string path;
  std::uint64_t max_bytes = 0;
  std::uint64_t written = 0;  // in the current file
};

}  // namespace

struct LogPump::State {
  std::mutex mutex;
  std::map<int, Pipe> pipes;  // by read end
  int wake_read = -1;
  int wake_write = -1;

  // With `mutex` held. False when the pipe is done (EOF or error).
  bool copy(Pipe& pipe) {
    char buffer[65536];
    std::size_t copied = 0;
    while (copied < kRoundBytes) {
      const auto got = ::read(pipe.read_end, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return errno == EAGAIN;
      if (got == 0) return false;
      copied += static_cast<std::size_t>(got);
      write(pipe, buffer, static_cast<std::size_t>(got));
    }
    return true;
  }

  void write(Pipe& pipe, const char* data, std::size_t size) {
    if (pipe.file < 0) return;  // the log could not be opened: dropped, not kept in memory
    if (pipe.max_bytes > 0 && pipe.written + size > pipe.max_bytes / 2 && pipe.written > 0) {
      ::close(pipe.file);
      std::rename(pipe.path.c_str(), (pipe.path + ".1").c_str());
      pipe.file = open_log(pipe.path);
      pipe.written = 0;
      if (pipe.file < 0) return;
    }
    while (size > 0) {
      const auto done = ::write(pipe.file, data, size);
      if (done < 0 && errno == EINTR) continue;
      if (done <= 0) return;
      data += done;
      size -= static_cast<std::size_t>(done);
      pipe.written += static_cast<std::uint64_t>(done);
    }
  }

  void close(std::map<int, Pipe>::iterator pipe) {
    ::close(pipe->second.read_end);
    if (pipe->second.file >= 0) ::close(pipe->second.file);
    pipes.erase(pipe);
  }

  void run() {
    std::vector<pollfd> watched;
    while (true) {
      watched.clear();
      watched.push_back({wake_read, POLLIN, 0});
      {
        const std::lock_guard lock(mutex);
        for (const auto& [fd, pipe] : pipes) watched.push_back({fd, POLLIN, 0});
      }
      if (::poll(watched.data(), watched.size(), -1) < 0) continue;
      if (watched[0].revents != 0) {
        char ignored[64];
        while (::read(wake_read, ignored, sizeof ignored) > 0) {
        }
      }
      const std::lock_guard lock(mutex);
      for (std::size_t i = 1; i < watched.size(); ++i) {
        if (watched[i].revents == 0) continue;
        const auto pipe = pipes.find(watched[i].fd);
        if (pipe == pipes.end()) continue;
        if (!copy(pipe->second)) close(pipe);
      }
    }
  }
};

LogPump::LogPump() : state_(std::make_shared<State>()) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    state_->wake_read = fds[0];
    state_->wake_write = fds[1];
  }
  // Detached: it owns a shared state and outlives every caller; the process
  // ending ends it.
  std::thread([state = state_] { state->run(); }).detach();
}

LogPump& LogPump::instance() {
  static LogPump* pump = new LogPump();  // never destroyed: its thread runs to the end
  return *pump;
}

void LogPump::add(int read_end, const std::string& path, std::uint64_t max_bytes) {
  ::fcntl(read_end, F_SETFL, ::fcntl(read_end, F_GETFL) | O_NONBLOCK);
  Pipe pipe;
  pipe.read_end = read_end;
  pipe.file = open_log(path);
  pipe.path = path;
  pipe.max_bytes = max_bytes;
  struct stat status {};
  if (pipe.file >= 0 && ::fstat(pipe.file, &status) == 0) {
    pipe.written = static_cast<std::uint64_t>(status.st_size);
  }
  {
    const std::lock_guard lock(state_->mutex);
    state_->pipes[read_end] = std::move(pipe);
  }
  const char wake = 1;
  [[maybe_unused]] const auto ignored = ::write(state_->wake_write, &wake, 1);
}

void LogPump::drain(const std::string& path) {
  const std::lock_guard lock(state_->mutex);
  for (auto pipe = state_->pipes.begin(); pipe != state_->pipes.end(); ++pipe) {
    if (pipe->second.path != path) continue;
    if (!state_->copy(pipe->second)) state_->close(pipe);
    return;
  }
}

}  // namespace sessim
