// The balancer against an upstream that answers anything: the input's bytes
// are what a raw upstream writes back to the balancer (interim responses,
// several responses, broken framing, unsolicited bytes), before it closes.
// A client's request through the balancer must always end, with a response
// or a closed connection, and the next client's too; the balancer runs in
// this process, so that AddressSanitizer sees every byte it touches.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "balancer/balancer.h"
#include "balancer/strategy_factory.h"

namespace {

using namespace sessim;

int listen_on_loopback(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) std::abort();
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  if (::listen(fd, 64) != 0) std::abort();
  return fd;
}

// The raw upstream: each connection gets the current answer once its first
// request has arrived, then is closed. Started once and never stopped.
struct RawUpstream {
  std::mutex mutex;
  std::string answer;
  int port = 0;

  RawUpstream() {
    const int listener = listen_on_loopback(port);
    std::thread([this, listener] {
      while (true) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        std::string request;
        char buffer[4096];
        pollfd ready{fd, POLLIN, 0};
        while (request.find("\r\n\r\n") == std::string::npos && ::poll(&ready, 1, 500) > 0) {
          const auto got = ::recv(fd, buffer, sizeof buffer, 0);
          if (got <= 0) break;
          request.append(buffer, static_cast<std::size_t>(got));
        }
        std::string reply;
        {
          const std::lock_guard lock(mutex);
          reply = answer;
        }
        ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
        ::close(fd);
      }
    }).detach();
  }
};

struct Front {
  RawUpstream upstream;
  std::unique_ptr<Balancer> balancer;
  int port = 0;

  Front() {
    BalancerConfig config;
    config.upstreams.push_back(Upstream{"raw", "127.0.0.1", upstream.port, 1});
    // Short, so that an answer that never ends costs an input little.
    config.upstream_timeout = std::chrono::milliseconds(300);
    balancer = std::make_unique<Balancer>(config, make_strategy(StrategyKind::round_robin));
    port = balancer->bind();
    std::thread([this] { balancer->serve(); }).detach();
    balancer->wait_until_serving();
  }
};

// One request through the balancer; returns once the balancer closed the
// connection or answered, or aborts (a hang) after 5 s.
void one_request(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // A connect that fails for a moment (the machine's ephemeral ports or
  // the accept queue under a busy fuzzing run) is tried again on a new
  // socket; one that keeps failing means the balancer is gone, and that is
  // a finding.
  int fd = -1;
  for (int attempt = 1;; ++attempt) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) break;
    const int error = errno;
    if (fd >= 0) ::close(fd);
    if (attempt == 100) {
      std::fprintf(stderr, "cannot connect to the balancer: %s\n", std::strerror(error));
      std::abort();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  static const std::string request = "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  char buffer[65536];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) std::abort();  // the balancer never finished the exchange
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) continue;
    if (::recv(fd, buffer, sizeof buffer, 0) <= 0) break;
  }
  ::close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Front front;
  {
    const std::lock_guard lock(front.upstream.mutex);
    front.upstream.answer.assign(reinterpret_cast<const char*>(data), size);
  }
  one_request(front.port);
  one_request(front.port);  // the next client, on whatever the first one left
  return 0;
}
