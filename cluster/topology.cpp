#include "cluster/topology.h"

#include <fmt/format.h>

#include "cluster/cluster.h"
#include "cluster/fault_hook.h"
#include "common/errors.h"
#include "common/name_table.h"
#include "common/text.h"
#include "net/host_port.h"
#include "net/transport_failure.h"
#include "sys/run_directory.h"

namespace sessim {
namespace {

// The user's own entry point (`--target URL`): their nginx, ingress or
// staging. sessim sends requests and nothing else: no node of it is known,
// started or stopped.
class TargetTopology final : public Topology {
 public:
  TargetTopology(Endpoint target, TopologyAbilities abilities, StoreKind store, std::string app,
                 std::map<std::string, std::string> fault_commands)
      : target_(std::move(target)),
        abilities_(std::move(abilities)),
        store_(store),
        app_(std::move(app)),
        fault_commands_(std::move(fault_commands)) {}

  Endpoint entry() const override { return target_; }
  std::vector<std::string> node_names() const override { return {}; }
  Endpoint node_endpoint(const std::string& name) const override {
    throw UsageError(fmt::format("no node {}: behind --target sessim knows no nodes", name));
  }
  TopologyAbilities abilities() const override { return abilities_; }
  StoreKind store() const override { return store_; }
  bool redis_persistence() const override { return false; }
  bool nodes_are_threads() const override { return false; }
  void crash_node(const std::string& name) override { hook("crash", name); }
  void stop_node(const std::string& name) override { hook("stop", name); }
  void restart_node(const std::string& name) override { hook("restart", name); }
  std::string add_node() override { refuse(); }
  StoreFaultResult redis(RedisAction) override { refuse(); }
  std::string link(const LinkFault&) override { refuse(); }
  std::vector<HealthEvent> health_events() const override { return {}; }
  ClusterSummary summary() const override {
    ClusterSummary summary;
    summary.kind = "target";
    summary.mode = "target";
    summary.store = store_;
    summary.balancer_url = target_.url();
    summary.app = app_;
    return summary;
  }
  std::vector<std::string> stop() override { return {}; }

 private:
  [[noreturn]] void refuse() const { throw UsageError(abilities_.node_faults); }

  // The user's command does the fault in the deployment (--fault-cmd).
  void hook(const std::string& fault, const std::string& node) {
    const auto command = fault_commands_.find(fault);
    if (command == fault_commands_.end()) refuse();
    if (!hook_logs_) hook_logs_ = std::make_unique<RunDirectory>();
    run_fault_hook(fault, command->second, node, hook_logs_->path());
  }

  Endpoint target_;
  TopologyAbilities abilities_;
  StoreKind store_;
  std::string app_;
  std::map<std::string, std::string> fault_commands_;
  std::unique_ptr<RunDirectory> hook_logs_;  // the hooks' output, made on first use
};

}  // namespace

// "http://host:port" or "https://host[:port]" with an optional "/" after.
Endpoint parse_target(const std::string& url, bool verify_tls) {
  Endpoint endpoint;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    endpoint.scheme = "http";
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    endpoint.scheme = "https";
    rest = url.substr(8);
  } else {
    throw UsageError(
        fmt::format("--target {}: expected http://HOST:PORT or https://HOST[:PORT]", url));
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos) {
    throw UsageError(fmt::format("--target {}: give the origin only, without a path", url));
  }
  HostPort host_port;
  std::string error;
  if (!split_host_port(rest, &host_port, &error)) {
    throw UsageError(fmt::format("--target {}: {}", url, error));
  }
  endpoint.host = std::move(host_port.host);
  endpoint.port = host_port.port.value_or(endpoint.scheme == "https" ? 443 : 80);
  endpoint.verify_tls = verify_tls;
  return endpoint;
}

std::string Endpoint::url() const {
  const bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  return default_port ? fmt::format("{}://{}", scheme, url_host(host))
                      : fmt::format("{}://{}", scheme, join_host_port(host, port));
}

TopologyAbilities abilities_of(const ClusterConfig& config) {
  TopologyAbilities abilities;
  if (!config.session_timeout_told && config.node_kind != NodeKind::sessim) {
    abilities.session_timeout = fmt::format(
        "the app was not told to expire idle sessions after {0} s: put {{session_timeout}} in "
        "--node-cmd (also SESSIM_SESSION_TIMEOUT in its environment), or run it with that "
        "timeout and say so with --session-timeout {0}",
        config.session_timeout_s);
  }
  if (!config.target_url.empty()) {
    const auto target = parse_target(config.target_url, config.verify_tls).url();
    abilities.node_faults =
        "the system under test is --target " + target +
        ", which sessim does not run; give the command that does it: --fault-cmd "
        "crash='...{name}...' (also stop=, restart=)";
    abilities.add_node =
        "the system under test is --target " + target + ", which sessim does not run";
    for (const auto& [fault, command] : config.fault_commands) abilities.fault_hooks.insert(fault);
    abilities.direct_nodes = "behind --target " + target + " sessim knows no nodes";
    abilities.links = abilities.redis_links = abilities.node_redis_links =
        "the system under test is --target " + target + "; sessim runs none of its links";
    // With store=local, redis steps are skipped with a note, as everywhere.
    if (uses_redis(config.store)) {
      abilities.redis_control =
          "the system under test is --target " + target + "; sessim runs no Redis for it";
    }
    return abilities;
  }
  if (config.node_kind == NodeKind::external) {
    abilities.node_faults = abilities.add_node =
        "nodes are --upstream servers that sessim does not run";
    abilities.links = abilities.redis_links = abilities.node_redis_links =
        "nodes are --upstream servers; sessim runs none of their links";
    if (uses_redis(config.store)) {
      abilities.redis_control = "nodes are --upstream servers; sessim runs no Redis for them";
    }
    return abilities;
  }
  if (config.store == StoreKind::redis && !config.redis_url.empty()) {
    abilities.redis_control = "redis steps control sessim's private Redis; drop --redis-url";
  }
  if (!config.redis_url.empty()) {
    abilities.redis_links = abilities.node_redis_links =
        "links to Redis run through sessim's private Redis; drop --redis-url";
  } else if (config.node_kind == NodeKind::command) {
    abilities.node_redis_links =
        "an app of your own connects to Redis from an address sessim cannot choose; cut or slow "
        "every node's link at once (omit from:)";
  }
  return abilities;
}

std::unique_ptr<Topology> start_topology(const ClusterConfig& config) {
  if (!config.target_url.empty()) {
    auto target = parse_target(config.target_url, config.verify_tls);
    // A story played against nothing would fail every read for no reason
    // of the app's: the machine's problem, exit 3, not a failed check.
    if (const auto problem = connect_problem(target.host, target.port); !problem.empty()) {
      throw EnvironmentError(
          fmt::format("--target {}: nothing answers there ({})", config.target_url, problem));
    }
    return std::make_unique<TargetTopology>(std::move(target), abilities_of(config), config.store,
                                            config.app, config.fault_commands);
  }
  return std::make_unique<Cluster>(config);
}

}  // namespace sessim
