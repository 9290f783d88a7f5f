#include "cli/run_options.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "cli/signals.h"
#include "cluster/child_process.h"
#include "cluster/run_directory.h"
#include "common/errors.h"
#include "common/random.h"
#include "common/text.h"

namespace sessim::cli {

std::string own_executable() {
  char path[PATH_MAX];
  const ssize_t length = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length <= 0) throw EnvironmentError("cannot find the sessim executable (/proc/self/exe)");
  return std::string(path, static_cast<std::size_t>(length));
}

// Inproc nodes and the balancer are threads and end with the process.
void stop_everything_on_signal() {
  handle_termination_signals([](int signal) {
    terminate_all_children(std::chrono::milliseconds(2000));
    remove_all_run_directories();
    fmt::print(stderr, "sessim: interrupted ({}); all nodes and servers stopped\n",
               strsignal(signal));
    std::fflush(stderr);
    ::_exit(128 + signal);
  });
}

ClusterConfig cluster_config(const RunOptions& options) {
  ClusterConfig config;
  config.nodes = options.nodes;
  config.store = parse_store_kind(options.store);
  config.mode = parse_node_mode(options.mode);
  config.redis_url = options.redis_url;
  config.redis_server_executable = options.redis_server;
  config.base_port = options.base_port;
  config.balancer_port = options.balancer_port;
  config.balancer = options.balancer;
  config.session_timeout_s = options.session_timeout_s;
  config.hash_key = options.hash_key;
  config.on_miss = parse_miss_policy(options.on_miss);
  config.health.check_interval_ms = options.health_check_ms;
  if (options.seed) {
    config.balancer_seed = *options.seed;
    config.session_id_seed = *options.seed;
  }
  if (config.base_port != 0 && config.base_port + config.nodes - 1 > 65535) {
    throw UsageError(fmt::format("--base-port {} leaves no room for {} nodes below port 65535",
                                 config.base_port, config.nodes));
  }
  if (!config.redis_url.empty() && config.store != StoreKind::redis) {
    throw UsageError("--redis-url needs --store redis");
  }
  if (config.mode == NodeMode::process) config.node_executable = own_executable();
  return config;
}

bool json_goes_to_stdout(const RunOptions& options) {
  return options.json && (options.json_path.empty() || options.json_path == "-");
}

CLI::Option* add_json_option(CLI::App& command, RunOptions& options, const std::string& what) {
  return command
      .add_flag("--json{-}", options.json_path,
                fmt::format("{} as JSON: --json prints it on stdout instead of the table, "
                            "--json=FILE writes FILE (docs/json-report.md)",
                            what))
      ->type_name("[=FILE]");
}

std::uint64_t secure_random_seed() {
  std::uint64_t seed = 0;
  for (const char byte : secure_random_bytes(6))
    seed = (seed << 8) | static_cast<unsigned char>(byte);
  return seed;
}

std::vector<StoreKind> stores_for(const Scenario& scenario, const RunOptions& options) {
  std::vector<StoreKind> stores;
  if (options.given.count("store")) {
    for (const auto& store : split_list(options.store)) stores.push_back(parse_store_kind(store));
  } else if (!scenario.expected.empty()) {
    for (const auto& [store, outcome] : scenario.expected) {
      stores.push_back(parse_store_kind(store));
    }
  } else {
    stores.push_back(parse_store_kind(scenario.cluster.store));
  }
  return stores;
}

// The scenario's cluster with the command line's overrides.
ClusterConfig scenario_cluster(const Scenario& scenario, StoreKind store,
                               const RunOptions& options) {
  RunOptions merged = options;
  const auto& wanted = scenario.cluster;
  if (!options.given.count("nodes")) merged.nodes = wanted.nodes;
  if (!options.given.count("mode")) merged.mode = wanted.mode;
  if (!options.given.count("balancer")) merged.balancer = wanted.balancer;
  if (!options.given.count("session-timeout")) merged.session_timeout_s = wanted.session_timeout_s;
  merged.store = to_string(store);
  auto config = cluster_config(merged);
  config.redis_persistence = wanted.redis_persistence;
  if (!options.given.count("hash-key")) config.hash_key = wanted.hash_key;
  if (!options.given.count("on-miss")) config.on_miss = parse_miss_policy(wanted.on_miss);
  config.weights = wanted.weights;
  config.health.max_fails = wanted.max_fails;
  config.health.fail_timeout_ms = static_cast<std::int64_t>(wanted.fail_timeout_s * 1000);
  if (!options.given.count("health-check")) {
    config.health.check_interval_ms = static_cast<std::int64_t>(wanted.health_check_s * 1000);
  }
  return config;
}

void remember_given_options(const CLI::App& command, RunOptions& options) {
  for (const auto* option : command.get_options()) {
    if (option->count() > 0 && !option->get_lnames().empty()) {
      options.given.insert(option->get_lnames().front());
    }
  }
}

}  // namespace sessim::cli
