#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "balancer/balancer.h"
#include "balancer/strategy_factory.h"
#include "cli/cluster_flags.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "cli/run_options.h"
#include "cli/signals.h"
#include "common/errors.h"

namespace sessim::cli {
namespace {

struct BalanceOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  ClusterFlags cluster;  // --upstream, --balancer, --hash-key, --health-check, --upstream-timeout
  std::vector<int> weights;
  int max_fails = 1;
  int fail_timeout_s = 10;
  bool trace = false;
  int keepalive = 16;
};

int run_balancer(const BalanceOptions& options) {
  BalancerConfig config;
  config.host = options.host;
  config.port = options.port;
  std::vector<std::string> names;
  const auto& flags = options.cluster;
  if (flags.health_check) config.health.check_interval_ms = flags.health_check->count();
  config.max_idle_connections_per_upstream = static_cast<std::size_t>(options.keepalive);
  if (flags.upstream_timeout) config.upstream_timeout = *flags.upstream_timeout;
  config.health.max_fails = options.max_fails;
  config.health.fail_timeout_ms = options.fail_timeout_s * 1000LL;
  if (options.weights.size() > flags.upstreams.size()) {
    throw UsageError(fmt::format("--weights has {} values for {} upstreams", options.weights.size(),
                                 flags.upstreams.size()));
  }
  for (const auto& spec : flags.upstreams) {
    config.upstreams.push_back(parse_named_upstream(spec));
    if (config.upstreams.size() <= options.weights.size()) {
      config.upstreams.back().weight = options.weights[config.upstreams.size() - 1];
    }
    names.push_back(
        fmt::format("{}={}", config.upstreams.back().name, config.upstreams.back().address()));
  }
  StrategyOptions strategy;
  strategy.kind = flags.balancer.value_or(StrategyKind::round_robin);
  strategy.hash_key = flags.hash_key.value_or(kDefaultHashKey);
  Balancer balancer(std::move(config), make_strategy(strategy));
  if (options.trace) {
    balancer.set_access_log([](const std::string& line) {
      fmt::print(stderr, "{}\n", line);
      std::fflush(stderr);
    });
  }
  const int port = balancer.bind();
  stop_server_on_signal([&balancer] { balancer.stop(); }, std::chrono::milliseconds(300));
  fmt::print("balancer listening on http://{}:{} ({} over {})\n", options.host, port,
             to_string(strategy.kind), fmt::join(names, ", "));
  std::fflush(stdout);
  balancer.serve();
  return kExitOk;
}

}  // namespace

void add_balance_command(CLI::App& app, CommandAction& selected) {
  auto options = std::make_shared<BalanceOptions>();
  auto* command = app.add_subcommand(
      "balance",
      "Run the built-in balancer alone in front of running servers (sessim nodes or your own "
      "app). Runs until SIGINT/SIGTERM.");
  command->add_option("--port,-p", options->port, "port to listen on (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->required();
  command->add_option("--host", options->host, "address to listen on")->capture_default_str();
  register_cluster_flags(*command, FlagCommand::balance, options->cluster);
  option_of(*command, Flag::upstream)->required();
  command->add_option("--weights", options->weights, "weights of the upstreams, in order (3,1)")
      ->delimiter(',')
      ->check(CLI::Range(1, 100));
  command
      ->add_option("--max-fails", options->max_fails,
                   "failed attempts that take an upstream out (nginx max_fails)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  command
      ->add_option("--fail-timeout", options->fail_timeout_s,
                   "seconds an upstream stays out (nginx fail_timeout)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  command
      ->add_option("--keepalive", options->keepalive,
                   "idle connections kept open to each upstream, per event loop (nginx's "
                   "keepalive); more avoids reconnecting under many clients, but each one may "
                   "hold a worker of a thread-per-connection app")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  command->add_flag("--trace", options->trace,
                    "an access log on stderr: each request with the upstream chosen, status and "
                    "time, and every up/down change");
  command->callback(
      [options, &selected] { selected = [options] { return run_balancer(*options); }; });
}

}  // namespace sessim::cli
