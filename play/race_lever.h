#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "cluster/topology.h"
#include "play/release_gate.h"

// The strongest lever sessim has on a race, where the nodes are processes
// it started: once every raced request is connected and sent but for its
// last byte, it freezes them (SIGSTOP), lets the last bytes go, waits until
// every raced request is in a node's socket (the kernel's tables say so),
// and thaws them: each node then meets the requests at once, as one batch,
// however its event loop or threads take work. Where no node is a
// process of sessim's (a running upstream, a thread node) nothing is frozen
// and the release gate alone makes the overlap as likely as it can.
namespace sessim {

class RaceLever {
 public:
  // Freezes the nodes when the gate releases; `requests` is how many raced
  // requests to wait for before thawing them.
  RaceLever(Topology& topology, std::shared_ptr<ReleaseGate> gate, int requests);
  // Thaws the nodes, if the watcher has not yet.
  ~RaceLever();
  RaceLever(const RaceLever&) = delete;
  RaceLever& operator=(const RaceLever&) = delete;

 private:
  void watch();

  Topology& topology_;
  std::shared_ptr<ReleaseGate> gate_;
  int requests_;
  std::vector<int> ports_;
  std::jthread watcher_;
};

}  // namespace sessim
