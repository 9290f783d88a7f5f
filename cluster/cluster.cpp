#include "cluster/cluster.h"

#include <fmt/format.h>

#include "balancer/balancer.h"
#include "balancer/strategy_factory.h"
#include "cluster/redis_server.h"
#include "cluster/run_directory.h"
#include "common/errors.h"

namespace sessim {

Cluster::Cluster(ClusterConfig config) : config_(std::move(config)) {
  if (config_.nodes < 1) throw UsageError("a cluster needs at least one node");
  auto strategy = make_strategy(config_.balancer);
  run_directory_ = std::make_unique<RunDirectory>();

  // Members start in declaration order; if a step throws, those already
  // started are stopped by their own destructors, in reverse order.
  std::string redis_url = config_.redis_url;
  if (config_.store == StoreKind::redis && redis_url.empty()) {
    RedisServerOptions options;
    options.executable = config_.redis_server_executable;
    options.work_dir = run_directory_->path();
    redis_ = std::make_unique<RedisServer>(options);
    redis_url = redis_->url();
  }

  for (int index = 1; index <= config_.nodes; ++index) {
    NodeLaunch launch;
    launch.mode = config_.mode;
    launch.node.name = fmt::format("node-{}", index);
    launch.node.port = config_.base_port == 0 ? 0 : config_.base_port + index - 1;
    launch.node.session_timeout_s = config_.session_timeout_s;
    launch.store.kind = config_.store;
    launch.store.redis_url = redis_url;
    launch.store.redis_namespace = config_.redis_namespace;
    launch.executable = config_.node_executable;
    launch.log_path = run_directory_->file(launch.node.name + ".log");
    nodes_.push_back(start_node(launch));
  }

  BalancerConfig balancer_config;
  balancer_config.port = config_.balancer_port;
  for (const auto& node : nodes_) {
    balancer_config.upstreams.push_back(Upstream{node->name(), "127.0.0.1", node->port()});
  }
  balancer_ = std::make_unique<Balancer>(std::move(balancer_config), std::move(strategy));
  balancer_->bind();
  balancer_thread_ = std::thread([this] { balancer_->serve(); });
}

Cluster::~Cluster() {
  if (balancer_) balancer_->stop();
  if (balancer_thread_.joinable()) balancer_thread_.join();
  balancer_.reset();
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) (*it)->stop();
  nodes_.clear();
  if (redis_) redis_->stop();
  redis_.reset();
}

int Cluster::balancer_port() const { return balancer_->port(); }

std::string Cluster::balancer_url() const {
  return fmt::format("http://127.0.0.1:{}", balancer_->port());
}

std::string Cluster::balancer_strategy() const { return balancer_->strategy_name(); }

std::optional<std::string> Cluster::redis_url() const {
  if (config_.store != StoreKind::redis) return std::nullopt;
  return redis_ ? redis_->url() : config_.redis_url;
}

}  // namespace sessim
