#include "play/race_lever.h"

#include <chrono>

#include "net/socket_queues.h"

namespace sessim {

RaceLever::RaceLever(Topology& topology, std::shared_ptr<ReleaseGate> gate, int requests)
    : topology_(topology), gate_(std::move(gate)), requests_(requests) {
  ports_ = topology_.freeze_nodes();
  if (!ports_.empty()) watcher_ = std::jthread([this] { watch(); });
}

RaceLever::~RaceLever() {
  if (watcher_.joinable()) watcher_.join();
  if (!ports_.empty()) topology_.thaw_nodes();
}

// Thaws once the raced requests wait at the nodes, or after a bounded wait
// (a request that went elsewhere, or never went, must not keep the nodes
// frozen): the responses the clients wait for come only after the thaw.
void RaceLever::watch() {
  using Clock = std::chrono::steady_clock;
  gate_->wait_open(gate_->patience() + std::chrono::milliseconds(100));
  const auto deadline = Clock::now() + std::chrono::milliseconds(200);
  while (unread_connections(ports_) < requests_ && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  topology_.thaw_nodes();
}

}  // namespace sessim
