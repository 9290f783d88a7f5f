#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "balancer/strategy_factory.h"
#include "balancer/upstream_health.h"
#include "cluster/command_node.h"
#include "cluster/node_instance.h"
#include "vocab/front_kind.h"
#include "vocab/session_defaults.h"
#include "vocab/store_kind.h"
#include "vocab/strategy_kind.h"

namespace sessim {

// What a cluster is made of: the nodes, the store, the balancer and its
// strategy, how sessim's nodes treat sessions. Defaults are the reference
// setup's; a scenario's `cluster:` and the command line's flags change them
// (cli/cluster_flags.h).
struct ClusterConfig {
  int nodes = 2;
  std::uint64_t node_log_bytes = kDefaultNodeLogBytes;  // each node process's log
  NodeKind node_kind = NodeKind::sessim;
  NodeMode mode = NodeMode::inproc;  // sessim nodes
  CommandNodeSpec command;           // NodeKind::command
  // NodeKind::external: "[NAME=]http://host:port" of servers that already run.
  std::vector<std::string> upstreams;
  // Not empty: no cluster at all; requests go to the user's own entry point.
  std::string target_url;
  bool verify_tls = true;  // --target https://: check the server's certificate

  StoreKind store = StoreKind::local;
  std::string redis_url;  // empty with StoreKind::redis: start a private redis-server
  std::string redis_namespace = "sessim:session";
  std::string redis_server_executable = "redis-server";
  bool redis_persistence = false;  // private Redis: append-only file on
  int redis_wait_replicas = 0;     // sessim's nodes: WAIT for this many replicas per write
  // Link relays (net/link_relay.h) between the balancer and each node and
  // between the nodes and the private Redis, each node connecting from a
  // loopback address of its own: for stories that partition or delay them.
  bool network_links = false;
  // --target: the command that does each node fault ("crash", "stop",
  // "restart") in the user's deployment, with {name} for the node.
  std::map<std::string, std::string> fault_commands;
  int base_port = 0;      // node i listens on base_port + i - 1; 0: free ports
  int balancer_port = 0;  // 0: a free port
  StrategyKind balancer = StrategyKind::round_robin;
  FrontKind front = FrontKind::builtin;  // sessim's balancer, or a real nginx or HAProxy
  std::string hash_key = kDefaultHashKey;
  std::uint64_t balancer_seed = 1;
  // Seeded simulations: nodes derive session ids from this seed (see
  // SeededSessionIds); each start of a node draws a fresh stream.
  std::optional<std::uint64_t> session_id_seed;
  std::vector<int> weights;  // per node; missing ones are 1
  HealthPolicy health;
  std::string health_path = "/healthz";                // active checks; "": a TCP connect
  std::chrono::milliseconds upstream_timeout{10'000};  // BalancerConfig::upstream_timeout
  // Idle connections the balancer keeps to each node (--keepalive); empty:
  // kKeepAliveForOwnNodes for sessim's nodes, BalancerConfig's default for apps.
  std::optional<std::size_t> keepalive;
  MissPolicy on_miss = MissPolicy::create;
  SaveMode save_mode = SaveMode::delta;
  FlushMode flush = FlushMode::on_request_end;
  int node_delay_ms = 0;
  int session_timeout_s = kDefaultSessionTimeoutS;
  // The app runs with session_timeout_s: sessim's nodes always; a command
  // node when its command line passes {session_timeout} or
  // SESSIM_SESSION_TIMEOUT; any app when the user said so (--session-timeout).
  bool session_timeout_told = false;
  std::size_t max_local_sessions = 100'000;  // per node, --store local
  std::string node_executable;               // the sessim binary, for NodeMode::process
  std::string app;                           // the app profile's name, for reports
};

// How the nodes run, for reports: inproc or process (sessim's nodes),
// command, external, or target (no nodes of sessim's at all).
std::string node_set_label(const ClusterConfig& config);

}  // namespace sessim
