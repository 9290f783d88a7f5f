#pragma once

#include <memory>
#include <string>
#include <vector>

#include "node/app_node.h"
#include "node/store/session_store_factory.h"

namespace sessim {

// How the cluster runs its nodes: threads of this process (fast, one address
// space; a "crash" drops the node's memory) or child processes of the sessim
// binary (real processes; a crash is a real SIGKILL).
enum class NodeMode { inproc, process };
NodeMode parse_node_mode(const std::string& name);  // throws UsageError
std::string to_string(NodeMode mode);
const std::vector<std::string>& node_mode_names();  // {"inproc", "process"}

struct NodeLaunch {
  NodeMode mode = NodeMode::inproc;
  NodeConfig node;
  StoreConfig store;
  std::string executable;  // the sessim binary, for NodeMode::process
  std::string log_path;    // the child's stderr, for NodeMode::process
};

// A running app node that the cluster owns. Stopping is idempotent and the
// destructor stops.
class NodeInstance {
 public:
  virtual ~NodeInstance() = default;
  virtual const std::string& name() const = 0;
  virtual int port() const = 0;
  virtual std::string describe() const = 0;  // "thread" or "pid 1234"
  virtual void stop() = 0;
  // Ends the node without letting anything finish: SIGKILL for a process; for
  // a thread, the same as stop() (its memory goes when the instance does).
  virtual void crash() = 0;
  std::string url() const;
};

// Starts a node and returns once it accepts connections. Throws
// EnvironmentError (busy port, child failed to start) or UsageError.
std::unique_ptr<NodeInstance> start_node(const NodeLaunch& launch);

// The arguments of `sessim node` that reproduce this launch (without the
// executable); exposed for tests and for the process mode.
std::vector<std::string> node_command_args(const NodeLaunch& launch);

}  // namespace sessim
