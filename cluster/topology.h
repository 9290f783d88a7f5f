#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "balancer/upstream_health.h"
#include "vocab/cluster_summary.h"
#include "vocab/faults.h"
#include "vocab/store_kind.h"

namespace sessim {

struct ClusterConfig;

// Where requests go: the balancer, a node, or the user's own entry point.
struct Endpoint {
  std::string scheme = "http";
  std::string host = "127.0.0.1";
  int port = 0;
  bool verify_tls = true;   // https only
  std::string url() const;  // "http://127.0.0.1:8080"
};

// "http://host:port" or "https://host[:port]" (an optional "/" after) as an
// endpoint; throws UsageError naming --target.
Endpoint parse_target(const std::string& url, bool verify_tls = true);

// What a topology can do to the system under test: each field is "" when it
// can, else the reason it cannot, in the user's words, for the error that
// refuses a scenario before anything starts.
struct TopologyAbilities {
  std::string node_faults;       // crash, stop, restart a node
  std::string add_node;          // a node joins
  std::string redis_control;     // stop, start, pause, resume, restart Redis
  std::string direct_nodes;      // a request `via:` one node
  std::string session_timeout;   // a story that needs the app's idle timeout to be its own
  std::string links;             // partition, delay, heal of the balancer's links to nodes
  std::string redis_links;       // ... of the nodes' links to Redis
  std::string node_redis_links;  // ... of one node's own link to Redis (from: node-N)
  // Node faults done by the user's commands (--fault-cmd): "crash", "stop",
  // "restart"; each makes that fault possible where node_faults says no.
  std::set<std::string> fault_hooks;
};

// A fault on the network between two parts (scenario steps partition,
// delay, heal): the balancer's link to a node, or nodes' links to Redis.
struct LinkFault {
  LinkFaultKind kind = LinkFaultKind::partition;
  Link link;
  std::chrono::milliseconds by{0};      // delay
  std::chrono::milliseconds jitter{0};  // delay: give or take
};

// What a Redis fault did, where there is more to say than its name.
struct StoreFaultResult {
  std::string note;          // "": the action's name says it
  bool failed_over = false;  // a replica is the master now (the checker's cause)
};

// The system under test as the scenario player drives it: a front (the
// built-in balancer, or the user's own entry point), a node set (sessim's
// nodes, the user's command, or running servers) and a store. The player
// knows nothing else of it, so that it can be unit-tested against a fake.
// Calls come from one thread at a time, except entry()/node_endpoint().
class Topology {
 public:
  virtual ~Topology() = default;

  virtual Endpoint entry() const = 0;
  virtual std::vector<std::string> node_names() const = 0;
  virtual Endpoint node_endpoint(const std::string& name) const = 0;
  virtual TopologyAbilities abilities() const = 0;
  virtual StoreKind store() const = 0;
  // A Redis restart keeps the sessions (append-only file on).
  virtual bool redis_persistence() const = 0;
  // sessim nodes that are threads: a crash drops memory rather than a process.
  virtual bool nodes_are_threads() const = 0;

  virtual void crash_node(const std::string& name) = 0;
  virtual void stop_node(const std::string& name) = 0;
  virtual void restart_node(const std::string& name) = 0;
  virtual std::string add_node() = 0;
  virtual StoreFaultResult redis(RedisAction action) = 0;
  // Returns what happened, for the run's notes.
  virtual std::string link(const LinkFault& fault) = 0;

  // Lines of the built-in balancer's access log, as requests are forwarded;
  // nothing without a balancer of sessim's.
  virtual void set_access_log(std::function<void(const std::string&)> sink) { (void)sink; }
  // The balancer's availability changes so far (none without a balancer).
  virtual std::vector<HealthEvent> health_events() const = 0;
  // Node processes sessim started that ended on their own since the last
  // call (node-1, "exited with status 1", its last log lines): never
  // part of a lesson. None for nodes sessim did not start.
  struct NodeExit {
    std::string node;
    std::string how;  // "exited with status 1"
    std::string log;  // "its last log lines: ... (log: PATH)"
  };
  virtual std::vector<NodeExit> unexpected_exits() { return {}; }
  // Whether some node is a process sessim started (so that it can end on
  // its own).
  virtual bool watches_node_exits() const { return false; }
  // Freezes (SIGSTOP) every node that is a process sessim started, so that
  // requests sent meanwhile wait in its sockets and it meets them together
  // when thawed (play/race_lever.h); the ports of the frozen nodes, empty
  // where none is a process of sessim's.
  virtual std::vector<int> freeze_nodes() { return {}; }
  virtual void thaw_nodes() {}
  virtual ClusterSummary summary() const = 0;

  // Stops whatever it started; what went wrong doing so (a node that ignored
  // SIGTERM), one line each. Idempotent.
  virtual std::vector<std::string> stop() = 0;
};

// What the topology that `config` describes can do, known before it starts.
TopologyAbilities abilities_of(const ClusterConfig& config);

// Starts the topology `config` describes: a Cluster (sessim, command or
// external nodes behind the built-in balancer) or, with a target URL, the
// user's own entry point. Throws EnvironmentError or UsageError.
std::unique_ptr<Topology> start_topology(const ClusterConfig& config);

}  // namespace sessim
