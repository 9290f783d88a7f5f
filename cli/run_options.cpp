#include "cli/run_options.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>

#include "cli/flag_checks.h"
#include "cli/signals.h"
#include "cluster/child_process.h"
#include "cluster/command_node.h"
#include "cluster/run_directory.h"
#include "common/errors.h"
#include "common/random.h"
#include "common/text.h"

namespace sessim::cli {

HttpClientLimits client_limits(const RunOptions& options) {
  HttpClientLimits limits;
  limits.max_response_bytes = options.max_response_bytes;
  limits.request_timeout = seconds_to_ms(options.request_timeout_s);
  return limits;
}

std::chrono::milliseconds seconds_to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

std::string own_executable() {
  char path[PATH_MAX];
  const ssize_t length = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length <= 0) throw EnvironmentError("cannot find the sessim executable (/proc/self/exe)");
  return std::string(path, static_cast<std::size_t>(length));
}

// Inproc nodes and the balancer are threads and end with the process.
namespace {

std::mutex interruption_mutex;
std::function<std::string()>& interruption_report() {
  static std::function<std::string()> report;
  return report;
}

}  // namespace

void set_interruption_report(std::function<std::string()> report) {
  const std::lock_guard lock(interruption_mutex);
  interruption_report() = std::move(report);
}

void stop_everything_on_signal() {
  handle_termination_signals([](int signal) {
    terminate_all_children(std::chrono::milliseconds(2000));
    remove_all_run_directories();
    {
      const std::lock_guard lock(interruption_mutex);
      if (interruption_report()) {
        fmt::print("{}", interruption_report()());
        std::fflush(stdout);
      }
    }
    fmt::print(stderr, "sessim: interrupted ({}); all nodes and servers stopped\n",
               strsignal(signal));
    std::fflush(stderr);
    ::_exit(128 + signal);
  });
}

namespace {

constexpr const char* kSystemGroup = "System under test (default: sessim's own nodes)";

// Flags that mean nothing for the system under test the other flags chose.
void refuse_conflicts(const RunOptions& options) {
  const auto given = [&](const char* flag) { return options.given.count(flag) > 0; };
  if (!options.target.empty()) {
    for (const auto* flag :
         {"node-cmd", "upstream", "nodes", "mode", "balancer", "base-port", "balancer-port",
          "redis-url", "hash-key", "health-check", "on-miss", "upstream-timeout"}) {
      if (given(flag)) {
        throw UsageError(fmt::format(
            "--{} does not apply with --target: the target is the whole system under test", flag));
      }
    }
  }
  if (!options.upstreams.empty()) {
    for (const auto* flag : {"node-cmd", "nodes", "mode", "base-port", "redis-url", "on-miss"}) {
      if (given(flag)) {
        throw UsageError(
            fmt::format("--{} does not apply with --upstream: those servers already run", flag));
      }
    }
  }
  if (!options.node_cmd.empty() && given("mode")) {
    throw UsageError("--mode applies to sessim's own nodes, not to --node-cmd");
  }
  if (options.node_cmd.empty()) {
    for (const auto* flag : {"node-shell", "ready-path", "ready-timeout", "stop-grace"}) {
      if (given(flag)) throw UsageError(fmt::format("--{} goes with --node-cmd", flag));
    }
  }
  if (options.insecure && options.target.rfind("https://", 0) != 0) {
    throw UsageError("--insecure goes with --target https://...");
  }
}

}  // namespace

AppProfile profile_for(const Scenario* scenario, const RunOptions& options) {
  AppProfile profile;
  if (!options.profile.empty()) {
    profile = load_profile(options.profile);
  } else if (scenario && scenario->app) {
    profile = *scenario->app;
  } else {
    const bool own_nodes =
        options.node_cmd.empty() && options.upstreams.empty() && options.target.empty();
    profile = builtin_profile(own_nodes ? "sessim" : "spring");
  }
  if (!options.node_header.empty()) profile.node_header = options.node_header;
  return profile;
}

void add_session_handling_options(CLI::App& command, RunOptions& options) {
  constexpr const char* kGroup = "Sessions on sessim's nodes";
  command
      .add_option("--save-mode", options.save_mode,
                  "delta (changed attributes, into a session that still exists: Spring) or full "
                  "(the whole session, unconditionally: express-session + connect-redis)")
      ->check(CLI::IsMember(save_mode_names()))
      ->capture_default_str()
      ->group(kGroup);
  command
      .add_option("--flush", options.flush,
                  "when changes reach the store: on-request-end or immediate")
      ->check(CLI::IsMember(flush_mode_names()))
      ->capture_default_str()
      ->group(kGroup);
  command
      .add_option("--node-delay", options.node_delay_ms,
                  "every session request takes MS milliseconds before it ends (slow requests, "
                  "reproducible races)")
      ->check(CLI::Range(0, kMaxRequestDelayMs))
      ->group(kGroup);
  command
      .add_option("--max-sessions", options.max_sessions,
                  "sessions one node keeps in memory with --store local; beyond, the one idle "
                  "the longest is dropped")
      ->check(CLI::Range(1, 100'000'000))
      ->capture_default_str()
      ->group(kGroup);
}

void add_system_under_test_options(CLI::App& command, RunOptions& options) {
  command
      .add_option("--profile", options.profile,
                  fmt::format("the app's session contract: a built-in ({}) or a profile file "
                              "(docs/your-app.md); default sessim for sessim's nodes, spring "
                              "otherwise",
                              fmt::join(builtin_profile_names(), ", ")))
      ->group(kSystemGroup);
  command
      .add_option("--probe", options.probe,
                  "on: before the first story, learn how the app keeps sessions with a few "
                  "requests of its own to one or two instances (where sessions live, whether "
                  "instances share them, what unknown ids, login and logout do); explanations "
                  "name only causes the probe established. off: every cause is unknown")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str()
      ->group(kSystemGroup);
  command
      .add_option("--node-cmd", options.node_cmd,
                  "run your app as the N nodes: a command line with {port}, {name}, {index}, "
                  "{store}, {redis_url}, {redis_host}, {redis_port}, {log_dir} (also "
                  "SESSIM_PORT, ... in its environment)")
      ->group(kSystemGroup);
  command.add_flag("--node-shell", options.node_shell, "run --node-cmd through /bin/sh -c")
      ->group(kSystemGroup);
  command
      .add_option("--ready-path", options.ready_path,
                  "a command node is ready when GET PATH answers 2xx (default: when its port "
                  "accepts connections)")
      ->check(sendable_path())
      ->group(kSystemGroup);
  command
      .add_option("--ready-timeout", options.ready_timeout_s,
                  "seconds a command node has to become ready")
      ->transform(seconds_in(0.1, 600))
      ->capture_default_str()
      ->group(kSystemGroup);
  command
      .add_option("--stop-grace", options.stop_grace_s,
                  "seconds between SIGTERM and SIGKILL when a command node is stopped")
      ->transform(seconds_in(0, 60))
      ->capture_default_str()
      ->group(kSystemGroup);
  command
      .add_option("--upstream,-u", options.upstreams,
                  "[NAME=]http://HOST:PORT of a server that already runs; the built-in balancer "
                  "goes in front of them (repeatable); sessim never starts or stops them")
      ->group(kSystemGroup);
  command
      .add_option("--target", options.target,
                  "drive the story through your own entry point (http:// or https://), with no "
                  "balancer or nodes of sessim's")
      ->group(kSystemGroup);
  command
      .add_option("--node-header", options.node_header,
                  "the response header that names the serving node (overrides the profile's)")
      ->group(kSystemGroup);
  command
      .add_flag("--insecure", options.insecure,
                "--target https:// with a self-signed certificate: do not verify it")
      ->group(kSystemGroup);
  command
      .add_option("--node-log-size", options.node_log_bytes,
                  "each node process's log keeps its last this many bytes (8MiB)")
      ->transform(byte_size_in(64 * 1024, std::uint64_t{1} << 34))
      ->capture_default_str()
      ->group(kSystemGroup);
  command
      .add_option("--max-response-size", options.max_response_bytes,
                  "a response body larger than this fails its request (1MiB, 512KiB, bytes)")
      ->transform(byte_size_in(1, std::uint64_t{1} << 30))
      ->capture_default_str()
      ->group(kSystemGroup);
  command
      .add_option("--request-timeout", options.request_timeout_s,
                  "seconds a request may take in all, connecting to the end of its answer")
      ->transform(seconds_in(0.1, 3600))
      ->capture_default_str()
      ->group(kSystemGroup);
}

ClusterConfig cluster_config(const RunOptions& options, const AppProfile& profile) {
  refuse_conflicts(options);
  ClusterConfig config;
  config.app = profile.name;
  config.health_path = profile.health_path;
  config.target_url = options.target;
  config.verify_tls = !options.insecure;
  config.node_log_bytes = options.node_log_bytes;
  if (!options.upstreams.empty()) {
    config.node_kind = NodeKind::external;
    config.upstreams = options.upstreams;
  } else if (!options.node_cmd.empty()) {
    config.node_kind = NodeKind::command;
    config.command.command = options.node_cmd;
    config.command.shell = options.node_shell;
    config.command.ready_path = options.ready_path;
    config.command.ready_timeout =
        std::chrono::milliseconds(static_cast<long long>(options.ready_timeout_s * 1000));
    config.command.stop_grace =
        std::chrono::milliseconds(static_cast<long long>(options.stop_grace_s * 1000));
    // A typo in a placeholder or an unclosed quote fails now, not per node.
    std::map<std::string, std::string> placeholders;
    for (const auto& name : command_placeholders()) placeholders[name] = name;
    command_words(options.node_cmd, placeholders, options.node_shell);
  }
  config.nodes = config.node_kind == NodeKind::external ? static_cast<int>(options.upstreams.size())
                                                        : options.nodes;
  config.store = parse_store_kind(options.store);
  config.mode = parse_node_mode(options.mode);
  config.redis_url = options.redis_url;
  config.redis_server_executable = options.redis_server;
  config.base_port = options.base_port;
  config.balancer_port = options.balancer_port;
  config.balancer = options.balancer;
  config.session_timeout_s = options.session_timeout_s;
  // Whether the app runs with that timeout: sessim's nodes always; a command
  // whose line passes it on; any app whose user vouches for it.
  config.session_timeout_told =
      options.given.count("session-timeout") > 0 ||
      options.node_cmd.find("{session_timeout}") != std::string::npos ||
      options.node_cmd.find("SESSIM_SESSION_TIMEOUT") != std::string::npos;
  config.max_local_sessions = static_cast<std::size_t>(options.max_sessions);
  // The hash follows the app's own session cookie unless told otherwise.
  config.hash_key = options.given.count("hash-key") ? options.hash_key : "cookie:" + profile.cookie;
  config.on_miss = parse_miss_policy(options.on_miss);
  config.save_mode = parse_save_mode(options.save_mode);
  config.flush = parse_flush_mode(options.flush);
  config.node_delay_ms = options.node_delay_ms;
  config.health.check_interval_ms = options.health_check_ms;
  config.upstream_timeout = seconds_to_ms(options.upstream_timeout_s);
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
  if (config.node_kind == NodeKind::sessim && config.mode == NodeMode::process) {
    config.node_executable = own_executable();
  }
  return config;
}

bool json_goes_to_stdout(const RunOptions& options) {
  return options.json && (options.json_path.empty() || options.json_path == "-");
}

CLI::Option* add_seed_option(CLI::App& command, RunOptions& options, const std::string& help) {
  const CLI::Validator digits(
      [](std::string& text) -> std::string {
        const bool only_digits = !text.empty() && text.size() <= 20 &&
                                 text.find_first_not_of("0123456789") == std::string::npos;
        if (only_digits && (text.size() < 20 || text <= "18446744073709551615")) return "";
        return "a seed is a whole number from 0 to 18446744073709551615, got '" + text + "'";
      },
      "SEED");
  return command.add_option("--seed", options.seed, help)->check(digits);
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
ClusterConfig scenario_cluster(const Scenario& scenario, StoreKind store, const RunOptions& options,
                               const AppProfile& profile) {
  RunOptions merged = options;
  const auto& wanted = scenario.cluster;
  if (!options.given.count("nodes")) merged.nodes = wanted.nodes;
  if (!options.given.count("mode")) merged.mode = wanted.mode;
  if (!options.given.count("balancer")) merged.balancer = wanted.balancer;
  if (!options.given.count("session-timeout")) merged.session_timeout_s = wanted.session_timeout_s;
  merged.store = to_string(store);
  auto config = cluster_config(merged, profile);
  config.redis_persistence = wanted.redis_persistence;
  if (!options.given.count("hash-key") && !wanted.hash_key.empty()) {
    config.hash_key = wanted.hash_key;
  }
  if (!options.given.count("on-miss")) config.on_miss = parse_miss_policy(wanted.on_miss);
  if (!options.given.count("save-mode")) config.save_mode = parse_save_mode(wanted.save_mode);
  if (!options.given.count("flush")) config.flush = parse_flush_mode(wanted.flush);
  if (!options.given.count("node-delay")) {
    config.node_delay_ms = static_cast<int>(wanted.delay_s * 1000);
  }
  config.weights = wanted.weights;
  config.health.max_fails = wanted.max_fails;
  config.health.fail_timeout_ms = static_cast<std::int64_t>(wanted.fail_timeout_s * 1000);
  if (!options.given.count("health-check")) {
    config.health.check_interval_ms = static_cast<std::int64_t>(wanted.health_check_s * 1000);
  }
  if (!options.given.count("upstream-timeout")) {
    config.upstream_timeout = seconds_to_ms(wanted.upstream_timeout_s);
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
