#include "play/race_lever.h"

#include <chrono>

#include "net/socket_queues.h"

namespace sessim {

RaceLever::RaceLever(Topology& topology, std::shared_ptr<ReleaseGate> gate, int requests)
    : topology_(topology), gate_(std::move(gate)), requests_(requests) {
  // Under the gate's lock, on the thread that releases: the watcher reads
  // the ports once the gate is open.
  gate_->before_release([this] { ports_ = topology_.freeze_nodes(); });
  watcher_ = std::jthread([this] { watch(); });
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
  // Every raced request arrives at the gate or leaves it (send returns
  // either way within the client's limits), so it opens; the bound is for
  // a gate that somehow does not.
  if (!gate_->wait_open(std::chrono::seconds(60)) || ports_.empty()) return;
  const auto deadline = Clock::now() + std::chrono::milliseconds(200);
  while (unread_connections(ports_) < requests_ && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  topology_.thaw_nodes();
}

}  // namespace sessim
