#include "vocab/faults.h"

#include <fmt/format.h>

#include "common/name_table.h"

namespace sessim {
namespace {

constexpr NameTable<RedisAction, 9> kRedisActions{{{
    {RedisAction::stop, "stop"},
    {RedisAction::start, "start"},
    {RedisAction::pause, "pause"},
    {RedisAction::resume, "resume"},
    {RedisAction::restart, "restart"},
    {RedisAction::failover, "failover"},
    {RedisAction::kill_master, "kill-master"},
    {RedisAction::partition_master, "partition-master"},
    {RedisAction::heal, "heal"},
}}};

constexpr NameTable<RedisAction, 9> kRedisActionsDone{{{
    {RedisAction::stop, "stopped"},
    {RedisAction::start, "started"},
    {RedisAction::pause, "paused"},
    {RedisAction::resume, "resumed"},
    {RedisAction::restart, "restarted"},
    {RedisAction::failover, "failed over"},
    {RedisAction::kill_master, "master killed"},
    {RedisAction::partition_master, "master partitioned"},
    {RedisAction::heal, "healed"},
}}};

}  // namespace

std::optional<RedisAction> redis_action_named(std::string_view name) {
  return kRedisActions.parse(name);
}

std::string to_string(RedisAction action) { return std::string(kRedisActions.name(action)); }

std::string past_tense(RedisAction action) { return std::string(kRedisActionsDone.name(action)); }

const std::vector<std::string>& redis_action_names() {
  static const std::vector<std::string> names = kRedisActions.names();
  return names;
}

std::string Link::describe() const {
  switch (kind) {
    case Kind::balancer_to_node:
      return fmt::format("balancer -> {}", node);
    case Kind::node_to_redis:
      return fmt::format("{} -> redis", node);
    case Kind::nodes_to_redis:
      return "every node -> redis";
    case Kind::every_link:
      return "every link";
  }
  return "?";
}

}  // namespace sessim
