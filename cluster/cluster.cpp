#include "cluster/cluster.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "balancer/balancer.h"
#include "balancer/strategy_factory.h"
#include "cluster/redis_server.h"
#include "cluster/run_directory.h"
#include "common/errors.h"
#include "node/store/redis_url.h"

namespace sessim {

Cluster::Cluster(ClusterConfig config) : config_(std::move(config)) {
  if (config_.nodes < 1) throw UsageError("a cluster needs at least one node");
  StrategyOptions strategy_options;
  strategy_options.name = config_.balancer;
  strategy_options.hash_key = config_.hash_key;
  strategy_options.seed = config_.balancer_seed;
  auto strategy = make_strategy(strategy_options);
  run_directory_ = std::make_unique<RunDirectory>();

  // Members start in declaration order; if a step throws, those already
  // started are stopped by their own destructors, in reverse order.
  std::string redis_url = config_.redis_url;
  if (config_.store == StoreKind::redis && redis_url.empty()) {
    RedisServerOptions options;
    options.executable = config_.redis_server_executable;
    options.work_dir = run_directory_->path();
    options.persistence = config_.redis_persistence;
    redis_ = std::make_unique<RedisServer>(options);
    redis_url = redis_->url();
  } else if (config_.store == StoreKind::redis) {
    // A given Redis that does not answer fails the run up front (exit 3),
    // instead of as a 503 on every request.
    const auto url = parse_redis_url(redis_url);
    std::string error;
    if (!redis_answers_ping(url.host, url.port, 1000, &error)) {
      throw EnvironmentError(fmt::format("cannot reach Redis at {}: {}", url.redacted(), error));
    }
  }
  if (config_.store == StoreKind::redis) redis_url_ = redis_url;

  nodes_.reserve(static_cast<std::size_t>(config_.nodes));
  for (int index = 1; index <= config_.nodes; ++index) {
    NodeSlot slot;
    slot.launch.mode = config_.mode;
    slot.launch.node.name = fmt::format("node-{}", index);
    slot.launch.node.port = config_.base_port == 0 ? 0 : config_.base_port + index - 1;
    slot.launch.node.session_timeout_s = config_.session_timeout_s;
    slot.launch.node.on_miss = config_.on_miss;
    slot.launch.store.kind = config_.store;
    slot.launch.store.redis_url = redis_url;
    slot.launch.store.redis_namespace = config_.redis_namespace;
    slot.launch.executable = config_.node_executable;
    slot.launch.log_path = run_directory_->file(slot.launch.node.name + ".log");
    start_slot(slot);
    nodes_.push_back(std::move(slot));
  }

  BalancerConfig balancer_config;
  balancer_config.port = config_.balancer_port;
  balancer_config.health = config_.health;
  for (const auto& node : nodes_) {
    balancer_config.upstreams.push_back(Upstream{node.launch.node.name, "127.0.0.1", node.port,
                                                 weight_of(balancer_config.upstreams.size())});
  }
  balancer_ = std::make_unique<Balancer>(std::move(balancer_config), std::move(strategy));
  balancer_->bind();
  balancer_port_ = balancer_->port();
  balancer_url_ = fmt::format("http://127.0.0.1:{}", balancer_port_);
  balancer_strategy_ = balancer_->strategy_name();
  balancer_thread_ = std::thread([this] { balancer_->serve(); });
  try {
    balancer_->wait_until_serving();
  } catch (...) {
    stop();
    throw;
  }
}

Cluster::~Cluster() { stop(); }

void Cluster::stop() {
  if (balancer_) balancer_->stop();
  if (balancer_thread_.joinable()) balancer_thread_.join();
  balancer_.reset();  // closes its pooled connections, so nodes stop at once
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
    if (it->instance) it->instance->stop();
    it->instance.reset();
  }
  if (redis_) redis_->stop();
}

void Cluster::start_slot(NodeSlot& slot) {
  if (config_.session_id_seed) {
    slot.launch.node.id_seed = *config_.session_id_seed + 0x9e3779b97f4a7c15ULL * ++slot.starts;
  }
  slot.instance = start_node(slot.launch);
  slot.port = slot.instance->port();
  // A restarted node comes back on the port the balancer knows.
  slot.launch.node.port = slot.port;
}

void Cluster::take_down(NodeSlot& slot, bool crash) {
  if (!slot.instance) return;
  // Idle pooled connections would hold an inproc node's workers until they
  // time out; in-flight ones finish normally.
  if (balancer_) balancer_->drop_idle_connections(slot.launch.node.name);
  if (crash) {
    slot.instance->crash();
  } else {
    slot.instance->stop();
  }
  slot.instance.reset();
}

Cluster::NodeSlot& Cluster::slot(const std::string& name) {
  for (auto& node : nodes_) {
    if (node.launch.node.name == name) return node;
  }
  throw UsageError(
      fmt::format("no node named '{}' (nodes: {})", name, fmt::join(node_names(), ", ")));
}

const Cluster::NodeSlot& Cluster::slot(const std::string& name) const {
  return const_cast<Cluster*>(this)->slot(name);
}

std::vector<std::string> Cluster::node_names() const {
  std::vector<std::string> names;
  for (const auto& node : nodes_) names.push_back(node.launch.node.name);
  return names;
}

int Cluster::node_port(const std::string& name) const { return slot(name).port; }

void Cluster::crash_node(const std::string& name) { take_down(slot(name), true); }

void Cluster::stop_node(const std::string& name) { take_down(slot(name), false); }

void Cluster::restart_node(const std::string& name) {
  auto& node = slot(name);
  take_down(node, false);
  start_slot(node);
}

std::string Cluster::add_node() {
  NodeSlot added;
  added.launch = nodes_.back().launch;
  added.launch.node.name = fmt::format("node-{}", nodes_.size() + 1);
  added.launch.node.port =
      config_.base_port == 0 ? 0 : config_.base_port + static_cast<int>(nodes_.size());
  added.launch.log_path = run_directory_->file(added.launch.node.name + ".log");
  start_slot(added);
  balancer_->add_upstream(
      Upstream{added.launch.node.name, "127.0.0.1", added.port, weight_of(nodes_.size())});
  nodes_.push_back(std::move(added));
  return nodes_.back().launch.node.name;
}

int Cluster::weight_of(std::size_t index) const {
  return index < config_.weights.size() ? config_.weights[index] : 1;
}

std::vector<HealthEvent> Cluster::health_events() const {
  return balancer_ ? balancer_->health_events() : std::vector<HealthEvent>{};
}

RedisServer& Cluster::private_redis() {
  if (!redis_) {
    throw UsageError(config_.store == StoreKind::redis
                         ? "Redis steps need sessim's private Redis, not --redis-url"
                         : "Redis steps need --store redis");
  }
  return *redis_;
}

void Cluster::stop_redis() { private_redis().stop(); }
void Cluster::start_redis() { private_redis().start(); }
void Cluster::pause_redis() { private_redis().pause(); }
void Cluster::resume_redis() { private_redis().resume(); }
void Cluster::restart_redis() { private_redis().restart(); }

}  // namespace sessim
