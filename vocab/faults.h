#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The faults a story, compare and the cluster name: one vocabulary, typed
// from the loader to the reports.
namespace sessim {

// Faults of the store. The first five act on a single Redis (with
// redis-sentinel: on the master of the moment); the rest need sentinels
// (RedisSentinelGroup).
enum class RedisAction {
  stop,
  start,
  pause,
  resume,
  restart,
  failover,
  kill_master,
  partition_master,
  heal
};
constexpr bool needs_sentinels(RedisAction action) { return action >= RedisAction::failover; }

std::optional<RedisAction> redis_action_named(std::string_view name);
std::string to_string(RedisAction action);
std::string past_tense(RedisAction action);            // "stopped", "paused", ...
const std::vector<std::string>& redis_action_names();  // in RedisAction's order

// A fault on the network between two parts (scenario steps partition,
// delay, reset, heal).
enum class LinkFaultKind { partition, delay, reset, heal };

// The link a fault acts on. Nodes reach only Redis and the balancer reaches
// only nodes, so these are all the links there are.
struct Link {
  enum class Kind {
    balancer_to_node,  // the balancer's link to `node`
    node_to_redis,     // `node`'s link to Redis
    nodes_to_redis,    // every node's link to Redis
    every_link         // heal: all of the above
  };
  Kind kind = Kind::balancer_to_node;
  std::string node;  // balancer_to_node, node_to_redis

  bool to_redis() const { return kind == Kind::node_to_redis || kind == Kind::nodes_to_redis; }
  // "balancer -> node-1", "node-1 -> redis", "every node -> redis", "every link"
  std::string describe() const;
  bool operator==(const Link&) const = default;
};

}  // namespace sessim
