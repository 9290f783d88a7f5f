#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <memory>

#include "balancer/balancer.h"
#include "balancer/strategy_factory.h"
#include "cli/cluster_flags.h"
#include "cli/command_options.h"
#include "cli/commands.h"
#include "cli/run_options.h"
#include "cli/signals.h"
#include "common/errors.h"

namespace sessim::cli {

int run_balancer(const BalanceOptions& options) {
  // Before the event loops and the health checker start.
  block_termination_signals();
  BalancerConfig config;
  config.host = options.host;
  config.port = options.port;
  std::vector<std::string> names;
  const auto& flags = options.cluster;
  if (flags.health_check) config.health.check_interval_ms = flags.health_check->count();
  if (flags.keepalive)
    config.max_idle_connections_per_upstream = static_cast<std::size_t>(*flags.keepalive);
  if (flags.upstream_timeout) config.upstream_timeout = *flags.upstream_timeout;
  config.health.max_fails = flags.max_fails.value_or(1);
  config.health.fail_timeout_ms = flags.fail_timeout.value_or(std::chrono::seconds(10)).count();
  if (flags.weights.size() > flags.upstreams.size()) {
    throw UsageError(fmt::format("--weights has {} values for {} upstreams", flags.weights.size(),
                                 flags.upstreams.size()));
  }
  for (const auto& spec : flags.upstreams) {
    config.upstreams.push_back(parse_named_upstream(spec));
    if (config.upstreams.size() <= flags.weights.size()) {
      config.upstreams.back().weight = flags.weights[config.upstreams.size() - 1];
    }
    names.push_back(
        fmt::format("{}={}", config.upstreams.back().name, config.upstreams.back().address()));
  }
  StrategyOptions strategy;
  strategy.kind = flags.balancer.value_or(StrategyKind::round_robin);
  strategy.hash_key = flags.hash_key.value_or(kDefaultHashKey);
  const auto environment = start_event_loops(flags);
  Balancer balancer(std::move(config), make_strategy(strategy));
  if (options.trace) {
    balancer.set_access_log([](const std::string& line) {
      fmt::print(stderr, "{}\n", line);
      std::fflush(stderr);
    });
  }
  const int port = balancer.bind();
  stop_server_on_signal([&balancer] { balancer.stop(); }, std::chrono::milliseconds(300));
  fmt::print("balancer listening on http://{}:{} ({} over {}; {} event loops)\n", options.host,
             port, to_string(strategy.kind), fmt::join(names, ", "), environment.event_loops);
  std::fflush(stdout);
  balancer.serve();
  return kExitOk;
}

}  // namespace sessim::cli
