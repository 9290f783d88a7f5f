#include "cluster/cluster.h"

#include <fmt/format.h>

#include "balancer/balancer.h"
#include "balancer/strategy_factory.h"
#include "cluster/redis_server.h"
#include "cluster/run_directory.h"
#include "common/errors.h"
#include "node/store/redis_url.h"

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
  } else if (config_.store == StoreKind::redis) {
    // A given Redis that does not answer fails the run up front (exit 3),
    // instead of as a 503 on every request.
    const auto url = parse_redis_url(redis_url);
    std::string error;
    if (!redis_answers_ping(url.host, url.port, 1000, &error)) {
      throw EnvironmentError(fmt::format("cannot reach Redis at {}: {}", url.redacted(), error));
    }
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
  balancer_port_ = balancer_->port();
  balancer_url_ = fmt::format("http://127.0.0.1:{}", balancer_port_);
  balancer_strategy_ = balancer_->strategy_name();
  if (config_.store == StoreKind::redis) redis_url_ = redis_url;
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
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) (*it)->stop();
  if (redis_) redis_->stop();
}

int Cluster::balancer_port() const { return balancer_port_; }

std::string Cluster::balancer_url() const { return balancer_url_; }

std::string Cluster::balancer_strategy() const { return balancer_strategy_; }

std::optional<std::string> Cluster::redis_url() const { return redis_url_; }

}  // namespace sessim
