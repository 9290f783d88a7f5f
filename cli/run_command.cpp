#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <algorithm>

#include "balancer/strategy_factory.h"
#include "cli/commands.h"
#include "cli/signals.h"
#include "cli/terminal.h"
#include "cluster/child_process.h"
#include "cluster/cluster.h"
#include "cluster/run_directory.h"
#include "common/errors.h"
#include "report/json_report.h"
#include "report/terminal_report.h"
#include "common/random.h"
#include "report/junit_report.h"
#include "report/scenario_report.h"
#include "scenario/reference_story.h"
#include "scenario/scenario_catalog.h"
#include "scenario/scenario_loader.h"
#include "scenario/scenario_runner.h"

namespace sessim::cli {
namespace {

struct RunOptions {
  std::vector<std::string> scenarios;  // empty: the reference story
  int nodes = 2;
  std::string store = "local";
  std::string mode = "inproc";
  std::string redis_url;
  std::string redis_server = "redis-server";
  int base_port = 0;
  int balancer_port = 0;
  std::string balancer = "round-robin";
  int reads = 0;  // 0: twice the number of nodes
  std::string value = "hello";
  int session_timeout_s = 1800;
  std::string json_path;
  bool json = false;
  bool no_color = false;
  bool keep_running = false;
  std::string hash_key = "cookie:SESSION";
  std::string on_miss = "create";
  int health_check_ms = 0;
  bool fail_fast = false;
  bool explain = false;
  std::string verdict = "actual";
  std::optional<std::uint64_t> seed;
  std::string junit_path;
  // Which flags were given, so that they override a scenario's own cluster.
  std::set<std::string> given;
};

std::string own_executable() {
  char path[PATH_MAX];
  const ssize_t length = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length <= 0) throw EnvironmentError("cannot find the sessim executable (/proc/self/exe)");
  return std::string(path, static_cast<std::size_t>(length));
}

// On SIGINT/SIGTERM/SIGHUP: stop every child (nodes, redis-server), remove
// the run's temporary files, and exit with 128+signal. Inproc nodes and the
// balancer are threads and end with the process.
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
  if (options.seed) config.balancer_seed = *options.seed;
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

ClusterSummary summarize(const Cluster& cluster) {
  ClusterSummary summary;
  summary.nodes = static_cast<int>(cluster.node_names().size());
  summary.mode = to_string(cluster.config().mode);
  summary.store = to_string(cluster.config().store);
  summary.balancer = cluster.balancer_strategy();
  summary.balancer_url = cluster.balancer_url();
  summary.redis_url = cluster.redis_url().value_or("");
  summary.private_redis = cluster.has_private_redis();
  return summary;
}

void write_file(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    fmt::print("{}", text);
    return;
  }
  std::ofstream out(path);
  out << text;
  if (!out) throw EnvironmentError(fmt::format("cannot write {}", path));
}

std::uint64_t secure_random_seed() {
  std::uint64_t seed = 0;
  for (const char byte : secure_random_bytes(6)) seed = (seed << 8) | static_cast<unsigned char>(byte);
  return seed;
}

std::vector<StoreKind> stores_for(const Scenario& scenario, const RunOptions& options) {
  std::vector<StoreKind> stores;
  if (options.given.count("store")) {
    std::string_view list(options.store);
    while (!list.empty()) {
      const auto comma = list.find(',');
      stores.push_back(parse_store_kind(std::string(list.substr(0, comma))));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  } else if (!scenario.expected.empty()) {
    for (const auto& [store, outcome] : scenario.expected) stores.push_back(parse_store_kind(store));
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

int run_scenarios(const RunOptions& options) {
  const auto mode = options.verdict == "declared" ? VerdictMode::declared : VerdictMode::actual;
  const auto scenarios = load_scenarios(options.scenarios);
  // Every plan is checked before the first cluster starts.
  std::vector<std::pair<const Scenario*, ClusterConfig>> plan;
  for (const auto& scenario : scenarios) {
    for (const auto store : stores_for(scenario, options)) {
      plan.emplace_back(&scenario, scenario_cluster(scenario, store, options));
      check_node_names(scenario, plan.back().second.nodes);
    }
  }
  stop_everything_on_signal();
  ScenarioOptions scenario_options;
  scenario_options.fail_fast = options.fail_fast;
  scenario_options.seed = options.seed ? *options.seed : secure_random_seed();
  TerminalStyle style;
  style.color = !options.no_color && should_use_color(stdout);
  style.explain = options.explain;

  std::vector<ScenarioRun> runs;
  for (const auto& [scenario, config] : plan) {
    runs.push_back(run_scenario(*scenario, config, scenario_options));
    fmt::print("{}", render_scenario_run(runs.back(), style));
    std::fflush(stdout);
  }
  fmt::print("{}", render_suite_summary(runs, mode, style));
  fmt::print("seed {}: rerun with --seed {}\n", scenario_options.seed, scenario_options.seed);
  if (options.json) write_file(options.json_path, render_scenarios_json(runs, mode));
  if (!options.junit_path.empty()) write_file(options.junit_path, render_junit_report(runs, mode));
  const bool all = std::all_of(runs.begin(), runs.end(),
                               [mode](const auto& run) { return counts_as_success(run, mode); });
  return all ? kExitOk : kExitChecksFailed;
}

int run(const RunOptions& options) {
  if (!options.scenarios.empty()) return run_scenarios(options);
  if (!options.junit_path.empty()) throw UsageError("--junit needs a scenario to run");
  if (options.store.find(',') != std::string::npos) {
    throw UsageError("the reference story runs one store at a time; give a scenario to compare");
  }
  const auto config = cluster_config(options);
  stop_everything_on_signal();

  Cluster cluster(config);
  ReferenceStoryOptions story;
  story.value = options.value;
  story.reads = options.reads > 0 ? options.reads : 2 * options.nodes;
  RunResult result = run_reference_story("127.0.0.1", cluster.balancer_port(), story);
  result.cluster = summarize(cluster);
  if (!options.keep_running) cluster.stop();

  const bool json_to_stdout = options.json && (options.json_path.empty() || options.json_path == "-");
  if (options.json && !json_to_stdout) write_file(options.json_path, render_json_report(result));
  if (json_to_stdout) {
    fmt::print("{}", render_json_report(result));
  } else {
    TerminalStyle style;
    style.color = !options.no_color && should_use_color(stdout);
    fmt::print("{}", render_terminal_report(result, style));
  }
  if (options.keep_running) {
    fmt::print(stderr, "cluster still running at {}; press Ctrl-C to stop it\n",
               cluster.balancer_url());
    std::fflush(stdout);
    std::fflush(stderr);
    while (true) ::pause();  // the signal thread stops everything and exits
  }
  return result.passed() ? kExitOk : kExitChecksFailed;
}

}  // namespace

void add_run_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<RunOptions>();
  auto* command = app.add_subcommand(
      "run",
      "Without SCENARIO: start a cluster (N nodes, balancer, Redis if needed), drive the reference "
      "story through the balancer like a browser (one set-session, then K get-sessions), report "
      "every request and exit 0 only if every read returned the value written. With SCENARIO "
      "(a YAML file, a directory of them, or a built-in name from `sessim list`): play each "
      "scenario on a fresh cluster per store and report its verdict.");
  command->add_option("scenario", options->scenarios,
                      "scenario file, directory or built-in name (repeatable)");
  command->add_option("--nodes,-n", options->nodes, "number of app nodes")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  command
      ->add_option("--store,-s", options->store,
                   "where nodes keep sessions: local or redis; for scenarios a list such as "
                   "local,redis (default: the stores the scenario declares)")
      ->check([](const std::string& value) -> std::string {
        std::string_view list(value);
        while (true) {
          const auto comma = list.find(',');
          const auto item = list.substr(0, comma);
          if (item != "local" && item != "redis") {
            return fmt::format("store '{}' is not local or redis", item);
          }
          if (comma == std::string_view::npos) return "";
          list.remove_prefix(comma + 1);
        }
      })
      ->capture_default_str();
  command
      ->add_option("--mode,-m", options->mode,
                   "inproc: nodes are threads of this process; process: child processes")
      ->check(CLI::IsMember({"inproc", "process"}))
      ->capture_default_str();
  command->add_option("--redis-url", options->redis_url,
                      "use this Redis (redis://host:port[/db]) instead of a private redis-server");
  command->add_option("--redis-server", options->redis_server,
                      "redis-server program for the private Redis")
      ->capture_default_str();
  command->add_option("--base-port", options->base_port,
                      "node i listens on BASE+i-1 (default: free ports); 9001 reproduces the "
                      "reference setup")
      ->check(CLI::Range(1, 65535));
  command->add_option("--balancer-port", options->balancer_port,
                      "balancer port (default: a free port); 9000 in the reference setup")
      ->check(CLI::Range(1, 65535));
  command->add_option("--balancer,-b", options->balancer, "balancing strategy")
      ->check(CLI::IsMember(strategy_names()))
      ->capture_default_str();
  command->add_option("--hash-key", options->hash_key,
                      "what --balancer hash hashes: cookie:NAME or header:NAME")
      ->capture_default_str();
  command
      ->add_option("--on-miss", options->on_miss,
                   "nodes, when the cookie names no session they know: create (Spring: new "
                   "session, replacement cookie) or keep (express-session "
                   "saveUninitialized:false)")
      ->check(CLI::IsMember({"create", "keep"}))
      ->capture_default_str();
  command->add_option("--health-check", options->health_check_ms,
                      "balancer: GET /healthz on every node every MS milliseconds (0: passive "
                      "checks only)")
      ->check(CLI::Range(0, 3'600'000));
  command->add_option("--reads,-k", options->reads, "number of get-session reads (default: 2 x nodes)")
      ->check(CLI::Range(1, 100000));
  command->add_option("--value", options->value, "the value set-session stores")
      ->capture_default_str();
  command->add_option("--session-timeout", options->session_timeout_s,
                      "session idle timeout in seconds")
      ->check(CLI::Range(1, 365 * 24 * 3600))
      ->capture_default_str();
  command->add_flag("--explain", options->explain,
                    "under each failed read, say in one sentence why it failed");
  command->add_flag("--fail-fast", options->fail_fast,
                    "stop a scenario at its first failed expectation");
  command
      ->add_option("--verdict", options->verdict,
                   "actual: exit 0 only if every scenario passes; declared: a scenario that "
                   "fails where its file declares it fails counts as a success")
      ->check(CLI::IsMember({"actual", "declared"}))
      ->capture_default_str();
  command->add_option("--seed", options->seed,
                      "seed for the order of parallel steps (printed by every run)");
  command->add_option("--junit", options->junit_path,
                      "write a JUnit XML report of the scenarios to FILE");
  auto* json = command->add_option("--json", options->json_path,
                                   "write the result as JSON to FILE (default: stdout)")
                   ->expected(0, 1)
                   ->type_name("[FILE]");
  command->add_flag("--keep-running", options->keep_running,
                    "leave the cluster running after the report (explore it with curl) until "
                    "Ctrl-C");
  command->add_flag("--no-color", options->no_color, "never colour the output (NO_COLOR works too)");
  command->callback([options, json, command, &selected] {
    options->json = json->count() > 0;
    for (const auto* option : command->get_options()) {
      if (option->count() > 0 && !option->get_lnames().empty()) {
        options->given.insert(option->get_lnames().front());
      }
    }
    selected = [options] { return run(*options); };
  });
}

}  // namespace sessim::cli
