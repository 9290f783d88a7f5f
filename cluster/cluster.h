#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "balancer/balancer.h"
#include "balancer/upstream_health.h"
#include "cluster/cluster_config.h"
#include "cluster/node_instance.h"
#include "cluster/topology.h"
#include "front/front.h"

namespace sessim {

class Balancer;
class RedisServer;
class RedisSentinelGroup;
class LinkRelay;
class RunDirectory;

// A whole test cluster: an optional private redis-server, N nodes and the
// built-in balancer in front of them, all on loopback. The nodes are sessim's
// own (threads or processes), the user's app run from a command line, or
// servers that already run (which are never started or stopped). The
// constructor starts everything (redis, then nodes, then the balancer) and
// returns when all accept connections; stop() and the destructor stop them in
// reverse order. A failure part-way stops whatever had started before the
// exception leaves. Nodes and Redis can be crashed, stopped, restarted and
// added while it runs (scenario faults); these calls come from one thread at
// a time.
//
// Threads: the built-in balancer's accept loop runs on a thread its Front
// owns, joined by stop(); inproc nodes own theirs (see NodeInstance).
// The loopback address node `index` connects to Redis from when the run has
// link relays: 127.1.0.1 for node-1 (clients use 127.0.n.1).
std::string node_source_address(int index);

class Cluster final : public Topology {
 public:
  explicit Cluster(ClusterConfig config);
  ~Cluster() override;  // stop()
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Stops the balancer, the nodes and the private Redis, in that order.
  // Idempotent; the accessors below stay valid.
  std::vector<std::string> stop() override;

  const ClusterConfig& config() const { return config_; }
  int balancer_port() const { return balancer_port_; }
  std::string balancer_url() const { return balancer_url_; }
  // The balancer's access log (see Balancer::set_access_log).
  void set_access_log(std::function<void(const std::string&)> sink) override;
  // The Redis the nodes use (private or given), if the store is Redis.
  std::optional<std::string> redis_url() const { return redis_url_; }
  bool has_private_redis() const { return redis_ != nullptr || sentinels_ != nullptr; }
  // The private sentinel group of --store redis-sentinel, if any.
  const RedisSentinelGroup* sentinel_group() const { return sentinels_.get(); }
  // The port a node listens on (kept across restarts).
  int node_port(const std::string& name) const;

  // Topology
  Endpoint entry() const override;
  std::vector<std::string> node_names() const override;
  Endpoint node_endpoint(const std::string& name) const override;
  TopologyAbilities abilities() const override;
  StoreKind store() const override;
  bool redis_persistence() const override { return config_.redis_persistence; }
  bool nodes_are_threads() const override;
  // SIGKILL for a process; an inproc node's thread pool and memory are
  // dropped at once. Either way its local sessions are gone.
  void crash_node(const std::string& name) override;
  // SIGTERM for a process (in-flight requests finish); inproc: stopped.
  void stop_node(const std::string& name) override;
  // Stops the node if it runs, then starts it again on the same port with
  // empty local memory.
  void restart_node(const std::string& name) override;
  // Starts node-(N+1) and adds it to the balancer; returns its name.
  std::string add_node() override;
  // Controls the private Redis; throws UsageError without one.
  StoreFaultResult redis(RedisAction action) override;
  std::string link(const LinkFault& fault) override;
  std::vector<HealthEvent> health_events() const override;
  std::vector<NodeExit> unexpected_exits() override;
  bool watches_node_exits() const override;
  std::vector<int> freeze_nodes() override;
  void thaw_nodes() override;
  ClusterSummary summary() const override;

 private:
  struct NodeSlot {
    NodeLaunch launch;
    std::unique_ptr<NodeInstance> instance;
    int port = 0;
    int starts = 0;  // a restarted node must not repeat its seeded ids
  };
  NodeSlot& slot(const std::string& name);
  const NodeSlot& slot(const std::string& name) const;
  NodeSlot make_slot(int index, const std::string& redis_url) const;
  // The nodes and the balancer in front of them.
  void start_members(const std::string& redis_url);
  void stop_members();
  void start_slot(NodeSlot& slot);
  void take_down(NodeSlot& slot, bool crash);
  RedisServer& private_redis();
  int weight_of(std::size_t index) const;
  // The port the front reaches a node at: its own, or its link relay's.
  int front_port_of(const NodeSlot& node);
  // The relays the nodes reach Redis through, and the addresses they come from.
  std::vector<LinkRelay*> redis_relays() const;
  std::vector<std::string> node_sources(const Link& link) const;

  ClusterConfig config_;
  std::unique_ptr<RunDirectory> run_directory_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<RedisSentinelGroup> sentinels_;  // --store redis-sentinel
  // With network_links: the relay in front of the private Redis, and one in
  // front of each node, through which the front reaches it.
  std::unique_ptr<LinkRelay> redis_link_;
  std::map<std::string, std::unique_ptr<LinkRelay>> node_links_;
  std::vector<NodeSlot> nodes_;
  std::set<std::string> exits_reported_;  // nodes whose own exit was reported
  std::unique_ptr<Front> front_;
  int balancer_port_ = 0;
  std::string balancer_url_;
  std::optional<std::string> redis_url_;
  std::vector<std::string> stop_problems_;
};

}  // namespace sessim
