#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster/command_node.h"
#include "node/app_node.h"
#include "node/store/session_store_factory.h"
#include "vocab/node_mode.h"

namespace sessim {

// What a node is: sessim's own node (a thread or a `sessim node` process),
// the user's app started from a command line, or a server that already runs
// and that sessim neither starts nor stops.
enum class NodeKind { sessim, command, external };

// A node process's log is kept within this by default (--node-log-size).
inline constexpr std::uint64_t kDefaultNodeLogBytes = 8 << 20;

struct NodeLaunch {
  NodeKind kind = NodeKind::sessim;
  NodeMode mode = NodeMode::inproc;
  NodeConfig node;  // name and port for every kind; the rest for sessim nodes
  StoreConfig store;
  std::string executable;                              // the sessim binary, for NodeMode::process
  std::string log_path;                                // the child's stdout and stderr
  std::uint64_t max_log_bytes = kDefaultNodeLogBytes;  // the last this many bytes are kept
  CommandNodeSpec command;                             // NodeKind::command
  int index = 1;                                       // 1 for node-1, the {index} placeholder
  std::string log_dir;                                 // the {log_dir} placeholder
  std::string external_host;  // NodeKind::external: where it listens (node.port: on which port)
};

// A running app node that the cluster owns. Stopping is idempotent and the
// destructor stops.
class NodeInstance {
 public:
  virtual ~NodeInstance() = default;
  virtual const std::string& name() const = 0;
  virtual int port() const = 0;
  virtual std::string describe() const = 0;  // "thread" or "pid 1234"
  virtual int pid() const { return 0; }      // 0: not a process of its own
  virtual void stop() = 0;
  // Asks the node to stop (SIGTERM) without waiting, so that a cluster
  // stops its nodes in parallel: request_stop() on all, then stop() on each.
  virtual void request_stop() {}
  // Ends the node without letting anything finish: SIGKILL for a process; for
  // a thread, the same as stop() (its memory goes when the instance does).
  virtual void crash() = 0;
  // SIGSTOP, then SIGCONT: a node that hangs (a long garbage collection, a
  // stuck thread) and later goes on, its connections open. Processes only;
  // throws UsageError for a node that is a thread of sessim or not sessim's.
  virtual void pause();
  virtual void resume();
  virtual std::string host() const { return "127.0.0.1"; }
  // What went wrong while stopping ("ignored SIGTERM ..."), "" if nothing.
  virtual std::string stop_problem() const { return ""; }
  // How the node's process ended when it ended on its own, sessim having
  // neither stopped nor crashed it ("exited with status 1; its last log
  // lines: ...", apart); nullopt while it runs, or when sessim ended it. A node
  // that is a thread of sessim never ends on its own.
  struct OwnExit {
    std::string how;  // "exited with status 1"
    std::string log;  // "its last log lines: ... (log: PATH)"
  };
  virtual std::optional<OwnExit> ended_on_its_own() { return std::nullopt; }
  std::string url() const;
};

// Starts a node and returns once it accepts connections. Throws
// EnvironmentError (busy port, child failed to start) or UsageError.
std::unique_ptr<NodeInstance> start_node(const NodeLaunch& launch);

// The arguments of `sessim node` that reproduce this launch (without the
// executable); exposed for tests and for the process mode.
std::vector<std::string> node_command_args(const NodeLaunch& launch);

}  // namespace sessim
