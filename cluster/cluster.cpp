#include "cluster/cluster.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

#include "balancer/balancer.h"
#include "balancer/strategy_factory.h"
#include "cluster/capacity.h"
#include "cluster/redis_sentinel_group.h"
#include "cluster/redis_server.h"
#include "common/errors.h"
#include "common/text.h"
#include "net/link_relay.h"
#include "net/transport_failure.h"
#include "node/store/redis_session_store.h"
#include "node/store/redis_url.h"
#include "sys/run_directory.h"

namespace sessim {

std::string node_set_label(const ClusterConfig& config) {
  if (!config.target_url.empty()) return "target";
  switch (config.node_kind) {
    case NodeKind::sessim:
      return to_string(config.mode);
    case NodeKind::command:
      return "command";
    case NodeKind::external:
      return "external";
  }
  return "?";
}

Cluster::Cluster(ClusterConfig config) : config_(std::move(config)) {
  if (config_.nodes < 1) throw UsageError("a cluster needs at least one node");
  check_capacity(capacity_needed(config_), machine_capacity(), config_.nodes);
  run_directory_ = std::make_unique<RunDirectory>();

  // If a step throws, what already started is stopped (stop(), below; a
  // private redis-server by its own destructor if it fails first).
  std::string redis_url = config_.redis_url;
  const bool runs_nodes = config_.node_kind != NodeKind::external;
  if (config_.store == StoreKind::redis && redis_url.empty() && runs_nodes) {
    RedisServerOptions options;
    options.executable = config_.redis_server_executable;
    options.work_dir = run_directory_->path();
    options.persistence = config_.redis_persistence;
    // In-process nodes reach Redis only when a request comes: they and the
    // balancer start while redis-server boots, which it does in about as
    // long. Processes and apps may ask for Redis as they start: it is
    // ready before them.
    const bool nodes_wait = config_.node_kind == NodeKind::sessim &&
                            config_.mode == NodeMode::inproc && !config_.network_links;
    redis_ = std::make_unique<RedisServer>(options,
                                           nodes_wait ? RedisStart::spawned : RedisStart::ready);
    redis_url = redis_->url();
    if (config_.network_links) {
      // The nodes reach it through a relay, which a story can cut or slow.
      redis_link_ = std::make_unique<LinkRelay>("127.0.0.1", redis_->port());
      redis_url = fmt::format("redis://127.0.0.1:{}", redis_link_->port());
    }
  } else if (config_.store == StoreKind::redis_sentinel && runs_nodes) {
    RedisSentinelGroupOptions options;
    options.executable = config_.redis_server_executable;
    options.work_dir = run_directory_->path();
    options.persistence = config_.redis_persistence;
    sentinels_ = std::make_unique<RedisSentinelGroup>(options);
    redis_url = sentinels_->url();
  } else if (config_.store == StoreKind::redis && runs_nodes) {
    // A given Redis that does not answer fails the run up front (exit 3),
    // instead of as a 503 on every request.
    check_redis_answers(redis_url);
  }
  if (uses_redis(config_.store) && runs_nodes) redis_url_ = redis_url;

  if (config_.node_kind == NodeKind::external) {
    if (config_.upstreams.empty()) throw UsageError("external nodes need at least one --upstream");
    config_.nodes = static_cast<int>(config_.upstreams.size());
    // Servers that sessim does not run: with none up, a 502 for every read
    // would be the machine's problem, not the app's. One down among others
    // is the story's to report ("down throughout").
    std::vector<std::string> down;
    for (const auto& given : config_.upstreams) {
      const auto upstream = parse_named_upstream(given);
      if (const auto problem = connect_problem(upstream.host, upstream.port); !problem.empty()) {
        down.push_back(fmt::format("{} at {}: {}", upstream.name, upstream.address(), problem));
      }
    }
    if (down.size() == config_.upstreams.size()) {
      throw EnvironmentError(fmt::format("no --upstream answers ({})", fmt::join(down, "; ")));
    }
  }
  try {
    start_members(redis_url);
    if (redis_ && !redis_->ready()) {
      redis_->wait_until_ready();
      if (redis_->url() != redis_url) {
        // Another process took the port picked for it: the nodes start
        // again, on the port it has now.
        stop_members();
        redis_url = redis_->url();
        redis_url_ = redis_url;
        start_members(redis_url);
      }
    }
  } catch (...) {
    stop();
    throw;
  }
}

void Cluster::start_members(const std::string& redis_url) {
  nodes_.reserve(static_cast<std::size_t>(config_.nodes));
  for (int index = 1; index <= config_.nodes; ++index) {
    auto slot = make_slot(index, redis_url);
    start_slot(slot);
    nodes_.push_back(std::move(slot));
  }

  BalancerConfig balancer_config;
  balancer_config.port = config_.balancer_port;
  balancer_config.health = config_.health;
  balancer_config.health_path = config_.health_path;
  balancer_config.upstream_timeout = config_.upstream_timeout;
  if (config_.keepalive) {
    balancer_config.max_idle_connections_per_upstream = *config_.keepalive;
  } else if (config_.node_kind == NodeKind::sessim) {
    balancer_config.max_idle_connections_per_upstream = kKeepAliveForOwnNodes;
  }
  for (auto& node : nodes_) {
    balancer_config.upstreams.push_back(Upstream{node.launch.node.name, node.instance->host(),
                                                 front_port_of(node),
                                                 weight_of(balancer_config.upstreams.size())});
  }
  FrontPlan front;
  front.kind = config_.front;
  front.balancer = std::move(balancer_config);
  front.strategy.kind = config_.balancer;
  front.strategy.hash_key = config_.hash_key;
  front.strategy.seed = config_.balancer_seed;
  if (config_.front != FrontKind::builtin) {
    front.directory = run_directory_->path() + "/" + to_string(config_.front);
    std::filesystem::create_directories(front.directory);
  }
  front_ = start_front(std::move(front));
  balancer_port_ = front_->port();
  balancer_url_ = fmt::format("http://127.0.0.1:{}", balancer_port_);
}

Cluster::~Cluster() { stop(); }

std::vector<std::string> Cluster::stop() {
  // Redis exits while the nodes and the balancer stop: nothing is left to
  // ask it once the run is over.
  if (redis_) redis_->ask_to_stop();
  stop_members();
  redis_link_.reset();
  if (redis_) redis_->stop();
  if (sentinels_) sentinels_->stop();
  return stop_problems_;
}

void Cluster::stop_members() {
  if (front_) front_->stop();
  front_.reset();  // closes its pooled connections, so nodes stop at once
  node_links_.clear();
  // All asked at once, then each waited for: N nodes that ignore SIGTERM
  // cost one grace period, not N.
  for (auto& node : nodes_) {
    if (node.instance) node.instance->request_stop();
  }
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
    if (it->instance) {
      it->instance->stop();
      if (auto problem = it->instance->stop_problem(); !problem.empty()) {
        stop_problems_.push_back(std::move(problem));
      }
    }
    it->instance.reset();
  }
  nodes_.clear();
}

Cluster::NodeSlot Cluster::make_slot(int index, const std::string& redis_url) const {
  NodeSlot slot;
  slot.launch.kind = config_.node_kind;
  slot.launch.mode = config_.mode;
  slot.launch.index = index;
  slot.launch.node.name = fmt::format("node-{}", index);
  slot.launch.node.port = config_.base_port == 0 ? 0 : config_.base_port + index - 1;
  slot.launch.node.session_timeout_s = config_.session_timeout_s;
  slot.launch.store.max_local_sessions = config_.max_local_sessions;
  slot.launch.store.wait_replicas = config_.redis_wait_replicas;
  if (config_.network_links && config_.node_kind == NodeKind::sessim) {
    slot.launch.store.redis_source_address = node_source_address(index);
  }
  slot.launch.node.on_miss = config_.on_miss;
  slot.launch.node.flush = config_.flush;
  slot.launch.node.delay_ms = config_.node_delay_ms;
  slot.launch.store.save_mode = config_.save_mode;
  // A node's store is Redis either way; with sentinels its URL says so.
  slot.launch.store.kind = uses_redis(config_.store) ? StoreKind::redis : config_.store;
  slot.launch.store.redis_url = redis_url;
  slot.launch.store.redis_namespace = config_.redis_namespace;
  slot.launch.executable = config_.node_executable;
  slot.launch.command = config_.command;
  slot.launch.log_dir = run_directory_->path();
  slot.launch.log_path = run_directory_->file(slot.launch.node.name + ".log");
  slot.launch.max_log_bytes = config_.node_log_bytes;
  if (config_.node_kind == NodeKind::external) {
    const auto upstream =
        parse_named_upstream(config_.upstreams.at(static_cast<std::size_t>(index - 1)));
    if (upstream.name != upstream.address()) slot.launch.node.name = upstream.name;
    slot.launch.external_host = upstream.host;
    slot.launch.node.port = upstream.port;
  }
  return slot;
}

void Cluster::start_slot(NodeSlot& slot) {
  if (config_.session_id_seed) {
    slot.launch.node.id_seed = *config_.session_id_seed + 0x9e3779b97f4a7c15ULL * ++slot.starts;
  }
  slot.instance = start_node(slot.launch);
  exits_reported_.erase(slot.launch.node.name);
  slot.port = slot.instance->port();
  // A restarted node comes back on the port the balancer knows.
  slot.launch.node.port = slot.port;
}

void Cluster::take_down(NodeSlot& slot, bool crash) {
  if (!slot.instance) return;
  // Idle pooled connections would hold an inproc node's workers until they
  // time out; in-flight ones finish normally.
  if (front_) front_->drop_idle_connections(slot.launch.node.name);
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

void Cluster::crash_node(const std::string& name) {
  if (const auto why = abilities().node_faults; !why.empty()) throw UsageError(why);
  take_down(slot(name), true);
}

void Cluster::stop_node(const std::string& name) {
  if (const auto why = abilities().node_faults; !why.empty()) throw UsageError(why);
  take_down(slot(name), false);
}

void Cluster::restart_node(const std::string& name) {
  if (const auto why = abilities().node_faults; !why.empty()) throw UsageError(why);
  auto& node = slot(name);
  take_down(node, false);
  start_slot(node);
}

std::string Cluster::add_node() {
  if (const auto why = abilities().add_node; !why.empty()) throw UsageError(why);
  auto added = make_slot(static_cast<int>(nodes_.size()) + 1, nodes_.back().launch.store.redis_url);
  start_slot(added);
  front_->add_upstream(Upstream{added.launch.node.name, added.instance->host(),
                                front_port_of(added), weight_of(nodes_.size())});
  nodes_.push_back(std::move(added));
  return nodes_.back().launch.node.name;
}

std::string node_source_address(int index) {
  return fmt::format("127.1.{}.{}", index / 256, index % 256);
}

int Cluster::front_port_of(const NodeSlot& node) {
  if (!config_.network_links || node.launch.kind == NodeKind::external) return node.port;
  auto& relay = node_links_[node.launch.node.name];
  relay = std::make_unique<LinkRelay>(node.instance->host(), node.port);
  return relay->port();
}

std::vector<LinkRelay*> Cluster::redis_relays() const {
  if (redis_link_) return {redis_link_.get()};
  if (sentinels_) return sentinels_->relays();
  return {};
}

// The addresses a node's (or every node's) Redis connections come from: its
// own for sessim's nodes; an app of the user's connects from 127.0.0.1.
std::vector<std::string> Cluster::node_sources(const Link& link) const {
  if (config_.node_kind != NodeKind::sessim) return {"127.0.0.1"};
  if (link.kind == Link::Kind::node_to_redis) {
    return {slot(link.node).launch.store.redis_source_address};
  }
  std::vector<std::string> sources;
  for (const auto& node : nodes_) sources.push_back(node.launch.store.redis_source_address);
  return sources;
}

namespace {

std::string jitter_note(const LinkFault& fault) {
  return fault.jitter.count() > 0 ? fmt::format(", give or take {} ms", fault.jitter.count()) : "";
}

}  // namespace

std::string Cluster::link(const LinkFault& fault) {
  if (!config_.network_links) throw UsageError("this cluster runs without link relays");
  const auto node_relay = [&](const std::string& name) -> LinkRelay& {
    const auto found = node_links_.find(name);
    if (found == node_links_.end() || !found->second) {
      throw UsageError("no link from the balancer to " + name);
    }
    return *found->second;
  };
  const auto& link = fault.link;
  const auto who = link.kind == Link::Kind::node_to_redis ? link.node : std::string("every node");
  switch (fault.kind) {
    case LinkFaultKind::partition:
      if (link.to_redis()) {
        for (auto* relay : redis_relays()) {
          for (const auto& source : node_sources(link)) relay->cut(source);
        }
        return fmt::format(
            "{} cut off from Redis: its requests to the store hear nothing until "
            "heal",
            who);
      }
      node_relay(link.node).cut("");
      return fmt::format(
          "the balancer's link to {} cut: what it sends there gets no answer "
          "(the upstream timeout is {} ms)",
          link.node, config_.upstream_timeout.count());
    case LinkFaultKind::delay:
      if (link.to_redis()) {
        for (auto* relay : redis_relays()) {
          for (const auto& source : node_sources(link)) {
            relay->delay(source, fault.by, fault.jitter);
          }
        }
        return fmt::format("{}'s link to Redis slowed by {} ms each way{}", who, fault.by.count(),
                           jitter_note(fault));
      }
      node_relay(link.node).delay("", fault.by, fault.jitter);
      return fmt::format("the balancer's link to {} slowed by {} ms each way{}", link.node,
                         fault.by.count(), jitter_note(fault));
    case LinkFaultKind::reset: {
      std::size_t count = 0;
      if (link.to_redis()) {
        for (auto* relay : redis_relays()) {
          for (const auto& source : node_sources(link)) count += relay->reset(source);
        }
        return fmt::format("{}'s connections to Redis reset ({}); new ones go through", who,
                           count_of(static_cast<long long>(count), "connection"));
      }
      count = node_relay(link.node).reset("");
      return fmt::format("the balancer's connections to {} reset ({}); new ones go through",
                         link.node, count_of(static_cast<long long>(count), "connection"));
    }
    case LinkFaultKind::heal: {
      // Heal acts on every node's link to Redis at once (the relays hold one
      // state per source), on one balancer link, or on all.
      const bool every = link.kind == Link::Kind::every_link;
      if (every || link.to_redis()) {
        for (auto* relay : redis_relays()) {
          for (const auto& source : node_sources(Link{Link::Kind::nodes_to_redis, ""}))
            relay->heal(source);
        }
      }
      if (every) {
        for (auto& [name, relay] : node_links_) relay->heal("");
      } else if (link.kind == Link::Kind::balancer_to_node) {
        node_relay(link.node).heal("");
      }
      if (every) return "every link healed: held traffic goes on, in order";
      return link.to_redis() ? "redis link healed: held traffic goes on"
                             : link.node + " link healed: held traffic goes on";
    }
  }
  return "";
}

int Cluster::weight_of(std::size_t index) const {
  return index < config_.weights.size() ? config_.weights[index] : 1;
}

void Cluster::set_access_log(std::function<void(const std::string&)> sink) {
  if (front_) front_->set_access_log(std::move(sink));
}

std::vector<HealthEvent> Cluster::health_events() const {
  return front_ ? front_->health_events() : std::vector<HealthEvent>{};
}

bool Cluster::watches_node_exits() const {
  return config_.node_kind == NodeKind::command ||
         (config_.node_kind == NodeKind::sessim && config_.mode == NodeMode::process);
}

std::vector<Topology::NodeExit> Cluster::unexpected_exits() {
  std::vector<NodeExit> exits;
  for (auto& node : nodes_) {
    if (!node.instance || exits_reported_.count(node.launch.node.name)) continue;
    if (auto exit = node.instance->ended_on_its_own()) {
      exits_reported_.insert(node.launch.node.name);
      exits.push_back({node.launch.node.name, std::move(exit->how), std::move(exit->log)});
    }
  }
  return exits;
}

std::vector<int> Cluster::freeze_nodes() {
  std::vector<int> ports;
  for (auto& node : nodes_) {
    if (!node.instance || node.instance->pid() == 0) continue;
    node.instance->pause();
    ports.push_back(node.instance->port());
  }
  return ports;
}

void Cluster::thaw_nodes() {
  for (auto& node : nodes_) {
    if (node.instance && node.instance->pid() != 0) node.instance->resume();
  }
}

RedisServer& Cluster::private_redis() {
  if (sentinels_) return sentinels_->master();
  if (!redis_) {
    throw UsageError(config_.store == StoreKind::redis
                         ? "Redis steps need sessim's private Redis, not --redis-url"
                         : "Redis steps need --store redis");
  }
  return *redis_;
}

StoreFaultResult Cluster::redis(RedisAction action) {
  if (needs_sentinels(action)) {
    if (!sentinels_)
      throw UsageError("redis: " + to_string(action) + " needs --store redis-sentinel");
    switch (action) {
      case RedisAction::failover:
        return {sentinels_->failover(), true};
      case RedisAction::kill_master:
        return {sentinels_->kill_master(), true};
      case RedisAction::partition_master:
        return {sentinels_->partition_master(), false};
      default: {
        // The failover a partition set off is confirmed here.
        const bool partitioned = sentinels_->partitioned();
        return {sentinels_->heal(), partitioned};
      }
    }
  }
  auto& server = private_redis();
  switch (action) {
    case RedisAction::stop:
      server.stop();
      break;
    case RedisAction::start:
      server.start();
      break;
    case RedisAction::pause:
      server.pause();
      break;
    case RedisAction::resume:
      server.resume();
      break;
    case RedisAction::restart:
      server.restart();
      break;
    default:
      break;
  }
  return {};
}

Endpoint Cluster::entry() const { return {"http", "127.0.0.1", balancer_port_, true}; }

Endpoint Cluster::node_endpoint(const std::string& name) const {
  const auto& node = slot(name);
  return {"http", node.launch.kind == NodeKind::external ? node.launch.external_host : "127.0.0.1",
          node.port, true};
}

TopologyAbilities Cluster::abilities() const { return abilities_of(config_); }

StoreKind Cluster::store() const { return config_.store; }

bool Cluster::nodes_are_threads() const {
  return config_.node_kind == NodeKind::sessim && config_.mode == NodeMode::inproc;
}

ClusterSummary Cluster::summary() const {
  ClusterSummary summary;
  summary.nodes = static_cast<int>(nodes_.size());
  summary.kind = config_.node_kind == NodeKind::sessim    ? "sessim"
                 : config_.node_kind == NodeKind::command ? "command"
                                                          : "external";
  summary.mode = node_set_label(config_);
  summary.store = store();
  summary.balancer = config_.balancer;
  summary.front = to_string(config_.front);
  if (front_ && config_.front != FrontKind::builtin) summary.front_config = front_->description();
  summary.balancer_url = balancer_url_;
  if (redis_url_) {
    const auto url = parse_redis_url(*redis_url_);
    summary.redis_url = url.password.empty() ? *redis_url_ : url.redacted();
  }
  summary.private_redis = has_private_redis();
  if (uses_redis(config_.store) && config_.node_kind == NodeKind::sessim) {
    summary.redis_wait_replicas = config_.redis_wait_replicas;
  }
  summary.app = config_.app;
  if (config_.node_kind == NodeKind::sessim || config_.session_timeout_told) {
    summary.session_timeout_s = config_.session_timeout_s;
  }
  for (const auto& node : nodes_) {
    summary.node_urls.push_back(
        {node.launch.node.name, node_endpoint(node.launch.node.name).url()});
  }
  return summary;
}

}  // namespace sessim
