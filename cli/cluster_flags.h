#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cluster/cluster_config.h"
#include "net/http_client.h"
#include "vocab/store_kind.h"
#include "vocab/strategy_kind.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace sessim {
struct AppProfile;
struct Scenario;
}  // namespace sessim

namespace sessim::cli {

// Every flag that shapes the system under test: the cluster, how sessim's
// nodes treat sessions, and the user's own app. One table in
// cluster_flags.cpp declares each once (names, group, help, validation, the
// commands it belongs to, what it conflicts with, whether a rerun repeats
// it); run, compare, bench, audit, balance and node register from it.
enum class Flag {
  nodes,
  store,
  mode,
  redis_url,
  redis_server,
  redis_wait,
  base_port,
  balancer_port,
  balancer,
  front,
  hash_key,
  on_miss,
  health_check,
  upstream_timeout,
  weights,
  max_fails,
  fail_timeout,
  session_timeout,
  save_mode,
  flush,
  node_delay,
  max_sessions,
  profile,
  var,
  probe,
  node_cmd,
  node_shell,
  ready_path,
  ready_timeout,
  stop_grace,
  upstream,
  target,
  fault_cmd,
  node_header,
  insecure,
  node_log_size,
  max_response_size,
  request_timeout,
  keepalive,
  loops,
};
inline constexpr std::size_t kFlagCount = static_cast<std::size_t>(Flag::loops) + 1;

// The commands that take cluster flags.
enum class FlagCommand { run, compare, bench, audit, balance, node, export_ };

// The flags' values, typed. An optional is empty when its flag was not
// given, so that a scenario's own cluster (or the default) stands.
struct ClusterFlags {
  std::optional<int> nodes;
  std::vector<StoreKind> stores;  // run: a list; the other commands take one
  std::optional<NodeMode> mode;
  std::string redis_url;
  std::string redis_server = "redis-server";
  // Replicas a write waits for (WAIT); `run` takes a list (0,1: each
  // scenario once per value), the other commands one value.
  std::vector<int> redis_waits;
  std::optional<int> base_port;
  std::optional<int> balancer_port;
  std::optional<StrategyKind> balancer;
  std::optional<FrontKind> front;
  std::optional<std::string> hash_key;
  std::optional<MissPolicy> on_miss;
  std::optional<std::chrono::milliseconds> health_check;
  std::optional<std::chrono::milliseconds> upstream_timeout;
  std::vector<int> weights;  // of the nodes or upstreams, in order
  std::optional<int> max_fails;
  std::optional<std::chrono::milliseconds> fail_timeout;
  std::optional<int> session_timeout_s;
  std::optional<SaveMode> save_mode;
  std::optional<FlushMode> flush;
  std::optional<std::chrono::milliseconds> node_delay;
  std::optional<int> max_sessions;
  // The system under test, when it is not sessim's own nodes.
  std::string profile;  // built-in name or file; "": the scenario's, else default
  bool probe = true;    // learn the app's session model first
  std::string node_cmd;
  bool node_shell = false;
  std::string ready_path;
  std::chrono::milliseconds ready_timeout{30'000};
  std::chrono::milliseconds stop_grace{3'000};
  std::vector<std::string> upstreams;
  std::string target;
  std::vector<std::string> fault_commands;  // --fault-cmd KIND=COMMAND, as given
  std::string node_header;
  // --var NAME=VALUE (repeatable): values for ${NAME} in stories and profiles.
  std::map<std::string, std::string> variables;
  bool insecure = false;
  std::uint64_t node_log_bytes = kDefaultNodeLogBytes;
  std::uint64_t max_response_bytes = 1 << 20;
  std::chrono::milliseconds request_timeout{10'000};
  std::optional<int> keepalive;       // idle connections the balancer keeps to each upstream
  std::optional<int> loops;           // event loops of this process (default: its usable CPUs)
  std::optional<std::uint64_t> seed;  // --seed, registered by the commands that take it

  // Which flags the command line gave (filled by register_cluster_flags's options).
  bool given(Flag flag) const;
  // " --nodes 3 --node-cmd '...'": the flags a rerun of this command needs,
  // as they were written.
  std::string rerun_flags() const;

  // Whether sessim runs its own nodes (no --node-cmd, --upstream or --target).
  bool own_nodes() const { return node_cmd.empty() && upstreams.empty() && target.empty(); }

  std::array<const CLI::Option*, kFlagCount> options{};
};

// Adds the table's flags that belong to `command` to `app`, bound to `flags`.
void register_cluster_flags(CLI::App& app, FlagCommand command, ClusterFlags& flags);
// The option of a registered flag, for a command's own touch (required, envname).
CLI::Option* option_of(CLI::App& app, Flag flag);

// The limits of sessim's clients (the browser, bench, the audit).
HttpClientLimits client_limits(const ClusterFlags& flags);

// The app profile: --profile, else the scenario's `app:`, else `sessim` for
// sessim's own nodes and `spring` (the reference app) for any other; with
// --node-header applied.
AppProfile profile_for(const Scenario* scenario, const ClusterFlags& flags);

// The cluster of the reference story (or of bench and audit): the defaults
// with the flags given. Throws UsageError for impossible combinations. An
// explicit --seed also seeds the nodes' session ids (SeededSessionIds).
ClusterConfig cluster_config(const ClusterFlags& flags, const AppProfile& profile);

// The scenario's cluster for one store, with the flags given overriding it.
ClusterConfig scenario_cluster(const Scenario& scenario, StoreKind store, const ClusterFlags& flags,
                               const AppProfile& profile);

// --store as a list, else the stores the scenario declares, else its own.
std::vector<StoreKind> stores_for(const Scenario& scenario, const ClusterFlags& flags);

}  // namespace sessim::cli
