#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cluster/node_instance.h"

namespace sessim {

class Balancer;
class RedisServer;
class RunDirectory;

struct ClusterConfig {
  int nodes = 2;
  NodeMode mode = NodeMode::inproc;
  StoreKind store = StoreKind::local;
  std::string redis_url;  // empty with StoreKind::redis: start a private redis-server
  std::string redis_namespace = "sessim:session";
  std::string redis_server_executable = "redis-server";
  int base_port = 0;      // node i listens on base_port + i - 1; 0: free ports
  int balancer_port = 0;  // 0: a free port
  std::string balancer = "round-robin";
  int session_timeout_s = 1800;
  std::string node_executable;  // the sessim binary, for NodeMode::process
};

// A whole test cluster: an optional private redis-server, N app nodes and the
// built-in balancer in front of them, all on loopback. The constructor starts
// everything (redis, then nodes, then the balancer) and returns when all
// accept connections; the destructor stops them in reverse order. A failure
// part-way stops whatever had started before the exception leaves.
//
// Threads: the balancer's accept loop runs on a thread owned here, joined in
// the destructor; inproc nodes own theirs (see NodeInstance).
class Cluster {
 public:
  explicit Cluster(ClusterConfig config);
  ~Cluster();  // stop()
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Stops the balancer, the nodes and the private Redis, in that order.
  // Idempotent; the accessors below stay valid.
  void stop();

  const ClusterConfig& config() const { return config_; }
  int balancer_port() const;
  std::string balancer_url() const;
  std::string balancer_strategy() const;
  const std::vector<std::unique_ptr<NodeInstance>>& nodes() const { return nodes_; }
  // The Redis the nodes use (private or given), if the store is Redis.
  std::optional<std::string> redis_url() const;
  bool has_private_redis() const { return redis_ != nullptr; }

 private:
  ClusterConfig config_;
  std::unique_ptr<RunDirectory> run_directory_;
  std::unique_ptr<RedisServer> redis_;
  std::vector<std::unique_ptr<NodeInstance>> nodes_;
  std::unique_ptr<Balancer> balancer_;
  std::thread balancer_thread_;
  int balancer_port_ = 0;
  std::string balancer_url_;
  std::string balancer_strategy_;
  std::optional<std::string> redis_url_;
};

}  // namespace sessim
