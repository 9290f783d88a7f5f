#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdio>
#include <fstream>
#include <memory>

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
#include "scenario/reference_story.h"

namespace sessim::cli {
namespace {

struct RunOptions {
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
  std::ofstream out(path);
  out << text;
  if (!out) throw EnvironmentError(fmt::format("cannot write {}", path));
}

int run(const RunOptions& options) {
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
      "Start a cluster (N nodes, balancer, Redis if needed), drive the reference story through "
      "the balancer like a browser (one set-session, then K get-sessions), report every request "
      "and exit 0 only if every read returned the value written.");
  command->add_option("--nodes,-n", options->nodes, "number of app nodes")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  command->add_option("--store,-s", options->store, "where nodes keep sessions: local or redis")
      ->check(CLI::IsMember({"local", "redis"}))
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
  command->add_option("--reads,-k", options->reads, "number of get-session reads (default: 2 x nodes)")
      ->check(CLI::Range(1, 100000));
  command->add_option("--value", options->value, "the value set-session stores")
      ->capture_default_str();
  command->add_option("--session-timeout", options->session_timeout_s,
                      "session idle timeout in seconds")
      ->check(CLI::Range(1, 365 * 24 * 3600))
      ->capture_default_str();
  auto* json = command->add_option("--json", options->json_path,
                                   "print the result as JSON (to FILE if given, else stdout)")
                   ->expected(0, 1)
                   ->type_name("[FILE]");
  command->add_flag("--keep-running", options->keep_running,
                    "leave the cluster running after the report (explore it with curl) until "
                    "Ctrl-C");
  command->add_flag("--no-color", options->no_color, "never colour the output (NO_COLOR works too)");
  command->callback([options, json, &selected] {
    options->json = json->count() > 0;
    selected = [options] { return run(*options); };
  });
}

}  // namespace sessim::cli
