#include "support/hostile_upstream.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "net/loopback.h"
#include "support/test_support.h"

namespace sessim::testing {

HostileUpstream::HostileUpstream(const std::string& mode) {
  log_path_ = directory_.file("requests.log");
  for (int attempt = 0; attempt < 3 && !process_; ++attempt) {
    port_ = pick_free_loopback_port();
    ChildSpec spec;
    spec.executable = "/usr/bin/python3";
    spec.args = {std::string(SESSIM_SOURCE_DIR) + "/tests/apps/hostile_upstream.py",
                 "--port",
                 std::to_string(port_),
                 "--mode",
                 mode,
                 "--log",
                 log_path_};
    spec.log_path = directory_.file("upstream.log");
    auto process = std::make_unique<ChildProcess>(spec);
    const int port = port_;
    if (wait_until([&] { return tcp_port_accepts("127.0.0.1", port) || !process->running(); }) &&
        process->running()) {
      process_ = std::move(process);
    }
  }
  if (!process_) throw std::runtime_error("hostile upstream did not start: " + mode);
}

std::string HostileUpstream::url() const { return fmt::format("http://127.0.0.1:{}", port_); }

std::string HostileUpstream::log() const { return read_text_file(log_path_); }

std::string raw_exchange(int port, const std::string& bytes, std::chrono::milliseconds timeout,
                         std::size_t* total) {
  if (total) *total = 0;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string received;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[65536];
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd poll_fd{fd, POLLIN, 0};
      if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) break;
      const auto n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      if (total) {
        *total += static_cast<std::size_t>(n);
        if (received.size() < 64 * 1024) received.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      received.append(buffer, static_cast<std::size_t>(n));
      if (received.size() > (64u << 20)) break;
    }
  }
  ::close(fd);
  return received;
}

std::size_t peak_resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoul(line.substr(6)) * 1024;
  }
  return 0;
}

int final_status(const std::string& raw) {
  std::size_t position = 0;
  while (position < raw.size()) {
    if (raw.compare(position, 9, "HTTP/1.1 ") != 0 && raw.compare(position, 9, "HTTP/1.0 ") != 0) {
      return 0;
    }
    const int status = std::atoi(raw.c_str() + position + 9);
    if (status >= 200 || status == 101) return status;
    const auto end = raw.find("\r\n\r\n", position);
    if (end == std::string::npos) return 0;
    position = end + 4;
  }
  return 0;
}

}  // namespace sessim::testing
