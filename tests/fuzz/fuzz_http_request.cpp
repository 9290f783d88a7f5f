// The HTTP request path of a node and of the balancer, over real loopback
// sockets: the input's bytes (after the first, which picks the server) are
// written to a connection to a node or to one of three balancers in front of
// two nodes, the writing side is shut, and the answer read until the server
// closes. The servers are the ones `sessim run` starts, in this process, so
// that AddressSanitizer sees every byte they touch.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "balancer/balancer.h"
#include "balancer/strategy_factory.h"
#include "node/app_node.h"
#include "node/store/local_session_store.h"

namespace {

using namespace sessim;

// Started once and never stopped: the servers outlive every input.
struct Servers {
  std::vector<int> ports;  // node-a, then a balancer per strategy
  std::vector<std::unique_ptr<AppNode>> nodes;
  std::vector<std::unique_ptr<Balancer>> balancers;

  Servers() {
    std::vector<Upstream> upstreams;
    for (const char* name : {"node-a", "node-b"}) {
      NodeConfig config;
      config.name = name;
      // A few sessions per node: anonymous requests each make one.
      auto& node = nodes.emplace_back(std::make_unique<AppNode>(
          config,
          std::make_unique<LocalSessionStore>(SystemClock::instance(), SaveMode::delta, 1000)));
      const int port = node->bind();
      node->start();
      upstreams.push_back(Upstream{name, "127.0.0.1", port, 1});
      if (ports.empty()) ports.push_back(port);
    }
    for (const auto strategy : {StrategyKind::round_robin, StrategyKind::cookie, StrategyKind::hash}) {
      BalancerConfig config;
      config.upstreams = upstreams;
      auto* balancer =
          balancers.emplace_back(std::make_unique<Balancer>(config, make_strategy(strategy))).get();
      ports.push_back(balancer->bind());
      std::thread([balancer] { balancer->serve(); }).detach();
      balancer->wait_until_serving();
    }
  }
};

// Writes `bytes`, shuts the writing side and reads until the server closes
// or half a second passes (a request may ask a node to take up to 10 s;
// its answer is not awaited).
void exchange(int port, const std::uint8_t* bytes, std::size_t size) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) std::abort();
  std::size_t sent = 0;
  while (sent < size) {
    const auto wrote = ::send(fd, bytes + sent, size - sent, MSG_NOSIGNAL);
    if (wrote <= 0) break;  // the server refused and closed early
    sent += static_cast<std::size_t>(wrote);
  }
  shutdown(fd, SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  std::array<char, 16 * 1024> buffer{};
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd ready{fd, POLLIN, 0};
    if (poll(&ready, 1, 100) <= 0) continue;
    if (recv(fd, buffer.data(), buffer.size(), 0) <= 0) break;
  }
  close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Servers* servers = new Servers();
  if (size == 0) return 0;
  exchange(servers->ports[data[0] % servers->ports.size()], data + 1, size - 1);
  return 0;
}
